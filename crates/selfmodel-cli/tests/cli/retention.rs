//! Retention through the binary: beliefs past their type's retention are erased by
//! `retention run` and whenever the vault is opened, with an audit event.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use crate::common::{TestVault, rfc3339};

/// A vault with two interests, one expertise and one health belief; returns it and their ids.
fn vault() -> (TestVault, [String; 4]) {
    let v = TestVault::init();
    let ids = [
        v.add("Likes birdwatching", "interests", "0.8", &[]),
        v.add("Likes crosswords", "interests", "0.6", &[]),
        v.add("Knows SQL", "expertise", "0.9", &[]),
        v.add(
            "Has asthma",
            "health",
            "0.9",
            &["--evidence", "Mentioned an inhaler"],
        ),
    ];
    (v, ids)
}

#[test]
fn retention_run_erases_expired_beliefs_of_that_type_only() {
    let (v, [bird, cross, sql, asthma]) = vault();

    let out = v.ok(&["types", "set-retention", "interests", "0"]);
    assert!(
        out.contains("'interests'") && out.contains("0 days"),
        "{out}"
    );

    let out = v.ok(&["retention", "run"]);
    assert!(out.contains("erased 2 beliefs"), "{out}");

    assert_eq!(v.ids(&[]), [sql.as_str(), asthma.as_str()]);
    assert!(v.list(&["--category", "interests"]).is_empty());

    let log = v.audit_log();
    let purge = log
        .iter()
        .find(|e| e["action"] == "retention.purged")
        .expect("a retention.purged event");
    let detail = purge["detail"].as_str().unwrap();
    assert!(detail.contains("count=2"), "{detail}");
    assert!(
        detail.contains(&bird) && detail.contains(&cross),
        "{detail}"
    );
    assert!(!detail.contains("birdwatching"), "ids only: {detail}");
    assert_eq!(v.verified_events(), 1 + 4 + 1 + 1);

    // Nothing left to erase.
    let out = v.ok(&["retention", "run"]);
    assert!(out.contains("erased 0 beliefs"), "{out}");
    assert_eq!(v.verified_events(), 7, "an empty run records nothing");

    assert_eq!(v.belief_type("interests")["retention_days"], 0);
}

#[test]
fn opening_the_vault_erases_expired_beliefs() {
    let (v, [_, _, sql, asthma]) = vault();
    v.ok(&["types", "set-retention", "interests", "0"]);

    // Any command: the expired beliefs are gone before it runs.
    assert!(v.list(&["--category", "interests"]).is_empty());
    assert_eq!(v.ids(&[]), [sql.as_str(), asthma.as_str()]);
    let log = v.audit_log();
    assert_eq!(log.last().unwrap()["action"], "retention.purged");
    assert_eq!(v.verified_events(), 7);

    // The evidence and purposes went with them.
    let conn = v.sql();
    let orphans: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM evidence WHERE belief_id NOT IN (SELECT id FROM beliefs)) \
             + (SELECT count(*) FROM belief_purposes WHERE belief_id NOT IN (SELECT id FROM beliefs))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
}

#[test]
fn a_longer_retention_moves_expiry_and_keeps_beliefs() {
    let (v, [bird, ..]) = vault();
    let before = rfc3339(&v.show(&bird)["expires_at"]);
    v.ok(&["types", "set-retention", "interests", "3650"]);
    let b = v.show(&bird);
    let after = rfc3339(&b["expires_at"]);
    assert_eq!(
        after - rfc3339(&b["created_at"]),
        chrono::Duration::days(3650)
    );
    assert!(after > before);
    let out = v.ok(&["retention", "run"]);
    assert!(out.contains("erased 0 beliefs"), "{out}");
    assert_eq!(v.count(), 4);
}

#[test]
fn set_retention_of_an_unknown_type_fails() {
    let v = TestVault::init();
    let err = v.fail(&["types", "set-retention", "astrology", "10"]);
    assert!(err.contains("unknown category 'astrology'"), "{err}");
    assert_eq!(v.verified_events(), 1);
}

#[test]
fn the_catalogue_prints_every_field_as_an_export_carries_it() {
    let v = TestVault::init();
    let keys = |o: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = o.as_object().expect("an object").keys().cloned().collect();
        k.sort();
        k
    };
    let interests = v.belief_type("interests");
    assert_eq!(
        keys(&interests),
        [
            "allowed_purposes",
            "default_sensitivity",
            "description",
            "evidence_required",
            "id",
            "min_share_confidence",
            "name",
            "retention_days",
            "review_days",
        ]
    );
    assert!(interests["review_days"].is_u64(), "{interests}");
    assert_eq!(interests["default_sensitivity"], "normal");
    let purposes = v.catalogue("purposes");
    assert!(!purposes.is_empty());
    for p in &purposes {
        assert_eq!(
            keys(p),
            ["description", "dpv_term", "id", "name", "opt_in"],
            "{p}"
        );
    }
}
