//! Helpers shared by the use-case tests that script a vendor session on a real vault.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

pub mod archive;

use std::collections::BTreeSet;

use selfmodel::{AccessFilter, Credential, GrantAsk, PollOutcome, Selfmodel, VendorRead};
use selfmodel_core::{
    Actor, EvidenceKind, Narrowing, NewBelief, NewEvidence, Operation, Passphrase, Provenance,
    Scope, Sensitivity, Vendor,
};

/// The person, as the author of what a test adds.
pub fn person() -> Provenance {
    Provenance {
        actor: Actor::Person,
        method: "test".into(),
    }
}

/// A belief the person stated ("said so"), with confidence 0.7 and its type's default purposes.
pub fn stated(statement: &str, category: &str) -> NewBelief {
    NewBelief {
        statement: statement.into(),
        category: category.into(),
        confidence: 0.7,
        purposes: BTreeSet::new(),
        sensitivity: None,
        evidence: vec![NewEvidence {
            kind: EvidenceKind::Stated,
            source: "test".into(),
            summary: "said so".into(),
            observed_at: None,
            content_sha256: None,
        }],
    }
}

/// A new vault in a temporary directory.
pub fn vault(dir: &tempfile::TempDir) -> Selfmodel {
    Selfmodel::create(
        &dir.path().join("v.db"),
        &Passphrase::new("report test passphrase".into()),
    )
    .unwrap()
}

/// A vendor's request to read and propose beliefs of these types for these purposes.
pub fn ask(id: &str, purposes: &[&str], categories: &[&str]) -> GrantAsk {
    GrantAsk {
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
            fresh_only: false,
        },
        duration_days: 30,
        vendor_retention_days: 7,
        justification: "report test".into(),
    }
}

/// The token of a grant approved as [`ask`] asked.
pub fn grant(
    model: &mut Selfmodel,
    id: &str,
    purposes: &[&str],
    categories: &[&str],
) -> Credential {
    grant_as_asked(model, ask(id, purposes, categories))
}

/// The token of a grant approved as `asked`.
pub fn grant_as_asked(model: &mut Selfmodel, asked: GrantAsk) -> Credential {
    let issued = model.request_grant(asked, None).unwrap();
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

pub fn read(purpose: &str) -> VendorRead {
    VendorRead {
        purpose: purpose.into(),
        ..VendorRead::default()
    }
}

pub fn proposal(summary: &str) -> NewBelief {
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
pub fn scripted_session(model: &mut Selfmodel) -> (String, String) {
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
    assert_eq!(refused.code().as_str(), "sensitive_data");
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
        .find_map(|a| a.disclosed.last().copied())
        .unwrap();
    model.delete_belief(received).unwrap();
    (writer_grant, shop_grant)
}
