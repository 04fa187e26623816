-- Version 11: the compacted access log keeps what was disclosed as sets, as the detailed log
-- does. A compacted day (per grant, vendor and purpose) is a row per set of the beliefs it
-- disclosed the same number of times, with that number: a vendor that reads every page every
-- day leaves a set a day once compacted, no longer a row per belief and day. Texts are
-- `log_texts` numbers (0: none). Sets are kept while a compacted day refers to them.
CREATE TABLE disclosed_days (
    day       TEXT NOT NULL,
    grant_id  INTEGER NOT NULL,
    vendor_id INTEGER NOT NULL,
    purpose   INTEGER NOT NULL,
    set_id    INTEGER NOT NULL REFERENCES disclosure_sets(id),
    times     INTEGER NOT NULL CHECK (times > 0),
    PRIMARY KEY (day, grant_id, vendor_id, purpose, set_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX disclosed_days_by_set ON disclosed_days (set_id);

-- The beliefs each earlier day disclosed the same number of times, under the same grant, vendor
-- and purpose, become one set.
INSERT OR IGNORE INTO belief_numbers (belief_id)
    SELECT DISTINCT belief_id FROM disclosure_days ORDER BY belief_id;
INSERT OR IGNORE INTO log_texts (text)
    SELECT grant_id FROM disclosure_days WHERE grant_id <> ''
    UNION SELECT vendor_id FROM disclosure_days WHERE vendor_id <> ''
    UNION SELECT purpose FROM disclosure_days WHERE purpose <> '';
CREATE TEMP TABLE day_groups (
    n         INTEGER PRIMARY KEY,
    day       TEXT NOT NULL,
    grant_id  TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    purpose   TEXT NOT NULL,
    times     INTEGER NOT NULL,
    members   BLOB NOT NULL
);
INSERT INTO day_groups (day, grant_id, vendor_id, purpose, times, members)
    SELECT d.day, d.grant_id, d.vendor_id, d.purpose, d.times, set_pack(b.n)
    FROM disclosure_days d JOIN belief_numbers b ON b.belief_id = d.belief_id
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
-- The new sets take the numbers after the last one (no digest, as the sets of version 5).
CREATE TEMP TABLE set_base AS SELECT coalesce(max(id), 0) AS base FROM disclosure_sets;
INSERT INTO disclosure_sets (id, digest, members)
    SELECT s.base + g.n, NULL, g.members FROM day_groups g, set_base s;
INSERT INTO disclosed_days (day, grant_id, vendor_id, purpose, set_id, times)
    SELECT g.day,
           coalesce((SELECT id FROM log_texts WHERE text = g.grant_id AND g.grant_id <> ''), 0),
           coalesce((SELECT id FROM log_texts WHERE text = g.vendor_id AND g.vendor_id <> ''), 0),
           coalesce((SELECT id FROM log_texts WHERE text = g.purpose AND g.purpose <> ''), 0),
           s.base + g.n, g.times
    FROM day_groups g, set_base s;
DROP TABLE temp.day_groups;
DROP TABLE temp.set_base;
DROP TABLE disclosure_days;
