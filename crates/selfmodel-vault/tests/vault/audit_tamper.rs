//! The audit chain as stored: tampering through SQL (by someone holding the passphrase) is named
//! at the first bad event, and no change commits without an event.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};

use crate::common::{
    PASS, belief, copy_of, create_vault, created, insert, keyed, new_vault, now, pass,
};
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::verify;
use selfmodel_core::{AuditAction, Belief, Catalogue, ChainVerdict, PendingEvent};
use selfmodel_vault::{Result, Vault, VaultError};

/// A closed vault with the creation event and five belief events (seq 1..=6).
fn vault_with_events(dir: &Path) -> (PathBuf, Vec<Belief>) {
    let (path, mut vault) = create_vault(dir, "vault.db");
    let catalogue = Catalogue::defaults();
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

/// The streamed verdict, checked against the one over the events read into memory.
fn verdict_of(vault: &mut Vault) -> ChainVerdict {
    let events = vault.read(|r| r.audit_events()).expect("events");
    let streamed = vault.read(|r| r.verify_audit()).expect("verify");
    assert_eq!(streamed, verify(&events), "streamed vs in memory");
    streamed
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

/// [`tamper`] with a copy of the closed vault `original`, named after `what`.
fn tamper_with_copy(original: &Path, what: &str, sql: &str) -> ChainVerdict {
    tamper(
        &copy_of(original, &format!("{}.db", what.replace(' ', "-"))),
        sql,
    )
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
        let v = tamper_with_copy(&original, what, sql);
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

/// A closed vault whose chain holds `n` events: its creation and `n - 1` appended in one write.
fn long_chain(dir: &Path, n: u64) -> PathBuf {
    let (path, mut vault) = create_vault(dir, "long.db");
    vault
        .write(|w| -> Result<()> {
            for i in 1..n {
                let subject = format!("belief-{i}");
                let event = PendingEvent::new(AuditAction::BeliefCreated, Some(subject))
                    .with_detail(
                        Detail::new().with("category", ["goals", "interests"][i as usize % 2]),
                    );
                w.append_audit(event, now())?;
            }
            Ok(())
        })
        .expect("append");
    assert_eq!(verdict_of(&mut vault), intact(n, &mut vault));
    vault.close().expect("close");
    path
}

#[test]
fn tampering_in_the_middle_of_a_long_chain_is_named_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = long_chain(dir.path(), 5_000);
    for (what, sql, verdict) in [
        (
            "altered",
            "UPDATE audit_events SET detail = 'category=health' WHERE seq = 2500",
            ChainVerdict::Broken {
                first_bad_event: 2500,
                reason: "its content does not match its hash (altered)".into(),
            },
        ),
        (
            "missing",
            "DELETE FROM audit_events WHERE seq = 3001",
            ChainVerdict::Broken {
                first_bad_event: 3001,
                reason: "event 3001 is missing (found 3002 next)".into(),
            },
        ),
        (
            "unlinked",
            "UPDATE audit_events SET prev = zeroblob(32) WHERE seq = 4999",
            ChainVerdict::Broken {
                first_bad_event: 4999,
                reason: "does not link to the event before it".into(),
            },
        ),
        // The verifier hands events from the reading thread to the checking one 2,048 at a time:
        // a break on either side of a hand-over is named like any other.
        (
            "altered at a hand-over",
            "UPDATE audit_events SET subject = 'belief-0' WHERE seq = 2048",
            ChainVerdict::Broken {
                first_bad_event: 2048,
                reason: "its content does not match its hash (altered)".into(),
            },
        ),
        (
            "unlinked after a hand-over",
            "UPDATE audit_events SET prev = zeroblob(32) WHERE seq = 2049",
            ChainVerdict::Broken {
                first_bad_event: 2049,
                reason: "does not link to the event before it".into(),
            },
        ),
        (
            "unknown action",
            "UPDATE audit_events SET action = 'belief.teleported' WHERE seq = 1234",
            ChainVerdict::Broken {
                first_bad_event: 1234,
                reason: "has an unknown action".into(),
            },
        ),
    ] {
        // `tamper` checks the streamed verdict against the one over the events in memory.
        assert_eq!(tamper_with_copy(&original, what, sql), verdict, "{what}");
    }
}

#[test]
fn the_chain_pages_newest_first_and_by_action() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = long_chain(dir.path(), 5_000);
    let mut vault = Vault::open(&path, &pass(PASS)).expect("open");
    let page = |vault: &mut Vault, before, action, limit| {
        vault
            .read(|r| r.audit_page(before, action, limit))
            .expect("page")
            .iter()
            .map(|e| e.seq)
            .collect::<Vec<u64>>()
    };
    assert_eq!(page(&mut vault, None, None, 3), [5000, 4999, 4998]);
    assert_eq!(page(&mut vault, Some(4501), None, 2), [4500, 4499]);
    assert_eq!(page(&mut vault, Some(3), None, 500), [2, 1]);
    assert!(page(&mut vault, Some(1), None, 500).is_empty());
    assert!(page(&mut vault, Some(0), None, 500).is_empty());
    assert_eq!(page(&mut vault, Some(u64::MAX), None, 1), [5000]);
    assert_eq!(
        page(&mut vault, None, Some(AuditAction::VaultCreated), 500),
        [1]
    );
    assert_eq!(
        page(&mut vault, Some(5), Some(AuditAction::BeliefCreated), 500),
        [4, 3, 2]
    );
    assert!(page(&mut vault, None, Some(AuditAction::ErasedAll), 500).is_empty());

    // Page after page, the whole chain comes back once, exactly as it reads whole.
    let whole = vault.read(|r| r.audit_events()).expect("events");
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let events = vault
            .read(|r| r.audit_page(before, None, 700))
            .expect("page");
        let Some(last) = events.last() else { break };
        before = Some(last.seq);
        paged.extend(events);
    }
    paged.reverse();
    assert_eq!(paged, whole);
    vault.close().expect("close");
}

#[test]
fn a_time_stored_in_another_form_reads_as_before() {
    // The hash covers the canonical text of the instant: the same instant written another way
    // still verifies (as it always did), a different instant does not, an unreadable one does
    // not. The streamed check agrees with the one over parsed events in every case (`tamper`).
    let dir = tempfile::tempdir().expect("tempdir");
    let (original, _) = vault_with_events(dir.path());
    let mut vault = Vault::open(&original, &pass(PASS)).expect("open");
    let at = vault
        .read(|r| r.audit_event(4))
        .expect("event")
        .expect("4")
        .timestamp();
    drop(vault);
    let same_instant = format!("{}+00:00", at.trim_end_matches('Z'));
    let lowercase = at.to_lowercase();
    for (what, stored, intact_after) in [
        ("offset form", same_instant.as_str(), Some(true)),
        // Whatever the parser makes of it, both checks agree.
        ("lowercase", lowercase.as_str(), None),
        (
            "another instant",
            "2020-02-29T23:59:59.999999Z",
            Some(false),
        ),
        ("no such day", "2021-02-29T00:00:00.000000Z", Some(false)),
    ] {
        let v = tamper_with_copy(
            &original,
            what,
            &format!("UPDATE audit_events SET at = '{stored}' WHERE seq = 4"),
        );
        match intact_after {
            Some(true) => assert!(
                matches!(v, ChainVerdict::Intact { events: 6, .. }),
                "{what}: {v:?}"
            ),
            Some(false) => assert_eq!(broken_at(&v), Some(4), "{what}: {v:?}"),
            None => {}
        }
    }
}

#[test]
fn deleted_middle_event_is_named() {
    for seq in [4, 1] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, _) = vault_with_events(dir.path());
        let v = tamper(
            &path,
            &format!("DELETE FROM audit_events WHERE seq = {seq}"),
        );
        assert_eq!(broken_at(&v), Some(seq), "{v:?}");
    }
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
    let (_dir, path, mut vault) = new_vault();
    let catalogue = Catalogue::defaults();
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
fn a_write_that_found_nothing_is_rolled_back_even_with_refusals_due() {
    let (_dir, _, mut vault) = new_vault();
    let catalogue = Catalogue::defaults();
    // A refusal counted two minutes ago, its transaction failed: the count waits, due.
    let r = vault.write(|w| -> Result<()> {
        w.count_refusal(
            now() - chrono::Duration::minutes(2),
            "beliefs.read",
            "no_token",
        );
        Err(VaultError::Unaudited)
    });
    assert!(r.is_err());
    // A transaction that writes, then says it found nothing: nothing of it is committed, and the
    // refusals due are not written with it.
    let b = belief(&catalogue, "Written, then found to be nothing", "none");
    vault
        .write(|w| -> Result<()> {
            w.insert_belief(&b)?;
            w.found_nothing();
            Ok(())
        })
        .expect("rolled back quietly");
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 0);
    let log = |vault: &mut Vault| {
        vault
            .read(|r| r.access_log(&selfmodel_vault::AccessFilter::default()))
            .expect("log")
            .len()
    };
    assert_eq!(log(&mut vault), 0);
    // They are written on their own, as before.
    vault.write_refusals().expect("refusals");
    assert_eq!(log(&mut vault), 1);
    assert_eq!(verdict_of(&mut vault), intact(1, &mut vault));
}

#[test]
fn failed_write_rolls_back_its_event_too() {
    let (_dir, _, mut vault) = new_vault();
    let catalogue = Catalogue::defaults();
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
