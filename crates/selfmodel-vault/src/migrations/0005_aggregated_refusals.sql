-- Version 5: one access-log row may stand for many requests. Refusals of callers without a
-- valid token or poll secret are counted in memory and written as one row per UTC minute,
-- operation and reason (vendor, grant and purpose empty); every other row stands for one request.
ALTER TABLE access_log ADD COLUMN requests INTEGER NOT NULL DEFAULT 1 CHECK (requests > 0);
