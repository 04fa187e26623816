#![allow(clippy::unwrap_used)]

use super::*;
use serde_json::json;

fn name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// Asserts that each of `variants` is written by serde under its `as_str` name.
fn assert_serde_names<T: serde::Serialize + Copy>(variants: &[T], as_str: fn(T) -> &'static str) {
    for &v in variants {
        assert_eq!(name(v), as_str(v));
    }
}

#[test]
fn enum_names_are_the_serde_names() {
    assert_serde_names(Operation::VARIANTS, Operation::as_str);
    assert_serde_names(Sensitivity::VARIANTS, Sensitivity::as_str);
    assert_serde_names(PollState::VARIANTS, PollState::as_str);
    assert_serde_names(EvidenceKind::VARIANTS, EvidenceKind::as_str);
    assert_serde_names(ProposalStatus::VARIANTS, ProposalStatus::as_str);
    assert_eq!(name(ProposalStatus::Pending), "pending");
    assert_serde_names(Origin::VARIANTS, Origin::as_str);
    // `Other` is only ever read, never written.
    let sent = EventKind::VARIANTS
        .iter()
        .filter(|k| **k != EventKind::Other);
    assert_serde_names(&sent.copied().collect::<Vec<_>>(), EventKind::as_str);
}

#[test]
fn times_are_written_in_the_signed_form_and_any_rfc3339_is_read() {
    let e: Event = serde_json::from_value(json!({
        "seq": 1, "at": "2026-01-02T04:04:05.000006+01:00", "kind": "belief.erased",
        "belief_id": null
    }))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&e).unwrap()["at"],
        "2026-01-02T03:04:05.000006Z"
    );
    assert!(
        serde_json::from_value::<Event>(
            json!({"seq": 1, "at": "yesterday", "kind": "belief.erased"})
        )
        .is_err()
    );
}

#[test]
fn a_notice_of_a_later_kind_is_read_as_other() {
    let e: Events = serde_json::from_value(json!({
        "events": [{"seq": 3, "at": "2026-01-02T03:04:05Z", "kind": "belief.merged"}],
        "cursor": 3
    }))
    .unwrap();
    assert_eq!(e.events[0].kind, EventKind::Other);
    assert_eq!(e.events[0].belief_id, None);
}

#[test]
fn requests_refuse_unknown_fields_and_responses_accept_them() {
    let mut ask = serde_json::to_value(GrantRequest::new("com.example", "Example", "why")).unwrap();
    assert!(serde_json::from_value::<GrantRequest>(ask.clone()).is_ok());
    ask["scope"] = json!("everything");
    assert!(serde_json::from_value::<GrantRequest>(ask).is_err());
    let bad_op = json!({"statement": "s", "category": "goals", "confidence": 0.5,
        "evidence": [{"kind": "rumour", "source": "x", "summary": "y"}]});
    assert!(serde_json::from_value::<Proposal>(bad_op).is_err());

    let receipt: ProposalReceipt =
        serde_json::from_value(json!({"id": "b", "status": "pending", "later": true})).unwrap();
    assert_eq!(receipt.status, ProposalStatus::Pending);
}

#[test]
fn optional_fields_are_left_out_when_empty() {
    let sent = serde_json::to_value(GrantRequest::new("com.example", "Example", "why")).unwrap();
    let keys: Vec<&str> = sent
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        !keys.contains(&"max_sensitivity") && !keys.contains(&"origins"),
        "{keys:?}"
    );
    let q = serde_json::to_value(BeliefQuery::new("p")).unwrap();
    assert_eq!(q, json!({"purpose": "p"}));
}

#[cfg(feature = "openapi")]
#[test]
fn the_schema_lists_only_the_kinds_the_server_sends() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(EventKind::schema()).unwrap();
    assert_eq!(
        schema["enum"],
        json!(["belief.rectified", "belief.erased", "grant.revoked"])
    );
}

#[test]
fn error_codes_read_by_name_and_unknown_ones_as_other() {
    for &c in ErrorCode::ALL {
        assert_eq!(name(c), c.as_str());
        assert_eq!(ErrorCode::parse(c.as_str()), c);
        let read: ErrorCode = serde_json::from_value(json!(c.as_str())).unwrap();
        assert_eq!(read, c);
    }
    assert_eq!(ErrorCode::parse("paused_for_lunch"), ErrorCode::Other);
    let read: ErrorCode = serde_json::from_value(json!("paused_for_lunch")).unwrap();
    assert_eq!(read, ErrorCode::Other);
}

#[cfg(feature = "openapi")]
#[test]
fn the_schema_lists_every_error_code_by_its_wire_name() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(ErrorCode::schema()).unwrap();
    let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(schema["enum"], json!(names));
}
