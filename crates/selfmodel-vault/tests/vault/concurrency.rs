//! Several handles on one vault: writes serialise, the audit chain stays whole, nothing is
//! corrupted; re-keying changes the passphrase and needs sole use of the file.
#![allow(missing_docs)]

use crate::common;

use crate::common::{PASS, belief, expect_err, keyed, new_vault, now, pass, pragma, try_insert};
use selfmodel_core::audit::verify;
use selfmodel_core::{AuditAction, Belief, BeliefFilter, Catalogue, ChainVerdict, PendingEvent};
use selfmodel_vault::{Result, Vault, VaultError};

fn write_one(vault: &mut Vault, b: &Belief) -> Result<()> {
    try_insert(vault, std::slice::from_ref(b))
}

fn chain(vault: &mut Vault) -> ChainVerdict {
    let events = vault.read(|r| r.audit_events()).expect("events");
    verify(&events)
}

fn intact_with(vault: &mut Vault, n: u64) {
    match chain(vault) {
        ChainVerdict::Intact { events, .. } => assert_eq!(events, n),
        broken => panic!("chain broken: {broken:?}"),
    }
}

#[test]
fn two_handles_interleave_writes() {
    let (_dir, path, mut a) = new_vault();
    let catalogue = Catalogue::defaults();
    let mut b = Vault::open(&path, &pass(PASS)).expect("second handle");
    let mut written = Vec::new();
    for i in 0..10 {
        let x = belief(&catalogue, &format!("From handle A, #{i}"), "A");
        write_one(&mut a, &x).expect("write on A");
        let y = belief(&catalogue, &format!("From handle B, #{i}"), "B");
        write_one(&mut b, &y).expect("write on B");
        written.push(x);
        written.push(y);
        // Each handle sees the other's committed writes at once.
        let n = 2 * (i + 1);
        assert_eq!(a.read(|r| r.count_beliefs()).expect("count"), n);
        assert_eq!(b.read(|r| r.count_beliefs()).expect("count"), n);
    }
    // One chain: the creation event and one per write, in order, whichever handle wrote.
    intact_with(&mut a, 21);
    intact_with(&mut b, 21);
    let events = a.read(|r| r.audit_events()).expect("events");
    let subjects: Vec<String> = events[1..]
        .iter()
        .map(|e| e.subject.clone().expect("subject"))
        .collect();
    let expected: Vec<String> = written.iter().map(|b| b.id.to_string()).collect();
    assert_eq!(subjects, expected);
    let all = b
        .read(|r| r.beliefs(&BeliefFilter::default()))
        .expect("list");
    assert_eq!(all, written, "ids are time-ordered, so the listing is too");
}

#[test]
fn a_reader_keeps_its_snapshot_while_another_handle_writes() {
    let (_dir, path, mut writer) = new_vault();
    let catalogue = Catalogue::defaults();
    write_one(&mut writer, &belief(&catalogue, "First", "one")).expect("write");
    let mut reader = Vault::open(&path, &pass(PASS)).expect("second handle");
    let seen = reader
        .read(|r| -> Result<(u64, u64)> {
            let before = r.count_beliefs()?;
            // A commit from the other handle, in the middle of this read transaction.
            write_one(&mut writer, &belief(&catalogue, "Second", "two"))?;
            Ok((before, r.count_beliefs()?))
        })
        .expect("read");
    assert_eq!(seen, (1, 1), "a read transaction is a consistent snapshot");
    assert_eq!(reader.read(|r| r.count_beliefs()).expect("count"), 2);
}

#[test]
fn two_threads_writing_never_corrupt() {
    const PER_THREAD: usize = 50;
    let (_dir, path, first) = new_vault();
    let second = Vault::open(&path, &pass(PASS)).expect("second handle");

    let outcomes: Vec<Vec<Result<()>>> = std::thread::scope(|s| {
        let handles: Vec<_> = [("left", first), ("right", second)]
            .into_iter()
            .map(|(name, mut vault)| {
                s.spawn(move || {
                    let catalogue = Catalogue::defaults();
                    let mut out = Vec::with_capacity(PER_THREAD);
                    for i in 0..PER_THREAD {
                        let b = belief(&catalogue, &format!("{name} thread, write {i}"), name);
                        out.push(write_one(&mut vault, &b));
                    }
                    vault.close().expect("close");
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });

    let mut ok = 0u64;
    for r in outcomes.iter().flatten() {
        match r {
            Ok(()) => ok += 1,
            Err(VaultError::Busy) => {}
            Err(e) => panic!("a concurrent write failed with {e:?}"),
        }
    }
    // With a 5 s busy timeout and short transactions every write gets its turn; Busy is
    // allowed, but at least one write per thread must have gone through.
    assert!(ok >= 2, "only {ok} writes succeeded");

    // Vault::open runs SQLCipher's per-page MAC check and SQLite's quick_check.
    let mut vault = Vault::open(&path, &pass(PASS)).expect("reopen after concurrent writes");
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), ok);
    intact_with(&mut vault, 1 + ok);
    drop(vault);
    assert_eq!(pragma(&keyed(&path, PASS), "integrity_check"), "ok");
}

#[test]
fn rekey_changes_the_passphrase() {
    let (_dir, path, mut vault) = new_vault();
    let catalogue = Catalogue::defaults();
    let beliefs: Vec<Belief> = (0..50)
        .map(|i| belief(&catalogue, &format!("Belief {i} before re-keying"), "x"))
        .collect();
    common::insert(&mut vault, &beliefs);
    let header_before = common::bytes(&path)[..16].to_vec();

    let new = "a brand new passphrase, with 'quotes'";
    vault.rekey(&pass(new)).expect("rekey");
    vault
        .write(|w| -> Result<()> {
            w.append_audit(
                PendingEvent::new(AuditAction::PassphraseChanged, None),
                now(),
            )?;
            Ok(())
        })
        .expect("audit the change");
    // Still usable, and back in WAL mode, after the re-key.
    let extra = belief(&catalogue, "Written after re-keying", "y");
    write_one(&mut vault, &extra).expect("write after rekey");
    vault.close().expect("close");

    assert_eq!(
        common::bytes(&path)[..16].to_vec(),
        header_before,
        "SQLCipher keeps the salt on rekey"
    );
    let err = expect_err(
        Vault::open(&path, &pass(PASS)),
        "the old passphrase still opens the vault",
    );
    assert!(matches!(err, VaultError::WrongPassphrase), "{err:?}");

    let mut vault = Vault::open(&path, &pass(new)).expect("the new passphrase opens it");
    let all = vault
        .read(|r| r.beliefs(&BeliefFilter::default()))
        .expect("list");
    let mut expected = beliefs;
    expected.push(extra);
    assert_eq!(all, expected);
    intact_with(&mut vault, 1 + 50 + 1 + 1);
    drop(vault);

    // The standard SQLCipher key derivation with the new passphrase reads it, in WAL mode.
    let conn = keyed(&path, new);
    assert_eq!(pragma(&conn, "journal_mode"), "wal");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM beliefs", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 51);
}

#[test]
fn rekey_needs_sole_use_of_the_file() {
    let (_dir, path, mut vault) = new_vault();
    let catalogue = Catalogue::defaults();
    let mut other = Vault::open(&path, &pass(PASS)).expect("second handle");
    let err = vault
        .rekey(&pass("new passphrase"))
        .expect_err("re-keying while another handle is open must be refused");
    assert!(matches!(err, VaultError::Busy), "{err:?}");
    // Both handles still work, and the old passphrase still opens the file.
    write_one(
        &mut vault,
        &belief(&catalogue, "After a refused rekey", "a"),
    )
    .expect("write");
    write_one(
        &mut other,
        &belief(&catalogue, "From the other handle", "b"),
    )
    .expect("write");
    drop(other);
    vault.close().expect("close");
    let mut vault = Vault::open(&path, &pass(PASS)).expect("old passphrase still opens");
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 2);
    intact_with(&mut vault, 3);
}
