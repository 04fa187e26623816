//! Helpers shared by the vault's integration tests (each test file uses a subset).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SubsecRound, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;
use selfmodel_core::validate::build_belief;
use selfmodel_core::{
    Actor, AuditAction, Belief, Catalogue, EvidenceKind, NewBelief, NewEvidence, Passphrase,
    PendingEvent, Provenance, Status,
};
use selfmodel_vault::{Result, Vault, VaultError};
use tempfile::TempDir;

/// The passphrase most tests use.
pub const PASS: &str = "correct horse battery staple";

/// A passphrase value.
pub fn pass(s: &str) -> Passphrase {
    Passphrase::new(s.to_owned())
}

/// Now, at the microsecond precision the vault stores.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A valid belief of type `interests` with one piece of evidence.
pub fn belief(catalogue: &Catalogue, statement: &str, evidence_summary: &str) -> Belief {
    belief_with(catalogue, statement, evidence_summary, 0.8, BTreeSet::new())
}

/// A valid belief of type `interests` with one piece of evidence, a confidence and purposes
/// (empty: the type's defaults).
pub fn belief_with(
    catalogue: &Catalogue,
    statement: &str,
    evidence_summary: &str,
    confidence: f64,
    purposes: BTreeSet<String>,
) -> Belief {
    build_belief(
        NewBelief {
            statement: statement.to_owned(),
            category: "interests".into(),
            confidence,
            purposes,
            sensitivity: None,
            evidence: vec![NewEvidence {
                kind: EvidenceKind::Observed,
                source: "test-suite".into(),
                summary: evidence_summary.to_owned(),
                observed_at: None,
                content_sha256: Some("ab".repeat(32)),
            }],
        },
        catalogue,
        Provenance {
            actor: Actor::Person,
            method: "test".into(),
        },
        Status::Active,
        now(),
    )
    .expect("a valid belief")
}

/// The audit event of a created belief.
pub fn created(b: &Belief) -> PendingEvent {
    PendingEvent::new(AuditAction::BeliefCreated, Some(b.id.to_string()))
}

/// Inserts beliefs in one write, with an audit event for each.
pub fn try_insert(vault: &mut Vault, beliefs: &[Belief]) -> Result<()> {
    vault.write(|w| -> Result<()> {
        for b in beliefs {
            w.insert_belief(b)?;
            w.append_audit(created(b), now())?;
        }
        Ok(())
    })
}

/// Inserts beliefs in one audited write, which must succeed.
pub fn insert(vault: &mut Vault, beliefs: &[Belief]) {
    try_insert(vault, beliefs).expect("insert beliefs");
}

/// A new vault at `dir/name`, keyed with [`PASS`] and holding the default catalogue: its path and
/// the open vault.
pub fn create_vault(dir: &Path, name: &str) -> (PathBuf, Vault) {
    let path = dir.join(name);
    let vault = Vault::create(&path, &pass(PASS), &Catalogue::defaults()).expect("create");
    (path, vault)
}

/// A new vault `vault.db` (see [`create_vault`]) alone in a temporary directory: the directory,
/// which is removed when dropped (so bind it for as long as the test runs), the vault's path and
/// the open vault.
pub fn new_vault() -> (TempDir, PathBuf, Vault) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, vault) = create_vault(dir.path(), "vault.db");
    (dir, path, vault)
}

/// A new, empty vault at `dir/name`, closed. Returns its path.
pub fn empty_vault(dir: &Path, name: &str) -> PathBuf {
    let (path, vault) = create_vault(dir, name);
    vault.close().expect("close");
    path
}

/// A keyed vault at `dir/name` holding `n` beliefs with evidence; closed, so the WAL is
/// checkpointed into the main file. Returns its path.
pub fn vault_with_beliefs(dir: &Path, name: &str, n: usize) -> PathBuf {
    let (path, mut vault) = create_vault(dir, name);
    let catalogue = Catalogue::defaults();
    let beliefs: Vec<Belief> = (0..n)
        .map(|i| {
            belief(
                &catalogue,
                &format!("Belief number {i} about reading long-form articles on many topics"),
                &format!("Evidence {i}: read several long articles during the week, every week"),
            )
        })
        .collect();
    insert(&mut vault, &beliefs);
    vault.close().expect("close");
    path
}

/// The error of `result`, which must have failed: `on_success` is the panic message if it did not.
pub fn expect_err<T>(result: Result<T>, on_success: &str) -> VaultError {
    match result {
        Ok(_) => panic!("{on_success}"),
        Err(e) => e,
    }
}

/// Checks that nothing of a vault at `path` exists: neither the file nor its WAL or
/// shared-memory file.
pub fn assert_no_vault_files(path: &Path) {
    for s in ["", "-wal", "-shm"] {
        assert!(!sidecar(path, s).exists(), "left {s} behind");
    }
}

/// A copy of the closed vault at `path`, named `name` in the same directory. Returns its path.
pub fn copy_of(path: &Path, name: &str) -> PathBuf {
    let copy = path.with_file_name(name);
    std::fs::copy(path, &copy).expect("copy");
    copy
}

/// `path` with a suffix appended, e.g. the `-wal` file.
pub fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The bytes of a file, or empty if it does not exist.
pub fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// Whether `needle` occurs in `hay`. Text needles go through the standard library's (optimised)
/// substring search: a lossy UTF-8 view keeps every ASCII byte where it was.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    match std::str::from_utf8(needle) {
        Ok(text) if text.is_ascii() => String::from_utf8_lossy(hay).contains(text),
        _ => hay.windows(needle.len()).any(|w| w == needle),
    }
}

/// Whether `needle` occurs in the main file, the WAL or the shared-memory file.
pub fn on_disk(path: &Path, needle: &str) -> Vec<&'static str> {
    ["", "-wal", "-shm"]
        .into_iter()
        .filter(|s| contains(&bytes(&sidecar(path, s)), needle.as_bytes()))
        .map(|s| if s.is_empty() { ".db" } else { s })
        .collect()
}

/// A raw rusqlite connection with no key: for plain SQLite fixtures, and for looking at the
/// unkeyed baseline from outside the vault.
pub fn unkeyed(path: &Path) -> Connection {
    #[allow(
        clippy::disallowed_methods,
        reason = "tests build foreign files and inspect or tamper with vaults from outside"
    )]
    let conn = Connection::open(path).expect("open with rusqlite");
    conn
}

/// A pragma's single value as text, whatever type SQLCipher returns it as.
pub fn pragma(conn: &Connection, name: &str) -> String {
    let v: Value = conn
        .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("PRAGMA {name}: {e}"));
    match v {
        Value::Null => String::new(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(s) => s,
        Value::Blob(b) => format!("{b:?}"),
    }
}

/// A plain rusqlite connection keyed the standard SQLCipher way, as the `sqlcipher` shell would.
pub fn keyed(path: &Path, passphrase: &str) -> Connection {
    let conn = unkeyed(path);
    conn.execute_batch(&format!(
        "PRAGMA cipher_log_level = NONE; PRAGMA key = '{}';",
        passphrase.replace('\'', "''")
    ))
    .expect("PRAGMA key");
    conn
}
