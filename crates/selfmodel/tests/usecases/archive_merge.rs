#![allow(missing_docs, clippy::unwrap_used)]
//! Import's catalogue merge and domain checks, through the use-case layer: unknown belief types
//! and purposes are added, differing definitions keep the vault's and are reported, and a file
//! that breaks a rule is refused before anything is written.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer as _, SigningKey};
use selfmodel::Selfmodel;
use selfmodel::archive::{ImportOptions, SealedFile, Signer};
use selfmodel_archive::{Contents, Filter};
use selfmodel_core::{
    Actor, Belief, BeliefFilter, BeliefId, BeliefType, Catalogue, Hash, Passphrase, Provenance,
    Purpose, Sensitivity, Status,
};

struct TestKey;

impl Signer for TestKey {
    fn public_key(&self) -> [u8; 32] {
        SigningKey::from_bytes(&[5; 32]).verifying_key().to_bytes()
    }
    fn sign(&self, msg: &[u8]) -> [u8; 64] {
        SigningKey::from_bytes(&[5; 32]).sign(msg).to_bytes()
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn belief(n: u128, category: &str, purposes: &[&str]) -> Belief {
    Belief {
        id: BeliefId::from(uuid::Uuid::from_u128(
            0x0190_0000_0000_7000_8000_0000_0000_0000 + n,
        )),
        statement: format!("Statement {n}"),
        category: category.into(),
        confidence: 0.7,
        purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
        sensitivity: Sensitivity::Normal,
        status: Status::Active,
        evidence: Vec::new(),
        provenance: Provenance {
            actor: Actor::Person,
            method: "test".into(),
        },
        created_at: at("2026-01-01T00:00:00Z"),
        updated_at: at("2026-01-01T00:00:00Z"),
        expires_at: None,
        confirmed_at: None,
        history: Vec::new(),
    }
}

fn write(path: &Path, catalogue: Catalogue, beliefs: Vec<Belief>) {
    let contents = Contents {
        vault_id: "01900000-0000-7000-8000-0000000000aa".into(),
        exported_at: Utc::now(),
        catalogue,
        beliefs,
        audit_head: (0, Hash::GENESIS),
        filter: Filter::All,
        record: Default::default(),
    };
    std::fs::write(
        path,
        selfmodel_archive::build(contents, &TestKey)
            .unwrap()
            .to_vec(),
    )
    .unwrap();
}

fn import(
    model: &mut Selfmodel,
    path: &Path,
) -> selfmodel::Result<selfmodel::archive::ImportReport> {
    let file = SealedFile::read(path).unwrap().open(None).unwrap();
    // The test files are the person's own (signed by a key they trust).
    let options = ImportOptions {
        trust_signer: Some(TestKey.public_key()),
        ..ImportOptions::default()
    };
    model.import(&file, &options, &())
}

fn learning_catalogue() -> Catalogue {
    let mut c = Catalogue::defaults();
    c.purposes.push(Purpose {
        id: "tutoring".into(),
        name: "Tutoring".into(),
        description: "Adapt lessons to how you learn.".into(),
        dpv_term: "dpv:ServiceProvision".into(),
        opt_in: false,
    });
    c.types.push(BeliefType {
        id: "learning-style".into(),
        name: "Learning style".into(),
        description: "How you learn best.".into(),
        allowed_purposes: ["tutoring".to_owned(), "personalisation".to_owned()].into(),
        retention_days: 400,
        min_share_confidence: 0.6,
        evidence_required: false,
        default_sensitivity: Sensitivity::Normal,
        review_days: 180,
    });
    for t in &mut c.types {
        if t.id == "interests" {
            t.description = "Edited elsewhere.".into();
            t.allowed_purposes.insert("customer-care".into());
        }
    }
    c
}

#[test]
fn unknown_types_and_purposes_are_added_and_differences_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = Selfmodel::create(
        &dir.path().join("v.db"),
        &Passphrase::new("merge test passphrase".into()),
    )
    .unwrap();
    let file = dir.path().join("f.json");
    write(
        &file,
        learning_catalogue(),
        vec![
            belief(1, "learning-style", &["tutoring"]),
            belief(2, "interests", &["recommendations"]),
        ],
    );
    let report = import(&mut model, &file).unwrap();
    assert!(report.changed);
    assert_eq!(report.types_added, ["learning-style"]);
    assert_eq!(report.purposes_added, ["tutoring"]);
    assert_eq!(report.types_differing, ["interests"]);
    assert!(report.purposes_differing.is_empty());
    let catalogue = model.catalogue().unwrap();
    let added = catalogue.belief_type("learning-style").unwrap();
    assert_eq!(added.retention_days, 400);
    assert!(added.allowed_purposes.contains("tutoring"));
    assert!(catalogue.purpose("tutoring").is_some());
    assert_eq!(
        catalogue.belief_type("interests"),
        Catalogue::defaults().belief_type("interests"),
        "the vault's definition is kept"
    );
    assert_eq!(model.beliefs(&BeliefFilter::default()).unwrap().len(), 2);
    let log = model.audit_log().unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, "archive.imported");
    let detail = last.detail.as_deref().unwrap();
    assert!(
        detail.contains("types_added=1 purposes_added=1"),
        "{detail}"
    );
}

#[test]
fn a_rule_broken_anywhere_refuses_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = Selfmodel::create(
        &dir.path().join("v.db"),
        &Passphrase::new("merge test passphrase".into()),
    )
    .unwrap();
    let before = (
        model.beliefs(&BeliefFilter::default()).unwrap(),
        model.audit_log().unwrap(),
        model.catalogue().unwrap(),
    );
    let unchanged = |model: &mut Selfmodel| {
        assert_eq!(
            (
                model.beliefs(&BeliefFilter::default()).unwrap(),
                model.audit_log().unwrap(),
                model.catalogue().unwrap(),
            ),
            before
        );
    };

    // The file's own definition allows customer-care for interests; the vault's does not, and
    // the vault's definition is the one that holds. The first belief alone would be fine.
    let file = dir.path().join("purpose.json");
    write(
        &file,
        learning_catalogue(),
        vec![
            belief(1, "learning-style", &["tutoring"]),
            belief(2, "interests", &["customer-care"]),
        ],
    );
    let err = import(&mut model, &file).unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_content");
    assert!(err.to_string().contains("/beliefs/1"), "{err}");
    assert!(err.to_string().contains("customer-care"), "{err}");
    unchanged(&mut model);

    // A category neither the file nor the vault defines.
    let file = dir.path().join("category.json");
    write(
        &file,
        Catalogue::defaults(),
        vec![belief(3, "astrology", &[])],
    );
    let err = import(&mut model, &file).unwrap_err();
    assert!(err.to_string().contains("/beliefs/0"), "{err}");
    assert!(err.to_string().contains("astrology"), "{err}");
    unchanged(&mut model);

    // A new type that allows a purpose defined nowhere.
    let mut c = Catalogue::defaults();
    let mut t = c.types[0].clone();
    t.id = "orphan".into();
    t.allowed_purposes = BTreeSet::from(["telepathy".to_owned()]);
    c.types.push(t);
    let file = dir.path().join("orphan.json");
    write(&file, c, Vec::new());
    let err = import(&mut model, &file).unwrap_err();
    assert!(err.to_string().contains("telepathy"), "{err}");
    assert!(err.to_string().contains("/belief_types/"), "{err}");
    unchanged(&mut model);

    // A statement with a control character (allowed by the schema, refused by the domain).
    let mut b = belief(4, "interests", &[]);
    b.statement = "two\tcolumns".into();
    let file = dir.path().join("control.json");
    write(&file, Catalogue::defaults(), vec![b]);
    let err = import(&mut model, &file).unwrap_err();
    assert!(err.to_string().contains("/beliefs/0"), "{err}");
    unchanged(&mut model);

    // Terminal escapes and bidi controls in the catalogue text and evidence a file adds.
    let mut c = Catalogue::defaults();
    let mut t = c.types[0].clone();
    t.id = "evil".into();
    t.name = "Evil\u{1b}[2J\u{1b}[31m type".into();
    c.types.push(t);
    let file = dir.path().join("escape-type.json");
    write(&file, c, Vec::new());
    let err = import(&mut model, &file).unwrap_err().to_string();
    assert!(
        err.contains("/belief_types/") && err.contains("U+001B"),
        "{err}"
    );
    unchanged(&mut model);

    let mut c = Catalogue::defaults();
    let mut p = c.purposes[0].clone();
    p.id = "spoof".into();
    p.name = "Spo\u{202e}of".into();
    c.purposes.push(p);
    let file = dir.path().join("bidi-purpose.json");
    write(&file, c, Vec::new());
    let err = import(&mut model, &file).unwrap_err().to_string();
    assert!(
        err.contains("/purposes/") && err.contains("U+202E"),
        "{err}"
    );
    unchanged(&mut model);

    let mut b = belief(5, "interests", &[]);
    b.evidence.push(selfmodel_core::Evidence {
        kind: selfmodel_core::EvidenceKind::Observed,
        source: "calendar".into(),
        summary: "seen often\u{1b}]0;owned\u{7}".into(),
        observed_at: at("2026-01-01T00:00:00Z"),
        content_sha256: None,
    });
    let file = dir.path().join("escape-evidence.json");
    write(&file, Catalogue::defaults(), vec![b]);
    let err = import(&mut model, &file).unwrap_err().to_string();
    assert!(
        err.contains("/beliefs/0") && err.contains("evidence[0].summary"),
        "{err}"
    );
    unchanged(&mut model);
}

/// A file signed by a key the person does not trust cannot add to the catalogue, and its beliefs
/// wait in the inbox without the history the file claims.
#[test]
fn a_file_from_an_untrusted_key_changes_no_catalogue_and_brings_no_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = Selfmodel::create(
        &dir.path().join("v.db"),
        &Passphrase::new("merge test passphrase".into()),
    )
    .unwrap();
    let untrusted = |model: &mut Selfmodel, path: &Path| {
        let file = SealedFile::read(path).unwrap().open(None).unwrap();
        model.import(&file, &ImportOptions::default(), &())
    };
    let catalogue = model.catalogue().unwrap();
    let file = dir.path().join("catalogue.json");
    write(&file, learning_catalogue(), Vec::new());
    let err = untrusted(&mut model, &file).unwrap_err().to_string();
    assert!(err.contains("--trust-signer"), "{err}");
    assert_eq!(model.catalogue().unwrap(), catalogue);

    let mut b = belief(6, "interests", &["personalisation"]);
    b.history.push(selfmodel_core::Rectification {
        at: at("2026-01-02T00:00:00Z"),
        actor: Actor::Person,
        reason: "the person said so".into(),
        before: b.snapshot(),
        after: b.snapshot(),
    });
    let file = dir.path().join("history.json");
    write(&file, Catalogue::defaults(), vec![b.clone()]);
    let report = untrusted(&mut model, &file).unwrap();
    assert!(report.foreign && report.changed);
    let landed = model.belief(b.id).unwrap();
    assert_eq!(landed.status, Status::Pending);
    assert_eq!(landed.provenance.actor, Actor::Import);
    assert!(landed.history.is_empty(), "no history the file claims");
}
