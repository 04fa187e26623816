-- Version 9: beliefs are reviewed. Each belief records when the person last confirmed it
-- (added, accepted, rectified or confirmed on review); a proposal not yet accepted has none.
-- Each type says after how many days its beliefs are due for review. Existing active beliefs
-- count as confirmed when they last changed; the days are those of
-- selfmodel_core::catalogue::default_review_days (a test holds them equal).
ALTER TABLE beliefs ADD COLUMN confirmed_at TEXT;
UPDATE beliefs SET confirmed_at = updated_at WHERE status = 'active';

ALTER TABLE belief_types ADD COLUMN review_days INTEGER NOT NULL DEFAULT 180 CHECK (review_days > 0);
UPDATE belief_types SET review_days = CASE
    WHEN id = 'context' THEN 30
    WHEN id IN ('goals', 'routines', 'health') THEN 90
    WHEN id IN ('communication-style', 'expertise', 'values', 'accessibility') THEN 365
    ELSE 180
END;
