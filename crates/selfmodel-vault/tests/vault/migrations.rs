//! Schema migrations: a vault written by an older Selfmodel opens, migrates and reads back whole;
//! a vault from a newer Selfmodel is refused and left alone.
#![allow(missing_docs)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::{
    PASS, belief_with, bytes, create_vault, empty_vault, expect_err, insert, keyed, now, pass,
    sidecar,
};
use rusqlite::types::FromSql;
use rusqlite::{Connection, params};
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::{AuditEvent, canonical_time, verify};
use selfmodel_core::validate::rectify;
use selfmodel_core::{
    Actor, AuditAction, Belief, BeliefFilter, BeliefId, Catalogue, ChainVerdict, Hash,
    PendingEvent, Rectify,
};
use selfmodel_vault::{Vault, VaultError, migrations};
use tempfile::TempDir;

const APPLICATION_ID: i32 = 0x5345_4c46;

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// A belief with purposes, evidence and a rectification, as version 1 stored it.
fn old_belief(catalogue: &Catalogue) -> Belief {
    let b = belief_with(
        catalogue,
        "Reads about astronomy most evenings",
        "Bookmarks of astronomy articles",
        0.7,
        set(&["personalisation", "recommendations"]),
    );
    rectify(
        &b,
        Rectify {
            statement: Some("Reads about astronomy and astrophysics most evenings".into()),
            confidence: Some(0.75),
            purposes: Some(set(&["recommendations"])),
            reason: "More precise".into(),
        },
        catalogue,
        Actor::Vendor {
            grant_id: "grant-1".into(),
            name: "Acme Reader".into(),
        },
        now(),
    )
    .expect("rectify")
}

fn snapshot_json(s: &selfmodel_core::Snapshot) -> String {
    serde_json::json!({
        "statement": s.statement,
        "confidence": s.confidence,
        "purposes": s.purposes,
    })
    .to_string()
}

fn actor_name(a: &Actor) -> Option<&str> {
    match a {
        Actor::Vendor { name, .. } => Some(name),
        _ => None,
    }
}

/// Writes, with plain rusqlite and the standard SQLCipher key, the file that Selfmodel's schema
/// version 1 wrote: migration 1 only, its catalogue (purposes without `opt_in`), one belief and
/// the audit chain's first event. Returns the belief and the audit event.
fn write_v1(path: &Path, catalogue: &Catalogue, b: &Belief) -> AuditEvent {
    let conn = keyed(path, PASS);
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .expect("application_id");
    conn.execute_batch(migrations::MIGRATIONS[0])
        .expect("migration 1");
    conn.pragma_update(None, "user_version", 1)
        .expect("user_version");
    for p in &catalogue.purposes {
        conn.execute(
            "INSERT INTO purposes (id, name, description, dpv_term) VALUES (?1, ?2, ?3, ?4)",
            params![p.id, p.name, p.description, p.dpv_term],
        )
        .expect("purpose");
    }
    for t in &catalogue.types {
        conn.execute(
            "INSERT INTO belief_types (id, name, description, retention_days, \
             min_share_confidence, evidence_required, default_sensitivity) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                t.id,
                t.name,
                t.description,
                t.retention_days,
                t.min_share_confidence,
                t.evidence_required,
                t.default_sensitivity.as_str()
            ],
        )
        .expect("type");
        for p in &t.allowed_purposes {
            conn.execute(
                "INSERT INTO type_purposes (type_id, purpose_id) VALUES (?1, ?2)",
                [&t.id, p],
            )
            .expect("type purpose");
        }
    }
    let id = b.id.to_string();
    conn.execute(
        "INSERT INTO beliefs (id, statement, category, confidence, sensitivity, status, actor, \
         actor_name, method, created_at, updated_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            id,
            b.statement,
            b.category,
            b.confidence,
            b.sensitivity.as_str(),
            b.status.as_str(),
            b.provenance.actor.encode(),
            actor_name(&b.provenance.actor),
            b.provenance.method,
            canonical_time(&b.created_at),
            canonical_time(&b.updated_at),
            b.expires_at.as_ref().map(canonical_time),
        ],
    )
    .expect("belief");
    for p in &b.purposes {
        conn.execute(
            "INSERT INTO belief_purposes (belief_id, purpose_id) VALUES (?1, ?2)",
            [&id, p],
        )
        .expect("belief purpose");
    }
    for (i, e) in b.evidence.iter().enumerate() {
        conn.execute(
            "INSERT INTO evidence (belief_id, position, kind, source, summary, observed_at, \
             content_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                i,
                e.kind.as_str(),
                e.source,
                e.summary,
                canonical_time(&e.observed_at),
                e.content_sha256
            ],
        )
        .expect("evidence");
    }
    for (i, r) in b.history.iter().enumerate() {
        conn.execute(
            "INSERT INTO rectifications (belief_id, position, at, actor, actor_name, reason, \
             before_json, after_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                i,
                canonical_time(&r.at),
                r.actor.encode(),
                actor_name(&r.actor),
                r.reason,
                snapshot_json(&r.before),
                snapshot_json(&r.after)
            ],
        )
        .expect("rectification");
    }
    let vault_id = "0190a000-0000-7000-8000-000000000001".to_owned();
    let created = now();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('vault_id', ?1), ('created_at', ?2)",
        [&vault_id, &canonical_time(&created)],
    )
    .expect("meta");
    let event = AuditEvent::seal(
        PendingEvent::new(AuditAction::VaultCreated, Some(vault_id))
            .with_detail(Detail::new().with("schema", "1")),
        1,
        created,
        Hash::GENESIS,
    );
    conn.execute(
        "INSERT INTO audit_events (seq, at, action, subject, detail, prev, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            event.seq,
            event.timestamp(),
            event.action,
            event.subject,
            event.detail,
            event.prev.0.as_slice(),
            event.hash.0.as_slice()
        ],
    )
    .expect("audit event");
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .expect("WAL");
    assert_eq!(mode, "wal");
    conn.close().expect("close");
    assert!(!sidecar(path, "-wal").exists(), "checkpointed on close");
    event
}

/// A vault `name` as Selfmodel's schema version 1 left it ([`write_v1`] with the default
/// catalogue and [`old_belief`]), closed, alone in a temporary directory: the directory (bind it
/// for as long as the test runs), the vault's path, its one belief and its one audit event.
fn v1_vault(name: &str) -> (TempDir, PathBuf, Belief, AuditEvent) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    let catalogue = Catalogue::defaults();
    let belief = old_belief(&catalogue);
    let created = write_v1(&path, &catalogue, &belief);
    (dir, path, belief, created)
}

/// Migrates the closed vault at `path` up to `version` only, and closes it again.
fn migrate_to(path: &Path, version: u32) {
    let vault = Vault::open_at_version(path, &pass(PASS), version).expect("open at a version");
    vault.close().expect("close");
}

/// Runs `f` on the closed vault at `path` through a plain keyed connection, then closes it.
fn alter(path: &Path, f: impl FnOnce(&Connection)) {
    let conn = keyed(path, PASS);
    f(&conn);
    conn.close().expect("close");
}

/// The single value `sql` reads from the vault at `path`, through a plain keyed connection.
fn query_one<T: FromSql>(path: &Path, sql: &str) -> T {
    keyed(path, PASS)
        .query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Marks the vault as written by a Selfmodel of schema version 99.
fn set_user_version_99(conn: &Connection) {
    conn.pragma_update(None, "user_version", 99)
        .expect("user_version");
}

fn columns(conn: &Connection, table: &str) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

fn user_version(path: &Path) -> u32 {
    query_one(path, "PRAGMA user_version")
}

/// Every file that belongs to the vault, for "unchanged" checks.
fn files(path: &Path) -> [(PathBuf, Option<Vec<u8>>); 3] {
    ["", "-wal", "-shm"].map(|s| {
        let p = sidecar(path, s);
        let content = p.exists().then(|| bytes(&p));
        (p, content)
    })
}

#[test]
fn version_1_vault_migrates_and_reads_back_whole() {
    let (_dir, path, b, first) = v1_vault("v1.db");
    let catalogue = Catalogue::defaults();
    assert_eq!(user_version(&path), 1);
    assert!(!columns(&keyed(&path, PASS), "purposes").contains(&"opt_in".to_owned()));

    let mut vault = Vault::open(&path, &pass(PASS)).expect("open a version-1 vault");
    assert_eq!(vault.schema_version().expect("version"), migrations::LATEST);

    // The belief, whole: fields, purposes, evidence, provenance, history.
    let back = vault
        .read(|r| r.belief(b.id))
        .expect("read")
        .expect("present");
    // Migration 9 counts an active belief as confirmed when it last changed.
    let b = Belief {
        confirmed_at: Some(b.updated_at),
        ..b
    };
    assert_eq!(back, b);
    assert_eq!(back.history.len(), 1);
    assert_eq!(
        vault
            .read(|r| r.beliefs(&BeliefFilter {
                purpose: Some("recommendations".into()),
                ..BeliefFilter::default()
            }))
            .expect("list by purpose (uses the version-2 index)"),
        vec![b.clone()]
    );

    // Migration 2 marked the opt-in purposes.
    let cat = vault.read(|r| r.catalogue()).expect("catalogue");
    assert_eq!(cat.purposes.len(), catalogue.purposes.len());
    for p in &cat.purposes {
        assert_eq!(
            p.opt_in,
            matches!(p.id.as_str(), "advertising" | "research"),
            "{}",
            p.id
        );
    }
    let ads = cat.purpose("advertising").expect("advertising");
    assert!(ads.opt_in);
    // Which is exactly the catalogue a new vault starts with (the vault lists it by id).
    let mut expected = catalogue.clone();
    expected.purposes.sort_by(|a, b| a.id.cmp(&b.id));
    expected.types.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(cat, expected);

    // The chain written by version 1 verifies, and new events chain onto it.
    let events = vault.read(|r| r.audit_events()).expect("events");
    assert_eq!(events, vec![first.clone()]);
    let extra = belief_with(&catalogue, "Likes telescopes", "Bought one", 0.6, set(&[]));
    insert(&mut vault, &[extra]);
    let events = vault.read(|r| r.audit_events()).expect("events");
    assert_eq!(events[0], first);
    assert_eq!(
        verify(&events),
        ChainVerdict::Intact {
            events: 2,
            head: events[1].hash
        }
    );
    vault.close().expect("close");

    // Reopening a migrated vault is a no-op migration.
    let vault = Vault::open(&path, &pass(PASS)).expect("reopen");
    assert_eq!(vault.schema_version().expect("version"), migrations::LATEST);
    drop(vault);
    let conn = keyed(&path, PASS);
    assert!(columns(&conn, "purposes").contains(&"opt_in".to_owned()));
}

#[test]
fn open_at_version_stops_where_asked() {
    let (_dir, path, _, _) = v1_vault("v1.db");

    let mut vault = Vault::open_at_version(&path, &pass(PASS), 1).expect("open at 1");
    assert_eq!(vault.schema_version().expect("version"), 1);
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 1);
    vault.close().expect("close");
    assert_eq!(user_version(&path), 1);

    let vault = Vault::open(&path, &pass(PASS)).expect("open");
    assert_eq!(vault.schema_version().expect("version"), migrations::LATEST);
}

#[test]
fn failed_migration_is_rolled_back() {
    // A version-1 file on which migration 2 fails half-way (an index by that name exists):
    // the open fails and the file stays at version 1 with no trace of the half-run migration.
    let (_dir, path, _, _) = v1_vault("v1.db");
    alter(&path, |conn| {
        conn.execute_batch("CREATE INDEX beliefs_by_expiry ON beliefs(updated_at);")
            .expect("index");
    });
    let before = files(&path);
    let err = expect_err(Vault::open(&path, &pass(PASS)), "the migration must fail");
    assert!(err.to_string().contains("beliefs_by_expiry"), "{err}");
    assert_eq!(files(&path), before, "a failed migration changed the file");
    assert_eq!(user_version(&path), 1);
    assert!(!columns(&keyed(&path, PASS), "purposes").contains(&"opt_in".to_owned()));
}

#[test]
fn too_new_vault_is_refused_and_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut vault) = create_vault(dir.path(), "future.db");
    insert(
        &mut vault,
        &[belief_with(
            &Catalogue::defaults(),
            "From the future",
            "A time machine",
            0.5,
            set(&[]),
        )],
    );
    vault.close().expect("close");
    alter(&path, set_user_version_99);
    let before = files(&path);
    assert!(before[1].1.is_none(), "no WAL left behind");
    let err = expect_err(
        Vault::open(&path, &pass(PASS)),
        "a version-99 vault must be refused",
    );
    assert!(
        matches!(
            err,
            VaultError::TooNew {
                found: 99,
                supported
            } if supported == migrations::LATEST
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains('\n'));
    assert_eq!(files(&path), before, "a refused vault was changed");
    assert_eq!(user_version(&path), 99);
}

#[test]
fn too_new_vault_in_rollback_journal_mode_is_untouched() {
    // A newer Selfmodel might not use WAL. Refusing such a file must not rewrite its header.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = empty_vault(dir.path(), "future.db");
    alter(&path, |conn| {
        let mode: String = conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .expect("DELETE");
        assert_eq!(mode, "delete");
        set_user_version_99(conn);
    });
    let before = files(&path);
    let err = expect_err(
        Vault::open(&path, &pass(PASS)),
        "a version-99 vault must be refused",
    );
    assert!(
        matches!(err, VaultError::TooNew { found: 99, .. }),
        "{err:?}"
    );
    let journal: String = query_one(&path, "PRAGMA journal_mode");
    assert_eq!(journal, "delete", "the refused file was switched to WAL");
    assert_eq!(files(&path), before, "a refused vault was changed");
}

/// Logs one allowed read disclosing `ids`, as the use-case layer does.
fn log_read(vault: &mut Vault, grant: &str, ids: &[BeliefId]) -> u64 {
    let access = selfmodel_core::NewAccess {
        grant_id: Some(grant.into()),
        vendor_id: Some(format!("org.example.{grant}")),
        purpose: Some("recommendations".into()),
        operation: "beliefs.read".into(),
        outcome: selfmodel_core::Outcome::Allowed,
        disclosed: ids.to_vec(),
    };
    vault
        .write(|w| w.append_access(&access, now()))
        .expect("log")
}

/// The time of the access rows written at version 5, with microseconds.
fn logged_at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(1_764_000_000_123_456).expect("a time")
}

fn count(path: &Path, table: &str) -> u64 {
    query_one(path, &format!("SELECT count(*) FROM {table}"))
}

/// Who received belief `id` and how often, in grant order.
fn recipients(vault: &mut Vault, id: BeliefId) -> Vec<(String, u64)> {
    let mut found: Vec<_> = vault
        .read(|r| r.recipients(id))
        .expect("recipients")
        .into_iter()
        .map(|r| (r.grant_id, r.times))
        .collect();
    found.sort();
    found
}

#[test]
fn version_5_disclosures_become_sets_and_stay_exact() {
    let (_dir, path, b, _) = v1_vault("v5.db");
    let other = BeliefId::new();
    migrate_to(&path, 5);
    // Version 5 kept one disclosure row per request and belief.
    alter(&path, |conn| {
        let at = canonical_time(&logged_at());
        for (seq, grant, ids) in [
            (1, "g1", vec![b.id, other]),
            (2, "g1", vec![b.id]),
            (3, "g2", vec![other]),
        ] {
            conn.execute(
                "INSERT INTO access_log (seq, at, grant_id, vendor_id, purpose, operation, outcome) \
                 VALUES (?1, ?2, ?3, 'org.example', 'recommendations', 'beliefs.read', 'allowed')",
                params![seq, at, grant],
            )
            .expect("access row");
            for id in ids {
                conn.execute(
                    "INSERT INTO disclosures (access_seq, belief_id) VALUES (?1, ?2)",
                    params![seq, id.to_string()],
                )
                .expect("disclosure row");
            }
        }
    });

    let mut vault = Vault::open(&path, &pass(PASS)).expect("migrate to the latest");
    assert_eq!(recipients(&mut vault, b.id), vec![("g1".to_owned(), 2)]);
    assert_eq!(
        recipients(&mut vault, other),
        vec![("g1".to_owned(), 1), ("g2".to_owned(), 1)]
    );
    let log = vault
        .read(|r| r.access_log(&selfmodel_vault::AccessFilter::default()))
        .expect("log");
    let mut first = vec![b.id, other];
    first.sort();
    assert_eq!(log[0].disclosed, first);
    assert_eq!(log[1].disclosed, vec![b.id]);
    assert_eq!(log[2].disclosed, vec![other]);
    // Version 8 keeps times as integers: to the microsecond, as they were written.
    assert!(log.iter().all(|e| e.at == logged_at()), "{log:?}");
    assert_eq!(log[0].vendor_id.as_deref(), Some("org.example"));
    assert_eq!(log[0].operation, "beliefs.read");

    // A set already stored is referred to, not stored again; a new one is stored once.
    // Its members are packed into the set's row: two beliefs already numbered take two bytes.
    let sets = count(&path, "disclosure_sets");
    let numbered = count(&path, "belief_numbers");
    log_read(&mut vault, "g3", &[other, b.id]);
    log_read(&mut vault, "g3", &[other, b.id]);
    assert_eq!(count(&path, "disclosure_sets"), sets + 1);
    assert_eq!(count(&path, "belief_numbers"), numbered);
    let packed: u64 = query_one(
        &path,
        "SELECT length(members) FROM disclosure_sets ORDER BY id DESC LIMIT 1",
    );
    assert_eq!(packed, 2);
    assert_eq!(
        recipients(&mut vault, b.id)
            .into_iter()
            .filter(|(g, _)| g == "g3")
            .collect::<Vec<_>>(),
        vec![("g3".to_owned(), 2)]
    );
}

#[test]
fn version_10_compacted_days_become_sets_and_stay_exact() {
    let (_dir, path, b, _) = v1_vault("v10.db");
    let (x, y) = (BeliefId::new(), BeliefId::new());
    migrate_to(&path, 10);
    // Version 10 kept one compacted row per belief, day, grant, vendor and purpose.
    let rows = [
        (b.id, "2025-01-01", "g1", 2),
        (x, "2025-01-01", "g1", 2),
        (y, "2025-01-01", "g1", 1),
        (x, "2025-01-02", "g2", 1),
        (y, "2025-01-02", "", 3),
    ];
    alter(&path, |conn| {
        for (belief, day, grant, times) in rows {
            conn.execute(
                "INSERT INTO disclosure_days (belief_id, day, grant_id, vendor_id, purpose, times) \
                 VALUES (?1, ?2, ?3, 'org.example', 'recommendations', ?4)",
                params![belief.to_string(), day, grant, times],
            )
            .expect("compacted row");
        }
    });

    let mut vault = Vault::open(&path, &pass(PASS)).expect("migrate to the latest");
    let mut got: Vec<_> = vault
        .read(|r| r.disclosure_days(None, None))
        .expect("days")
        .into_iter()
        .map(|d| (d.belief_id, d.day.to_string(), d.grant_id, d.times))
        .collect();
    got.sort();
    let mut want: Vec<_> = rows
        .iter()
        .map(|(b, day, g, t)| (*b, day.to_string(), g.to_string(), *t as u64))
        .collect();
    want.sort();
    assert_eq!(got, want);
    // The first day's beliefs read twice are one set, the one read once another; each row of
    // the second day is its own.
    assert_eq!(count(&path, "disclosed_days"), 4);
    assert_eq!(
        recipients(&mut vault, x),
        [("g1".to_owned(), 2), ("g2".to_owned(), 1)]
    );
}
