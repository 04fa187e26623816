#![allow(missing_docs, clippy::unwrap_used)]
//! The transparency report against a real vault after a scripted vendor session: every number
//! it gives is recomputed here from the vault's own listings (beliefs, catalogue, access log,
//! grants, audit chain), and a period excludes what falls outside it.

use crate::common;

use std::collections::BTreeMap;

use crate::common::scripted_session;
use chrono::{Duration, NaiveDate, Utc};
use selfmodel::AccessFilter;
use selfmodel::report::{Bucket, CONTROLS, ChainState, Period};
use selfmodel_core::{BeliefFilter, ChainVerdict, Outcome, Sensitivity, Status};

#[test]
fn report_numbers_match_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = common::vault(&dir);
    let (writer, shop) = scripted_session(&mut model);
    let report = model.report(Period::default()).unwrap();

    // Inventory, from the beliefs themselves.
    let all = model.beliefs(&BeliefFilter::default()).unwrap();
    let catalogue = model.catalogue().unwrap();
    let active: Vec<_> = all.iter().filter(|b| b.status == Status::Active).collect();
    let inv = &report.inventory;
    assert_eq!(inv.total, all.len() as u64);
    assert_eq!(inv.active, active.len() as u64);
    assert_eq!(inv.pending_proposals, model.inbox().unwrap().len() as u64);
    assert_eq!(inv.pending_proposals, 1);
    assert_eq!(inv.active + inv.pending_proposals + inv.rejected, inv.total);
    let sensitivity = &inv.sensitivity;
    assert_eq!(sensitivity.normal + sensitivity.special, inv.active);
    assert_eq!(
        sensitivity.special,
        active
            .iter()
            .filter(|b| b.sensitivity == Sensitivity::Special)
            .count() as u64
    );
    assert_eq!(
        inv.evidence.beliefs_with_evidence,
        active.iter().filter(|b| !b.evidence.is_empty()).count() as u64
    );
    let below = active
        .iter()
        .filter(|b| {
            b.confidence
                < catalogue
                    .belief_type(&b.category)
                    .unwrap()
                    .min_share_confidence
        })
        .count() as u64;
    assert_eq!(inv.below_threshold, below);
    assert_eq!(inv.by_type.len(), catalogue.types.len());
    assert_eq!(
        inv.by_type.iter().map(|t| t.active).sum::<u64>(),
        inv.active
    );
    for t in &inv.by_type {
        assert_eq!(
            t.active,
            active.iter().filter(|b| b.category == t.type_id).count() as u64,
            "{}",
            t.type_id
        );
    }
    for (purpose, n) in &inv.by_purpose {
        assert_eq!(
            *n,
            active
                .iter()
                .filter(|b| b.purposes.contains(purpose))
                .count() as u64,
            "{purpose}"
        );
    }

    // Retention: every type, nothing past it.
    assert_eq!(report.retention.by_type.len(), catalogue.types.len());
    assert!(
        report
            .retention
            .by_type
            .iter()
            .all(|r| r.past_retention == 0)
    );
    assert_eq!(report.retention.past_retention, 0);
    assert_eq!(
        report
            .retention
            .by_type
            .iter()
            .map(|r| r.beliefs)
            .sum::<u64>(),
        inv.total
    );
    assert!(
        report
            .limits
            .refused_data
            .iter()
            .any(|r| r == "a payment card number")
    );

    // Vendors, from the access log.
    let log = model.access_log(&AccessFilter::default()).unwrap();
    assert_eq!(report.vendors.len(), 2);
    for v in &report.vendors {
        let mine: Vec<_> = log
            .iter()
            .filter(|a| a.grant_id.as_deref() == Some(v.grant_id.as_str()))
            .collect();
        let allowed: Vec<_> = mine
            .iter()
            .filter(|a| a.outcome == Outcome::Allowed)
            .collect();
        // An entry stands for its count of requests (repeats within a minute).
        let p = &v.period;
        assert_eq!(p.requests, allowed.iter().map(|a| a.requests).sum::<u64>());
        assert_eq!(
            p.disclosures,
            allowed
                .iter()
                .map(|a| a.disclosed.len() as u64 * a.requests)
                .sum::<u64>()
        );
        assert_eq!(
            p.received.iter().map(|p| p.disclosures).sum::<u64>(),
            p.disclosures
        );
        assert_eq!(
            p.denied.values().sum::<u64>(),
            mine.iter().map(|a| a.requests).sum::<u64>() - p.requests
        );
    }
    let w = report
        .vendors
        .iter()
        .find(|v| v.grant_id == writer)
        .unwrap();
    assert_eq!(w.state, "active");
    let comm = w
        .period
        .received
        .iter()
        .find(|p| p.purpose == "communication")
        .unwrap();
    assert_eq!(comm.requests, 3);
    assert!(comm.distinct_beliefs > 0 && comm.disclosures == 3 * comm.distinct_beliefs);
    assert!(comm.by_type.contains_key("(erased)"));
    assert_eq!(w.period.denied.get("sensitive_data"), Some(&1));
    assert_eq!(w.period.notices.get("belief.erased"), Some(&1));
    let s = report.vendors.iter().find(|v| v.grant_id == shop).unwrap();
    assert_eq!(s.state, "revoked");
    assert!(s.period.denied.contains_key("purpose_not_granted"));

    // Integrity, from the chain.
    let ChainVerdict::Intact { events, head } = model.verify_audit().unwrap() else {
        panic!("chain broken");
    };
    let i = &report.integrity;
    assert_eq!(i.audit_chain, ChainState::Intact);
    assert_eq!(i.events, events);
    assert_eq!(i.head.as_deref(), Some(head.to_hex().as_str()));
    assert_eq!(i.events_in_period, events);
    assert_eq!(i.erasures.len(), 1);
    assert_eq!(i.beliefs_erased, 1);
    assert_eq!(report.controls, CONTROLS);

    // Disclosures over time, against the access log: per vendor and per day, the series adds
    // up to what the log says was disclosed; its steps are days, without gaps, up to the
    // report's day.
    let series = &report.disclosures_over_time;
    assert_eq!(series.bucket, Bucket::Day);
    assert_eq!(
        series.starts.last(),
        Some(&report.generated_at[..10].to_owned())
    );
    assert!(
        series
            .starts
            .windows(2)
            .all(|w| (day(&w[1]) - day(&w[0])).num_days() == 1)
    );
    let mut from_log: BTreeMap<(String, NaiveDate), u64> = BTreeMap::new();
    for a in log.iter().filter(|a| a.outcome == Outcome::Allowed) {
        if !a.disclosed.is_empty() {
            *from_log
                .entry((a.vendor_id.clone().unwrap(), a.at.date_naive()))
                .or_default() += a.disclosed.len() as u64 * a.requests;
        }
    }
    let mut from_series: BTreeMap<(String, NaiveDate), u64> = BTreeMap::new();
    for v in &series.vendors {
        assert_eq!(v.counts.len(), series.starts.len());
        for (start, n) in series.starts.iter().zip(&v.counts) {
            if *n > 0 {
                from_series.insert((v.vendor_id.clone(), day(start)), *n);
            }
        }
    }
    assert_eq!(from_series, from_log);
    assert_eq!(
        series.totals.iter().sum::<u64>(),
        report
            .vendors
            .iter()
            .map(|v| v.period.disclosures)
            .sum::<u64>()
    );
    let writer_series = series
        .vendors
        .iter()
        .find(|v| v.vendor_id == "com.example.writer")
        .unwrap();
    assert_eq!(writer_series.total, w.period.disclosures);
    assert_eq!(writer_series.name, "com.example.writer");
    // One day of the log: the series has that one step, holding that day's disclosures.
    let (_, on) = from_log.keys().next().unwrap().clone();
    let one_day = model.report(Period::days(Some(on), Some(on))).unwrap();
    let one_series = &one_day.disclosures_over_time;
    assert_eq!(one_series.starts, vec![on.to_string()]);
    assert_eq!(
        one_series.totals.iter().sum::<u64>(),
        from_log
            .iter()
            .filter(|((_, d), _)| *d == on)
            .map(|(_, n)| n)
            .sum::<u64>()
    );

    // A period after everything: the vault's state is the same, its activity is not.
    let later = Period {
        from: Some(Utc::now() + Duration::days(1)),
        to: None,
    };
    let empty = model.report(later).unwrap();
    assert_eq!(empty.inventory, report.inventory);
    assert_eq!(empty.integrity.events_in_period, 0);
    assert!(empty.integrity.erasures.is_empty());
    let none = &empty.disclosures_over_time;
    assert!(none.starts.is_empty() && none.vendors.is_empty());
    assert!(empty.vendors.iter().all(|v| v.period.requests == 0
        && v.period.disclosures == 0
        && v.period.denied.is_empty()
        && v.period.notices.is_empty()));
    // And a period that ended before it: notices are counted within the period's bounds only.
    let earlier = Period {
        from: None,
        to: Some(Utc::now() - Duration::days(1)),
    };
    let before = model.report(earlier).unwrap();
    assert!(before.vendors.iter().all(|v| v.period.notices.is_empty()));
}

/// A day of the report, `YYYY-MM-DD`.
fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}
