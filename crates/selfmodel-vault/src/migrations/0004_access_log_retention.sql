-- Version 4: the access log's retention. Entries older than the retention the person sets are
-- compacted into per-day counts (per grant, vendor, purpose, operation and outcome) and per-day
-- disclosure counts per belief, so "who received this belief" is still answered for the
-- compacted period. Days are UTC dates (YYYY-MM-DD). Empty text stands for "none" in the key columns (NULL cannot be in a key).
CREATE TABLE access_days (
    day       TEXT NOT NULL,
    grant_id  TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    purpose   TEXT NOT NULL,
    operation TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    reason    TEXT NOT NULL,
    requests  INTEGER NOT NULL CHECK (requests > 0),
    PRIMARY KEY (day, grant_id, vendor_id, purpose, operation, outcome, reason)
) STRICT, WITHOUT ROWID;

CREATE TABLE disclosure_days (
    belief_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    grant_id  TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    purpose   TEXT NOT NULL,
    times     INTEGER NOT NULL CHECK (times > 0),
    PRIMARY KEY (belief_id, day, grant_id, vendor_id, purpose)
) STRICT, WITHOUT ROWID;
CREATE INDEX disclosure_days_by_grant ON disclosure_days(grant_id);

CREATE INDEX access_log_by_time ON access_log(at);

INSERT INTO meta (key, value) VALUES ('access_log_retention_days', '365');
