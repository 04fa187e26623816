//! Contract: the client's own wire types against the OpenAPI document the real server serves.
//! Every field the client sends or reads must be in the server's schema, every field the server
//! requires must be in the client's types, and every endpoint the client calls must exist.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use crate::common::*;
use chrono::Utc;
use selfmodel_client::*;
use serde_json::Value;

fn keys(v: &impl serde::Serialize) -> BTreeSet<String> {
    serde_json::to_value(v)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    &doc["components"]["schemas"][name]
}

fn properties(doc: &Value, name: &str) -> BTreeSet<String> {
    schema(doc, name)["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {name}"))
        .keys()
        .cloned()
        .collect()
}

fn required(doc: &Value, name: &str) -> BTreeSet<String> {
    schema(doc, name)["required"]
        .as_array()
        .map(|r| r.iter().map(|k| k.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

/// A fully populated value of a client type matches a server schema field for field.
fn same_fields(doc: &Value, name: &str, sample: &impl serde::Serialize) {
    let ours = keys(sample);
    let theirs = properties(doc, name);
    assert_eq!(ours, theirs, "client type for {name}");
    let missing: Vec<_> = required(doc, name).difference(&ours).cloned().collect();
    assert!(missing.is_empty(), "{name}: required {missing:?}");
}

fn vendor() -> VendorInfo {
    VendorInfo {
        id: "com.example".into(),
        name: "Example".into(),
        url: Some("https://example.com".into()),
    }
}

fn grant() -> Grant {
    let now = Utc::now();
    Grant {
        id: "g".into(),
        vendor: vendor(),
        purposes: vec!["communication".into()],
        categories: vec!["goals".into()],
        operations: vec![Operation::Read],
        max_sensitivity: Sensitivity::Normal,
        min_confidence: 0.0,
        origins: vec![],
        fresh_only: false,
        vendor_retention_days: 1,
        created_at: now,
        expires_at: now,
        revoked_at: Some(now),
        consent: Consent {
            id: "g".into(),
            subject: "s".into(),
            recipient: vendor(),
            purposes: vec![],
            data_categories: vec![],
            operations: vec![],
            special_categories: false,
            notice: "n".into(),
            recipient_retention_days: 1,
            given_at: now,
            expires_at: now,
            method: "m".into(),
        },
    }
}

fn belief() -> Belief {
    Belief {
        id: "b".into(),
        statement: "s".into(),
        category: "goals".into(),
        confidence: 0.5,
        purposes: vec![],
        sensitivity: Sensitivity::Normal,
        origin: Origin::Person,
        updated_at: Utc::now(),
        confirmed_at: Some(Utc::now()),
        review_overdue: true,
        evidence: Some(vec![Evidence {
            kind: EvidenceKind::Stated,
            source: "x".into(),
            summary: "y".into(),
            observed_at: Utc::now(),
        }]),
    }
}

#[tokio::test]
async fn client_wire_types_match_the_served_openapi_document() {
    let s = Served::start();
    let doc: Value = reqwest::get(format!("{}/v1/openapi.json", s.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));

    // Responses the client reads.
    same_fields(&doc, "VendorInfo", &vendor());
    let g = grant();
    same_fields(&doc, "GrantOut", &g);
    same_fields(&doc, "ConsentOut", &g.consent);
    let b = belief();
    same_fields(&doc, "BeliefOut", &b);
    same_fields(&doc, "EvidenceOut", &b.evidence.as_ref().unwrap()[0]);
    same_fields(
        &doc,
        "BeliefsOut",
        &BeliefPage {
            grant_id: "g".into(),
            purpose: "p".into(),
            beliefs: vec![b],
            next: Some("n".into()),
        },
    );
    same_fields(
        &doc,
        "ProposalOut",
        &ProposalReceipt {
            id: "b".into(),
            status: ProposalStatus::Pending,
        },
    );
    let event = Event {
        seq: 1,
        at: Utc::now(),
        kind: EventKind::BeliefErased,
        belief_id: Some("b".into()),
    };
    same_fields(&doc, "EventOut", &event);
    same_fields(
        &doc,
        "EventsOut",
        &Events {
            events: vec![event],
            cursor: 1,
        },
    );

    // Requests the client sends (the server rejects unknown fields, so these must match too).
    same_fields(
        &doc,
        "GrantRequestIn",
        &GrantRequest::new("com.example", "Example", "why")
            .url("https://example.com")
            .purposes(["communication"])
            .categories(["goals"])
            .max_sensitivity(Sensitivity::Special)
            .min_confidence(0.5)
            .origins(["https://app.example"])
            .fresh_only(),
    );
    let mut ev = EvidenceIn::new(EvidenceKind::Stated, "x", "y");
    ev.observed_at = Some(Utc::now());
    ev.content_sha256 = Some("00".repeat(32));
    same_fields(&doc, "EvidenceIn", &ev);
    same_fields(
        &doc,
        "ProposalIn",
        &Proposal::new("s", "goals", 0.5).evidence(ev),
    );
    assert_eq!(
        properties(&doc, "PollIn"),
        BTreeSet::from(["poll_secret".into()])
    );
    assert_eq!(
        properties(&doc, "ProofIn"),
        BTreeSet::from(["nonce".into()])
    );
    assert_eq!(
        properties(&doc, "ProofOut"),
        BTreeSet::from(["public_key".into(), "signature".into()])
    );
    assert_eq!(
        properties(&doc, "GrantRequestOut"),
        [
            "request_id",
            "user_code",
            "poll_secret",
            "expires_at",
            "interval"
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
    assert_eq!(
        properties(&doc, "PollOut"),
        ["status", "token", "grant", "checkpoint"]
            .into_iter()
            .map(String::from)
            .collect()
    );
    same_fields(&doc, "CheckpointOut", &checkpoint());
    assert_eq!(
        properties(&doc, "ProblemBody"),
        ["code", "message"].into_iter().map(String::from).collect()
    );

    // Enumerated values the client sends are ones the server takes.
    for op in [Operation::Read, Operation::ReadEvidence, Operation::Propose] {
        let text = serde_json::to_value(op).unwrap();
        assert!(
            ["read", "read_evidence", "propose"].contains(&text.as_str().unwrap()),
            "{text}"
        );
    }

    // Endpoints and query parameters the client uses.
    for (path, method) in [
        ("/v1/server-proof", "post"),
        ("/v1/grant-requests", "post"),
        ("/v1/grant-requests/poll", "post"),
        ("/v1/grant", "get"),
        ("/v1/grant", "delete"),
        ("/v1/beliefs", "get"),
        ("/v1/beliefs/{id}", "get"),
        ("/v1/beliefs/proposals", "post"),
        ("/v1/events", "get"),
        ("/v1/checkpoint", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let params = |path: &str| -> BTreeSet<String> {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let full = BeliefQuery::new("p")
        .category("c")
        .min_confidence(0.5)
        .search("s")
        .fresh()
        .after("a")
        .limit(5);
    assert_eq!(keys(&full), params("/v1/beliefs"));
    assert_eq!(
        params("/v1/events"),
        ["after", "wait"].into_iter().map(String::from).collect()
    );
    assert_eq!(
        params("/v1/beliefs/{id}"),
        ["purpose"].into_iter().map(String::from).collect()
    );
    assert_eq!(
        params("/v1/checkpoint"),
        ["seq"].into_iter().map(String::from).collect()
    );
}

fn checkpoint() -> SignedCheckpoint {
    SignedCheckpoint {
        vault_key: "00".repeat(32),
        seq: 1,
        head: "00".repeat(32),
        issued_at: "2026-01-01T00:00:00.000000Z".into(),
        signature: "00".repeat(64),
    }
}
