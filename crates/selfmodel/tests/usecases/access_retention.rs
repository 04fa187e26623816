#![allow(missing_docs, clippy::unwrap_used)]
//! The access log's retention against a real vault: entries past it are compacted into per-day
//! counts when the vault is closed (not at unlock, which writes nothing for it), on the audit
//! chain, and "who received this belief" is still answered.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use selfmodel::report::Period;
use selfmodel::{AccessFilter, Selfmodel};
use selfmodel_core::{
    AuditAction, BeliefId, ChainVerdict, NewAccess, NewBelief, Outcome, Passphrase, VendorEventKind,
};
use selfmodel_vault::{Vault, VaultError};

use crate::common::{person, stated};

fn pass() -> Passphrase {
    Passphrase::new("a long test passphrase".into())
}

fn read(grant: &str, disclosed: &[BeliefId]) -> NewAccess {
    NewAccess {
        grant_id: Some(grant.into()),
        vendor_id: Some("com.example.writer".into()),
        purpose: Some("communication".into()),
        operation: "beliefs.read".into(),
        outcome: Outcome::Allowed,
        disclosed: disclosed.to_vec(),
    }
}

fn add(m: &mut Selfmodel, statement: &str) -> BeliefId {
    m.add_belief(
        NewBelief {
            confidence: 0.8,
            purposes: BTreeSet::from(["communication".to_owned()]),
            ..stated(statement, "communication-style")
        },
        person(),
    )
    .unwrap()
    .id
}

/// Noon of the day 400 days before `now`: entries minutes apart after it fall on one day,
/// whatever the time the test runs at.
fn noon_400_days_before(now: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    (now - Duration::days(400))
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
}

#[test]
fn old_entries_are_compacted_at_close_and_recipients_survive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let mut m = Selfmodel::create(&path, &pass()).unwrap();
    let belief = add(&mut m, "Prefers short answers");
    m.close().unwrap();

    // A year and more of history, written as the vendor API writes it, plus one entry today.
    let now = Utc::now();
    let old = noon_400_days_before(now);
    let mut vault = Vault::open(&path, &pass()).unwrap();
    vault
        .write(|w| {
            w.append_access(&read("g1", &[belief]), old)?;
            w.append_access(&read("g1", &[belief]), old + Duration::minutes(5))?;
            let mut denied = read("g1", &[]);
            denied.outcome = Outcome::Denied("purpose_not_granted".into());
            w.append_access(&denied, old + Duration::days(1))?;
            w.append_access(&read("g1", &[belief]), now)?;
            Ok::<_, VaultError>(())
        })
        .unwrap();
    vault.close().unwrap();

    // Unlocking leaves them as they are: it writes nothing for them ...
    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    let events = m.audit_log().unwrap().len();
    assert_eq!(m.access_log(&AccessFilter::default()).unwrap().len(), 4);
    // ... closing compacts them.
    m.close().unwrap();
    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    assert_eq!(m.audit_log().unwrap().len(), events + 1);
    // Only today's entry stays in detail ...
    let detailed = m.access_log(&AccessFilter::default()).unwrap();
    assert_eq!(detailed.len(), 1);
    assert!(detailed[0].at > old + Duration::days(2));
    // ... the rest became per-day counts, which still say who received the belief and how often.
    let days = m.access_days(None, None).unwrap();
    assert_eq!(days.iter().map(|d| d.requests).sum::<u64>(), 4);
    assert_eq!(days.iter().filter(|d| d.compacted).count(), 2);
    let denied: u64 = days
        .iter()
        .filter(|d| matches!(&d.outcome, Outcome::Denied(code) if code == "purpose_not_granted"))
        .map(|d| d.requests)
        .sum();
    assert_eq!(denied, 1);
    let recipients = m.recipients(belief).unwrap();
    assert_eq!(recipients.len(), 1);
    assert_eq!(
        (recipients[0].grant_id.as_str(), recipients[0].times),
        ("g1", 3)
    );
    // A day's range holds that day only, whether compacted or not.
    let day = old.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    let one_day = m
        .access_days(Some(day), Some(day + Duration::days(1)))
        .unwrap();
    assert_eq!(one_day.iter().map(|d| d.requests).sum::<u64>(), 2);
    let disclosed = m.disclosure_days(None, None).unwrap();
    assert_eq!(disclosed.iter().map(|d| d.times).sum::<u64>(), 3);
    assert_eq!(disclosed[0].day, old.date_naive());

    // The compaction is on the audit chain, with counts only, and the chain holds.
    let log = m.audit_log().unwrap();
    let compacted: Vec<_> = log
        .iter()
        .filter(|e| e.action == AuditAction::AccessLogCompacted.as_str())
        .collect();
    assert_eq!(compacted.len(), 1);
    let detail = compacted[0].detail.as_deref().unwrap();
    assert!(
        detail.starts_with("entries=3 disclosures=2 before="),
        "{detail}"
    );
    assert!(matches!(
        m.verify_audit().unwrap(),
        ChainVerdict::Intact { .. }
    ));

    // Erasing the belief still tells the grant that received it (Art. 19), once.
    m.delete_belief(belief).unwrap();
    let notices = m.events_since("g1", 0).unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind, VendorEventKind::BeliefErased);
    m.close().unwrap();

    // Nothing more is due: closing again compacts nothing and writes no event.
    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    let events = m.audit_log().unwrap().len();
    m.close().unwrap();
    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    assert_eq!(m.audit_log().unwrap().len(), events);
    assert_eq!(m.compact_access_log().unwrap().entries, 0);
}

#[test]
fn the_report_counts_the_compacted_days_as_the_detailed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let mut m = Selfmodel::create(&path, &pass()).unwrap();
    let belief = add(&mut m, "Prefers short answers");
    crate::common::grant(
        &mut m,
        "com.example.writer",
        &["communication"],
        &["communication-style"],
    );
    let grant = m.grants().unwrap()[0].grant.id.clone();
    m.close().unwrap();

    // Reads, a refusal under the grant and one without a token, 400 days ago (past the
    // retention) and today, as the vendor API writes them.
    let now = Utc::now();
    let old = noon_400_days_before(now);
    let mut vault = Vault::open(&path, &pass()).unwrap();
    vault
        .write(|w| {
            for at in [old, now] {
                w.append_access(&read(&grant, &[belief]), at)?;
                w.append_access(&read(&grant, &[belief]), at + Duration::minutes(5))?;
                let mut denied = read(&grant, &[]);
                denied.outcome = Outcome::Denied("purpose_not_granted".into());
                w.append_access(&denied, at + Duration::minutes(10))?;
                let mut tokenless = read(&grant, &[]);
                tokenless.grant_id = None;
                tokenless.vendor_id = None;
                tokenless.outcome = Outcome::Denied("invalid_token".into());
                w.append_access(&tokenless, at + Duration::minutes(15))?;
            }
            Ok::<_, VaultError>(())
        })
        .unwrap();
    vault.close().unwrap();

    // Keeping the vault up compacts the old entries; the report of all time still counts them.
    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    m.upkeep().unwrap();
    assert!(
        m.access_days(None, None)
            .unwrap()
            .iter()
            .any(|d| d.compacted)
    );
    let report = m.report(Period::default()).unwrap();
    let vendor = report.vendors.iter().find(|v| v.grant_id == grant).unwrap();
    let p = &vendor.period;
    // The grant's own claim of its token is one more allowed request, today.
    let claims = 1;
    assert_eq!(p.requests, 4 + claims);
    assert_eq!(p.disclosures, 4);
    assert_eq!(p.received.len(), 1);
    assert_eq!(
        (p.received[0].purpose.as_str(), p.received[0].requests),
        ("communication", 4)
    );
    assert_eq!(p.denied.get("purpose_not_granted"), Some(&2));
    assert_eq!(report.denied_without_grant.get("invalid_token"), Some(&2));
    // As many requests as the grant's own count says.
    assert_eq!(m.grants().unwrap()[0].access_count, 4);
}

#[test]
fn the_retention_is_the_persons_choice_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let mut m = Selfmodel::create(&path, &pass()).unwrap();
    assert_eq!(m.access_log_retention().unwrap(), 365);
    let err = m.set_access_log_retention(7).unwrap_err();
    assert!(
        err.to_string().contains("access_log_retention_days"),
        "{err}"
    );
    assert_eq!(m.access_log_retention().unwrap(), 365);

    m.close().unwrap();
    let mut vault = Vault::open(&path, &pass()).unwrap();
    let at = Utc::now() - Duration::days(45);
    vault
        .write(|w| {
            w.append_access(&read("g2", &[]), at)?;
            Ok::<_, VaultError>(())
        })
        .unwrap();
    vault.close().unwrap();

    // Kept at a year, the entry stays; shortened to 30 days, it is compacted at once.
    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    assert_eq!(m.access_log(&AccessFilter::default()).unwrap().len(), 1);
    let done = m.set_access_log_retention(30).unwrap();
    assert_eq!(done.entries, 1);
    assert_eq!(m.access_log_retention().unwrap(), 30);
    assert!(m.access_log(&AccessFilter::default()).unwrap().is_empty());
    let actions: Vec<_> = m
        .audit_log()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.ends_with(&[
        "access_log.retention_changed".to_owned(),
        "access_log.compacted".to_owned()
    ]));
}

#[test]
fn erasing_every_belief_tells_each_grant_that_received_one_once_per_belief() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let mut m = Selfmodel::create(&path, &pass()).unwrap();
    let [a, b, c, _never_disclosed] = [
        "Prefers short answers",
        "Writes in British English",
        "Reads on the train",
        "Never disclosed",
    ]
    .map(|s| add(&mut m, s));
    m.close().unwrap();

    // g1 re-reads one set, g5 reads the same set, g2 reads a set overlapping it, g3's read is
    // old enough to be compacted at the next unlock, g4 was only refused.
    let now = Utc::now();
    let mut vault = Vault::open(&path, &pass()).unwrap();
    vault
        .write(|w| {
            w.append_access(&read("g1", &[a, b]), now)?;
            w.append_access(&read("g1", &[b, a]), now)?;
            w.append_access(&read("g2", &[b]), now)?;
            w.append_access(&read("g5", &[a, b]), now)?;
            w.append_access(&read("g3", &[c]), now - Duration::days(400))?;
            let mut denied = read("g4", &[]);
            denied.outcome = Outcome::Denied("purpose_not_granted".into());
            w.append_access(&denied, now)?;
            Ok::<_, VaultError>(())
        })
        .unwrap();
    vault.close().unwrap();

    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    assert_eq!(
        m.recipients(c).unwrap()[0].grant_id,
        "g3",
        "from the compacted log"
    );
    assert_eq!(m.erase_all().unwrap(), 4);
    let mut erased = |grant| -> Vec<BeliefId> {
        let notices = m.events_since(grant, 0).unwrap();
        assert!(
            notices
                .iter()
                .all(|n| n.kind == VendorEventKind::BeliefErased),
            "{notices:?}"
        );
        notices.into_iter().filter_map(|n| n.belief_id).collect()
    };
    let (mut ab, mut received_by_g1) = (vec![a, b], erased("g1"));
    ab.sort();
    received_by_g1.sort();
    assert_eq!(received_by_g1, ab, "once per belief");
    let mut received_by_g5 = erased("g5");
    received_by_g5.sort();
    assert_eq!(received_by_g5, ab, "every grant a set went to");
    assert_eq!(erased("g2"), [b]);
    assert_eq!(erased("g3"), [c]);
    assert!(erased("g4").is_empty());
}
