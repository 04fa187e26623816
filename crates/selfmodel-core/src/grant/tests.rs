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

/// A narrowing's set of names.
fn names(items: &[&str]) -> Option<BTreeSet<String>> {
    Some(items.iter().map(|s| (*s).to_owned()).collect())
}

/// The person keeps only these purposes.
fn to_purposes(purposes: &[&str]) -> Narrowing {
    Narrowing {
        purposes: names(purposes),
        ..Default::default()
    }
}

/// The person keeps only these categories.
fn to_categories(categories: &[&str]) -> Narrowing {
    Narrowing {
        categories: names(categories),
        ..Default::default()
    }
}

/// The person keeps only these web origins (none: native use only).
fn to_origins(origins: &[&str]) -> Narrowing {
    Narrowing {
        origins: names(origins),
        ..Default::default()
    }
}

#[test]
fn disclosure_rule() {
    let c = Catalogue::defaults();
    let now = Utc::now();
    let s = scope();
    let shown = |b: &Belief, scope: &Scope, purpose: &str| disclosable(b, scope, purpose, &c, now);
    let style = || belief("communication-style", 0.9, Sensitivity::Normal);
    let health = || belief("health", 0.9, Sensitivity::Special);
    assert!(shown(&style(), &s, "communication"));
    assert!(!shown(&style(), &s, "advertising"));
    assert!(
        !shown(
            &belief("communication-style", 0.3, Sensitivity::Normal),
            &s,
            "communication"
        ),
        "below the type's minimum"
    );
    assert!(
        !shown(&health(), &s, "communication"),
        "special needs explicit grant"
    );
    let special = Scope {
        max_sensitivity: Sensitivity::Special,
        ..scope()
    };
    assert!(shown(&health(), &special, "communication"));
    let mut pending = style();
    pending.status = Status::Pending;
    assert!(!shown(&pending, &s, "communication"));
    assert!(!shown(
        &belief("expertise", 0.9, Sensitivity::Normal),
        &s,
        "communication"
    ));
    // Past its retention, a belief is not disclosed, even before retention has erased it.
    let mut expiring = style();
    expiring.expires_at = Some(now + chrono::Duration::hours(1));
    assert!(shown(&expiring, &s, "communication"));
    expiring.expires_at = Some(now);
    assert!(!shown(&expiring, &s, "communication"));
}

#[test]
fn narrowing_only_narrows() {
    let asked = scope();
    let c = Catalogue::defaults();
    let health = narrow(&asked, &to_categories(&["health"]), &c).unwrap();
    assert_eq!(health.categories.len(), 1);
    assert!(narrow(&asked, &to_purposes(&["advertising"]), &c).is_err());
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
        no_special: true,
        ..to_origins(&["https://a.example"])
    };
    let got = narrow(&asked, &n, &c).unwrap();
    assert_eq!(got.origins.len(), 1);
    assert_eq!(got.max_sensitivity, Sensitivity::Normal);
    assert_eq!(got.categories, asked.categories, "the rest is as asked");
    let native_only = narrow(&asked, &to_origins(&[]), &c).unwrap();
    assert!(native_only.origins.is_empty());
    assert!(narrow(&asked, &to_origins(&["https://evil.example"]), &c).is_err());
}

#[test]
fn narrowing_away_every_special_category_drops_special() {
    let c = Catalogue::defaults();
    let asked = Scope {
        max_sensitivity: Sensitivity::Special,
        ..scope()
    };
    assert_eq!(
        narrow(&asked, &to_categories(&["communication-style"]), &c)
            .unwrap()
            .max_sensitivity,
        Sensitivity::Normal
    );
    assert_eq!(
        narrow(&asked, &to_categories(&["health"]), &c)
            .unwrap()
            .max_sensitivity,
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
