#![allow(missing_docs, clippy::unwrap_used)]
//! Import's catalogue merge and domain checks, through the use-case layer: unknown belief types
//! and purposes are added, differing definitions keep the vault's and are reported, and a file
//! that breaks a rule is refused before anything is written.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use selfmodel::Selfmodel;
use selfmodel::archive::{ImportOptions, SealedFile, Signer};
use selfmodel_core::sensitive::SensitiveKind;
use selfmodel_core::{
    Actor, Belief, BeliefFilter, BeliefId, BeliefType, Catalogue, Provenance, Purpose, Sensitivity,
    Status,
};

use crate::common::archive::{FileKey, contents, write_signed};
use crate::common::vault;

/// The key that signs the test files.
fn file_key() -> FileKey {
    FileKey::from_seed(5)
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
    let contents = contents("01900000-0000-7000-8000-0000000000aa", catalogue, beliefs);
    write_signed(path, contents, &file_key());
}

fn import(
    model: &mut Selfmodel,
    path: &Path,
) -> selfmodel::Result<selfmodel::archive::ImportReport> {
    let file = SealedFile::read(path).unwrap().open(None).unwrap();
    // The test files are the person's own (signed by a key they trust).
    let options = ImportOptions {
        trust_signer: Some(file_key().public_key()),
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
    let mut model = vault(&dir);
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

/// The default catalogue, with what `add` adds.
fn defaults_and(add: impl FnOnce(&mut Catalogue)) -> Catalogue {
    let mut c = Catalogue::defaults();
    add(&mut c);
    c
}

#[test]
fn a_rule_broken_anywhere_refuses_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = vault(&dir);
    let before = (
        model.beliefs(&BeliefFilter::default()).unwrap(),
        model.audit_log().unwrap(),
        model.catalogue().unwrap(),
    );
    let mut control = belief(4, "interests", &[]);
    control.statement = "two\tcolumns".into();
    let mut escaped_evidence = belief(5, "interests", &[]);
    escaped_evidence.evidence.push(selfmodel_core::Evidence {
        kind: selfmodel_core::EvidenceKind::Observed,
        source: "calendar".into(),
        summary: "seen often\u{1b}]0;owned\u{7}".into(),
        observed_at: at("2026-01-01T00:00:00Z"),
        content_sha256: None,
    });
    // Each file, what it holds, and what its refusal names.
    let files: [(&str, Catalogue, Vec<Belief>, &[&str]); 7] = [
        // The file's own definition allows customer-care for interests; the vault's does not,
        // and the vault's definition is the one that holds. The first belief alone would be fine.
        (
            "purpose.json",
            learning_catalogue(),
            vec![
                belief(1, "learning-style", &["tutoring"]),
                belief(2, "interests", &["customer-care"]),
            ],
            &["/beliefs/1", "customer-care"],
        ),
        // A category neither the file nor the vault defines.
        (
            "category.json",
            Catalogue::defaults(),
            vec![belief(3, "astrology", &[])],
            &["/beliefs/0", "astrology"],
        ),
        // A new type that allows a purpose defined nowhere.
        (
            "orphan.json",
            defaults_and(|c| {
                c.types.push(BeliefType {
                    id: "orphan".into(),
                    allowed_purposes: BTreeSet::from(["telepathy".to_owned()]),
                    ..c.types[0].clone()
                })
            }),
            Vec::new(),
            &["telepathy", "/belief_types/"],
        ),
        // A statement with a control character (allowed by the schema, refused by the domain).
        (
            "control.json",
            Catalogue::defaults(),
            vec![control],
            &["/beliefs/0"],
        ),
        // Terminal escapes and bidi controls in the catalogue text and evidence a file adds.
        (
            "escape-type.json",
            defaults_and(|c| {
                c.types.push(BeliefType {
                    id: "evil".into(),
                    name: "Evil\u{1b}[2J\u{1b}[31m type".into(),
                    ..c.types[0].clone()
                })
            }),
            Vec::new(),
            &["/belief_types/", "U+001B"],
        ),
        (
            "bidi-purpose.json",
            defaults_and(|c| {
                c.purposes.push(Purpose {
                    id: "spoof".into(),
                    name: "Spo\u{202e}of".into(),
                    ..c.purposes[0].clone()
                })
            }),
            Vec::new(),
            &["/purposes/", "U+202E"],
        ),
        (
            "escape-evidence.json",
            Catalogue::defaults(),
            vec![escaped_evidence],
            &["/beliefs/0", "evidence[0].summary"],
        ),
    ];
    for (name, catalogue, beliefs, named) in files {
        let file = dir.path().join(name);
        write(&file, catalogue, beliefs);
        let err = import(&mut model, &file).unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_content", "{name}: {err}");
        for part in named {
            assert!(err.to_string().contains(part), "{name}: {err}");
        }
        // Nothing was written.
        assert_eq!(
            (
                model.beliefs(&BeliefFilter::default()).unwrap(),
                model.audit_log().unwrap(),
                model.catalogue().unwrap(),
            ),
            before,
            "{name}"
        );
    }
}

/// A file written before the secrets screen knew a kind of data (a UK mobile in parentheses,
/// say) is refused whole, naming the belief and the way to import the rest; with
/// `leave_out_sensitive` the rest is imported, and each belief left out is listed with the kind
/// of data found, never its text.
#[test]
fn beliefs_the_secrets_screen_refuses_can_be_left_out_of_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = vault(&dir);
    let mut phone = belief(7, "preferences", &[]);
    phone.statement = "Prefers calls on (07911) 123456 after six".into();
    let mut evidence = belief(9, "interests", &[]);
    evidence.evidence.push(selfmodel_core::Evidence {
        kind: selfmodel_core::EvidenceKind::Stated,
        source: "chat".into(),
        summary: "said the Netflix password is Tr0ub4dor&3".into(),
        observed_at: at("2026-01-01T00:00:00Z"),
        content_sha256: None,
    });
    let kept = [belief(6, "interests", &[]), belief(8, "interests", &[])];
    let file = dir.path().join("older.json");
    let beliefs = vec![
        kept[0].clone(),
        phone.clone(),
        kept[1].clone(),
        evidence.clone(),
    ];
    write(&file, Catalogue::defaults(), beliefs);
    let before = model.beliefs(&BeliefFilter::default()).unwrap();

    let err = import(&mut model, &file).unwrap_err().to_string();
    for part in ["/beliefs/1", "a phone number", "--leave-out-sensitive"] {
        assert!(err.contains(part), "{err}");
    }
    assert!(!err.contains("07911"), "the refusal echoes no data: {err}");
    assert_eq!(model.beliefs(&BeliefFilter::default()).unwrap(), before);

    let sealed = SealedFile::read(&file).unwrap().open(None).unwrap();
    for dry_run in [true, false] {
        let options = ImportOptions {
            trust_signer: Some(file_key().public_key()),
            leave_out_sensitive: true,
            dry_run,
            ..ImportOptions::default()
        };
        let report = model.import(&sealed, &options, &()).unwrap();
        assert_eq!(
            report.new,
            vec![kept[0].id, kept[1].id],
            "dry run: {dry_run}"
        );
        let left: Vec<_> = report
            .left_out
            .iter()
            .map(|l| (l.id, l.field.as_str(), l.kind))
            .collect();
        assert_eq!(
            left,
            vec![
                (phone.id, "statement", SensitiveKind::Phone),
                (evidence.id, "evidence[0].summary", SensitiveKind::Password)
            ]
        );
        let shown = report.left_out[0].to_string();
        assert!(
            shown.contains("a phone number") && !shown.contains("07911"),
            "{shown}"
        );
    }
    let now = model.beliefs(&BeliefFilter::default()).unwrap();
    assert_eq!(now.len(), before.len() + 2);
    for b in &kept {
        assert!(now.iter().any(|n| n.id == b.id));
    }
    assert!(now.iter().all(|n| n.id != phone.id && n.id != evidence.id));
    let event = model.audit_log().unwrap().pop().unwrap();
    assert_eq!(event.action, "archive.imported");
    let detail = event.detail.as_deref().unwrap();
    assert!(detail.contains("left_out=2"), "{detail}");

    // A belief with a secret and something else wrong is not left out: the file is refused,
    // for what else is wrong.
    let mut broken = belief(11, "interests", &["customer-care"]);
    broken.statement = "Call (07911) 123456 about it".into();
    let file = dir.path().join("broken.json");
    write(
        &file,
        Catalogue::defaults(),
        vec![belief(10, "interests", &[]), broken],
    );
    let sealed = SealedFile::read(&file).unwrap().open(None).unwrap();
    let options = ImportOptions {
        trust_signer: Some(file_key().public_key()),
        leave_out_sensitive: true,
        ..ImportOptions::default()
    };
    let err = model
        .import(&sealed, &options, &())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/beliefs/1") && err.contains("customer-care"),
        "{err}"
    );
}

/// A file signed by a key the person does not trust cannot add to the catalogue, and its beliefs
/// wait in the inbox without the history the file claims.
#[test]
fn a_file_from_an_untrusted_key_changes_no_catalogue_and_brings_no_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = vault(&dir);
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
