-- Version 6: a compact access log. What a request disclosed is a set of beliefs stored once and
-- referenced by every request that disclosed exactly that set, so a vendor re-reading a page adds
-- one log row and nothing else. Beliefs are numbered on their first disclosure (numbers are never
-- reused), and a set's members are those numbers. `disclosures` becomes a view with the old
-- columns, so "who received this belief" and the compaction read the same relation as before.
CREATE TABLE belief_numbers (
    n         INTEGER PRIMARY KEY,
    belief_id TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE disclosure_sets (
    id     INTEGER PRIMARY KEY,
    -- SHA-256 of the sorted belief ids; NULL for sets carried over from version 5.
    digest BLOB UNIQUE
) STRICT;

CREATE TABLE disclosure_set_members (
    set_id INTEGER NOT NULL REFERENCES disclosure_sets(id) ON DELETE CASCADE,
    n      INTEGER NOT NULL REFERENCES belief_numbers(n),
    PRIMARY KEY (set_id, n)
) STRICT, WITHOUT ROWID;
CREATE INDEX disclosure_set_members_by_belief ON disclosure_set_members(n, set_id);

ALTER TABLE access_log ADD COLUMN disclosed_set INTEGER REFERENCES disclosure_sets(id);
CREATE INDEX access_log_by_set ON access_log(disclosed_set) WHERE disclosed_set IS NOT NULL;

-- Every earlier request's disclosures become a set of its own.
INSERT INTO belief_numbers (belief_id) SELECT DISTINCT belief_id FROM disclosures ORDER BY belief_id;
INSERT INTO disclosure_sets (id) SELECT DISTINCT access_seq FROM disclosures;
INSERT INTO disclosure_set_members (set_id, n)
    SELECT d.access_seq, b.n FROM disclosures d JOIN belief_numbers b ON b.belief_id = d.belief_id;
UPDATE access_log SET disclosed_set = seq WHERE seq IN (SELECT id FROM disclosure_sets);
DROP TABLE disclosures;

CREATE VIEW disclosures (access_seq, belief_id) AS
    SELECT a.seq, b.belief_id
    FROM access_log a
    JOIN disclosure_set_members m ON m.set_id = a.disclosed_set
    JOIN belief_numbers b ON b.n = m.n;
