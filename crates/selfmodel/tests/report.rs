#![allow(missing_docs, clippy::unwrap_used)]
//! The transparency report against a real vault after a scripted vendor session: every number
//! it gives is recomputed here from the vault's own listings (beliefs, catalogue, access log,
//! grants, audit chain), and a period excludes what falls outside it.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use selfmodel::report::{CONTROLS, Period};
use selfmodel::{AccessFilter, Credential, GrantAsk, PollOutcome, Selfmodel, VendorRead};
use selfmodel_core::{
    BeliefFilter, ChainVerdict, EvidenceKind, Narrowing, NewBelief, NewEvidence, Operation,
    Outcome, Passphrase, Scope, Sensitivity, Status, Vendor,
};

fn grant(model: &mut Selfmodel, id: &str, purposes: &[&str], categories: &[&str]) -> Credential {
    let ask = GrantAsk {
        vendor: Vendor {
            id: id.into(),
            name: id.into(),
            url: None,
        },
        scope: Scope {
            purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            operations: [Operation::Read, Operation::Propose].into(),
            max_sensitivity: Sensitivity::Normal,
            min_confidence: 0.0,
            origins: BTreeSet::new(),
        },
        duration_days: 30,
        vendor_retention_days: 7,
        justification: "report test".into(),
    };
    let issued = model.request_grant(ask, None).unwrap();
    model
        .approve_request(&issued.request.id, &Narrowing::default(), "test")
        .unwrap();
    match model
        .poll_grant(&Credential::native(&issued.poll_secret))
        .unwrap()
    {
        PollOutcome::Approved { token, .. } => Credential::native(&token),
        _ => panic!("not approved"),
    }
}

fn read(purpose: &str) -> VendorRead {
    VendorRead {
        purpose: purpose.into(),
        category: None,
        min_confidence: None,
        belief: None,
        after: None,
        limit: None,
    }
}

fn proposal(summary: &str) -> NewBelief {
    NewBelief {
        statement: "Prefers bullet points in summaries".into(),
        category: "communication-style".into(),
        confidence: 0.6,
        purposes: ["communication".to_owned()].into(),
        sensitivity: None,
        evidence: vec![NewEvidence {
            kind: EvidenceKind::Observed,
            source: "Writer app".into(),
            summary: summary.into(),
            observed_at: None,
            content_sha256: None,
        }],
    }
}

/// The demo vault, two vendors reading, one denied and revoked, a proposal refused for carrying
/// a card number, one accepted into the inbox, and an erasure of a disclosed belief.
fn scripted_session(model: &mut Selfmodel) -> (String, String) {
    model.fill_demo().unwrap();
    let writer = grant(
        model,
        "com.example.writer",
        &["communication"],
        &["communication-style", "expertise"],
    );
    let shop = grant(
        model,
        "com.example.shop",
        &["recommendations"],
        &["interests"],
    );
    for _ in 0..3 {
        model.vendor_read(&writer, &read("communication")).unwrap();
    }
    model.vendor_read(&shop, &read("recommendations")).unwrap();
    assert!(model.vendor_read(&shop, &read("advertising")).is_err());
    model
        .vendor_propose(&writer, proposal("Asked for bullet points twice"))
        .unwrap();
    let refused = model
        .vendor_propose(&writer, proposal("Paid with 4111 1111 1111 1111"))
        .unwrap_err();
    assert_eq!(refused.code(), "sensitive_data");
    let writer_grant = model.vendor_grant(&writer).unwrap().id;
    let shop_grant = model.vendor_grant(&shop).unwrap().id;
    model.revoke_grant(&shop_grant).unwrap();
    assert!(model.vendor_read(&shop, &read("recommendations")).is_err());
    // Erase a belief the writer received: it is told.
    let received = model
        .access_log(&AccessFilter {
            grant_id: Some(writer_grant.clone()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .find_map(|a| a.disclosed.first().copied())
        .unwrap();
    model.delete_belief(received).unwrap();
    (writer_grant, shop_grant)
}

#[test]
fn report_numbers_match_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = Selfmodel::create(
        &dir.path().join("v.db"),
        &Passphrase::new("report test passphrase".into()),
    )
    .unwrap();
    let (writer, shop) = scripted_session(&mut model);
    let report = model.report(Period::default()).unwrap();

    // Inventory, from the beliefs themselves.
    let all = model.beliefs(&BeliefFilter::default()).unwrap();
    let catalogue = model.catalogue().unwrap();
    let active: Vec<_> = all.iter().filter(|b| b.status == Status::Active).collect();
    let inv = &report.inventory;
    assert_eq!(inv.total, all.len() as u64);
    assert_eq!(inv.active, active.len() as u64);
    assert_eq!(inv.pending, model.inbox().unwrap().len() as u64);
    assert_eq!(inv.pending, 1);
    assert_eq!(inv.active + inv.pending + inv.rejected, inv.total);
    assert_eq!(inv.normal + inv.special, inv.active);
    assert_eq!(
        inv.special,
        active
            .iter()
            .filter(|b| b.sensitivity == Sensitivity::Special)
            .count() as u64
    );
    assert_eq!(
        inv.with_evidence,
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
    assert_eq!(report.retention.len(), catalogue.types.len());
    assert!(report.retention.iter().all(|r| r.past_retention == 0));
    assert_eq!(
        report.retention.iter().map(|r| r.beliefs).sum::<u64>(),
        inv.total
    );
    assert!(
        report
            .limits
            .refused_data
            .contains(&"a payment card number")
    );

    // Vendors, from the access log.
    let log = model.access_log(&AccessFilter::default()).unwrap();
    assert_eq!(report.vendors.len(), 2);
    for v in &report.vendors {
        let mine: Vec<_> = log
            .iter()
            .filter(|a| a.grant_id.as_deref() == Some(v.grant.id.as_str()))
            .collect();
        let allowed: Vec<_> = mine
            .iter()
            .filter(|a| a.outcome == Outcome::Allowed)
            .collect();
        assert_eq!(v.requests, allowed.len() as u64);
        assert_eq!(
            v.disclosures,
            allowed
                .iter()
                .map(|a| a.disclosed.len() as u64)
                .sum::<u64>()
        );
        assert_eq!(
            v.received.iter().map(|p| p.disclosures).sum::<u64>(),
            v.disclosures
        );
        assert_eq!(
            v.denied.iter().map(|(_, n)| n).sum::<u64>(),
            (mine.len() - allowed.len()) as u64
        );
    }
    let w = report
        .vendors
        .iter()
        .find(|v| v.grant.id == writer)
        .unwrap();
    assert_eq!(w.state, "active");
    let comm = w
        .received
        .iter()
        .find(|p| p.purpose == "communication")
        .unwrap();
    assert_eq!(comm.requests, 3);
    assert!(comm.distinct_beliefs > 0 && comm.disclosures == 3 * comm.distinct_beliefs);
    assert!(comm.by_type.iter().any(|(t, _)| t == "(erased)"));
    assert!(w.denied.contains(&("sensitive_data".to_owned(), 1)));
    assert!(w.notices.contains(&("belief.erased".to_owned(), 1)));
    let s = report.vendors.iter().find(|v| v.grant.id == shop).unwrap();
    assert_eq!(s.state, "revoked");
    assert!(
        s.denied
            .iter()
            .any(|(code, _)| code == "purpose_not_granted")
    );

    // Integrity, from the chain.
    let ChainVerdict::Intact { events, head } = model.verify_audit().unwrap() else {
        panic!("chain broken");
    };
    let i = &report.integrity;
    assert!(i.intact);
    assert_eq!(i.events, events);
    assert_eq!(i.head.as_deref(), Some(head.to_hex().as_str()));
    assert_eq!(i.events_in_period, events);
    assert_eq!(i.erasures.len(), 1);
    assert_eq!(i.beliefs_erased, 1);
    assert_eq!(report.controls, CONTROLS);

    // A period after everything: the vault's state is the same, its activity is not.
    let later = Period {
        from: Some(Utc::now() + Duration::days(1)),
        to: None,
    };
    let empty = model.report(later).unwrap();
    assert_eq!(empty.inventory, report.inventory);
    assert_eq!(empty.integrity.events_in_period, 0);
    assert!(empty.integrity.erasures.is_empty());
    assert!(empty.vendors.iter().all(|v| v.requests == 0
        && v.disclosures == 0
        && v.denied.is_empty()
        && v.notices.is_empty()));
}
