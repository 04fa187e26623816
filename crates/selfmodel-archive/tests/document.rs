#![allow(missing_docs, clippy::unwrap_used)]
//! The document format on its own: build → parse round trips, and every way a file can be wrong
//! is named.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer as _, SigningKey};
use selfmodel_archive::{ArchiveError, Contents, Filter, SealedFile, Signer, build, parse};
use selfmodel_core::{
    Actor, Belief, BeliefId, Catalogue, Evidence, EvidenceKind, Hash, Provenance, Rectification,
    Sensitivity, Snapshot, Status,
};
use serde_json::Value;

struct Key(SigningKey);

impl Signer for Key {
    fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }
    fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.0.sign(msg).to_bytes()
    }
}

fn key(seed: u8) -> Key {
    Key(SigningKey::from_bytes(&[seed; 32]))
}

fn t(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap()
}

fn belief(n: u128) -> Belief {
    let snap = |s: &str, c: f64| Snapshot {
        statement: s.into(),
        confidence: c,
        purposes: ["recommendations".to_owned()].into(),
    };
    Belief {
        id: BeliefId::from(uuid::Uuid::from_u128(
            0x0190_0000_0000_7000_8000_0000_0000_0000 + n,
        )),
        statement: format!("Likes \"jazz\"\tnumber {n} — ünïcode"),
        category: "interests".into(),
        confidence: 0.1 + 0.2,
        purposes: ["recommendations".to_owned(), "personalisation".to_owned()].into(),
        sensitivity: Sensitivity::Normal,
        status: Status::Active,
        evidence: vec![Evidence {
            kind: EvidenceKind::Observed,
            source: "music app".into(),
            summary: "played 40 jazz albums\nin a month".into(),
            observed_at: t(1_700_000_000_123_456),
            content_sha256: Some("ab".repeat(32)),
        }],
        provenance: Provenance {
            actor: Actor::Vendor {
                grant_id: "g-1".into(),
                name: "Acme".into(),
            },
            method: "api".into(),
        },
        created_at: t(1_700_000_000_000_001),
        updated_at: t(1_700_000_100_000_000),
        expires_at: Some(t(1_800_000_000_000_000)),
        confirmed_at: None,
        history: vec![Rectification {
            at: t(1_700_000_100_000_000),
            actor: Actor::Person,
            reason: "more sure now".into(),
            before: snap("Likes jazz", 1.0),
            after: snap("Likes \"jazz\"", 1e-7),
        }],
    }
}

fn contents(n: u128) -> Contents {
    Contents {
        vault_id: "01900000-0000-7000-8000-00000000abcd".into(),
        exported_at: t(1_750_000_000_000_000),
        catalogue: Catalogue::defaults(),
        beliefs: (0..n).map(belief).collect(),
        audit_head: (42, Hash([9; 32])),
        filter: Filter::All,
        record: Default::default(),
    }
}

fn doc(n: u128) -> Value {
    serde_json::from_slice(&build(contents(n), &key(1)).unwrap().to_vec()).unwrap()
}

fn parse_value(v: &Value) -> Result<selfmodel_archive::Parsed, ArchiveError> {
    parse(serde_json::to_vec(v).unwrap())
}

/// Re-signs an edited document with `k`, as someone editing it on purpose would.
fn resign(v: &mut Value, k: &Key) {
    let beliefs = selfmodel_archive::canonical_json(&v["beliefs"]);
    v["manifest"]["beliefs_sha256"] = Value::String(hex::encode(sha256(&beliefs)));
    let mut unsigned = v.clone();
    unsigned.as_object_mut().unwrap().remove("signature");
    let mut msg = selfmodel_archive::SIGNATURE_CONTEXT.to_vec();
    msg.extend(selfmodel_archive::canonical_json(&unsigned));
    v["signature"]["public_key"] = Value::String(hex::encode(k.public_key()));
    v["signature"]["signature"] = Value::String(hex::encode(k.sign(&msg)));
}

fn sha256(b: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(b).into()
}

#[test]
fn build_then_parse_is_lossless() {
    let c = contents(3);
    let built = build(c.clone(), &key(1)).unwrap();
    assert_eq!(built.counts.beliefs, 3);
    assert_eq!(built.counts.evidence, 3);
    assert_eq!(built.counts.history, 3);
    let parsed = parse(built.to_vec()).unwrap();
    assert_eq!(parsed.contents().unwrap(), c);
    assert_eq!(parsed.beliefs_sha256, built.beliefs_sha256);
    assert_eq!(parsed.public_key, hex::encode(key(1).public_key()));
    // Deterministic: the same contents and key give the same bytes.
    assert_eq!(build(c, &key(1)).unwrap().to_vec(), built.to_vec());
}

#[test]
fn subsets_round_trip() {
    let mut c = contents(2);
    c.filter = Filter::Subset {
        categories: ["interests".to_owned()].into(),
        purposes: BTreeSet::new(),
        beliefs: [c.beliefs[0].id].into(),
    };
    let parsed = parse(build(c.clone(), &key(1)).unwrap().to_vec()).unwrap();
    assert_eq!(parsed.contents().unwrap().filter, c.filter);
}

#[test]
fn an_edited_value_or_a_swapped_key_is_detected() {
    let mut v = doc(2);
    v["beliefs"][1]["confidence"] = Value::from(0.9);
    let err = parse_value(&v).unwrap_err();
    assert_eq!(err.code().as_str(), "manifest_mismatch", "{err}");

    // Edited and the manifest fixed up, but not re-signed.
    let mut v = doc(2);
    v["purposes"][0]["description"] = Value::from("changed");
    assert_eq!(
        parse_value(&v).unwrap_err().code().as_str(),
        "bad_signature"
    );

    // Another valid key put in its place.
    let mut v = doc(2);
    v["signature"]["public_key"] = Value::String(hex::encode(key(2).public_key()));
    assert_eq!(
        parse_value(&v).unwrap_err().code().as_str(),
        "bad_signature"
    );

    // Re-signed consistently by another key: valid, and the key tells whose it is.
    let mut v = doc(2);
    v["beliefs"][0]["confidence"] = Value::from(0.5);
    resign(&mut v, &key(3));
    let parsed = parse_value(&v).unwrap();
    assert_eq!(parsed.public_key, hex::encode(key(3).public_key()));
}

#[test]
fn member_order_does_not_matter() {
    // A tool that rewrites the file with other member order (e.g. `jq -S`) keeps it valid.
    let v = doc(2);
    fn reverse(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut out = serde_json::Map::new();
                let mut entries: Vec<_> = m.iter().collect();
                entries.reverse();
                for (k, x) in entries {
                    out.insert(k.clone(), reverse(x));
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(reverse).collect()),
            x => x.clone(),
        }
    }
    let text = serde_json::to_string(&reverse(&v)).unwrap();
    parse(text.as_bytes().to_vec()).unwrap();
}

fn expect(v: &Value, code: &str, needle: &str) {
    let err = parse_value(v).unwrap_err();
    assert_eq!(err.code().as_str(), code, "{err}");
    assert!(err.to_string().contains(needle), "{err:?} lacks {needle}");
    assert!(!err.to_string().contains('\n'), "one line: {err}");
}

#[test]
fn bad_documents_name_what_is_wrong() {
    expect(&Value::from(3), "wrong_format", "not an object");
    expect(
        &serde_json::json!({"format": "other"}),
        "wrong_format",
        "\"other\"",
    );
    let mut v = doc(1);
    v["version"] = Value::from(3);
    expect(&v, "unsupported_version", "version 3");

    let mut v = doc(2);
    v["beliefs"][1]["confidence"] = Value::from(1.5);
    expect(&v, "schema_violation", "/beliefs/1/confidence");
    let mut v = doc(2);
    v["beliefs"][0]["colour"] = Value::from("blue");
    expect(&v, "schema_violation", "'colour'");
    let mut v = doc(1);
    v["beliefs"][0]["evidence"][0]["observed_at"] = Value::from("2024-01-01T00:00:00Z");
    expect(&v, "schema_violation", "/beliefs/0/evidence/0/observed_at");
    let mut v = doc(1);
    v["beliefs"][0]["provenance"]["actor"] = serde_json::json!({"kind": "vendor"});
    expect(&v, "schema_violation", "/beliefs/0/provenance/actor");
    let mut v = doc(1);
    v["beliefs"][0]["statement"] = Value::from("x".repeat(501));
    expect(&v, "schema_violation", "/beliefs/0/statement");
    let mut v = doc(1);
    v.as_object_mut().unwrap().remove("manifest");
    expect(&v, "schema_violation", "manifest");

    // Well-formed, but a date that does not exist; re-signed so only that is wrong.
    let mut v = doc(1);
    v["beliefs"][0]["created_at"] = Value::from("2024-02-30T00:00:00.000000Z");
    resign(&mut v, &key(1));
    expect(&v, "invalid_content", "/beliefs/0/created_at");
    // The same belief twice.
    let mut v = doc(1);
    let b = v["beliefs"][0].clone();
    v["beliefs"].as_array_mut().unwrap().push(b);
    v["manifest"]["counts"]["beliefs"] = Value::from(2);
    v["manifest"]["counts"]["evidence"] = Value::from(2);
    v["manifest"]["counts"]["history"] = Value::from(2);
    resign(&mut v, &key(1));
    expect(&v, "invalid_content", "/beliefs/1/id");
    // A large section that is not an array: the schema names it, whatever it holds.
    for section in ["beliefs", "access_log"] {
        for wrong in [
            serde_json::json!({"id": 1}),
            Value::from(5),
            Value::from(-3),
            Value::from(-1.5),
            Value::from("beliefs"),
            Value::Bool(true),
            Value::Null,
        ] {
            let mut v = doc(1);
            v[section] = wrong;
            expect(&v, "schema_violation", &format!("/{section}"));
        }
    }
    // A grant is a closed object.
    let mut v = doc(1);
    v["grants"] = serde_json::json!([{"vendor": "x"}]);
    v["manifest"]["counts"]["grants"] = Value::from(1);
    resign(&mut v, &key(1));
    expect(&v, "schema_violation", "/grants/0");
}

#[test]
fn a_member_written_twice_is_refused_though_the_signature_holds() {
    let text = String::from_utf8(build(contents(2), &key(1)).unwrap().to_vec()).unwrap();
    assert!(parse(text.clone().into_bytes()).is_ok());
    // A reader keeping the first of two names would see what the signer never signed: a
    // statement in a belief, a member of the manifest, or a whole section at the top level.
    let statement = text.find("\"statement\"").unwrap();
    let counts = text.find("\"counts\"").unwrap();
    for (at, extra, path) in [
        (statement, "\"statement\": \"Evil first\", ", "/beliefs/0"),
        (counts, "\"counts\": {}, ", "/manifest"),
        (1, "\"beliefs\": [], ", "/"),
    ] {
        let mut twice = text.clone();
        twice.insert_str(at, extra);
        let err = parse(twice.into_bytes()).unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_content", "{err}");
        assert!(err.to_string().contains("written twice"), "{err}");
        assert!(err.to_string().contains(path), "{path}: {err}");
    }
}

#[test]
fn bad_bytes_are_named() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "truncated"),
        (b"hello", "not_json"),
        (b"\xff\xfe\x00garbage", "not_json"),
        (b"{\"format\": \"selfmodel-export\", \"vers", "truncated"),
        (b"{} trailing", "not_json"),
    ];
    for (bytes, code) in cases {
        assert_eq!(
            parse(bytes.to_vec()).unwrap_err().code().as_str(),
            *code,
            "{bytes:?}"
        );
    }
    let full = build(contents(2), &key(1)).unwrap().to_vec();
    assert_eq!(
        parse(full[..full.len() / 2].to_vec())
            .unwrap_err()
            .code()
            .as_str(),
        "truncated"
    );
    // Nesting 100,000 deep: a clear error (serde_json stops at 128 levels), never a stack
    // overflow — at the top, in a member, inside a belief, and unterminated.
    const N: usize = 100_000;
    let deep = |open: &str, close: &str| format!("{}1{}", open.repeat(N), close.repeat(N));
    let cases = [
        (deep("[", "]"), "wrong_format", ""),
        (
            format!(
                "{{\"format\":\"selfmodel-export\",\"version\":1,\"vault\":{}}}",
                deep("{\"a\":", "}")
            ),
            "too_deep",
            "/vault",
        ),
        ("[".repeat(N), "wrong_format", ""),
        ("{\"a\":".repeat(N), "truncated", ""),
    ];
    for (text, code, needle) in cases {
        let err = parse(text.as_bytes().to_vec()).unwrap_err();
        assert_eq!(err.code().as_str(), code, "{err}");
        assert!(err.to_string().contains(needle), "{err}");
    }
    let mut v = doc(2);
    let text = serde_json::to_string(&v).unwrap();
    let first = serde_json::to_string(&v["beliefs"][0]).unwrap();
    let nested = text.replacen(&first, &deep("[", "]"), 1);
    let err = parse(nested.as_bytes().to_vec()).unwrap_err();
    assert_eq!(err.code().as_str(), "too_deep", "{err}");
    assert!(err.to_string().contains("/beliefs/0"), "{err}");
    v["beliefs"] = Value::from(5);
    let err = parse_value(&v).unwrap_err();
    assert!(err.to_string().contains("/beliefs"), "{err}");
}

#[test]
fn sealed_files_need_their_key() {
    let json = build(contents(1), &key(1)).unwrap().to_vec();
    let (secret, recipient) = selfmodel_archive::generate_identity();
    let sealed = selfmodel_archive::seal(
        &json,
        &selfmodel_archive::Protection::Recipients(vec![recipient.parse().unwrap()]),
        true,
        Vec::new(),
    )
    .unwrap();
    let file = SealedFile::from_bytes(sealed.clone()).unwrap();
    assert_eq!(
        file.open(None).err().unwrap().code().as_str(),
        "key_required"
    );
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("key.txt");
    std::fs::write(&key_path, format!("# test\n{}\n", *secret)).unwrap();
    let ids = selfmodel_archive::Identities::from_file(&key_path).unwrap();
    let file = SealedFile::from_bytes(sealed)
        .unwrap()
        .open(Some(&selfmodel_archive::Key::Identities(ids)))
        .unwrap();
    assert_eq!(file.parsed.contents().unwrap(), contents(1));
}

#[test]
fn an_age_file_is_decrypted_from_disk_and_refused_if_it_changed_after_it_was_read() {
    let (secret, recipient) = selfmodel_archive::generate_identity();
    let to = selfmodel_archive::Protection::Recipients(vec![recipient.parse().unwrap()]);
    let sealed = |n| {
        let json = build(contents(n), &key(1)).unwrap().to_vec();
        selfmodel_archive::seal(&json, &to, false, Vec::new()).unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("key.txt");
    std::fs::write(&key_path, format!("{}\n", *secret)).unwrap();
    let ids = || {
        selfmodel_archive::Key::Identities(
            selfmodel_archive::Identities::from_file(&key_path).unwrap(),
        )
    };
    let path = dir.path().join("export.age");
    std::fs::write(&path, sealed(2)).unwrap();
    let file = SealedFile::read(&path).unwrap();
    let opened = file.open(Some(&ids())).unwrap();
    assert_eq!(opened.parsed.contents().unwrap(), contents(2));

    // Another file, as valid, put in its place between reading and opening: refused.
    let file = SealedFile::read(&path).unwrap();
    std::fs::write(&path, sealed(3)).unwrap();
    let Err(err) = file.open(Some(&ids())) else {
        panic!("a file changed after it was read opened");
    };
    assert!(
        err.to_string().contains("changed after it was read"),
        "{err}"
    );
    // Cut short in between, so that it no longer decrypts: said to have changed, all the same.
    std::fs::write(&path, sealed(2)).unwrap();
    let file = SealedFile::read(&path).unwrap();
    let whole = std::fs::read(&path).unwrap();
    std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
    let Err(err) = file.open(Some(&ids())) else {
        panic!("a file cut short after it was read opened");
    };
    assert!(
        err.to_string().contains("changed after it was read"),
        "{err}"
    );

    // A pipe is read once, and held.
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let bytes = sealed(2);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, bytes).unwrap())
    };
    let file = SealedFile::read(&fifo).unwrap();
    writer.join().unwrap();
    let opened = file.open(Some(&ids())).unwrap();
    assert_eq!(opened.parsed.contents().unwrap(), contents(2));
}

/// A varied model: every actor, with and without expiry, evidence hash and history.
fn varied(n: u128) -> Contents {
    let mut c = contents(n);
    for (i, b) in c.beliefs.iter_mut().enumerate() {
        b.provenance.actor = match i % 4 {
            0 => Actor::Person,
            1 => Actor::Import,
            2 => Actor::System,
            _ => b.provenance.actor.clone(),
        };
        if i % 3 == 0 {
            b.expires_at = None;
            b.history.clear();
            b.evidence[0].content_sha256 = None;
        }
        if i % 5 == 0 {
            b.evidence.clear();
        }
        b.confidence = (i % 101) as f64 / 100.0;
        b.statement = format!("{} \u{1}\u{2028}\\ {i}", b.statement);
    }
    c
}

#[test]
fn the_streamed_document_is_what_serde_json_pretty_prints() {
    // Files are written piece by piece; they are byte for byte the pretty-printed document, as
    // earlier versions wrote it whole.
    let cases = [
        varied(0),
        varied(1),
        varied(7),
        with_record(1),
        with_record(3),
    ];
    for (n, contents) in cases.into_iter().enumerate() {
        let bytes = build(contents, &key(1)).unwrap().to_vec();
        let doc: selfmodel_archive::wire::Document = serde_json::from_slice(&bytes).unwrap();
        let mut whole = serde_json::to_vec_pretty(&doc).unwrap();
        whole.push(b'\n');
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            String::from_utf8(whole).unwrap(),
            "case {n}"
        );
    }
}

#[test]
fn the_access_log_is_signed_before_the_beliefs_and_written_as_signed() {
    use selfmodel_archive::{Header, StreamWriter};
    let mut c = with_record(1);
    let access = std::mem::take(&mut c.record.access);
    let header = || Header {
        vault_id: c.vault_id.clone(),
        exported_at: c.exported_at,
        catalogue: c.catalogue.clone(),
        audit_head: c.audit_head,
        filter: c.filter.clone(),
        record: c.record.clone(),
    };
    let mut out = Vec::new();
    // An entry after a belief could not be where the signature covers it.
    let mut w = StreamWriter::begin(header(), &mut out).unwrap();
    w.push(&c.beliefs[0], &mut out).unwrap();
    assert!(w.sign_access(&access[0]).is_err());
    // Fewer entries written than signed make no file.
    let mut w = StreamWriter::begin(header(), &mut out).unwrap();
    for a in &access {
        w.sign_access(a).unwrap();
    }
    let mut tail = w.sign(&key(1), &mut out).unwrap();
    tail.write_access(&access[0], &mut out).unwrap();
    assert!(tail.finish(&mut out).is_err());
    // A record handed over whole is refused rather than left out.
    let mut whole = header();
    whole.record.access = access;
    assert!(StreamWriter::begin(whole, &mut out).is_err());
}

#[test]
fn thousands_of_beliefs_round_trip_and_a_changed_byte_is_refused() {
    let c = varied(3000);
    let built = build(c.clone(), &key(1)).unwrap();
    let bytes = built.to_vec();
    let parsed = parse(bytes.clone()).unwrap();
    assert_eq!(parsed.contents().unwrap(), c);
    assert_eq!(parsed.counts, built.counts);
    assert_eq!(parsed.beliefs_sha256, built.beliefs_sha256);

    // The beliefs hash and the signature are those of the whole canonical document.
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        built.beliefs_sha256,
        hex::encode(sha256(&selfmodel_archive::canonical_json(&v["beliefs"])))
    );
    let mut resigned = v.clone();
    resign(&mut resigned, &key(1));
    assert_eq!(resigned, v);

    // One byte of one belief's statement changed: the manifest no longer holds.
    let at = bytes
        .windows(12)
        .position(|w| w == b"number 2999 ")
        .unwrap();
    let mut tampered = bytes.clone();
    tampered[at + 7] = b'8';
    assert_eq!(
        parse(tampered.clone()).unwrap_err().code().as_str(),
        "manifest_mismatch"
    );

    // The same change with the manifest fixed up, but not re-signed: the signature fails.
    let mut v: Value = serde_json::from_slice(&tampered).unwrap();
    let beliefs = selfmodel_archive::canonical_json(&v["beliefs"]);
    v["manifest"]["beliefs_sha256"] = Value::String(hex::encode(sha256(&beliefs)));
    assert_eq!(
        parse_value(&v).unwrap_err().code().as_str(),
        "bad_signature"
    );

    // A signature byte changed.
    let mut v: Value = serde_json::from_slice(&bytes).unwrap();
    let mut sig = v["signature"]["signature"].as_str().unwrap().to_owned();
    sig.replace_range(0..1, if sig.starts_with('0') { "1" } else { "0" });
    v["signature"]["signature"] = Value::String(sig);
    assert_eq!(
        parse_value(&v).unwrap_err().code().as_str(),
        "bad_signature"
    );
}

/// A whole export's vendor record: two grants, entries disclosing the same set twice, a denied
/// entry, compacted days and tombstones.
fn with_record(n: u128) -> Contents {
    use selfmodel_archive::{Access, Record, Tombstones};
    use selfmodel_core::{
        AccessDay, ConsentRecord, DisclosureDay, Grant, Operation, Outcome, Scope, Vendor,
    };
    let mut c = contents(n);
    let vendor = Vendor {
        id: "com.example.notes".into(),
        name: "Notes".into(),
        url: None,
    };
    let grant = |id: &str, revoked: bool| Grant {
        id: id.into(),
        request_id: format!("r-{id}"),
        vendor: vendor.clone(),
        scope: Scope {
            purposes: ["recommendations".to_owned()].into(),
            categories: ["interests".to_owned()].into(),
            operations: [Operation::Read, Operation::Propose].into(),
            max_sensitivity: Sensitivity::Normal,
            min_confidence: 0.25,
            origins: BTreeSet::new(),
            fresh_only: false,
        },
        vendor_retention_days: 30,
        created_at: t(1_700_000_000_000_000),
        expires_at: t(1_800_000_000_000_000),
        revoked_at: revoked.then(|| t(1_700_000_500_000_000)),
        revoked_by: revoked.then(|| "person".to_owned()),
        last_used_at: Some(t(1_700_000_400_000_000)),
        consent: ConsentRecord {
            id: id.into(),
            subject: "the vault's owner".into(),
            recipient: vendor.clone(),
            purposes: ["recommendations".to_owned()].into(),
            data_categories: ["interests".to_owned()].into(),
            operations: [Operation::Read, Operation::Propose].into(),
            special_categories: false,
            notice: "to suggest \"music\"".into(),
            recipient_retention_days: 30,
            given_at: t(1_700_000_000_000_000),
            expires_at: t(1_800_000_000_000_000),
            method: "explicit approval (app)".into(),
        },
    };
    let ids: Vec<BeliefId> = c.beliefs.iter().map(|b| b.id).collect();
    let entry = |seq: u64, disclosed_set: Option<u64>, outcome: Outcome| Access {
        seq,
        at: t(1_700_000_000_000_000 + seq as i64),
        grant_id: Some("g-1".into()),
        vendor_id: Some("com.example.notes".into()),
        purpose: Some("recommendations".into()),
        operation: "beliefs.read".into(),
        outcome,
        requests: 1,
        disclosed_set,
    };
    c.record = Record {
        grants: vec![grant("g-1", false), grant("g-2", true)],
        access: vec![
            entry(7, Some(1), Outcome::Allowed),
            entry(8, Some(1), Outcome::Allowed),
            entry(9, None, Outcome::Denied("purpose_not_granted".into())),
        ],
        disclosure_sets: [(1, ids.clone())].into(),
        access_days: vec![AccessDay {
            day: "2023-11-01".parse().unwrap(),
            grant_id: Some("g-1".into()),
            vendor_id: Some("com.example.notes".into()),
            purpose: Some("recommendations".into()),
            operation: "beliefs.read".into(),
            outcome: Outcome::Allowed,
            requests: 12,
            compacted: true,
        }],
        disclosure_days: vec![DisclosureDay {
            belief_id: ids[0],
            day: "2023-11-01".parse().unwrap(),
            grant_id: "g-1".into(),
            vendor_id: "com.example.notes".into(),
            purpose: Some("recommendations".into()),
            times: 12,
        }],
        tombstones: Some(Tombstones {
            key: zeroize::Zeroizing::new("0f".repeat(32)),
            digests: vec![(vec![7; 32], t(1_700_000_600_000_000))],
        }),
    };
    c
}

#[test]
fn a_whole_export_carries_its_vendor_record_and_reads_it_back_exactly() {
    let c = with_record(3);
    let built = build(c.clone(), &key(1)).unwrap();
    assert_eq!((built.counts.grants, built.counts.access_log), (2, 3));
    let bytes = built.to_vec();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["version"], 2);
    // The two entries that disclosed the same beliefs refer to one set, written once.
    assert_eq!(v["disclosure_sets"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["access_log"][0]["disclosed_set"],
        v["access_log"][1]["disclosed_set"]
    );
    assert_eq!(v["access_log"][2]["disclosed_set"], Value::Null);
    // Grants never hold a token or its hash.
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(!text.contains("token"), "{text}");
    let parsed = parse(bytes.clone()).unwrap();
    assert_eq!(parsed.contents().unwrap(), c);

    // A change to any part of the record breaks the signature.
    let mut forged = v.clone();
    forged["access_log"][0]["vendor_id"] = Value::from("com.example.other");
    expect(&forged, "bad_signature", "");
}

#[test]
fn a_record_that_does_not_hold_together_is_refused_by_its_path() {
    let v: Value =
        serde_json::from_slice(&build(with_record(2), &key(1)).unwrap().to_vec()).unwrap();
    let mut dangling = v.clone();
    dangling["access_log"][0]["disclosed_set"] = Value::from(99);
    resign(&mut dangling, &key(1));
    expect(&dangling, "invalid_content", "/access_log/0/disclosed_set");
    // Of a log's faults, the first in the file is reported, whatever its kind; and only once
    // the signature holds.
    let mut two = v.clone();
    two["access_log"][1]["disclosed_set"] = Value::from(99);
    two["access_log"][2]["outcome"] = Value::from("allowed");
    resign(&mut two, &key(1));
    expect(&two, "invalid_content", "/access_log/1/disclosed_set");
    let mut two = v.clone();
    two["access_log"][0]["outcome"] = Value::from("allowed");
    two["access_log"][0]["reason"] = Value::from("purpose_not_granted");
    two["access_log"][1]["disclosed_set"] = Value::from(99);
    resign(&mut two, &key(1));
    expect(&two, "invalid_content", "/access_log/0/outcome");
    two["signature"]["signature"] = Value::from("00".repeat(64));
    expect(&two, "bad_signature", "");
    let mut old = v.clone();
    old["version"] = Value::from(1);
    resign(&mut old, &key(1));
    expect(&old, "invalid_content", "version 1");
    let mut token = v.clone();
    token["grants"][0]["token_hash"] = Value::from("00");
    expect(&token, "schema_violation", "token_hash");
    // Counts no vault records, which would overflow the sums that list grants and reports.
    let mut huge = v.clone();
    huge["access_log"][0]["requests"] = Value::from(1u64 << 32);
    resign(&mut huge, &key(1));
    expect(&huge, "schema_violation", "/access_log/0/requests");
    let mut huge = v.clone();
    huge["access_days"][0]["requests"] = Value::from(u64::from(u32::MAX) + 1);
    resign(&mut huge, &key(1));
    expect(&huge, "schema_violation", "/access_days/0/requests");
    let mut huge = v;
    huge["disclosure_days"][0]["times"] = Value::from(u64::from(u32::MAX) + 1);
    resign(&mut huge, &key(1));
    expect(&huge, "schema_violation", "/times");
}
