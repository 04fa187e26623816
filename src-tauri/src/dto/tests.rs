use super::*;
use selfmodel::Selfmodel;
use selfmodel_core::{BeliefFilter, Passphrase};

/// A new vault filled with the demo beliefs, and the directory it lives in.
fn demo_vault() -> (tempfile::TempDir, Selfmodel) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pass = Passphrase::new("a test passphrase".into());
    let mut m = Selfmodel::create(&dir.path().join("v.db"), &pass).expect("create");
    m.fill_demo().expect("demo");
    (dir, m)
}

#[test]
fn the_report_crosses_as_its_versioned_document() {
    let (_dir, mut m) = demo_vault();
    let r = m.report(Default::default()).expect("report");
    let json = serde_json::to_value(&r).expect("json");
    let written: serde_json::Value =
        serde_json::from_str(&r.render(selfmodel::render::Format::Json)).expect("report --json");
    assert_eq!(json, written, "the same document as the saved JSON");
    assert_eq!(json["format"], "selfmodel-report-v1");
    assert_eq!(json["disclosures_over_time"]["bucket"], "day");
}

#[test]
fn domain_beliefs_convert_to_the_wire_format() {
    let (_dir, mut m) = demo_vault();
    let beliefs = m.beliefs(&BeliefFilter::default()).expect("list");
    let rows = rows(beliefs.clone());
    assert_eq!(rows.len(), beliefs.len());
    let json = serde_json::to_value(&rows[0]).expect("json");
    for key in [
        "id",
        "statement",
        "category",
        "confidence",
        "purposes",
        "sensitivity",
        "status",
        "actor",
        "created_at",
        "updated_at",
        "expires_at",
        "evidence_count",
        "history_count",
    ] {
        assert!(json.get(key).is_some(), "{key} missing from {json}");
    }
    assert_eq!(json["status"], "active");
    assert_eq!(json["actor"]["kind"], "system");

    let with_evidence = beliefs
        .iter()
        .find(|b| !b.evidence.is_empty())
        .expect("demo beliefs have evidence");
    let d = detail(with_evidence.clone());
    assert_eq!(d.evidence.len(), with_evidence.evidence.len());
    assert_eq!(d.row.id, with_evidence.id.to_string());
    assert_eq!(d.provenance.method, "demo");
}

#[test]
fn wire_input_converts_to_the_domain_and_rejects_unknown_fields() {
    let new: NewBelief = serde_json::from_value(serde_json::json!({
        "statement": "Likes jazz", "category": "interests", "confidence": 0.7,
        "purposes": [], "special": true,
        "evidence": [{"kind": "stated", "source": "app", "summary": "Said so"}]
    }))
    .expect("valid");
    let domain: core::NewBelief = new.into();
    assert_eq!(domain.sensitivity, Some(core::Sensitivity::Special));
    assert_eq!(domain.evidence[0].kind, core::EvidenceKind::Stated);
    let extra = serde_json::from_value::<RectifyRequest>(serde_json::json!({
        "statement": null, "confidence": 0.5, "purposes": null, "reason": "x", "actor": "vendor"
    }));
    assert!(extra.is_err(), "unknown fields are refused");
}

#[test]
fn errors_keep_the_core_code() {
    let e: IpcError = selfmodel::Error::WeakPassphrase("too short".into()).into();
    assert_eq!(e.code, ErrorCode::WeakPassphrase);
    assert_eq!(
        serde_json::to_value(&e).expect("json"),
        serde_json::json!({"code": "weak_passphrase", "message": "passphrase too weak: too short"})
    );
}

#[test]
fn an_export_past_what_an_import_reads_says_so() {
    let summary = |bytes| archive::ExportSummary {
        path: "/tmp/whole.age".into(),
        bytes,
        counts: archive::Counts::default(),
        beliefs_sha256: String::new(),
        public_key: String::new(),
        encryption: "passphrase",
        subset: false,
        tombstones: Some(0),
    };
    let cap = archive::MAX_FILE_BYTES;
    assert!(export_done(summary(cap)).importable);
    assert!(!export_done(summary(cap + 1)).importable);
}
