use super::*;
use crate::belief::{Actor, BeliefId, Provenance};

fn scope() -> Scope {
    Scope {
        purposes: ["communication".to_owned()].into(),
        categories: ["communication-style".to_owned(), "health".to_owned()].into(),
        operations: [Operation::Read].into(),
        max_sensitivity: Sensitivity::Normal,
        min_confidence: 0.0,
        origins: BTreeSet::new(),
        fresh_only: false,
    }
}

fn belief(category: &str, confidence: f64, sensitivity: Sensitivity) -> Belief {
    let now = Utc::now();
    Belief {
        id: BeliefId::new(),
        statement: "s".into(),
        category: category.into(),
        confidence,
        purposes: ["communication".to_owned()].into(),
        sensitivity,
        status: Status::Active,
        evidence: vec![],
        provenance: Provenance {
            actor: Actor::Person,
            method: "t".into(),
        },
        created_at: now,
        updated_at: now,
        expires_at: None,
        confirmed_at: None,
        history: vec![],
    }
}

#[test]
fn disclosure_rule() {
    let c = Catalogue::defaults();
    let now = Utc::now();
    let s = scope();
    assert!(disclosable(
        &belief("communication-style", 0.9, Sensitivity::Normal),
        &s,
        "communication",
        &c,
        now
    ));
    assert!(!disclosable(
        &belief("communication-style", 0.9, Sensitivity::Normal),
        &s,
        "advertising",
        &c,
        now
    ));
    assert!(
        !disclosable(
            &belief("communication-style", 0.3, Sensitivity::Normal),
            &s,
            "communication",
            &c,
            now
        ),
        "below the type's minimum"
    );
    assert!(
        !disclosable(
            &belief("health", 0.9, Sensitivity::Special),
            &s,
            "communication",
            &c,
            now
        ),
        "special needs explicit grant"
    );
    let special = Scope {
        max_sensitivity: Sensitivity::Special,
        ..scope()
    };
    assert!(disclosable(
        &belief("health", 0.9, Sensitivity::Special),
        &special,
        "communication",
        &c,
        now
    ));
    let mut pending = belief("communication-style", 0.9, Sensitivity::Normal);
    pending.status = Status::Pending;
    assert!(!disclosable(&pending, &s, "communication", &c, now));
    assert!(!disclosable(
        &belief("expertise", 0.9, Sensitivity::Normal),
        &s,
        "communication",
        &c,
        now
    ));
    // Past its retention, a belief is not disclosed, even before retention has erased it.
    let mut expiring = belief("communication-style", 0.9, Sensitivity::Normal);
    expiring.expires_at = Some(now + chrono::Duration::hours(1));
    assert!(disclosable(&expiring, &s, "communication", &c, now));
    expiring.expires_at = Some(now);
    assert!(!disclosable(&expiring, &s, "communication", &c, now));
}

#[test]
fn narrowing_only_narrows() {
    let asked = scope();
    let n = Narrowing {
        categories: Some(["health".to_owned()].into()),
        ..Default::default()
    };
    let c = Catalogue::defaults();
    assert_eq!(narrow(&asked, &n, &c).unwrap().categories.len(), 1);
    let wider = Narrowing {
        purposes: Some(["advertising".to_owned()].into()),
        ..Default::default()
    };
    assert!(narrow(&asked, &wider, &c).is_err());
}

#[test]
fn origins_are_what_browsers_send_and_nothing_else() {
    for ok in [
        "https://app.example",
        "http://localhost:5173",
        "http://127.0.0.1:8080",
        "https://xn--bcher-kva.example",
    ] {
        assert!(is_origin(ok), "{ok}");
    }
    for bad in [
        "https://App.example",
        "https://app.example/",
        "https://app.example/path",
        "ftp://app.example",
        "https://",
        "https://app.example:",
        "https://app.example:99999x",
        "https://a.example\u{2028}Special categories: not included",
        "https://a.example\u{1b}[2J",
        "https://bücher.example",
        "https://*.example",
        "null",
    ] {
        assert!(!is_origin(bad), "{bad:?}");
    }
}

#[test]
fn the_person_can_strip_origins_and_special_data_but_add_none() {
    let c = Catalogue::defaults();
    let asked = Scope {
        max_sensitivity: Sensitivity::Special,
        origins: [
            "https://a.example".to_owned(),
            "https://b.example".to_owned(),
        ]
        .into(),
        ..scope()
    };
    let n = Narrowing {
        origins: Some(["https://a.example".to_owned()].into()),
        no_special: true,
        ..Default::default()
    };
    let got = narrow(&asked, &n, &c).unwrap();
    assert_eq!(got.origins.len(), 1);
    assert_eq!(got.max_sensitivity, Sensitivity::Normal);
    assert_eq!(got.categories, asked.categories, "the rest is as asked");
    let native_only = Narrowing {
        origins: Some(BTreeSet::new()),
        ..Default::default()
    };
    assert!(narrow(&asked, &native_only, &c).unwrap().origins.is_empty());
    let other = Narrowing {
        origins: Some(["https://evil.example".to_owned()].into()),
        ..Default::default()
    };
    assert!(narrow(&asked, &other, &c).is_err());
}

#[test]
fn narrowing_away_every_special_category_drops_special() {
    let c = Catalogue::defaults();
    let asked = Scope {
        max_sensitivity: Sensitivity::Special,
        ..scope()
    };
    let to = |category: &str| Narrowing {
        categories: Some([category.to_owned()].into()),
        ..Default::default()
    };
    assert_eq!(
        narrow(&asked, &to("communication-style"), &c)
            .unwrap()
            .max_sensitivity,
        Sensitivity::Normal
    );
    assert_eq!(
        narrow(&asked, &to("health"), &c).unwrap().max_sensitivity,
        Sensitivity::Special
    );
    assert_eq!(
        narrow(&asked, &Narrowing::default(), &c)
            .unwrap()
            .max_sensitivity,
        Sensitivity::Special,
        "not narrowed: as asked"
    );
}

#[test]
fn scope_checks() {
    let c = Catalogue::defaults();
    assert!(check_scope(&scope(), &c).is_ok());
    let mut bad = scope();
    bad.origins.insert("https://evil.example/".into());
    assert!(check_scope(&bad, &c).is_err());
    let mut bad = scope();
    bad.origins.insert("*".into());
    assert!(check_scope(&bad, &c).is_err());
    let mut ok = scope();
    ok.origins.insert("http://localhost:5173".into());
    assert!(check_scope(&ok, &c).is_ok());
}
