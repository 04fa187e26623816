use super::*;
use crate::belief::{Actor, EvidenceKind};
use crate::sensitive::SensitiveKind;

fn new(category: &str) -> NewBelief {
    NewBelief {
        statement: "  Prefers short answers  ".into(),
        category: category.into(),
        confidence: 0.8,
        purposes: BTreeSet::new(),
        sensitivity: None,
        evidence: vec![],
    }
}

fn prov() -> Provenance {
    Provenance {
        actor: Actor::Person,
        method: "test".into(),
    }
}

fn build(n: NewBelief) -> Result<Belief> {
    build_belief(
        n,
        &Catalogue::defaults(),
        prov(),
        Status::Active,
        Utc::now(),
    )
}

fn proposal(category: &str) -> Belief {
    let mut n = new(category);
    n.evidence = vec![NewEvidence {
        kind: EvidenceKind::Stated,
        source: "chat".into(),
        summary: "said so".into(),
        observed_at: None,
        content_sha256: None,
    }];
    build_belief(
        n,
        &Catalogue::defaults(),
        prov(),
        Status::Pending,
        Utc::now(),
    )
    .unwrap()
}

#[test]
fn accepting_as_proposed_changes_only_the_status() {
    let p = proposal("interests");
    let b = accept(
        &p,
        &Acceptance::default(),
        &Catalogue::defaults(),
        Utc::now(),
    )
    .unwrap();
    assert_eq!(b.status, Status::Active);
    assert_eq!((&b.category, &b.purposes), (&p.category, &p.purposes));
    assert!(b.history.is_empty());
}

#[test]
fn accepting_as_another_type_keeps_the_allowed_purposes_and_raises_sensitivity() {
    let c = Catalogue::defaults();
    let p = proposal("interests");
    assert!(p.purposes.contains("recommendations"));
    let how = Acceptance {
        category: Some("health".into()),
        purposes: None,
    };
    let b = accept(&p, &how, &c, Utc::now()).unwrap();
    assert_eq!(b.category, "health");
    assert_eq!(b.sensitivity, Sensitivity::Special);
    assert_eq!(b.expires_at, Some(expiry(p.created_at, 90)));
    let allowed = &c.belief_type("health").unwrap().allowed_purposes;
    assert!(!b.purposes.is_empty() && b.purposes.iter().all(|p| allowed.contains(p)));
    assert_eq!(
        b.history.len(),
        1,
        "the dropped purposes are kept in its history"
    );
    assert_eq!(b.history[0].before.purposes, p.purposes);
}

#[test]
fn accepting_with_purposes_checks_them_against_the_type() {
    let c = Catalogue::defaults();
    let p = proposal("interests");
    let only = |p: &str| Some(BTreeSet::from([p.to_owned()]));
    let b = accept(
        &p,
        &Acceptance {
            category: None,
            purposes: only("research"),
        },
        &c,
        Utc::now(),
    )
    .unwrap();
    assert_eq!(b.purposes, BTreeSet::from(["research".to_owned()]));
    let wrong = Acceptance {
        category: Some("health".into()),
        purposes: only("advertising"),
    };
    assert!(matches!(
        accept(&p, &wrong, &c, Utc::now()),
        Err(CoreError::PurposeNotAllowed { .. })
    ));
    let unknown = Acceptance {
        category: Some("astrology".into()),
        purposes: None,
    };
    assert_eq!(
        accept(&p, &unknown, &c, Utc::now()).unwrap_err(),
        CoreError::UnknownCategory("astrology".into())
    );
}

#[test]
fn a_type_that_needs_evidence_refuses_a_proposal_without() {
    let mut p = proposal("interests");
    p.evidence.clear();
    let how = Acceptance {
        category: Some("health".into()),
        purposes: None,
    };
    let e = accept(&p, &how, &Catalogue::defaults(), Utc::now()).unwrap_err();
    assert!(e.to_string().contains("evidence"), "{e}");
}

#[test]
fn builds_with_defaults() {
    let b = build(new("interests")).unwrap();
    assert_eq!(b.statement, "Prefers short answers");
    assert!(b.purposes.contains("recommendations"));
    assert!(
        !b.purposes.contains("advertising"),
        "opt-in purposes are never defaulted"
    );
    assert_eq!(b.sensitivity, Sensitivity::Normal);
    assert_eq!(b.expires_at, Some(expiry(b.created_at, 365)));
}

#[test]
fn each_violation_names_its_field() {
    let mut n = new("interests");
    n.confidence = 1.5;
    assert!(
        build(n)
            .unwrap_err()
            .to_string()
            .starts_with("invalid confidence")
    );
    let mut n = new("interests");
    n.confidence = f64::NAN;
    assert!(build(n).is_err());
    let mut n = new("interests");
    n.statement = " ".into();
    assert_eq!(
        build(n).unwrap_err(),
        CoreError::invalid("statement", "must not be empty")
    );
    let mut n = new("interests");
    n.statement = "x".repeat(MAX_STATEMENT_CHARS + 1);
    assert!(build(n).unwrap_err().to_string().contains("statement"));
    assert_eq!(
        build(new("astrology")).unwrap_err(),
        CoreError::UnknownCategory("astrology".into())
    );
    let mut n = new("health");
    n.evidence.push(NewEvidence {
        kind: EvidenceKind::Stated,
        source: "chat".into(),
        summary: "y".repeat(MAX_EVIDENCE_SUMMARY_CHARS + 1),
        observed_at: None,
        content_sha256: None,
    });
    assert!(
        build(n)
            .unwrap_err()
            .to_string()
            .starts_with("invalid evidence[0].summary")
    );
}

#[test]
fn purpose_limitation_is_enforced() {
    let mut n = new("health");
    n.evidence.push(NewEvidence {
        kind: EvidenceKind::Stated,
        source: "chat".into(),
        summary: "said so".into(),
        observed_at: None,
        content_sha256: None,
    });
    n.purposes.insert("advertising".into());
    assert!(matches!(
        build(n.clone()).unwrap_err(),
        CoreError::PurposeNotAllowed { .. }
    ));
    n.purposes = ["telepathy".to_owned()].into();
    assert_eq!(
        build(n.clone()).unwrap_err(),
        CoreError::UnknownPurpose("telepathy".into())
    );
    n.purposes.clear();
    assert!(build(n.clone()).unwrap().sensitivity == Sensitivity::Special);
    n.evidence.clear();
    assert!(
        build(n)
            .unwrap_err()
            .to_string()
            .contains("need at least one piece of evidence")
    );
}

#[test]
fn secrets_and_identifiers_are_refused_in_every_text_field() {
    let ev = |summary: &str, source: &str, sha: Option<&str>| NewEvidence {
        kind: EvidenceKind::Stated,
        source: source.into(),
        summary: summary.into(),
        observed_at: None,
        content_sha256: sha.map(str::to_owned),
    };
    let sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let mut n = new("interests");
    n.evidence.push(ev(
        "Said so in a chat on 2024-01-15",
        "Chat v1.2.3",
        Some(sha),
    ));
    assert!(
        build(n.clone()).is_ok(),
        "a SHA-256 belongs in content_sha256"
    );

    let mut card = n.clone();
    card.evidence[0].summary = "Paid with 4111 1111 1111 1111 for a course".into();
    let e = build(card).unwrap_err();
    assert_eq!(
        e.to_string(),
        "evidence[0].summary contains what looks like a payment card number; \
         a self-model keeps no such data"
    );
    assert!(!e.to_string().contains("4111"));

    let mut hash_in_summary = n.clone();
    hash_in_summary.evidence[0].summary = format!("Raw {sha}");
    assert!(matches!(
        build(hash_in_summary).unwrap_err(),
        CoreError::Sensitive {
            kind: SensitiveKind::RandomSecret,
            ..
        }
    ));

    let mut source = n.clone();
    source.evidence[0].source = "mail from bob@example.com".into();
    assert_eq!(
        build(source).unwrap_err(),
        CoreError::Sensitive {
            field: "evidence[0].source".into(),
            kind: SensitiveKind::Email
        }
    );

    let mut statement = n.clone();
    statement.statement = "Uses AKIAIOSFODNN7EXAMPLE for backups".into();
    assert!(
        build(statement)
            .unwrap_err()
            .to_string()
            .starts_with("statement contains what looks like an AWS access key")
    );

    let c = Catalogue::defaults();
    let b = build(n).unwrap();
    let change = |statement: &str, reason: &str| Rectify {
        statement: Some(statement.into()),
        reason: reason.into(),
        ..Default::default()
    };
    let e = rectify(
        &b,
        change("SSN 536-22-1234", "typo"),
        &c,
        Actor::Person,
        Utc::now(),
    );
    assert!(matches!(
        e.unwrap_err(),
        CoreError::Sensitive {
            kind: SensitiveKind::UsSsn,
            ..
        }
    ));
    let e = rectify(
        &b,
        change("Likes quokkas", "pwd=hunter22"),
        &c,
        Actor::Person,
        Utc::now(),
    );
    assert_eq!(
        e.unwrap_err(),
        CoreError::Sensitive {
            field: "reason".into(),
            kind: SensitiveKind::Password
        }
    );

    let mut imported = b.clone();
    assert!(check_belief(&imported, &c).is_ok());
    imported.evidence[0].summary = "IBAN GB82 WEST 1234 5698 7654 32".into();
    assert!(matches!(
        check_belief(&imported, &c).unwrap_err(),
        CoreError::Sensitive {
            kind: SensitiveKind::Iban,
            ..
        }
    ));
    let mut imported = rectify(
        &b,
        change("Likes quokkas", "less vague"),
        &c,
        Actor::Person,
        Utc::now(),
    )
    .unwrap();
    imported.history[0].before.statement = "NINO AB 12 34 56 C".into();
    assert_eq!(
        check_belief(&imported, &c).unwrap_err(),
        CoreError::Sensitive {
            field: "history[0].before.statement".into(),
            kind: SensitiveKind::UkNino
        }
    );

    // Who made a belief and why it changed are plain text too: no escape sequence,
    // backspace or bidi override rewrites them on a terminal or in a page.
    let vendor = |name: &str| Actor::Vendor {
        grant_id: "g1".into(),
        name: name.into(),
    };
    let clean = rectify(
        &b,
        change("Likes quokkas", "less vague"),
        &c,
        vendor("Acme"),
        Utc::now(),
    )
    .unwrap();
    assert!(check_belief(&clean, &c).is_ok());
    let hostile = "Acme\u{202E}\u{8}\u{8}you\u{1b}c";
    type Set = fn(&mut Belief, &str);
    let cases: [(&str, Set); 6] = [
        ("provenance.actor.name", |b, s| {
            b.provenance.actor = Actor::Vendor {
                grant_id: "g1".into(),
                name: s.into(),
            };
        }),
        ("provenance.method", |b, s| b.provenance.method = s.into()),
        ("history[0].actor.name", |b, s| {
            b.history[0].actor = Actor::Vendor {
                grant_id: "g1".into(),
                name: s.into(),
            };
        }),
        ("history[0].reason", |b, s| b.history[0].reason = s.into()),
        ("history[0].before.statement", |b, s| {
            b.history[0].before.statement = s.into()
        }),
        ("history[0].after.statement", |b, s| {
            b.history[0].after.statement = s.into()
        }),
    ];
    for (field, set) in cases {
        let mut imported = clean.clone();
        set(&mut imported, hostile);
        let err = check_belief(&imported, &c).unwrap_err().to_string();
        assert!(err.contains(field), "{field}: {err}");
    }
}

#[test]
fn rectification_keeps_history() {
    let c = Catalogue::defaults();
    let b = build(new("interests")).unwrap();
    let change = Rectify {
        confidence: Some(0.4),
        reason: "less sure".into(),
        ..Default::default()
    };
    let r = rectify(&b, change, &c, Actor::Person, Utc::now()).unwrap();
    assert_eq!(r.confidence, 0.4);
    assert_eq!(r.history.len(), 1);
    assert_eq!(r.history[0].before.confidence, 0.8);
    let no_reason = Rectify {
        confidence: Some(0.1),
        ..Default::default()
    };
    assert!(
        rectify(&b, no_reason, &c, Actor::Person, Utc::now())
            .unwrap_err()
            .to_string()
            .contains("reason")
    );
}

#[test]
fn a_retention_of_millions_of_days_expires_at_the_end_of_9999() {
    let now = Utc::now();
    let end = expiry(now, u32::MAX);
    assert_eq!(
        crate::audit::canonical_time(&end),
        "9999-12-31T23:59:59.999999Z"
    );
    assert!(crate::audit::is_canonical_time(
        &crate::audit::canonical_time(&end)
    ));
    assert_eq!(expiry(now, 2), now + chrono::Duration::days(2));
}

#[test]
fn an_evidence_time_outside_the_years_0000_to_9999_is_refused() {
    for at in ["9999-12-31T23:00:00-05:00", "0000-01-01T00:30:00+01:00"] {
        let mut b = new("interests");
        b.evidence = vec![NewEvidence {
            kind: EvidenceKind::Observed,
            source: "chat".into(),
            summary: "seen".into(),
            observed_at: Some(at.parse().unwrap()),
            content_sha256: None,
        }];
        let err = build(b).expect_err(at);
        assert!(
            err.to_string().contains("evidence[0].observed_at"),
            "{at}: {err}"
        );
    }
}
