-- Version 3: vendor access — grant requests, grants (tokens stored only as hashes), the access
-- log with the beliefs each request disclosed, the feed of notices to vendors, and tombstones
-- (keyed hashes of erased or rejected beliefs, never their text).
CREATE TABLE grant_requests (
    id                    TEXT PRIMARY KEY,
    vendor_id             TEXT NOT NULL,
    vendor_name           TEXT NOT NULL,
    vendor_url            TEXT,
    scope_json            TEXT NOT NULL,
    duration_days         INTEGER NOT NULL,
    vendor_retention_days INTEGER NOT NULL,
    justification         TEXT NOT NULL,
    user_code             TEXT NOT NULL,
    poll_id               TEXT NOT NULL UNIQUE,
    poll_hash             BLOB NOT NULL,
    status                TEXT NOT NULL
        CHECK (status IN ('pending', 'approved', 'claimed', 'denied', 'expired')),
    created_at            TEXT NOT NULL,
    expires_at            TEXT NOT NULL,
    decided_at            TEXT,
    grant_id              TEXT
) STRICT;
CREATE INDEX grant_requests_by_status ON grant_requests(status, created_at);

CREATE TABLE grants (
    id                    TEXT PRIMARY KEY,
    request_id            TEXT NOT NULL,
    vendor_id             TEXT NOT NULL,
    vendor_name           TEXT NOT NULL,
    vendor_url            TEXT,
    scope_json            TEXT NOT NULL,
    vendor_retention_days INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    expires_at            TEXT NOT NULL,
    revoked_at            TEXT,
    revoked_by            TEXT,
    last_used_at          TEXT,
    token_id              TEXT UNIQUE,
    token_hash            BLOB,
    consent_json          TEXT NOT NULL
) STRICT;

CREATE TABLE access_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    grant_id  TEXT,
    vendor_id TEXT,
    purpose   TEXT,
    operation TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    reason    TEXT
) STRICT;
CREATE INDEX access_log_by_grant ON access_log(grant_id, seq);

CREATE TABLE disclosures (
    access_seq INTEGER NOT NULL REFERENCES access_log(seq) ON DELETE CASCADE,
    belief_id  TEXT NOT NULL,
    PRIMARY KEY (access_seq, belief_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX disclosures_by_belief ON disclosures(belief_id);

CREATE TABLE vendor_events (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    grant_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    belief_id TEXT
) STRICT;
CREATE INDEX vendor_events_by_grant ON vendor_events(grant_id, seq);

CREATE TABLE tombstones (
    digest BLOB PRIMARY KEY,
    at     TEXT NOT NULL
) STRICT;
