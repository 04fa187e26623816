#![allow(missing_docs, clippy::unwrap_used)]
//! Property tests of export and import over arbitrary self-models: every statement, confidence,
//! purpose set, evidence, provenance and history the domain allows survives
//! file → import → export → import → export unchanged, and importing twice changes nothing.
//! Case counts are modest: each vault costs a 256k-iteration KDF, so the vaults are reused.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

use crate::common::archive::{
    FileKey, catalogue_in_id_order, contents, trusting_signer_of, whole_export, write_signed,
};

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use selfmodel::Selfmodel;
use selfmodel::archive::{ExportOptions, Identities, ImportOptions, Key, Protection, SealedFile};
use selfmodel_core::{
    Actor, Belief, BeliefFilter, BeliefId, Catalogue, Evidence, EvidenceKind, Passphrase,
    Provenance, Rectification, Sensitivity, Snapshot, Status,
};
use serde_json::Value;

const CASES: u32 = 24;

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    // 2000-01-01 .. 2100-01-01, microsecond precision (what the vault and the format keep).
    (946_684_800_000_000i64..4_102_444_800_000_000)
        .prop_map(|us| DateTime::from_timestamp_micros(us).unwrap())
}

fn future() -> impl Strategy<Value = Option<DateTime<Utc>>> {
    prop_oneof![
        Just(None),
        (4_000_000_000_000_000i64..4_102_444_800_000_000)
            .prop_map(|us| Some(DateTime::from_timestamp_micros(us).unwrap())),
    ]
}

/// A one-line statement as validation accepts it: trimmed, no hidden characters (control,
/// format, separators, default-ignorables) but the joiner in the fixed example, ≤ 500 chars.
fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\\p{C}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}]{1,80}",
        "[a-zA-Z ]{490,500}",
        Just("\"quoted\" \\ back/slash é 😀 \u{200d} \u{fb33}".to_owned()),
    ]
    .prop_map(|s| s.trim().to_owned())
    .prop_filter("non-empty", |s| !s.is_empty() && s.chars().count() <= 500)
}

fn confidence() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(1.0),
        Just(0.1 + 0.2),
        Just(1e-7),
        0.0f64..=1.0
    ]
}

/// One character of plain text, as a pattern: no control, format or other hidden character.
macro_rules! plain {
    () => {
        "[^\\p{C}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}]"
    };
}

fn actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        Just(Actor::Person),
        Just(Actor::Import),
        Just(Actor::System),
        ("[a-z0-9:-]{1,24}", concat!(plain!(), "{0,30}"))
            .prop_map(|(grant_id, name)| Actor::Vendor { grant_id, name }),
    ]
}

fn evidence() -> impl Strategy<Value = Evidence> {
    (
        prop::sample::select(EvidenceKind::ALL.to_vec()),
        concat!(plain!(), "{0,60}"),
        concat!("(", plain!(), "|\\n|\\t){0,80}"),
        time(),
        prop::option::of("[0-9a-fA-F]{64}"),
    )
        .prop_map(|(kind, source, summary, observed_at, content_sha256)| {
            // A summary must not be blank.
            let summary = if summary.trim().is_empty() {
                format!("summary{summary}")
            } else {
                summary
            };
            Evidence {
                kind,
                source,
                summary,
                observed_at,
                content_sha256,
            }
        })
}

fn all_purposes() -> Vec<String> {
    Catalogue::defaults()
        .purposes
        .into_iter()
        .map(|p| p.id)
        .collect()
}

fn snapshot() -> impl Strategy<Value = Snapshot> {
    (
        concat!(plain!(), "{0,60}"),
        confidence(),
        prop::sample::subsequence(all_purposes(), 0..4),
    )
        .prop_map(|(statement, confidence, purposes)| Snapshot {
            statement,
            confidence,
            purposes: purposes.into_iter().collect(),
        })
}

fn rectification() -> impl Strategy<Value = Rectification> {
    (
        time(),
        actor(),
        concat!("(", plain!(), "|\\n|\\t){0,60}"),
        snapshot(),
        snapshot(),
    )
        .prop_map(|(at, actor, reason, before, after)| Rectification {
            at,
            actor,
            reason,
            before,
            after,
        })
}

/// One belief of an arbitrary type, obeying that type's rules (purposes it allows, its
/// sensitivity floor, evidence when it requires some).
fn belief() -> impl Strategy<Value = Belief> {
    let types = Catalogue::defaults().types;
    prop::sample::select(types).prop_flat_map(|ty| {
        let allowed: Vec<String> = ty.allowed_purposes.iter().cloned().collect();
        let n = allowed.len();
        let min_evidence = usize::from(ty.evidence_required);
        (
            statement(),
            confidence(),
            prop::sample::subsequence(allowed, 0..=n),
            prop::bool::ANY,
            prop::sample::select(Status::ALL.to_vec()),
            prop::collection::vec(evidence(), min_evidence..=3),
            (actor(), "[a-z]{0,12}"),
            (time(), time(), future()),
            prop::collection::vec(rectification(), 0..=3),
        )
            .prop_map(
                move |(
                    statement,
                    confidence,
                    purposes,
                    special,
                    status,
                    evidence,
                    (actor, method),
                    (created_at, updated_at, expires_at),
                    history,
                )| Belief {
                    id: BeliefId::new(),
                    statement,
                    category: ty.id.clone(),
                    confidence,
                    purposes: purposes.into_iter().collect::<BTreeSet<_>>(),
                    sensitivity: if special {
                        Sensitivity::Special
                    } else {
                        ty.default_sensitivity
                    },
                    status,
                    evidence,
                    provenance: Provenance { actor, method },
                    created_at,
                    updated_at,
                    expires_at,
                    confirmed_at: None,
                    history,
                },
            )
    })
}

/// A model: 0 to 6 beliefs with distinct ids, in id order (the order exports use).
fn model() -> impl Strategy<Value = Vec<Belief>> {
    (prop::collection::vec(belief(), 0..=6), any::<u64>()).prop_map(|(mut beliefs, seed)| {
        for (i, b) in beliefs.iter_mut().enumerate() {
            let raw = (u128::from(seed) << 32) | i as u128;
            b.id = BeliefId::from(uuid::Uuid::from_u128(
                0x0190_0000_0000_7000_8000_0000_0000_0000 ^ raw,
            ));
        }
        beliefs.sort_by_key(|b| b.id);
        beliefs
    })
}

/// Writes `beliefs` as an export file signed by a test key, as another vault would.
fn write_file(path: &Path, beliefs: &[Belief]) {
    let contents = contents(
        "01900000-0000-7000-8000-00000000f11e",
        catalogue_in_id_order(),
        beliefs.to_vec(),
    );
    write_signed(path, contents, &FileKey::from_seed(7));
}

fn import(model: &mut Selfmodel, path: &Path) -> selfmodel::archive::ImportReport {
    let file = SealedFile::read(path).unwrap().open(None).unwrap();
    // The files are the person's own, from another vault: they trust its key. The vaults are
    // reused across cases (emptied with erase-all), so what a case brings back may have been
    // erased by an earlier one.
    let options = ImportOptions {
        restore_erased: true,
        ..trusting_signer_of(&file)
    };
    model.import(&file, &options, &()).unwrap()
}

fn export(model: &mut Selfmodel, path: &Path) -> Value {
    model
        .export(path, &whole_export(Protection::Plain, true), &())
        .unwrap();
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Everything but when and by which vault the export was made.
fn content(doc: &Value) -> Value {
    let mut d = doc.clone();
    for k in ["exported_at", "signature", "vault", "audit_head"] {
        d.as_object_mut().unwrap().remove(k);
    }
    d
}

/// A runner of [`CASES`] cases.
fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        ..Config::default()
    })
}

fn vault(dir: &Path, name: &str) -> Selfmodel {
    Selfmodel::create(
        &dir.join(name),
        &Passphrase::new("property test passphrase".into()),
    )
    .unwrap()
}

#[test]
fn export_import_export_is_lossless() {
    let dir = tempfile::tempdir().unwrap();
    let a = RefCell::new(vault(dir.path(), "a.db"));
    let b = RefCell::new(vault(dir.path(), "b.db"));
    let mut runner = runner();
    runner
        .run(&model(), |beliefs| {
            let (mut a, mut b) = (a.borrow_mut(), b.borrow_mut());
            a.erase_all().unwrap();
            b.erase_all().unwrap();
            let source = dir.path().join("source.json");
            write_file(&source, &beliefs);

            // file → A: every belief arrives exactly as it was.
            let report = import(&mut a, &source);
            prop_assert_eq!(report.new.len(), beliefs.len());
            prop_assert_eq!(&a.beliefs(&BeliefFilter::default()).unwrap(), &beliefs);

            // A → file → B → file: the same document apart from when and by whom.
            let a_path = dir.path().join("a.json");
            let a_doc = export(&mut a, &a_path);
            let source_doc: Value =
                serde_json::from_slice(&std::fs::read(&source).unwrap()).unwrap();
            prop_assert_eq!(content(&a_doc), content(&source_doc));
            import(&mut b, &a_path);
            let b_doc = export(&mut b, &dir.path().join("b.json"));
            prop_assert_eq!(content(&a_doc), content(&b_doc));
            prop_assert_eq!(&b.beliefs(&BeliefFilter::default()).unwrap(), &beliefs);
            Ok(())
        })
        .unwrap();
}

#[test]
fn importing_twice_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let a = RefCell::new(vault(dir.path(), "a.db"));
    let mut runner = runner();
    runner
        .run(&model(), |beliefs| {
            let mut a = a.borrow_mut();
            a.erase_all().unwrap();
            let source = dir.path().join("source.json");
            write_file(&source, &beliefs);
            import(&mut a, &source);
            let beliefs_once = a.beliefs(&BeliefFilter::default()).unwrap();
            let audit_once = a.audit_log().unwrap();
            let again = import(&mut a, &source);
            prop_assert!(!again.changed);
            prop_assert_eq!(again.new.len(), 0);
            prop_assert_eq!(again.conflicting.len(), 0);
            prop_assert_eq!(again.identical.len(), beliefs.len());
            prop_assert_eq!(a.beliefs(&BeliefFilter::default()).unwrap(), beliefs_once);
            prop_assert_eq!(a.audit_log().unwrap(), audit_once);
            Ok(())
        })
        .unwrap();
}

/// Several pages of the vault's beliefs go through the streamed export (plain, age, a subset)
/// and the streamed import unchanged; a file with one byte changed is refused.
#[test]
fn thousands_of_beliefs_stream_through_export_and_import() {
    const N: u128 = 2500;
    let dir = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::deterministic();
    let strategy = belief();
    let beliefs: Vec<Belief> = (0..N)
        .map(|i| {
            let mut b = strategy.new_tree(&mut runner).unwrap().current();
            b.id = BeliefId::from(uuid::Uuid::from_u128(
                0x0190_0000_0000_7000_8000_0000_0000_0000 + i,
            ));
            let short: String = b.statement.chars().take(480).collect();
            b.statement = format!("{} #{i}", short.trim());
            b
        })
        .collect();
    let source = dir.path().join("source.json");
    write_file(&source, &beliefs);
    let mut a = vault(dir.path(), "a.db");
    assert_eq!(import(&mut a, &source).new.len(), beliefs.len());
    assert_eq!(a.beliefs(&BeliefFilter::default()).unwrap(), beliefs);

    // Through age to a recipient, into a second vault.
    let (secret, recipient) = selfmodel::archive::generate_identity();
    let key_file = dir.path().join("key.txt");
    std::fs::write(&key_file, format!("{}\n", *secret)).unwrap();
    let sealed = dir.path().join("a.age");
    let to_recipient = Protection::Recipients(vec![recipient.parse().unwrap()]);
    let summary = a
        .export(&sealed, &whole_export(to_recipient, true), &())
        .unwrap();
    assert_eq!(summary.counts.beliefs, N as u64);
    let key = Key::Identities(Identities::from_file(&key_file).unwrap());
    let file = SealedFile::read(&sealed).unwrap().open(Some(&key)).unwrap();
    assert_eq!(file.parsed.contents().unwrap().beliefs, beliefs);
    assert_eq!(file.parsed.beliefs_sha256, summary.beliefs_sha256);
    let mut b = vault(dir.path(), "b.db");
    assert_eq!(
        b.import(&file, &trusting_signer_of(&file), &())
            .unwrap()
            .new
            .len(),
        beliefs.len()
    );
    assert_eq!(b.beliefs(&BeliefFilter::default()).unwrap(), beliefs);

    // A subset by category: its beliefs, in order, and only the types it needs.
    let category = beliefs[0].category.clone();
    let subset = dir.path().join("subset.json");
    let one_category = ExportOptions {
        categories: [category.clone()].into(),
        ..whole_export(Protection::Plain, true)
    };
    a.export(&subset, &one_category, &()).unwrap();
    let parsed = SealedFile::read(&subset)
        .unwrap()
        .open(None)
        .unwrap()
        .parsed;
    let wanted: Vec<Belief> = beliefs
        .iter()
        .filter(|b| b.category == category)
        .cloned()
        .collect();
    assert!(!wanted.is_empty());
    assert_eq!(parsed.contents().unwrap().beliefs, wanted);
    let types: Vec<&str> = parsed
        .head
        .catalogue
        .types
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(types, [category.as_str()]);

    // One byte of one statement changed: refused before anything is imported.
    let plain = dir.path().join("a.json");
    export(&mut a, &plain);
    let mut bytes = std::fs::read(&plain).unwrap();
    let at = bytes.windows(7).position(|w| w == b" #1250\"").unwrap();
    bytes[at + 2] = b'7';
    let Err(err) = SealedFile::from_bytes(bytes).unwrap().open(None) else {
        panic!("a changed file was accepted");
    };
    assert_eq!(err.code().as_str(), "manifest_mismatch", "{err}");
}
