//! Reading an export document back: JSON, format, version, schema, every belief and access-log
//! entry one at a time, the manifest, the signature, then the domain types. The checked document
//! keeps its text, not its beliefs and log entries: they are read from it again, a batch at a
//! time, as an import writes them, so that an import holds the file and one batch.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use rayon::prelude::*;
use selfmodel_core::{Belief, Hash};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{ArchiveError, Result};
use crate::unique::{self, Members, Unique};
use crate::{
    Access, Contents, Counts, FORMAT, Filter, MAX_FILE_BYTES, Record, STREAMED, VERSION, canonical,
    convert, record, schema, sign, wire,
};

/// An export document read back and checked whole: the schema, every belief and log entry,
/// its manifest and its signature.
pub struct Parsed {
    /// Everything it holds but its beliefs and its detailed access log (`beliefs` and
    /// `record.access` are empty here): [`Parsed::beliefs`] and [`Parsed::access`] read those
    /// from the text again, and [`Parsed::contents`] reads everything.
    pub head: Contents,
    /// Items per section.
    pub counts: Counts,
    /// Hex SHA-256 of the canonical beliefs section (checked).
    pub beliefs_sha256: String,
    /// The key that signed it, hex (the signature is checked; whose key it is, is not).
    pub public_key: String,
    /// The document's JSON (wiped when dropped: an encrypted file's is its plaintext).
    text: Zeroizing<Vec<u8>>,
    /// Where each belief stands in `text`.
    beliefs: Vec<Span>,
    /// Where each detailed access-log entry stands in `text`.
    access: Vec<Span>,
    /// Each detailed access-log entry's position in the exporting vault's log.
    access_seq: Vec<u64>,
}

/// Where an element stands in the text: at most 512 MiB, so `u32` offsets.
type Span = (u32, u32);

impl std::fmt::Debug for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parsed")
            .field("head", &self.head)
            .field("counts", &self.counts)
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

impl Parsed {
    /// The beliefs, in the file's order, a batch at a time (read on every core). They were
    /// checked when the document was parsed: an error here means the text changed under it.
    pub fn beliefs(&self) -> impl Iterator<Item = Result<Vec<Belief>>> + '_ {
        self.batches(&self.beliefs, "beliefs", |text, path| {
            convert::belief_in(read_again(text, path)?, path)
        })
    }

    /// The detailed access log, in the file's order, a batch at a time (read on every core).
    pub fn access(&self) -> impl Iterator<Item = Result<Vec<Access>>> + '_ {
        self.batches(&self.access, "access_log", |text, path| {
            record::access_in(read_again(text, path)?, path)
        })
    }

    /// The elements of `section` at `spans`, in order, a batch at a time, each read on every
    /// core from its text and JSON Pointer.
    fn batches<'a, T: Send>(
        &'a self,
        spans: &'a [Span],
        section: &'static str,
        read: impl Fn(&[u8], &str) -> Result<T> + Sync + 'a,
    ) -> impl Iterator<Item = Result<Vec<T>>> + 'a {
        spans
            .chunks(PARALLEL_BATCH)
            .enumerate()
            .map(move |(b, batch)| {
                read_batch(batch, b, |i, &(start, end)| {
                    let path = format!("/{section}/{i}");
                    read(&self.text[start as usize..end as usize], &path)
                })
                .collect()
            })
    }

    /// How many detailed access-log entries come after position `seq` of the exporting vault's
    /// log.
    pub fn access_after(&self, seq: u64) -> u64 {
        self.access_seq.iter().filter(|&&s| s > seq).count() as u64
    }

    /// Everything, beliefs and log entries included.
    pub fn contents(&self) -> Result<Contents> {
        let mut contents = self.head.clone();
        for batch in self.beliefs() {
            contents.beliefs.extend(batch?);
        }
        for batch in self.access() {
            contents.record.access.extend(batch?);
        }
        Ok(contents)
    }
}

/// Reads an export document from its JSON, checking in order: JSON, format, version, the
/// schema, every access-log entry (schema) and belief (schema, then conversion to domain
/// types), the manifest's counts and beliefs hash, the signature, then the record: grants,
/// sets, compacted days and tombstones, then the log entries in domain terms and the sets they
/// name; every text of the record is screened. Errors name the JSON path. Beliefs and log
/// entries are parsed a batch at a time from the input and not kept; every value is held to
/// 128 levels of nesting. Domain rules that depend on a vault's catalogue are the importer's
/// to check.
pub fn parse(json: impl Into<Zeroizing<Vec<u8>>>) -> Result<Parsed> {
    // Wiped when dropped, refused or not: an encrypted file's plaintext is here.
    let json = json.into();
    if json.len() as u64 > MAX_FILE_BYTES {
        return Err(ArchiveError::TooLarge {
            size: json.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    let checked = check(&json)?;
    Ok(Parsed {
        head: checked.head,
        counts: checked.counts,
        beliefs_sha256: checked.beliefs_sha256,
        public_key: checked.public_key,
        beliefs: checked.beliefs,
        access: checked.access,
        access_seq: checked.access_seq,
        text: json,
    })
}

/// What [`check`] finds in a text it borrows.
struct Checked {
    head: Contents,
    counts: Counts,
    beliefs_sha256: String,
    public_key: String,
    beliefs: Vec<Span>,
    access: Vec<Span>,
    access_seq: Vec<u64>,
}

fn check(json: &[u8]) -> Result<Checked> {
    // The top level as raw members: syntax is checked, nothing is built yet.
    let Members { members, twice } = serde_json::from_slice(json).map_err(top_level_error)?;
    if let Some(name) = twice {
        return Err(ArchiveError::invalid("/", unique::twice(&name)));
    }
    let mut rest = serde_json::Map::new();
    let mut raw_beliefs: Vec<&RawValue> = Vec::new();
    let mut raw_access: Vec<&RawValue> = Vec::new();
    for (name, raw) in members {
        // The large sections are held as raw elements and parsed one at a time.
        if STREAMED.contains(&name.as_str())
            && let Ok(list) = serde_json::from_str::<Vec<&RawValue>>(raw.get())
        {
            if name == "beliefs" {
                raw_beliefs = list;
            } else {
                raw_access = list;
            }
            rest.insert(name, Value::Array(Vec::new()));
            continue;
        }
        let Unique(value) =
            serde_json::from_str(raw.get()).map_err(|e| value_error(&format!("/{name}"), e))?;
        rest.insert(name, value);
    }
    let mut rest = Value::Object(rest);
    check_format(&rest)?;
    schema::check(&rest)?;
    let Some(obj) = rest.as_object_mut() else {
        return Err(ArchiveError::WrongFormat("not an object".into()));
    };

    // The signature is checked as the canonical beliefs are produced, one at a time: the
    // message is the context, the document without its signature cut around the beliefs,
    // and the beliefs between. A malformed key or signature is reported where the whole
    // check is, after the manifest's.
    let signature = obj.remove("signature").unwrap_or(Value::Null);
    let public_key = signature["public_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let parts = canonical::split_at(obj, &STREAMED);
    obj.insert("signature".into(), signature);
    let mut verifier = sign::Verifier::new(
        &public_key,
        rest["signature"]["signature"].as_str().unwrap_or_default(),
    );
    let mut feed = |piece: &[u8]| {
        if let Ok(v) = verifier.as_mut() {
            v.update(piece);
        }
    };
    feed(sign::CONTEXT);
    let empty = Vec::new();
    let part = |i: usize| parts.get(i).unwrap_or(&empty);
    feed(part(0));

    // A log entry's own errors and the sets it names are reported with the rest of the record,
    // after the signature, as the first in the file's order.
    let mut access_error: Option<(usize, ArchiveError)> = None;
    let mut sets_named: BTreeMap<u64, usize> = BTreeMap::new();
    let mut access_seq = Vec::with_capacity(raw_access.len());
    each_in_order(&raw_access, read_access, |i, one| {
        feed(if i == 0 { b"[" } else { b"," });
        feed(one.canonical.as_bytes());
        access_seq.push(one.seq);
        if let Some(set) = one.disclosed_set {
            sets_named.entry(set).or_insert(i);
        }
        if access_error.is_none()
            && let Err(e) = one.fault
        {
            access_error = Some((i, e));
        }
        Ok(())
    })?;
    feed(if raw_access.is_empty() { b"[]" } else { b"]" });
    feed(part(1));

    let mut hasher = Sha256::new();
    let mut ids = HashSet::with_capacity(raw_beliefs.len());
    let (mut evidence, mut history) = (0u64, 0u64);
    each_in_order(&raw_beliefs, read_belief, |i, one| {
        let open: &[u8] = if i == 0 { b"[" } else { b"," };
        for piece in [open, one.canonical.as_bytes()] {
            hasher.update(piece);
            feed(piece);
        }
        evidence += one.evidence;
        history += one.history;
        if !ids.insert(one.id) {
            return Err(ArchiveError::invalid(
                format!("/beliefs/{i}/id"),
                format!("belief {} appears twice", one.id),
            ));
        }
        Ok(())
    })?;
    drop(ids);
    let close: &[u8] = if raw_beliefs.is_empty() { b"[]" } else { b"]" };
    hasher.update(close);
    feed(close);
    feed(part(2));

    let counted = Counts {
        belief_types: len(&rest["belief_types"]),
        purposes: len(&rest["purposes"]),
        beliefs: raw_beliefs.len() as u64,
        evidence,
        history,
        grants: len(&rest["grants"]),
        access_log: raw_access.len() as u64,
    };
    let beliefs_sha256 = hex::encode(hasher.finalize());
    let manifest: wire::Manifest = serde_json::from_value(rest["manifest"].clone())
        .map_err(|e| ArchiveError::invalid("/manifest", e.to_string()))?;
    if manifest.counts != counted {
        return Err(ArchiveError::ManifestMismatch(format!(
            "the manifest counts {:?}, the document holds {:?}",
            manifest.counts, counted
        )));
    }
    if manifest.beliefs_sha256 != beliefs_sha256 {
        return Err(ArchiveError::ManifestMismatch(format!(
            "the beliefs section hashes to {beliefs_sha256}, the manifest says {}",
            manifest.beliefs_sha256
        )));
    }
    verifier?.finish()?;

    let mut doc: wire::Document =
        serde_json::from_value(rest).map_err(|e| ArchiveError::Schema {
            path: String::new(),
            message: e.to_string(),
            more: 0,
        })?;
    let record = record::read(&mut doc)?;
    let unnamed = sets_named
        .iter()
        .filter(|(set, _)| !record.disclosure_sets.contains_key(set))
        .map(|(set, i)| (*i, *set))
        .min();
    match (access_error, unnamed) {
        (Some((i, e)), u) if u.is_none_or(|(j, _)| i < j) => return Err(e),
        (_, Some((i, set))) => {
            return Err(ArchiveError::invalid(
                format!("/access_log/{i}/disclosed_set"),
                format!("no disclosure set {set}"),
            ));
        }
        _ => {}
    }
    if doc.version == 1 && !(record.is_empty() && raw_access.is_empty()) {
        return Err(ArchiveError::invalid(
            "/version",
            "a version 1 file holds no grants, access log or tombstones",
        ));
    }
    let mut head = contents_in(doc)?;
    head.record = record;
    Ok(Checked {
        head,
        counts: counted,
        beliefs_sha256,
        public_key,
        beliefs: spans(json, &raw_beliefs),
        access: spans(json, &raw_access),
        access_seq,
    })
}

/// Where each raw element stands in the text it was read from.
fn spans(text: &[u8], raws: &[&RawValue]) -> Vec<Span> {
    let base = text.as_ptr() as usize;
    raws.iter()
        .map(|raw| {
            let Range { start, end } = raw.get().as_bytes().as_ptr_range();
            // The file is at most 512 MiB (`MAX_FILE_BYTES`): its offsets fit in `u32`.
            let span = ((start as usize - base) as u32, (end as usize - base) as u32);
            debug_assert_eq!(
                &text[span.0 as usize..span.1 as usize],
                raw.get().as_bytes()
            );
            span
        })
        .collect()
}

/// One access-log entry of the file, read and checked.
struct ReadAccess {
    /// Its canonical JSON, which the signature covers.
    canonical: String,
    seq: u64,
    disclosed_set: Option<u64>,
    /// What is wrong with it in domain terms, reported with the rest of the record.
    fault: Result<()>,
}

/// An element of a large section as a JSON value, checked against its schema, with the
/// canonical form the signature covers.
fn checked_value(
    raw: &RawValue,
    path: &str,
    schema: fn(&Value, &str) -> Result<()>,
) -> Result<(Value, String)> {
    let Unique(value) = serde_json::from_str(raw.get()).map_err(|e| value_error(path, e))?;
    schema(&value, path)?;
    let mut canonical = String::new();
    canonical::write_value(&value, &mut canonical);
    Ok((value, canonical))
}

/// Reads the `i`th access-log entry: JSON, schema, canonical form, domain types and texts.
fn read_access(i: usize, raw: &RawValue) -> Result<ReadAccess> {
    let path = format!("/access_log/{i}");
    let (value, canonical) = checked_value(raw, &path, schema::check_access)?;
    let entry: wire::Access = serde_json::from_value(value)
        .map_err(|e| ArchiveError::invalid(path.as_str(), e.to_string()))?;
    Ok(ReadAccess {
        canonical,
        seq: entry.seq,
        disclosed_set: entry.disclosed_set,
        fault: record::access_in(entry, &path).and_then(|a| record::screen_access(&a, &path)),
    })
}

/// Reads `raws` a batch at a time on every core, then hands each to `visit` with its index in
/// the file's order: the hashes see the same bytes and the first error in the file is the one
/// reported.
fn each_in_order<T: Send>(
    raws: &[&RawValue],
    read: impl Fn(usize, &RawValue) -> Result<T> + Sync,
    mut visit: impl FnMut(usize, T) -> Result<()>,
) -> Result<()> {
    for (b, batch) in raws.chunks(PARALLEL_BATCH).enumerate() {
        let read: Vec<_> = read_batch(batch, b, |i, raw| read(i, raw)).collect();
        for (j, one) in read.into_iter().enumerate() {
            visit(b * PARALLEL_BATCH + j, one?)?;
        }
    }
    Ok(())
}

/// The `b`th batch of a section, each element read on every core with its index in the file,
/// in order.
fn read_batch<'a, I: Sync, T: Send>(
    batch: &'a [I],
    b: usize,
    read: impl Fn(usize, &I) -> Result<T> + Sync + Send + 'a,
) -> impl IndexedParallelIterator<Item = Result<T>> + 'a {
    batch
        .par_iter()
        .enumerate()
        .map(move |(j, one)| read(b * PARALLEL_BATCH + j, one))
}

/// Beliefs or log entries read in parallel at a time: enough to share out, few enough to hold.
const PARALLEL_BATCH: usize = 1024;

/// One belief of the file, read and checked.
struct ReadBelief {
    /// Its canonical JSON, which the manifest's hash and the signature cover.
    canonical: String,
    evidence: u64,
    history: u64,
    id: selfmodel_core::BeliefId,
}

/// Reads the `i`th belief: JSON, schema, canonical form, domain types.
fn read_belief(i: usize, raw: &RawValue) -> Result<ReadBelief> {
    let path = format!("/beliefs/{i}");
    let (value, canonical) = checked_value(raw, &path, schema::check_belief)?;
    let (evidence, history) = (len(&value["evidence"]), len(&value["history"]));
    Ok(ReadBelief {
        canonical,
        evidence,
        history,
        id: convert::belief_in(
            serde_json::from_value(value)
                .map_err(|e| ArchiveError::invalid(path.as_str(), e.to_string()))?,
            &path,
        )?
        .id,
    })
}

/// An element of the checked text, read again into its wire type straight from the text (the
/// check refused members written twice, so the text reads as the check read it).
fn read_again<W: serde::de::DeserializeOwned>(text: &[u8], path: &str) -> Result<W> {
    serde_json::from_slice(text).map_err(|e| value_error(path, e))
}

/// The top level: not JSON, truncated, or JSON but not an object.
fn top_level_error(e: serde_json::Error) -> ArchiveError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => ArchiveError::WrongFormat(
            "the JSON is not an object with \"format\": \"selfmodel-export\"".into(),
        ),
        _ => json_error(e),
    }
}

/// One member's value (its syntax is already checked): a member written twice, too deep, or
/// otherwise unreadable.
fn value_error(path: &str, e: serde_json::Error) -> ArchiveError {
    if e.classify() == serde_json::error::Category::Data {
        return ArchiveError::invalid(path, e.to_string());
    }
    match json_error(e) {
        ArchiveError::TooDeep(m) => ArchiveError::TooDeep(format!("at {path}: {m}")),
        other => ArchiveError::invalid(path, other.to_string()),
    }
}

fn json_error(e: serde_json::Error) -> ArchiveError {
    use serde_json::error::Category;
    let text = e.to_string();
    match e.classify() {
        Category::Eof => ArchiveError::Truncated(format!("the JSON ends early ({text})")),
        _ if text.contains("recursion limit") => {
            ArchiveError::TooDeep(format!("more than 128 levels ({text})"))
        }
        _ => ArchiveError::NotJson(text),
    }
}

fn check_format(v: &Value) -> Result<()> {
    let Some(obj) = v.as_object() else {
        return Err(ArchiveError::WrongFormat(
            "the JSON is not an object with \"format\": \"selfmodel-export\"".into(),
        ));
    };
    match obj.get("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        Some(other) => {
            return Err(ArchiveError::WrongFormat(format!(
                "its \"format\" is {}, not \"{FORMAT}\"",
                short(other)
            )));
        }
        None => {
            return Err(ArchiveError::WrongFormat(format!(
                "it has no \"format\": \"{FORMAT}\" member"
            )));
        }
    }
    match obj.get("version") {
        Some(v) if v.as_u64().is_some_and(|v| (1..=VERSION).contains(&v)) => Ok(()),
        Some(other) => Err(ArchiveError::UnsupportedVersion {
            found: short(other),
            supported: VERSION,
        }),
        None => Err(ArchiveError::UnsupportedVersion {
            found: "(none)".into(),
            supported: VERSION,
        }),
    }
}

/// A value for an error message, cut short.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

fn len(v: &Value) -> u64 {
    v.as_array().map_or(0, |a| a.len() as u64)
}

fn contents_in(doc: wire::Document) -> Result<Contents> {
    let exported_at = convert::time_in(&doc.exported_at, "/exported_at")?;
    let mut seen = HashSet::new();
    let mut purposes = Vec::with_capacity(doc.purposes.len());
    for (i, p) in doc.purposes.into_iter().enumerate() {
        if !seen.insert(p.id.clone()) {
            return Err(ArchiveError::invalid(
                format!("/purposes/{i}/id"),
                format!("purpose '{}' appears twice", p.id),
            ));
        }
        purposes.push(convert::purpose_in(p));
    }
    seen.clear();
    let mut types = Vec::with_capacity(doc.belief_types.len());
    for (i, t) in doc.belief_types.into_iter().enumerate() {
        if !seen.insert(t.id.clone()) {
            return Err(ArchiveError::invalid(
                format!("/belief_types/{i}/id"),
                format!("belief type '{}' appears twice", t.id),
            ));
        }
        types.push(convert::belief_type_in(t, &format!("/belief_types/{i}"))?);
    }
    let filter = match doc.manifest.filter {
        wire::Filter::All(_) => Filter::All,
        wire::Filter::Subset(s) => Filter::Subset {
            categories: s.categories.into_iter().collect(),
            purposes: s.purposes.into_iter().collect(),
            beliefs: s
                .beliefs
                .iter()
                .enumerate()
                .map(|(i, id)| convert::id_in(id, &format!("/manifest/filter/beliefs/{i}")))
                .collect::<Result<_>>()?,
        },
    };
    let mut head = [0u8; 32];
    hex::decode_to_slice(&doc.audit_head.hash, &mut head)
        .map_err(|_| ArchiveError::invalid("/audit_head/hash", "not 32 bytes of hex"))?;
    Ok(Contents {
        vault_id: doc.vault,
        exported_at,
        catalogue: selfmodel_core::Catalogue { types, purposes },
        beliefs: Vec::new(),
        audit_head: (doc.audit_head.events, Hash(head)),
        filter,
        record: Record::default(),
    })
}
