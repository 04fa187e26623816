//! A whole export carries the vendor record to another vault: the grants (ended, without their
//! tokens), the access log detailed and compacted, and the tombstones of an encrypted file. "Who
//! received this belief" answers the same on both sides.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Duration, Utc};
use selfmodel::archive::{ImportOptions, Key, Protection, SealedFile};
use selfmodel::carry::Skipped;
use selfmodel::{AccessFilter, Selfmodel};
use selfmodel_core::{NewAccess, Outcome, Passphrase};
use selfmodel_vault::{Vault, VaultError};

use crate::common::archive::{FileKey, trusting_signer_of, whole_export, write_signed};
use crate::common::{grant, read, scripted_session, vault};

fn file_passphrase() -> Passphrase {
    Passphrase::new("the export's own passphrase".into())
}

fn export(model: &mut Selfmodel, out: &Path, encrypted: bool) -> selfmodel::archive::ExportSummary {
    let protection = if encrypted {
        Protection::Passphrase {
            passphrase: file_passphrase(),
            work_factor: Some(10),
        }
    } else {
        Protection::Plain
    };
    let summary = model
        .export(out, &whole_export(protection, false), &())
        .unwrap();
    assert!(summary.importable(), "{} bytes", summary.bytes);
    summary
}

fn import(model: &mut Selfmodel, path: &Path, trusted: bool) -> selfmodel::archive::ImportReport {
    let file = SealedFile::read(path)
        .unwrap()
        .open(Some(&Key::Passphrase(file_passphrase())))
        .unwrap();
    let options = if trusted {
        trusting_signer_of(&file)
    } else {
        ImportOptions::default()
    };
    model.import(&file, &options, &()).unwrap()
}

#[test]
fn a_whole_export_moves_the_vendor_record_and_who_received_what_stays_exact() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = vault(&dir);
    let (writer, shop) = scripted_session(&mut a);
    let disclosed: BTreeSet<_> = a
        .access_log(&AccessFilter::default())
        .unwrap()
        .into_iter()
        .flat_map(|e| e.disclosed)
        .collect();
    let first = *disclosed.iter().next().unwrap();
    // Older reads, past the access log's retention: compacted into days when the vault is next
    // closed.
    let path = a.path().to_owned();
    a.close().unwrap();
    let mut raw = Vault::open(&path, &Passphrase::new("report test passphrase".into())).unwrap();
    raw.write(|w| {
        let old = NewAccess {
            grant_id: Some(writer.clone()),
            vendor_id: Some("com.example.writer".into()),
            purpose: Some("communication".into()),
            operation: "beliefs.read".into(),
            outcome: Outcome::Allowed,
            disclosed: vec![first],
        };
        w.append_access(&old, Utc::now() - Duration::days(400))?;
        w.append_access(&old, Utc::now() - Duration::days(399))?;
        Ok::<_, VaultError>(())
    })
    .unwrap();
    raw.close().unwrap();
    let reopen = || Selfmodel::open(&path, &Passphrase::new("report test passphrase".into()));
    reopen().unwrap().close().unwrap();
    let mut a = reopen().unwrap();
    assert!(
        a.access_days(None, None)
            .unwrap()
            .iter()
            .any(|d| d.compacted)
    );

    let sealed = dir.path().join("whole.age");
    let summary = export(&mut a, &sealed, true);
    assert_eq!(summary.counts.grants, 2);
    assert!(summary.counts.access_log > 0);
    assert!(
        summary.tombstones.unwrap() > 0,
        "the erased belief's tombstones"
    );
    let plain = dir.path().join("whole.json");
    assert_eq!(export(&mut a, &plain, false).tombstones, None);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&plain).unwrap()).unwrap();
    assert!(doc.get("tombstones").is_none());
    for g in doc["grants"].as_array().unwrap() {
        let keys: Vec<&String> = g.as_object().unwrap().keys().collect();
        assert!(keys.iter().all(|k| !k.contains("token")), "{keys:?}");
    }

    // Into another vault, signed by a key the person trusts.
    let other = tempfile::tempdir().unwrap();
    let mut b = vault(&other);
    let report = import(&mut b, &sealed, true);
    assert!(report.changed);
    assert_eq!(report.record.grants, 2);
    let grants = b.grants().unwrap();
    let ids: BTreeSet<_> = grants.iter().map(|g| g.grant.id.clone()).collect();
    assert_eq!(ids, BTreeSet::from([writer.clone(), shop.clone()]));
    // Their tokens stayed behind: no grant is live here.
    assert!(grants.iter().all(|g| !g.grant.is_live(Utc::now())));
    for id in disclosed.iter().chain([&first]) {
        assert_eq!(
            b.recipients(*id).unwrap(),
            a.recipients(*id).unwrap(),
            "recipients of {id}"
        );
    }
    assert_eq!(
        b.access_log(&AccessFilter::default()).unwrap().len(),
        a.access_log(&AccessFilter::default()).unwrap().len()
    );
    assert_eq!(
        b.access_days(None, None).unwrap(),
        a.access_days(None, None).unwrap()
    );
    let disclosed_days = a.disclosure_days(None, None).unwrap();
    assert!(
        disclosed_days
            .iter()
            .any(|d| d.belief_id == first && d.times == 1)
    );
    assert_eq!(b.disclosure_days(None, None).unwrap(), disclosed_days);

    // The same file again adds nothing.
    let again = import(&mut b, &sealed, true);
    assert!(!again.changed);
    assert!(again.record.is_empty());
    assert_eq!(b.disclosure_days(None, None).unwrap(), disclosed_days);

    // A file signed by a key the person has not trusted brings no record.
    let third = tempfile::tempdir().unwrap();
    let mut c = vault(&third);
    let foreign = import(&mut c, &sealed, false);
    assert_eq!(foreign.record.skipped, Some(Skipped::Foreign));
    assert!(c.grants().unwrap().is_empty());
    assert!(c.access_log(&AccessFilter::default()).unwrap().is_empty());
    // Nor does a file from this very vault.
    let own = import(&mut a, &sealed, true);
    assert_eq!(own.record.skipped, Some(Skipped::SameVault));
}

#[test]
fn reads_repeated_after_an_export_are_carried_by_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = vault(&dir);
    a.fill_demo().unwrap();
    let writer = grant(
        &mut a,
        "com.example.writer",
        &["communication"],
        &["communication-style"],
    );
    let reads = |m: &mut Selfmodel, n| {
        for _ in 0..n {
            m.vendor_read(&writer, &read("communication")).unwrap();
        }
    };
    reads(&mut a, 2);
    let first = dir.path().join("first.age");
    export(&mut a, &first, true);
    // The same read again, usually within the minute of those the first file carries: the
    // export closed their entry, so these are counted on a new one that the next file carries.
    reads(&mut a, 3);
    let second = dir.path().join("second.age");
    export(&mut a, &second, true);

    let other = tempfile::tempdir().unwrap();
    let mut b = vault(&other);
    import(&mut b, &first, true);
    import(&mut b, &second, true);
    let requests = |m: &mut Selfmodel| -> u64 {
        m.access_log(&AccessFilter::default())
            .unwrap()
            .iter()
            .filter(|e| e.operation == "beliefs.read")
            .map(|e| e.requests)
            .sum()
    };
    assert_eq!(requests(&mut a), 5);
    assert_eq!(requests(&mut b), 5, "every read reached the other vault");
}

#[test]
fn what_was_erased_before_the_move_stays_erased_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = vault(&dir);
    a.fill_demo().unwrap();
    let before = dir.path().join("before.age");
    export(&mut a, &before, true);
    let gone = a.beliefs(&Default::default()).unwrap()[0].id;
    a.delete_belief(gone).unwrap();
    let after = dir.path().join("after.age");
    export(&mut a, &after, true);

    let other = tempfile::tempdir().unwrap();
    let mut b = vault(&other);
    // B has erased something of its own first: it keeps its own tombstone key.
    b.fill_demo().unwrap();
    let own = b.beliefs(&Default::default()).unwrap()[1].id;
    b.delete_belief(own).unwrap();
    let report = import(&mut b, &after, true);
    assert!(report.record.tombstones > 0);
    // The old copy, from before the erasure, does not bring it back.
    let report = import(&mut b, &before, true);
    assert!(report.erased.contains(&gone), "{:?}", report.erased);
}

#[test]
fn a_weak_file_passphrase_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = vault(&dir);
    model.fill_demo().unwrap();
    let events = model.audit_log().unwrap().len();
    let out = dir.path().join("weak.age");
    let weak = Protection::Passphrase {
        passphrase: Passphrase::new("short".into()),
        work_factor: Some(10),
    };
    let err = model
        .export(&out, &whole_export(weak, false), &())
        .unwrap_err();
    assert!(matches!(err, selfmodel::Error::WeakPassphrase(_)), "{err}");
    assert!(!out.exists());
    assert_eq!(model.audit_log().unwrap().len(), events);
    // A passphrase the vault itself would take is taken.
    export(&mut model, &out, true);
}

/// A vault after the scripted session, exported whole to a plain file in `dir`.
fn session_exported(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let mut a = vault(dir);
    scripted_session(&mut a);
    let plain = dir.path().join("a.json");
    export(&mut a, &plain, false);
    plain
}

/// Everything a plain file holds.
fn contents_of(path: &Path) -> selfmodel_archive::Contents {
    let file = SealedFile::read(path).unwrap().open(None).unwrap();
    file.parsed.contents().unwrap()
}

#[test]
fn a_trusted_file_is_still_screened_and_a_hidden_character_in_a_grant_refuses_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let plain = session_exported(&dir);
    let key = FileKey::from_seed(7);
    let forged = dir.path().join("forged.json");
    let hidden = "Shop\u{202e}gnirts desrever";
    type Change = fn(&mut selfmodel_archive::Record, &str);
    let changes: [(&str, Change); 6] = [
        ("/grants/0/vendor/name", |r, s| {
            r.grants[0].vendor.name = s.into()
        }),
        ("/grants/0/purposes/0", |r, s| {
            r.grants[0].scope.purposes = [s.to_owned()].into()
        }),
        ("/access_log/LAST/purpose", |r, s| {
            r.access.last_mut().unwrap().purpose = Some(s.into())
        }),
        ("/access_log/0/reason", |r, s| {
            r.access[0].outcome = Outcome::Denied(s.into())
        }),
        ("/access_days/0/vendor_id", |r, s| {
            r.access_days.push(selfmodel_core::AccessDay {
                day: "2026-01-02".parse().unwrap(),
                grant_id: None,
                vendor_id: Some(s.into()),
                purpose: None,
                operation: "grant.request".into(),
                outcome: Outcome::Allowed,
                requests: 3,
                compacted: true,
            })
        }),
        ("/disclosure_days/0/purpose", |r, s| {
            r.disclosure_days.push(selfmodel_core::DisclosureDay {
                belief_id: r.disclosure_sets.values().next().unwrap()[0],
                day: "2026-01-02".parse().unwrap(),
                grant_id: r.grants[0].id.clone(),
                vendor_id: r.grants[0].vendor.id.clone(),
                purpose: Some(s.into()),
                times: 2,
            })
        }),
    ];
    // Every text of the record is screened as the file is read, whoever signed it: the file
    // does not open, and the error names the text once.
    for (path, change) in changes {
        let mut contents = contents_of(&plain);
        let last = contents.record.access.len() - 1;
        change(&mut contents.record, hidden);
        write_signed(&forged, contents, &key);
        let Err(err) = SealedFile::read(&forged).unwrap().open(None) else {
            panic!("{path}: a hidden character opened");
        };
        let path = path.replace("LAST", &last.to_string());
        let text = err.to_string();
        assert_eq!(text.matches(&path).count(), 1, "{text}");
        assert!(text.contains("U+202E"), "{text}");
    }
    // The longest origin a grant may name (a 253-character host and a port) still reads back.
    let mut contents = contents_of(&plain);
    let host = format!("{}.com", "a".repeat(249));
    contents.record.grants[0].scope.origins = [format!("https://{host}:8443")].into();
    write_signed(&forged, contents, &key);
    assert!(SealedFile::read(&forged).unwrap().open(None).is_ok());
}

#[test]
fn a_conflict_found_after_new_beliefs_leaves_none_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let plain = session_exported(&dir);
    let whole = contents_of(&plain);
    let key = FileKey::from_seed(7);
    let options = ImportOptions {
        trust_signer: Some(selfmodel_archive::Signer::public_key(&key)),
        ..ImportOptions::default()
    };
    let signed = |contents: selfmodel_archive::Contents, name: &str| {
        let path = dir.path().join(name);
        write_signed(&path, contents, &key);
        SealedFile::read(&path).unwrap().open(None).unwrap()
    };

    // Another vault holds the file's last belief alone, changed there.
    let other = tempfile::tempdir().unwrap();
    let mut b = vault(&other);
    let mut last_only = whole.clone();
    last_only.beliefs = whole.beliefs[whole.beliefs.len() - 1..].to_vec();
    last_only.record = selfmodel_archive::Record::default();
    b.import(&signed(last_only, "last.json"), &options, &())
        .unwrap();
    let last = whole.beliefs.last().unwrap().id;
    b.rectify(
        last,
        selfmodel_core::Rectify {
            statement: None,
            confidence: Some(0.05),
            purposes: None,
            reason: "not me".into(),
        },
        selfmodel_core::Actor::Person,
    )
    .unwrap();
    let all = selfmodel_core::BeliefFilter::default();
    let (beliefs, events) = (b.beliefs(&all).unwrap(), b.audit_log().unwrap().len());

    // The whole file: every other belief is new and written before the conflict is found, then
    // rolled back with it.
    let file = signed(whole.clone(), "whole.json");
    match b.import(&file, &options, &()) {
        Err(selfmodel::Error::ImportConflicts(ids)) => assert_eq!(ids, [last]),
        other => panic!("{other:?}"),
    }
    assert_eq!(b.beliefs(&all).unwrap(), beliefs);
    assert!(b.grants().unwrap().is_empty(), "no grant arrived");
    assert_eq!(b.audit_log().unwrap().len(), events, "no event");

    // Importing the same file twice writes nothing the second time, and adds no event.
    let take = ImportOptions {
        on_conflict: Some(selfmodel::archive::ConflictPolicy::TakeIncoming),
        ..options
    };
    assert!(b.import(&file, &take, &()).unwrap().changed);
    let events = b.audit_log().unwrap().len();
    assert!(!b.import(&file, &take, &()).unwrap().changed);
    assert_eq!(b.audit_log().unwrap().len(), events, "no event");
    assert_eq!(b.beliefs(&all).unwrap().len(), whole.beliefs.len());
}

#[test]
fn a_fault_in_a_later_batch_names_its_belief_and_leaves_none_written_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let plain = session_exported(&dir);
    let mut many = contents_of(&plain);
    many.record = selfmodel_archive::Record::default();
    let template = many.beliefs[0].clone();
    // More beliefs than one batch reads: the first batch is written before the fault is found.
    many.beliefs = (0..1_100)
        .map(|i| selfmodel_core::Belief {
            id: selfmodel_core::BeliefId::new(),
            statement: format!("Walks to work, route {i}"),
            ..template.clone()
        })
        .collect();
    many.beliefs[1_050].category = "no_such_type".into();
    let key = FileKey::from_seed(7);
    let path = dir.path().join("many.json");
    write_signed(&path, many, &key);
    let file = SealedFile::read(&path).unwrap().open(None).unwrap();

    let other = tempfile::tempdir().unwrap();
    let mut b = vault(&other);
    let events = b.audit_log().unwrap().len();
    let options = ImportOptions {
        trust_signer: Some(selfmodel_archive::Signer::public_key(&key)),
        ..ImportOptions::default()
    };
    let err = b.import(&file, &options, &()).unwrap_err();
    assert!(err.to_string().contains("/beliefs/1050"), "{err}");
    let all = selfmodel_core::BeliefFilter::default();
    assert!(b.beliefs(&all).unwrap().is_empty(), "none written");
    assert_eq!(b.audit_log().unwrap().len(), events, "no event");
}
