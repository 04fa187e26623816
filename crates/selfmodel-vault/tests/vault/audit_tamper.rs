//! The audit chain as stored: tampering through SQL (by someone holding the passphrase) is named
//! at the first bad event, and no change commits without an event.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};

use crate::common::{PASS, belief, created, insert, keyed, now, pass};
use selfmodel_core::audit::verify;
use selfmodel_core::{AuditAction, Belief, Catalogue, ChainVerdict, PendingEvent};
use selfmodel_vault::{Result, Vault, VaultError};

/// A closed vault with the creation event and five belief events (seq 1..=6).
fn vault_with_events(dir: &Path) -> (PathBuf, Vec<Belief>) {
    let path = dir.join("vault.db");
    let catalogue = Catalogue::defaults();
    let mut vault = Vault::create(&path, &pass(PASS), &catalogue).expect("create");
    let beliefs: Vec<Belief> = (0..5)
        .map(|i| belief(&catalogue, &format!("Belief {i}"), "evidence"))
        .collect();
    for b in &beliefs {
        insert(&mut vault, std::slice::from_ref(b));
    }
    assert_eq!(verdict_of(&mut vault), intact(6, &mut vault));
    vault.close().expect("close");
    (path, beliefs)
}

fn intact(n: u64, vault: &mut Vault) -> ChainVerdict {
    let (_, head) = vault.read(|r| r.audit_head()).expect("head");
    ChainVerdict::Intact { events: n, head }
}

fn verdict_of(vault: &mut Vault) -> ChainVerdict {
    let events = vault.read(|r| r.audit_events()).expect("events");
    verify(&events)
}

/// Runs SQL on the closed vault through a keyed connection, then reopens it with the vault and
/// verifies the stored chain.
fn tamper(path: &Path, sql: &str) -> ChainVerdict {
    {
        let conn = keyed(path, PASS);
        let n = conn.execute(sql, []).expect(sql);
        assert_eq!(n, 1, "{sql} changed {n} rows");
        conn.close().expect("close");
    }
    // Opening does not verify the chain: tampered history is reported by verify, not hidden.
    let mut vault = Vault::open(path, &pass(PASS)).expect("open");
    verdict_of(&mut vault)
}

fn broken_at(v: &ChainVerdict) -> Option<u64> {
    match v {
        ChainVerdict::Broken {
            first_bad_event, ..
        } => Some(*first_bad_event),
        ChainVerdict::Intact { .. } => None,
    }
}

#[test]
fn altered_subject_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = vault_with_events(dir.path());
    let v = tamper(&path, "UPDATE audit_events SET subject = 'x' WHERE seq = 3");
    assert_eq!(broken_at(&v), Some(3), "{v:?}");
}

#[test]
fn every_altered_field_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (original, _) = vault_with_events(dir.path());
    for (what, sql) in [
        (
            "action",
            "UPDATE audit_events SET action = 'belief.deleted' WHERE seq = 4",
        ),
        (
            "unknown action",
            "UPDATE audit_events SET action = 'belief.teleported' WHERE seq = 4",
        ),
        (
            "detail",
            "UPDATE audit_events SET detail = 'n=1' WHERE seq = 4",
        ),
        (
            "subject removed",
            "UPDATE audit_events SET subject = NULL WHERE seq = 4",
        ),
        (
            "time",
            "UPDATE audit_events SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 4",
        ),
        (
            "unparseable time",
            "UPDATE audit_events SET at = 'yesterday' WHERE seq = 4",
        ),
        (
            "hash",
            "UPDATE audit_events SET hash = zeroblob(32) WHERE seq = 4",
        ),
        (
            "short hash",
            "UPDATE audit_events SET hash = x'00' WHERE seq = 4",
        ),
        (
            "prev",
            "UPDATE audit_events SET prev = zeroblob(32) WHERE seq = 4",
        ),
    ] {
        // A fresh copy of the closed (fully checkpointed) vault for each alteration.
        let path = dir.path().join(format!("{}.db", what.replace(' ', "-")));
        std::fs::copy(&original, &path).expect("copy");
        let v = tamper(&path, sql);
        assert_eq!(broken_at(&v), Some(4), "{what}: {v:?}");
    }
}

#[test]
fn a_recomputed_hash_breaks_the_next_link() {
    // A forger who rewrites event 3 and recomputes its own hash still breaks event 4's link.
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = vault_with_events(dir.path());
    let mut vault = Vault::open(&path, &pass(PASS)).expect("open");
    let events = vault.read(|r| r.audit_events()).expect("events");
    drop(vault);
    let forged = selfmodel_core::AuditEvent::seal(
        PendingEvent::new(AuditAction::BeliefDeleted, Some("forged".into())),
        3,
        events[2].at,
        events[1].hash,
    );
    let sql = format!(
        "UPDATE audit_events SET action = '{}', subject = 'forged', hash = x'{}' WHERE seq = 3",
        forged.action,
        forged.hash.to_hex()
    );
    let v = tamper(&path, &sql);
    assert_eq!(broken_at(&v), Some(4), "{v:?}");
}

#[test]
fn deleted_middle_event_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = vault_with_events(dir.path());
    let v = tamper(&path, "DELETE FROM audit_events WHERE seq = 4");
    assert_eq!(broken_at(&v), Some(4), "{v:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = vault_with_events(dir.path());
    let v = tamper(&path, "DELETE FROM audit_events WHERE seq = 1");
    assert_eq!(broken_at(&v), Some(1), "{v:?}");
}

#[test]
fn renumbered_events_are_named() {
    // Closing the gap after a deletion by renumbering does not help: the hash covers seq.
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = vault_with_events(dir.path());
    {
        let conn = keyed(&path, PASS);
        conn.execute_batch(
            "DELETE FROM audit_events WHERE seq = 4;
             UPDATE audit_events SET seq = seq - 1 WHERE seq > 4;",
        )
        .expect("renumber");
    }
    let mut vault = Vault::open(&path, &pass(PASS)).expect("open");
    let v = verdict_of(&mut vault);
    assert_eq!(broken_at(&v), Some(4), "{v:?}");
}

#[test]
fn dropping_the_newest_events_is_not_visible_in_the_chain_alone() {
    // A limit of any hash chain kept in the same file: cutting off its tail leaves a shorter,
    // intact chain. Only a head recorded elsewhere (e.g. in an export) can show the cut.
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = vault_with_events(dir.path());
    let v = tamper(&path, "DELETE FROM audit_events WHERE seq = 6");
    assert!(matches!(v, ChainVerdict::Intact { events: 5, .. }), "{v:?}");
}

#[test]
fn unaudited_write_is_rolled_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.db");
    let catalogue = Catalogue::defaults();
    let mut vault = Vault::create(&path, &pass(PASS), &catalogue).expect("create");
    let events_before = vault.read(|r| r.audit_events()).expect("events");
    let b = belief(&catalogue, "Sneaked in without an audit event", "none");

    let r = vault.write(|w| -> Result<()> {
        w.insert_belief(&b)?;
        // The write can see its own change...
        assert!(w.read().belief(b.id)?.is_some());
        Ok(())
    });
    assert!(matches!(r, Err(VaultError::Unaudited)), "{r:?}");
    // ...but it was never committed.
    assert_eq!(vault.read(|r| r.belief(b.id)).expect("read"), None);
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 0);
    assert_eq!(
        vault.read(|r| r.audit_events()).expect("events"),
        events_before
    );

    // Nor after a reopen.
    vault.close().expect("close");
    let mut vault = Vault::open(&path, &pass(PASS)).expect("open");
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 0);

    // A write with an event commits, and the handle is fine after the refused one.
    insert(&mut vault, std::slice::from_ref(&b));
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 1);
    assert_eq!(verdict_of(&mut vault), intact(2, &mut vault));
}

#[test]
fn failed_write_rolls_back_its_event_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.db");
    let catalogue = Catalogue::defaults();
    let mut vault = Vault::create(&path, &pass(PASS), &catalogue).expect("create");
    let b = belief(&catalogue, "Half-written", "none");
    let r = vault.write(|w| -> Result<()> {
        w.insert_belief(&b)?;
        w.append_audit(created(&b), now())?;
        // Inserting the same belief again fails (primary key): the whole write goes.
        w.insert_belief(&b)?;
        Ok(())
    });
    assert!(r.is_err());
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 0);
    assert_eq!(verdict_of(&mut vault), intact(1, &mut vault));

    // The same for a caller's own error type.
    #[derive(Debug)]
    enum AppError {
        Vault(VaultError),
        Refused,
    }
    impl From<VaultError> for AppError {
        fn from(e: VaultError) -> Self {
            Self::Vault(e)
        }
    }
    let r = vault.write(|w| -> std::result::Result<(), AppError> {
        w.insert_belief(&b)?;
        w.append_audit(created(&b), now())?;
        Err(AppError::Refused)
    });
    assert!(matches!(r, Err(AppError::Refused)), "{r:?}");
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 0);
    assert_eq!(verdict_of(&mut vault), intact(1, &mut vault));
    let r = vault.write(|_| -> std::result::Result<(), AppError> { Ok(()) });
    assert!(
        matches!(r, Err(AppError::Vault(VaultError::Unaudited))),
        "{r:?}"
    );
}
