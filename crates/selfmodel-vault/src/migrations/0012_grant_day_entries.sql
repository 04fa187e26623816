-- Version 12: how many access-log entries each grant added on each UTC day, counted in the
-- transaction that adds them, so that a grant's daily allowance holds whatever connection wrote
-- them and whether or not a transaction rolled back. `grant_id` is a `log_texts` number, `day`
-- days since 1970-01-01. A grant's earlier days are deleted when it first writes on a new one.
CREATE TABLE grant_day_entries (
    grant_id INTEGER NOT NULL,
    day      INTEGER NOT NULL,
    entries  INTEGER NOT NULL CHECK (entries > 0),
    PRIMARY KEY (grant_id, day)
) STRICT, WITHOUT ROWID;
