-- Selfmodel vault schema, version 1.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE purposes (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    dpv_term    TEXT NOT NULL
) STRICT;

CREATE TABLE belief_types (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    description          TEXT NOT NULL,
    retention_days       INTEGER NOT NULL CHECK (retention_days >= 0),
    min_share_confidence REAL NOT NULL CHECK (min_share_confidence BETWEEN 0 AND 1),
    evidence_required    INTEGER NOT NULL,
    default_sensitivity  TEXT NOT NULL CHECK (default_sensitivity IN ('normal', 'special'))
) STRICT;

CREATE TABLE type_purposes (
    type_id    TEXT NOT NULL REFERENCES belief_types(id) ON DELETE CASCADE,
    purpose_id TEXT NOT NULL REFERENCES purposes(id),
    PRIMARY KEY (type_id, purpose_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE beliefs (
    id          TEXT PRIMARY KEY,
    statement   TEXT NOT NULL,
    category    TEXT NOT NULL REFERENCES belief_types(id),
    confidence  REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    sensitivity TEXT NOT NULL CHECK (sensitivity IN ('normal', 'special')),
    status      TEXT NOT NULL CHECK (status IN ('active', 'pending', 'rejected')),
    actor       TEXT NOT NULL,
    actor_name  TEXT,
    method      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    expires_at  TEXT
) STRICT;
CREATE INDEX beliefs_by_category ON beliefs(category);

CREATE TABLE belief_purposes (
    belief_id  TEXT NOT NULL REFERENCES beliefs(id) ON DELETE CASCADE,
    purpose_id TEXT NOT NULL REFERENCES purposes(id),
    PRIMARY KEY (belief_id, purpose_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE evidence (
    belief_id      TEXT NOT NULL REFERENCES beliefs(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    source         TEXT NOT NULL,
    summary        TEXT NOT NULL,
    observed_at    TEXT NOT NULL,
    content_sha256 TEXT,
    PRIMARY KEY (belief_id, position)
) STRICT;

CREATE TABLE rectifications (
    belief_id   TEXT NOT NULL REFERENCES beliefs(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT,
    reason      TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json  TEXT NOT NULL,
    PRIMARY KEY (belief_id, position)
) STRICT;

CREATE TABLE audit_events (
    seq     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT,
    prev    BLOB NOT NULL,
    hash    BLOB NOT NULL
) STRICT;
