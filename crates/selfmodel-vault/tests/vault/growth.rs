//! What a vendor can make the vault keep: the new disclosure sets and the entries one grant adds
//! are bounded per day, while what it already received still reads.

use chrono::{DateTime, Duration, Utc};
use selfmodel_core::{AuditAction, BeliefId, NewAccess, Outcome, PendingEvent};
use selfmodel_vault::{
    AccessFilter, MAX_ENTRIES_PER_DAY, MAX_NEW_SETS_PER_DAY, Vault, VaultError, Writer,
};

use crate::common::{PASS, new_vault, pass};

fn read(grant: &str, disclosed: &[BeliefId]) -> NewAccess {
    NewAccess {
        grant_id: Some(grant.into()),
        vendor_id: Some("org.example.vendor".into()),
        purpose: Some("recommendations".into()),
        operation: "beliefs.read".into(),
        outcome: Outcome::Allowed,
        disclosed: disclosed.to_vec(),
    }
}

/// `n` new belief ids.
fn new_ids(n: usize) -> Vec<BeliefId> {
    (0..n).map(|_| BeliefId::new()).collect()
}

/// A time written in RFC 3339.
fn utc(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("a time")
        .with_timezone(&Utc)
}

/// The audit event a compaction records.
fn record_compaction(w: &mut Writer<'_>) -> Result<(), VaultError> {
    let event = PendingEvent::new(AuditAction::AccessLogCompacted, None);
    w.append_audit(event, Utc::now()).map(drop)
}

fn log(
    vault: &mut Vault,
    grant: &str,
    disclosed: &[BeliefId],
    at: DateTime<Utc>,
) -> Result<u64, VaultError> {
    vault.write(|w| w.append_access(&read(grant, disclosed), at))
}

#[test]
fn a_grant_adds_at_most_its_daily_allowance_of_new_sets_and_still_rereads() {
    let (_dir, _, mut vault) = new_vault();
    let max = MAX_NEW_SETS_PER_DAY as usize;
    let ids = new_ids(max + 2);
    let noon = utc("2026-03-01T12:00:00Z");
    // A vendor shifting its page by one belief each read: every read a new set.
    vault
        .write(|w| {
            for i in 0..max {
                w.append_access(&read("g1", &ids[i..i + 1]), noon)?;
            }
            Ok::<_, VaultError>(())
        })
        .expect("the allowance");
    // Requests logged: a re-read in the same minute adds to its entry's count.
    let entries = |v: &mut Vault| {
        v.read(|r| r.access_log(&AccessFilter::default()))
            .expect("log")
            .iter()
            .map(|e| e.requests as usize)
            .sum::<usize>()
    };
    assert_eq!(entries(&mut vault), max);

    // One more is refused, and nothing of it is written.
    let refused = log(&mut vault, "g1", &ids[max..max + 1], noon).unwrap_err();
    assert!(
        matches!(refused, VaultError::TooManyNewSets { .. }),
        "{refused}"
    );
    assert_eq!(refused.code(), selfmodel_core::ErrorCode::RateLimited);
    assert_eq!(entries(&mut vault), max);
    // What it already received still reads.
    log(&mut vault, "g1", &ids[0..1], noon).expect("a re-read");
    // Another grant has its own allowance; once it stored that set, the first grant may read it
    // too, since it adds nothing new to the vault.
    log(&mut vault, "g2", &ids[max..max + 1], noon).expect("another grant");
    log(&mut vault, "g1", &ids[max..max + 1], noon).expect("a set already stored");
    // The next day (UTC), the first grant may add sets again.
    let tomorrow = noon + Duration::hours(12);
    log(&mut vault, "g1", &ids[max + 1..max + 2], tomorrow).expect("the next day");
    assert_eq!(entries(&mut vault), max + 4);
}

/// The access log's entries and the requests they stand for.
fn entries_and_requests(vault: &mut Vault) -> (usize, u64) {
    let log = vault
        .read(|r| r.access_log(&AccessFilter::default()))
        .expect("log");
    (log.len(), log.iter().map(|e| e.requests).sum())
}

#[test]
fn a_grant_rotating_through_pages_purposes_and_refusals_adds_at_most_its_daily_entries() {
    let (_dir, path, mut vault) = new_vault();
    let max = MAX_ENTRIES_PER_DAY as usize;
    let pages: Vec<Vec<BeliefId>> = (0..5).map(|_| vec![BeliefId::new()]).collect();
    let midnight = utc("2026-03-01T00:00:00Z");
    // Ten requests a minute, each an entry of its own: five stored pages, a refusal, and reads
    // under other purposes.
    let request = |i: usize| -> NewAccess {
        let kind = i % 10;
        let base = read("g1", &pages[kind % pages.len()]);
        match kind {
            0..=4 => base,
            5 => NewAccess {
                outcome: Outcome::Denied("category_not_granted".into()),
                disclosed: Vec::new(),
                ..base
            },
            _ => NewAccess {
                purpose: Some(format!("purpose-{kind}")),
                ..base
            },
        }
    };
    let at = |i: usize| midnight + Duration::minutes((i / 10) as i64);
    let append = |vault: &mut Vault, a: &NewAccess, at| vault.write(|w| w.append_access(a, at));
    vault
        .write(|w| {
            for i in 0..max {
                w.append_access(&request(i), at(i))?;
            }
            Ok::<_, VaultError>(())
        })
        .expect("the allowance");
    assert_eq!(entries_and_requests(&mut vault), (max, max as u64));

    // What it did this minute it may do again, counted on its entry.
    append(&mut vault, &request(max - 1), at(max - 1)).expect("a repeat within its minute");
    assert_eq!(entries_and_requests(&mut vault), (max, max as u64 + 1));
    // Anything that would be an entry of its own is refused and nothing of it is written: a
    // page never stored, a stored page, a refusal, a read that discloses nothing.
    let unseen = read("g1", &[BeliefId::new()]);
    let refusal = NewAccess {
        outcome: Outcome::Denied("purpose_not_granted".into()),
        disclosed: Vec::new(),
        ..read("g1", &[])
    };
    for (a, when) in [
        (&unseen, at(max - 1)),
        (&request(max), at(max)),
        (&refusal, at(max)),
        (&read("g1", &[]), at(max)),
    ] {
        let refused = append(&mut vault, a, when).unwrap_err();
        assert!(
            matches!(refused, VaultError::TooManyEntries { .. }),
            "{refused}"
        );
        assert_eq!(refused.code(), selfmodel_core::ErrorCode::RateLimited);
    }
    assert_eq!(entries_and_requests(&mut vault), (max, max as u64 + 1));
    // The refusal standing for them is logged: one entry a minute per operation, however the
    // requests differed.
    for a in [&unseen, &request(max), &refusal] {
        append(&mut vault, &a.over_allowance(), at(max)).expect("the refusal is logged");
    }
    assert_eq!(entries_and_requests(&mut vault), (max + 1, max as u64 + 4));
    // Another grant has its own allowance.
    append(&mut vault, &read("g2", &pages[0]), at(max)).expect("another grant");

    // The count is read back from the log after the vault is opened again.
    drop(vault);
    let mut vault = Vault::open(&path, &pass(PASS)).expect("open");
    let again = append(&mut vault, &request(0), at(max) + Duration::minutes(1)).unwrap_err();
    assert!(
        matches!(again, VaultError::TooManyEntries { .. }),
        "{again}"
    );
    // The next day (UTC), the grant adds entries again.
    append(&mut vault, &request(0), midnight + Duration::days(1)).expect("the next day");
    assert_eq!(entries_and_requests(&mut vault), (max + 3, max as u64 + 6));
}

#[test]
fn entries_of_a_rolled_back_transaction_leave_the_allowance_unspent() {
    let (_dir, _, mut vault) = new_vault();
    let max = MAX_ENTRIES_PER_DAY as usize;
    let midnight = utc("2026-03-01T00:00:00Z");
    let pages: Vec<Vec<BeliefId>> = (0..10).map(|_| vec![BeliefId::new()]).collect();
    // Ten pages a minute, each read an entry of its own.
    let at = |i: usize| midnight + Duration::minutes((i / 10) as i64);
    let page = |i: usize| pages[i % 10].as_slice();
    vault
        .write(|w| {
            for i in 0..max - 1 {
                w.append_access(&read("g1", page(i)), at(i))?;
            }
            Ok::<_, VaultError>(())
        })
        .expect("all but one of the allowance");
    // The last entry is written, then its transaction fails and rolls back.
    let failed: Result<(), VaultError> = vault.write(|w| {
        w.append_access(&read("g1", page(max - 1)), at(max - 1))?;
        Err(VaultError::Data("the call failed".into()))
    });
    assert!(failed.is_err());
    // The log holds one entry less than the allowance: one more still reads.
    log(&mut vault, "g1", page(max), at(max)).expect("the last entry of the allowance");
    let spent = log(&mut vault, "g1", page(max + 1), at(max + 1)).unwrap_err();
    assert!(
        matches!(spent, VaultError::TooManyEntries { .. }),
        "{spent}"
    );
}

#[test]
fn every_proposal_counts_and_giving_up_the_grant_reading_notices_or_a_revoked_token_go_past_the_allowance()
 {
    let (_dir, path, mut vault) = new_vault();
    let max = MAX_ENTRIES_PER_DAY as usize;
    let noon = utc("2026-03-01T12:00:00Z");
    let call = |operation: &str, outcome: Outcome| NewAccess {
        operation: operation.into(),
        outcome,
        ..read("g1", &[])
    };
    let accepted = call("beliefs.propose", Outcome::Allowed);
    let dropped = call("beliefs.propose", Outcome::Denied("tombstoned".into()));
    // Proposals repeated within one minute: each counts, whether accepted or dropped.
    vault
        .write(|w| {
            w.append_access(&accepted, noon)?;
            for i in 1..max {
                w.append_access(if i % 2 == 0 { &accepted } else { &dropped }, noon)?;
            }
            Ok::<_, VaultError>(())
        })
        .expect("the allowance");
    assert_eq!(entries_and_requests(&mut vault), (2, max as u64));
    // Past it, a proposal is refused even as a repeat, accepted or dropped alike.
    for proposal in [&accepted, &dropped] {
        let refused = vault
            .write(|w| w.append_access(proposal, noon))
            .unwrap_err();
        assert!(
            matches!(refused, VaultError::TooManyEntries { .. }),
            "{refused}"
        );
    }
    // Giving up the grant, reading notices and the refusal of a revoked token are still logged.
    let revoked = call("beliefs.read", Outcome::Denied("token_revoked".into()));
    for entry in [
        call("grant.relinquish", Outcome::Allowed),
        call("events.read", Outcome::Allowed),
        revoked,
    ] {
        vault
            .write(|w| w.append_access(&entry, noon))
            .expect(&entry.operation);
    }
    // The count read back from the log agrees: a proposal counts once a request.
    drop(vault);
    let mut vault = Vault::open(&path, &pass(PASS)).expect("open");
    let refused = vault
        .write(|w| w.append_access(&accepted, noon + Duration::minutes(1)))
        .unwrap_err();
    assert!(
        matches!(refused, VaultError::TooManyEntries { .. }),
        "{refused}"
    );
}

#[test]
fn a_day_of_pages_compacts_into_one_set_and_the_page_sets_go() {
    let (_dir, path, mut vault) = new_vault();
    let ids = new_ids(300);
    // Noon of a day long past the log's retention: the reads below stay on their days.
    let first = utc("2024-01-10T12:00:00Z");
    // Every page twice on one day, the first page once more the next day.
    vault
        .write(|w| {
            for round in 0..2 {
                for page in ids.chunks(100) {
                    w.append_access(&read("g1", page), first + Duration::minutes(round))?;
                }
            }
            w.append_access(&read("g1", &ids[..100]), first + Duration::days(1))?;
            Ok::<_, VaultError>(())
        })
        .expect("log");
    let done = vault
        .write(|w| {
            let done = w.compact_access_log(Utc::now() - Duration::days(365))?;
            record_compaction(w)?;
            Ok::<_, VaultError>(done)
        })
        .expect("compact");
    assert_eq!((done.entries, done.disclosures), (7, 700));

    // The first day is one set (every belief twice); the second is the first page's set. The
    // second and third pages' sets, which nothing refers to any more, are gone.
    let sets: u64 = crate::common::keyed(&path, PASS)
        .query_row("SELECT count(*) FROM disclosure_sets", [], |r| r.get(0))
        .expect("sets");
    assert_eq!(sets, 2);
    let days = vault.read(|r| r.disclosure_days(None, None)).expect("days");
    assert_eq!(days.len(), 400);
    assert!(
        days.iter()
            .all(|d| d.times == if d.day == first.date_naive() { 2 } else { 1 })
    );
    let of_last = vault.read(|r| r.recipients(ids[299])).expect("recipients");
    assert_eq!((of_last[0].grant_id.as_str(), of_last[0].times), ("g1", 2));
}

#[test]
fn what_each_vendor_received_covers_the_compacted_and_the_detailed_log() {
    let (_dir, _, mut vault) = new_vault();
    let ids = new_ids(300);
    let long_ago = utc("2024-01-10T12:00:00Z");
    let other = |grant: &str, disclosed: &[BeliefId]| NewAccess {
        vendor_id: Some("org.example.other".into()),
        ..read(grant, disclosed)
    };
    vault
        .write(|w| {
            // Long ago, compacted below: the first two pages.
            w.append_access(&read("g1", &ids[..100]), long_ago)?;
            w.append_access(&read("g1", &ids[100..200]), long_ago)?;
            w.compact_access_log(Utc::now() - Duration::days(365))?;
            // Now: an overlapping page, another vendor's read and a refusal that disclosed nothing.
            w.append_access(&read("g1", &ids[150..250]), Utc::now())?;
            w.append_access(&other("g2", &ids[..10]), Utc::now())?;
            w.append_access(
                &NewAccess {
                    outcome: Outcome::Denied("purpose_not_granted".into()),
                    ..other("g2", &[])
                },
                Utc::now(),
            )?;
            record_compaction(w)?;
            Ok::<_, VaultError>(())
        })
        .expect("log");
    let sorted = |mut v: Vec<BeliefId>| {
        v.sort();
        v
    };

    let all = vault.read(|r| r.received(None)).expect("received");
    let vendors: Vec<&str> = all.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(vendors, ["org.example.other", "org.example.vendor"]);
    assert_eq!(all[0].1, sorted(ids[..10].to_vec()));
    assert_eq!(all[1].1, sorted(ids[..250].to_vec()), "each belief once");
    let of_g2 = vault.read(|r| r.received(Some("g2"))).expect("received");
    assert_eq!(
        of_g2,
        [("org.example.other".to_owned(), sorted(ids[..10].to_vec()))]
    );
    assert!(
        vault
            .read(|r| r.received(Some("g3")))
            .expect("received")
            .is_empty()
    );

    // The newest entries first, a page at a time, and refusals only.
    let page = |vault: &mut Vault, f: AccessFilter| {
        vault
            .read(|r| r.access_log(&f))
            .expect("log")
            .iter()
            .map(|e| e.seq)
            .collect::<Vec<u64>>()
    };
    let newest = page(
        &mut vault,
        AccessFilter {
            newest_first: true,
            limit: Some(2),
            ..AccessFilter::default()
        },
    );
    assert_eq!(newest.len(), 2);
    assert!(newest[0] > newest[1]);
    let older = page(
        &mut vault,
        AccessFilter {
            newest_first: true,
            before_seq: Some(newest[1]),
            ..AccessFilter::default()
        },
    );
    assert_eq!(older, [newest[1] - 1]);
    let refused = page(
        &mut vault,
        AccessFilter {
            denied_only: true,
            ..AccessFilter::default()
        },
    );
    assert_eq!(refused, [newest[0]]);
}

#[test]
fn a_request_repeated_within_its_minute_adds_to_its_entry() {
    let (_dir, _, mut vault) = new_vault();
    let ids = new_ids(100);
    let noon = utc("2026-03-01T12:00:00Z");
    // Five reads of one page in one minute, then what differs from them in one thing each.
    for s in 0..5 {
        log(&mut vault, "g1", &ids, noon + Duration::seconds(s * 10)).expect("a read");
    }
    log(&mut vault, "g1", &ids[..50], noon).expect("another page");
    log(&mut vault, "g2", &ids, noon).expect("another grant");
    vault
        .write(|w| {
            let refused = NewAccess {
                outcome: Outcome::Denied("purpose_not_granted".into()),
                ..read("g1", &[])
            };
            w.append_access(&refused, noon)?;
            w.append_access(&refused, noon)
        })
        .expect("two refusals");
    log(&mut vault, "g1", &ids, noon + Duration::minutes(1)).expect("the next minute");

    // A read whose transaction is rolled back is not counted, even when the row number it had
    // is given to another entry of the same minute.
    let later = noon + Duration::minutes(2);
    let failed = vault.write(|w| {
        w.append_access(&read("g1", &ids), later)?;
        Err::<(), _>(VaultError::Busy)
    });
    assert!(failed.is_err());
    log(&mut vault, "g3", &ids, later).expect("another grant's read");
    log(&mut vault, "g1", &ids, later).expect("the read again");

    let log = vault
        .read(|r| r.access_log(&AccessFilter::default()))
        .expect("log");
    let rows: Vec<(Option<&str>, usize, bool, u64)> = log
        .iter()
        .map(|e| {
            (
                e.grant_id.as_deref(),
                e.disclosed.len(),
                e.outcome == Outcome::Allowed,
                e.requests,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (Some("g1"), 100, true, 5),
            (Some("g1"), 50, true, 1),
            (Some("g2"), 100, true, 1),
            (Some("g1"), 0, false, 2),
            (Some("g1"), 100, true, 1),
            (Some("g3"), 100, true, 1),
            (Some("g1"), 100, true, 1),
        ]
    );
    assert_eq!(log[0].at, noon, "an entry keeps its first request's time");

    // Once the log is sealed (an export), the same request in the same minute starts an entry
    // of its own, which then counts the repeats after it.
    vault
        .write(|w| {
            w.seal_access_log()?;
            w.append_access(&read("g1", &ids), later)?;
            w.append_access(&read("g1", &ids), later)
        })
        .expect("after the seal");
    let requests: Vec<u64> = vault
        .read(|r| r.access_log(&AccessFilter::default()))
        .expect("log")
        .iter()
        .map(|e| e.requests)
        .collect();
    assert_eq!(requests, [5, 1, 1, 2, 1, 1, 1, 2]);

    // Repeats within one transaction (a batch of reads) count once it commits, and not at all
    // when it rolls back.
    let three = |w: &mut Writer<'_>| {
        for _ in 0..3 {
            w.append_access(&read("g1", &ids), later)?;
        }
        Ok::<_, VaultError>(())
    };
    let failed = vault.write(|w| three(w).and(Err::<(), _>(VaultError::Busy)));
    assert!(failed.is_err());
    vault.write(three).expect("three more");
    let last = vault
        .read(|r| r.access_log(&AccessFilter::default()))
        .expect("log")
        .last()
        .map(|e| e.requests);
    assert_eq!(last, Some(5));
}

#[test]
fn a_set_number_given_again_is_not_taken_for_the_set_it_was() {
    set_number_given_again(true);
    set_number_given_again(false);
}

/// The server remembers set numbers; a compaction (in another process, or its own) deletes two
/// and gives one of them to a new set. The server's next entry must still hold what it disclosed.
fn set_number_given_again(by_another_process: bool) {
    let (_dir, path, mut server) = new_vault();
    let mut other = Vault::open(&path, &pass(PASS)).expect("a second handle");
    let ids = new_ids(3);
    let (x, y, z) = (ids[0], ids[1], ids[2]);
    let old = utc("2024-01-10T12:00:00Z");
    // Day one disclosed x and y together (set 1), day two each alone (sets 2 and 3): the server
    // remembers all three numbers.
    log(&mut server, "g1", &[x, y], old).expect("log");
    log(&mut server, "g1", &[x], old + Duration::days(1)).expect("log");
    log(&mut server, "g1", &[y], old + Duration::days(1)).expect("log");
    // The compaction makes day two set 1 once, sets 2 and 3 go, and the read logged next is
    // given number 2 again.
    let compacting = if by_another_process {
        &mut other
    } else {
        &mut server
    };
    compacting
        .write(|w| {
            w.compact_access_log(Utc::now() - Duration::days(365))?;
            record_compaction(w)
        })
        .expect("compact");
    log(compacting, "g2", &[z], Utc::now()).expect("log");
    let numbers: Vec<i64> = crate::common::keyed(&path, PASS)
        .prepare("SELECT id FROM disclosure_sets ORDER BY id")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("sets");
    assert_eq!(numbers, [1, 2], "number 2 is z's set now");

    // The server logs x alone again: its entry holds x, and z went to g2 only.
    let seq = log(&mut server, "g1", &[x], Utc::now()).expect("log");
    let log = server
        .read(|r| r.access_log(&AccessFilter::default()))
        .expect("log");
    let entry = log.iter().find(|e| e.seq == seq).expect("the entry");
    assert_eq!(
        entry.disclosed,
        [x],
        "by another process: {by_another_process}"
    );
    let of_z = server.read(|r| r.recipients(z)).expect("recipients");
    let grants: Vec<&str> = of_z.iter().map(|r| r.grant_id.as_str()).collect();
    assert_eq!(grants, ["g2"]);
}
