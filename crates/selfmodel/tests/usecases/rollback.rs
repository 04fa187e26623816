#![allow(missing_docs, clippy::unwrap_used)]
//! Rollback and rewrite detection against real vault files: the local witness kept outside the
//! vault notices a copied-back older file and a history rewritten by someone holding the
//! passphrase, and signed checkpoints (receipts) prove both to a third party.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use selfmodel::{ReceiptVerdict, RollbackWarning, Selfmodel, WitnessStore};
use selfmodel_core::audit::{AuditEvent, PendingEvent};
use selfmodel_core::{
    Actor, AuditAction, BeliefFilter, ChainVerdict, Hash, NewBelief, Passphrase, Provenance,
};

const PASS: &str = "a long test passphrase";

fn pass() -> Passphrase {
    Passphrase::new(PASS.into())
}

struct Env {
    _tmp: tempfile::TempDir,
    vault: PathBuf,
    state: PathBuf,
}

impl Env {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        Self {
            vault: tmp.path().join("vault/v.db"),
            state: tmp.path().join("state"),
            _tmp: tmp,
        }
    }

    fn store(&self) -> WitnessStore {
        WitnessStore::in_state_dir(&self.state)
    }

    fn create(&self) -> Selfmodel {
        Selfmodel::create_witnessed(&self.vault, &pass(), Some(self.store())).unwrap()
    }

    fn open(&self) -> Selfmodel {
        Selfmodel::open_witnessed(&self.vault, &pass(), Some(self.store())).unwrap()
    }

    /// Closes the vault and returns its file's bytes (no write-ahead log is left).
    fn close_and_copy(&self, m: Selfmodel) -> Vec<u8> {
        m.close().unwrap();
        assert!(
            !sidecar(&self.vault, "-wal").exists(),
            "the write-ahead log outlived the close"
        );
        std::fs::read(&self.vault).unwrap()
    }

    fn restore(&self, bytes: &[u8]) {
        for s in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(sidecar(&self.vault, s));
        }
        std::fs::write(&self.vault, bytes).unwrap();
    }

    fn witness_file(&self, m: &mut Selfmodel) -> PathBuf {
        let id = m.witness().unwrap().unwrap().vault_id;
        self.store().path_for(&id)
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn add(m: &mut Selfmodel, statement: &str) {
    m.add_belief(
        NewBelief {
            statement: statement.into(),
            category: "interests".into(),
            confidence: 0.7,
            purposes: BTreeSet::new(),
            sensitivity: None,
            evidence: vec![],
        },
        Provenance {
            actor: Actor::Person,
            method: "test".into(),
        },
    )
    .unwrap();
}

fn head(m: &mut Selfmodel) -> (u64, Hash) {
    match m.verify_audit().unwrap() {
        ChainVerdict::Intact { events, head } => (events, head),
        broken => panic!("chain broken: {broken:?}"),
    }
}

#[test]
fn a_copied_back_older_vault_is_noticed_at_open() {
    let env = Env::new();
    let mut m = env.create();
    add(&mut m, "Plays the cello");
    let old = env.close_and_copy(m);

    let mut m = env.open();
    assert_eq!(m.integrity_warning(), None);
    add(&mut m, "Grows tomatoes");
    add(&mut m, "Reads Icelandic sagas");
    let (newer, _) = head(&mut m);
    m.close().unwrap();

    env.restore(&old);
    let mut m = env.open();
    let (older, _) = head(&mut m);
    assert!(older < newer);
    let warning = m.integrity_warning().cloned().expect("a warning");
    assert!(
        matches!(warning, RollbackWarning::Older { witnessed, found, .. } if witnessed == newer && found == older),
        "{warning:?}"
    );
    assert_eq!(warning.code(), "vault_older");
    let text = warning.to_string();
    assert!(
        text.starts_with(&format!(
            "this vault is older than the one last opened on this machine (audit event {newer} of "
        )) && text.contains("it may have been restored from a backup or replaced"),
        "{text}"
    );

    // The person still gets at their data, and may even change it; the witness keeps what was
    // seen until the person accepts the vault as it is.
    assert_eq!(m.beliefs(&BeliefFilter::default()).unwrap().len(), 1);
    add(&mut m, "Knits");
    assert_eq!(m.witness().unwrap().unwrap().seq, newer);
    m.close().unwrap();
    let mut m = env.open();
    assert!(
        m.integrity_warning().is_some(),
        "still warned at the next open"
    );

    let accepted = m.accept_current_state().unwrap();
    assert_eq!(m.integrity_warning(), None);
    assert_eq!((accepted.seq, accepted.head), head(&mut m));
    m.close().unwrap();
    let mut m = env.open();
    assert_eq!(m.integrity_warning(), None, "accepted: no more warning");
    add(&mut m, "Sings in a choir");
    assert_eq!(m.witness().unwrap().unwrap().seq, head(&mut m).0);
}

/// An audit event as stored: seq, time, action, subject, detail.
type Row = (u64, String, String, Option<String>, Option<String>);

/// What someone holding the passphrase can do with the `sqlcipher` shell: alter an old audit
/// event and recompute every hash after it, leaving an intact chain.
#[allow(clippy::disallowed_methods)]
fn rewrite_history(vault: &Path, seq: u64) {
    let conn = rusqlite::Connection::open(vault).unwrap();
    conn.execute_batch(&format!("PRAGMA key = '{PASS}';"))
        .unwrap();
    let rows: Vec<Row> = conn
        .prepare("SELECT seq, at, action, subject, detail FROM audit_events ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut prev = Hash::GENESIS;
    for (n, at, action, subject, detail) in rows {
        let action = AuditAction::parse(&action).unwrap();
        let mut pending = PendingEvent::new(action, subject);
        pending.detail = if n == seq {
            Some("category=nothing-to-see".into())
        } else {
            detail
        };
        let at = chrono::DateTime::parse_from_rfc3339(&at)
            .unwrap()
            .with_timezone(&chrono::Utc);
        let sealed = AuditEvent::seal(pending, n, at, prev);
        conn.execute(
            "UPDATE audit_events SET detail = ?2, prev = ?3, hash = ?4 WHERE seq = ?1",
            rusqlite::params![
                n,
                sealed.detail,
                sealed.prev.0.as_slice(),
                sealed.hash.0.as_slice()
            ],
        )
        .unwrap();
        prev = sealed.hash;
    }
    conn.close().unwrap();
}

#[test]
fn a_key_holder_rewriting_the_audit_history_is_noticed_at_open() {
    let env = Env::new();
    let mut m = env.create();
    add(&mut m, "Plays the cello");
    add(&mut m, "Grows tomatoes");
    let receipt = m.checkpoint(None).unwrap();
    let (seq, before) = head(&mut m);
    m.close().unwrap();

    rewrite_history(&env.vault, 2);
    let mut m = env.open();
    let (same_seq, after) = head(&mut m);
    assert_eq!(
        same_seq, seq,
        "the chain is intact: only the witness can tell"
    );
    assert_ne!(after, before);
    let warning = m.integrity_warning().cloned().expect("a warning");
    assert!(
        matches!(&warning, RollbackWarning::Rewritten { seq: s, witnessed_head, found_head, .. }
            if *s == seq && *witnessed_head == before && *found_head == after),
        "{warning:?}"
    );
    assert_eq!(warning.code(), "history_rewritten");
    assert!(
        warning
            .to_string()
            .starts_with("the audit history was rewritten since"),
        "{warning}"
    );

    // The receipt taken before proves it to anyone: same key, same event, another hash.
    let verdict = m.check_receipt(&receipt).unwrap();
    assert!(
        matches!(&verdict, ReceiptVerdict::Rewritten { seq: s, receipt_head, current_head }
            if *s == seq && *receipt_head == before.to_hex() && *current_head == after.to_hex()),
        "{verdict:?}"
    );
    let now = m.checkpoint(Some(seq)).unwrap();
    assert!(receipt.signature_valid() && now.signature_valid());
    assert_eq!((&receipt.vault_key, receipt.seq), (&now.vault_key, now.seq));
    assert_ne!(
        receipt.head, now.head,
        "two signed statements that conflict"
    );
}

#[test]
fn an_edited_witness_reports_a_rewritten_history() {
    let env = Env::new();
    let mut m = env.create();
    add(&mut m, "Plays the cello");
    let file = env.witness_file(&mut m);
    m.close().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let w: serde_json::Value = serde_json::from_str(&text).unwrap();
    let head = w["head"].as_str().unwrap();
    std::fs::write(&file, text.replace(head, &"ab".repeat(32))).unwrap();
    let m = env.open();
    assert_eq!(
        m.integrity_warning().map(RollbackWarning::code),
        Some("history_rewritten")
    );
}

#[test]
fn the_witness_file_is_private_and_holds_ids_and_hashes_only() {
    let env = Env::new();
    let mut m = env.create();
    add(&mut m, "Secretly collects vintage typewriters");
    let file = env.witness_file(&mut m);
    let (seq, head) = head(&mut m);
    m.close().unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    assert_eq!(file.parent().unwrap(), env.state.join("witness"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("typewriter"), "{text}");
    let w: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut keys: Vec<&str> = w.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["at", "head", "recorded_at", "seq", "vault_id", "version"]
    );
    assert_eq!(w["seq"], seq);
    assert_eq!(w["head"], head.to_hex());
    // Only the witness itself: the temporary file was renamed into place.
    assert_eq!(
        std::fs::read_dir(file.parent().unwrap()).unwrap().count(),
        1
    );
}

#[test]
fn a_lagging_witness_is_harmless_and_a_broken_one_never_fails_a_change() {
    let env = Env::new();
    let mut m = env.create();
    let file = env.witness_file(&mut m);
    m.close().unwrap();
    let early = std::fs::read(&file).unwrap();
    let mut m = env.open();
    add(&mut m, "Plays the cello");
    add(&mut m, "Grows tomatoes");
    m.close().unwrap();
    // A witness from earlier in the same chain (another process lagging behind, a crash).
    std::fs::write(&file, &early).unwrap();
    let mut m = env.open();
    assert_eq!(m.integrity_warning(), None, "the chain extends the witness");
    assert_eq!(
        m.witness().unwrap().unwrap().seq,
        head(&mut m).0,
        "caught up"
    );
    m.close().unwrap();

    // A witness directory that cannot be written: changes still succeed (logged only).
    std::fs::remove_dir_all(env.state.join("witness")).unwrap();
    std::fs::write(env.state.join("witness"), "not a directory").unwrap();
    let mut m = env.open();
    add(&mut m, "Knits");
    assert_eq!(head(&mut m).0, 4);
    m.close().unwrap();
}

#[test]
fn destroying_the_vault_deletes_its_witness() {
    let env = Env::new();
    let mut m = env.create();
    let file = env.witness_file(&mut m);
    assert!(file.exists());
    m.destroy().unwrap();
    assert!(!file.exists());
}

#[test]
fn receipts_are_signed_by_the_vault_identity_and_detect_rollback() {
    let env = Env::new();
    let mut m = env.create();
    add(&mut m, "Plays the cello");
    // The identity exists before the copy is taken (a copy from before it would sign with a key
    // of its own, which the vendor's pinned key already refuses).
    m.identity().unwrap();
    let old = env.close_and_copy(m);
    let mut m = env.open();
    add(&mut m, "Grows tomatoes");
    let receipt = m.checkpoint(None).unwrap();
    let (seq, h) = head(&mut m);
    assert_eq!(
        (receipt.seq, receipt.head.as_str()),
        (seq, h.to_hex().as_str())
    );
    assert_eq!(receipt.vault_key, m.identity().unwrap().public_key_hex());
    assert!(receipt.signature_valid());
    assert_eq!(
        m.check_receipt(&receipt).unwrap(),
        ReceiptVerdict::Consistent
    );
    // An earlier event's statement still matches later on.
    let first = m.checkpoint(Some(1)).unwrap();
    add(&mut m, "Reads Icelandic sagas");
    assert!(m.check_receipt(&first).unwrap().is_consistent());
    assert!(m.checkpoint(Some(99)).is_err(), "no such event");

    // Tampered, or another vault's.
    let mut forged = receipt.clone();
    forged.head = "00".repeat(32);
    assert_eq!(
        m.check_receipt(&forged).unwrap(),
        ReceiptVerdict::BadSignature
    );
    let other = Env::new();
    let theirs = other.create().checkpoint(None).unwrap();
    assert!(matches!(
        m.check_receipt(&theirs).unwrap(),
        ReceiptVerdict::OtherVault { .. }
    ));
    m.close().unwrap();

    // The older file cannot produce the event the receipt covers, even with the local witness
    // gone (an attacker who also cleared the state directory).
    env.restore(&old);
    std::fs::remove_dir_all(&env.state).unwrap();
    let mut m = env.open();
    assert_eq!(m.integrity_warning(), None, "no local witness left");
    let verdict = m.check_receipt(&receipt).unwrap();
    assert!(
        matches!(verdict, ReceiptVerdict::Older { receipt_seq, events } if receipt_seq == seq && events < seq),
        "{verdict:?}"
    );
}
