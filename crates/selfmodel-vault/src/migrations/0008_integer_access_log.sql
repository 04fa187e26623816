-- Version 8: the access log in integer-coded columns. Its texts (grant and vendor ids, purposes,
-- operations, reasons) are stored once in `log_texts` and referred to by number, its time is
-- microseconds since the Unix epoch, and its outcome one bit, so that a row with its index
-- entries takes tens of bytes instead of hundreds. Rows keep their sequence numbers. The view
-- `access_log` shows the old columns (its `at` now the integer) for the queries that read it.
CREATE TABLE log_texts (
    id   INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE access_entries (
    seq           INTEGER PRIMARY KEY,
    -- Microseconds since 1970-01-01T00:00:00Z.
    at            INTEGER NOT NULL,
    grant_id      INTEGER,
    vendor_id     INTEGER,
    purpose       INTEGER,
    operation     INTEGER NOT NULL,
    -- 0: allowed; 1: denied, for `reason`.
    denied        INTEGER NOT NULL CHECK (denied IN (0, 1)),
    reason        INTEGER,
    requests      INTEGER NOT NULL DEFAULT 1 CHECK (requests > 0),
    disclosed_set INTEGER REFERENCES disclosure_sets(id)
) STRICT;

INSERT OR IGNORE INTO log_texts (text)
    SELECT grant_id FROM access_log WHERE grant_id IS NOT NULL
    UNION SELECT vendor_id FROM access_log WHERE vendor_id IS NOT NULL
    UNION SELECT purpose FROM access_log WHERE purpose IS NOT NULL
    UNION SELECT operation FROM access_log
    UNION SELECT reason FROM access_log WHERE reason IS NOT NULL;

-- Stored times are RFC 3339 with six fractional digits: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
INSERT INTO access_entries
    (seq, at, grant_id, vendor_id, purpose, operation, denied, reason, requests, disclosed_set)
    SELECT a.seq,
           unixepoch(a.at) * 1000000 + CAST(substr(a.at, 21, 6) AS INTEGER),
           (SELECT id FROM log_texts WHERE text = a.grant_id),
           (SELECT id FROM log_texts WHERE text = a.vendor_id),
           (SELECT id FROM log_texts WHERE text = a.purpose),
           (SELECT id FROM log_texts WHERE text = a.operation),
           a.outcome <> 'allowed',
           (SELECT id FROM log_texts WHERE text = a.reason),
           a.requests,
           a.disclosed_set
    FROM access_log a;

DROP VIEW disclosures;
DROP TABLE access_log;

CREATE INDEX access_entries_by_grant ON access_entries (grant_id, seq) WHERE grant_id IS NOT NULL;
CREATE INDEX access_entries_by_time ON access_entries (at);
CREATE INDEX access_entries_by_set ON access_entries (disclosed_set) WHERE disclosed_set IS NOT NULL;

CREATE VIEW access_log
    (seq, at, grant_id, vendor_id, purpose, operation, outcome, reason, requests, disclosed_set) AS
    SELECT e.seq, e.at, g.text, v.text, p.text, o.text,
           CASE e.denied WHEN 0 THEN 'allowed' ELSE 'denied' END, r.text, e.requests,
           e.disclosed_set
    FROM access_entries e
    LEFT JOIN log_texts g ON g.id = e.grant_id
    LEFT JOIN log_texts v ON v.id = e.vendor_id
    LEFT JOIN log_texts p ON p.id = e.purpose
    LEFT JOIN log_texts o ON o.id = e.operation
    LEFT JOIN log_texts r ON r.id = e.reason;

CREATE VIEW disclosures (access_seq, belief_id) AS
    SELECT e.seq, b.belief_id
    FROM access_entries e
    JOIN disclosure_set_members m ON m.set_id = e.disclosed_set
    JOIN belief_numbers b ON b.n = m.n;
