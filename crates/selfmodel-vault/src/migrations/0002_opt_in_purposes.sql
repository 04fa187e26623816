-- Version 2: opt-in purposes (never given to a belief by default), and indexes for the
-- retention sweep and purpose-filtered reads.
ALTER TABLE purposes ADD COLUMN opt_in INTEGER NOT NULL DEFAULT 0;
UPDATE purposes SET opt_in = 1 WHERE id IN ('advertising', 'research');
CREATE INDEX beliefs_by_expiry ON beliefs(expires_at);
CREATE INDEX belief_purposes_by_purpose ON belief_purposes(purpose_id, belief_id);
