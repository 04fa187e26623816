//! Erasure is real: after a belief is deleted and the WAL checkpointed, none of its text —
//! statement, evidence, rectification history — is left anywhere in the files.
//!
//! An encrypted file hides everything, so these tests use the unkeyed baseline
//! (`create_plaintext`), which runs the same schema and code paths, and look for the text in
//! the raw bytes. `secure_delete = false` is the control that shows what would linger.
#![allow(missing_docs)]

use crate::common;
use selfmodel_core::audit::Detail;

use std::path::{Path, PathBuf};

use crate::common::{belief, bytes, contains, insert, now, on_disk, sidecar};
use selfmodel_core::validate::rectify;
use selfmodel_core::{Actor, AuditAction, Belief, Catalogue, PendingEvent, Rectify};
use selfmodel_vault::{Result, Vault, Writer};
use tempfile::TempDir;

/// A belief carrying `tag` in its original statement, its evidence summary, its rectified
/// statement and its rectification reason.
struct Marked {
    belief: Belief,
    canaries: [String; 4],
}

fn marked(catalogue: &Catalogue, tag: &str) -> Marked {
    let original = format!("ORIG-{tag} likes sailing on cold lakes");
    let evidence = format!("EVID-{tag} photos from a sailing club");
    let rectified = format!("RECT-{tag} likes sailing on warm seas");
    let reason = format!("WHY-{tag} it was the sea, not a lake");
    let b = belief(catalogue, &original, &evidence);
    let b = rectify(
        &b,
        Rectify {
            statement: Some(rectified.clone()),
            confidence: Some(0.9),
            purposes: None,
            reason: reason.clone(),
        },
        catalogue,
        Actor::Person,
        now(),
    )
    .expect("rectify");
    assert_eq!(b.history.len(), 1);
    Marked {
        belief: b,
        canaries: [original, evidence, rectified, reason],
    }
}

/// Some unrelated beliefs so the target shares pages with data that stays.
fn neighbours(catalogue: &Catalogue, n: usize) -> Vec<Belief> {
    (0..n)
        .map(|i| {
            belief(
                catalogue,
                &format!("Neighbour {i} enjoys board games"),
                &format!("Neighbour evidence {i}"),
            )
        })
        .collect()
}

/// Where each canary is found: `.db`, `-wal`, `-shm`.
fn found(path: &Path, canaries: &[String]) -> Vec<(String, Vec<&'static str>)> {
    canaries
        .iter()
        .map(|c| (c.clone(), on_disk(path, c)))
        .filter(|(_, w)| !w.is_empty())
        .collect()
}

/// Runs `change` in one write, recorded by the audit event `event_of` makes of its outcome; the
/// write must succeed. Returns the outcome.
fn audited<T>(
    vault: &mut Vault,
    change: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    event_of: impl FnOnce(&T) -> PendingEvent,
) -> T {
    vault
        .write(|w| -> Result<T> {
            let out = change(w)?;
            w.append_audit(event_of(&out), now())?;
            Ok(out)
        })
        .expect("an audited write")
}

fn delete(vault: &mut Vault, b: &Belief) {
    audited(
        vault,
        |w| w.delete_belief(b.id),
        |_| PendingEvent::new(AuditAction::BeliefDeleted, Some(b.id.to_string())),
    );
}

/// A new unkeyed vault `plain.db` in `dir`, open: its path and the vault.
fn plaintext_vault(dir: &Path, secure_delete: bool) -> (PathBuf, Vault) {
    let path = dir.join("plain.db");
    let vault = Vault::create_plaintext(&path, &Catalogue::defaults(), secure_delete)
        .expect("create_plaintext");
    (path, vault)
}

/// Stores a marked belief among neighbours in a new unkeyed vault alone in a temporary
/// directory, checkpoints, and checks the text is really on disk. Returns the directory (bind it
/// for as long as the test runs), the vault's path, the open vault and the marked belief.
fn stored(secure_delete: bool) -> (TempDir, PathBuf, Vault, Marked) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut vault) = plaintext_vault(dir.path(), secure_delete);
    let catalogue = Catalogue::defaults();
    let m = marked(&catalogue, "c4n4ry-51e7");
    let mut all = neighbours(&catalogue, 20);
    all.insert(10, m.belief.clone());
    insert(&mut vault, &all);
    vault.checkpoint().expect("checkpoint");
    // Sanity: the unkeyed file really holds the text, in the main file after the checkpoint.
    for c in &m.canaries {
        assert!(contains(&bytes(&path), c.as_bytes()), "{c} not in the file");
    }
    assert!(
        bytes(&sidecar(&path, "-wal")).is_empty(),
        "checkpoint(TRUNCATE) empties the WAL"
    );
    let back = vault
        .read(|r| r.belief(m.belief.id))
        .expect("read")
        .expect("stored");
    assert_eq!(back, m.belief);
    (dir, path, vault, m)
}

#[test]
fn deleted_belief_leaves_no_text_behind() {
    let (_dir, path, mut vault, m) = stored(true);
    delete(&mut vault, &m.belief);
    vault.checkpoint().expect("checkpoint");
    assert_eq!(found(&path, &m.canaries), vec![], "text left after erasure");
    // The belief id stays only in the audit chain's subject, by design; its children are gone.
    assert_eq!(vault.read(|r| r.belief(m.belief.id)).expect("read"), None);
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 20);
    // The neighbours are intact.
    assert!(contains(&bytes(&path), b"Neighbour 19 enjoys board games"));
    // And stay erased after close.
    vault.close().expect("close");
    assert_eq!(found(&path, &m.canaries), vec![]);
}

#[test]
fn without_secure_delete_the_text_lingers() {
    // The control: the same steps with secure_delete off leave the deleted text in free space.
    let (_dir, path, mut vault, m) = stored(false);
    delete(&mut vault, &m.belief);
    vault.checkpoint().expect("checkpoint");
    assert_eq!(vault.read(|r| r.belief(m.belief.id)).expect("read"), None);
    let left = found(&path, &m.canaries);
    assert!(
        !left.is_empty(),
        "expected deleted text to linger without secure_delete"
    );
    assert!(
        left.iter().any(|(c, _)| c.starts_with("RECT-")),
        "the statement lingers: {left:?}"
    );
}

#[test]
fn erasure_reaches_the_file_on_close_without_an_explicit_checkpoint() {
    let (_dir, path, mut vault, m) = stored(true);
    delete(&mut vault, &m.belief);
    vault.close().expect("close");
    assert_eq!(found(&path, &m.canaries), vec![]);
    assert!(!sidecar(&path, "-wal").exists() || bytes(&sidecar(&path, "-wal")).is_empty());
}

#[test]
fn rectification_replaces_old_text() {
    // Rectifying keeps the old statement only in the history; a second rectification that
    // clears the history (replace with a belief without it) removes it from the file.
    let (_dir, path, mut vault, m) = stored(true);
    let mut clean = m.belief.clone();
    clean.statement = "A fresh statement about sailing".into();
    clean.history.clear();
    clean.evidence[0].summary = "A fresh summary".into();
    audited(
        &mut vault,
        |w| w.replace_belief(&clean),
        |_| PendingEvent::new(AuditAction::BeliefRectified, Some(clean.id.to_string())),
    );
    vault.checkpoint().expect("checkpoint");
    assert_eq!(found(&path, &m.canaries), vec![]);
    assert_eq!(
        vault.read(|r| r.belief(clean.id)).expect("read"),
        Some(clean)
    );
}

#[test]
fn delete_all_beliefs_leaves_no_text_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut vault) = plaintext_vault(dir.path(), true);
    let catalogue = Catalogue::defaults();
    // Enough to span many pages of each table, and overflow a page of the beliefs table.
    let marked: Vec<Marked> = (0..150)
        .map(|i| marked(&catalogue, &format!("bulk{i:03}x")))
        .collect();
    let beliefs: Vec<Belief> = marked.iter().map(|m| m.belief.clone()).collect();
    insert(&mut vault, &beliefs);
    vault.checkpoint().expect("checkpoint");
    let canaries: Vec<String> = marked.iter().flat_map(|m| m.canaries.clone()).collect();
    assert_eq!(found(&path, &canaries).len(), canaries.len(), "all stored");

    let n = audited(
        &mut vault,
        |w| w.delete_all_beliefs(),
        |n| {
            PendingEvent::new(AuditAction::ErasedAll, None)
                .with_detail(Detail::new().with("count", *n))
        },
    );
    assert_eq!(n, 150);
    vault.checkpoint().expect("checkpoint");
    assert_eq!(
        found(&path, &canaries),
        vec![],
        "text left after erasing everything"
    );
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 0);
    // The cascade reached every child table.
    vault.close().expect("close");
    let conn = common::unkeyed(&path);
    for table in ["belief_purposes", "evidence", "rectifications"] {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 0, "{table}");
    }
}

#[test]
fn delete_all_without_secure_delete_lingers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, mut vault) = plaintext_vault(dir.path(), false);
    let m = marked(&Catalogue::defaults(), "ctl-all");
    insert(&mut vault, std::slice::from_ref(&m.belief));
    vault.checkpoint().expect("checkpoint");
    audited(
        &mut vault,
        |w| w.delete_all_beliefs(),
        |_| PendingEvent::new(AuditAction::ErasedAll, None),
    );
    vault.checkpoint().expect("checkpoint");
    assert!(!found(&path, &m.canaries).is_empty(), "the control lingers");
}

#[test]
fn audit_events_hold_no_belief_text() {
    // Erasure leaves the audit chain, which must therefore carry ids, never content.
    let (_dir, _, mut vault, m) = stored(true);
    delete(&mut vault, &m.belief);
    let events = vault.read(|r| r.audit_events()).expect("events");
    assert!(events.len() >= 3);
    for e in &events {
        let text = format!("{} {:?} {:?}", e.action, e.subject, e.detail);
        assert!(!text.contains("c4n4ry"), "{text}");
    }
    assert!(matches!(
        selfmodel_core::audit::verify(&events),
        selfmodel_core::ChainVerdict::Intact { .. }
    ));
}

/// Deletes the marked belief while another connection holds a read transaction that began
/// before the delete; calls `during` with the vault while that reader is still open.
fn delete_under_a_reader(vault: &mut Vault, m: &Marked, during: impl FnOnce(&mut Vault)) {
    let path = vault.path().to_owned();
    let mut other = common::unkeyed(&path);
    let tx = other.transaction().expect("begin");
    let n: i64 = tx
        .query_row("SELECT count(*) FROM beliefs", [], |r| r.get(0))
        .expect("read");
    assert_eq!(n, 21);
    delete(vault, &m.belief);
    during(vault);
    tx.rollback().expect("end read");
}

#[test]
fn erasure_completes_once_a_reader_is_gone() {
    let (_dir, path, mut vault, m) = stored(true);
    delete_under_a_reader(&mut vault, &m, |v| {
        let _ = v.checkpoint();
    });
    vault.checkpoint().expect("checkpoint");
    assert_eq!(found(&path, &m.canaries), vec![]);
}

#[test]
fn checkpoint_reports_when_it_could_not_erase() {
    // Another connection in a read transaction pins the old pages, so the checkpoint cannot move
    // the deletion into the main file. Either checkpoint() says so (Busy), or — if it returns
    // Ok — the erased text must really be gone.
    let (_dir, path, mut vault, m) = stored(true);
    delete_under_a_reader(&mut vault, &m, |v| match v.checkpoint() {
        Err(selfmodel_vault::VaultError::Busy) => {}
        Ok(()) => assert_eq!(
            found(&path, &m.canaries),
            vec![],
            "checkpoint() returned Ok but the erased text is still on disk"
        ),
        Err(e) => panic!("{e:?}"),
    });
}
