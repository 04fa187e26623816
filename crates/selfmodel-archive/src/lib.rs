//! Selfmodel's portable export: one versioned JSON document (`docs/export.schema.json`) holding a
//! person's whole self-model or a subset of it, signed with the vault's Ed25519 key and
//! optionally encrypted with age. This is the only crate that knows the file format or names
//! `age`; it does no vault IO.
//!
//! Writing: [`build`] turns domain [`Contents`] into signed JSON, [`seal`] encrypts it, and
//! [`AtomicFile`] puts it in place. Reading: [`SealedFile::read`] reads with a size cap and tells
//! age from plain files, [`SealedFile::open`] decrypts and runs [`parse`], which checks format,
//! version, schema, manifest and signature before converting anything to domain types.

mod canonical;
mod convert;
mod crypt;
mod error;
mod file;
mod schema;
mod sign;
pub mod wire;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use selfmodel_core::audit::canonical_time;
use selfmodel_core::{Belief, BeliefId, Catalogue, Hash};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

pub use canonical::to_vec as canonical_json;
pub use crypt::{
    Envelope, Identities, Key, Protection, Recipient, WORK_FACTOR_RANGE, generate_identity, seal,
    seal_with,
};
pub use error::{ArchiveError, Result};
pub use file::{AtomicFile, read_capped};
pub use schema::SCHEMA_JSON;
pub use sign::{CONTEXT as SIGNATURE_CONTEXT, Signer};
pub use wire::Counts;

/// The `format` of every export.
pub const FORMAT: &str = "selfmodel-export";
/// The format version this build writes and reads.
pub const VERSION: u64 = 1;
/// The largest file, encrypted or not, and the largest decrypted document accepted: 512 MiB.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Which beliefs an export holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Filter {
    /// All of them.
    #[default]
    All,
    /// Those matching every non-empty set: category in `categories`, carrying one of `purposes`,
    /// id in `beliefs`.
    Subset {
        /// Category ids.
        categories: BTreeSet<String>,
        /// Purpose ids.
        purposes: BTreeSet<String>,
        /// Belief ids.
        beliefs: BTreeSet<BeliefId>,
    },
}

impl Filter {
    /// Whether `b` is included.
    pub fn matches(&self, b: &Belief) -> bool {
        match self {
            Self::All => true,
            Self::Subset {
                categories,
                purposes,
                beliefs,
            } => {
                (categories.is_empty() || categories.contains(&b.category))
                    && (purposes.is_empty() || b.purposes.iter().any(|p| purposes.contains(p)))
                    && (beliefs.is_empty() || beliefs.contains(&b.id))
            }
        }
    }
}

/// What an export holds, in domain terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Contents {
    /// The id of the vault it comes from.
    pub vault_id: String,
    /// When it was made.
    pub exported_at: DateTime<Utc>,
    /// Belief types and purposes.
    pub catalogue: Catalogue,
    /// Beliefs, oldest first.
    pub beliefs: Vec<Belief>,
    /// The audit chain's event count and head hash at export time.
    pub audit_head: (u64, Hash),
    /// What was asked for.
    pub filter: Filter,
}

/// A signed export document, ready to be sealed and written.
pub struct Built {
    document: wire::Document,
    /// Items per section.
    pub counts: Counts,
    /// Hex SHA-256 of the canonical beliefs section.
    pub beliefs_sha256: String,
    /// The signing key, hex.
    pub public_key: String,
}

impl Built {
    /// Writes the document as pretty-printed JSON with a final newline.
    pub fn write_to(&self, w: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, &self.document)?;
        w.write_all(b"\n")
    }

    /// The document as pretty-printed JSON with a final newline.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = self.write_to(&mut out);
        out
    }
}

/// Builds the signed document for `contents`. Beliefs are converted and canonicalised one at a
/// time, so memory stays a small multiple of the document's size.
pub fn build(contents: Contents, signer: &dyn Signer) -> Result<Built> {
    let Contents {
        vault_id,
        exported_at,
        catalogue,
        beliefs,
        audit_head,
        filter,
    } = contents;
    let beliefs: Vec<wire::Belief> = beliefs.iter().map(convert::belief_out).collect();
    let mut canon = canonical::ArrayWriter::default();
    for b in &beliefs {
        canon.push(&serde_json::to_value(b).map_err(serialize_error)?);
    }
    let beliefs_canonical = canon.finish();
    let beliefs_sha256 = hex::encode(Sha256::digest(&beliefs_canonical));
    let counts = Counts {
        belief_types: catalogue.types.len() as u64,
        purposes: catalogue.purposes.len() as u64,
        beliefs: beliefs.len() as u64,
        evidence: beliefs.iter().map(|b| b.evidence.len() as u64).sum(),
        history: beliefs.iter().map(|b| b.history.len() as u64).sum(),
        grants: 0,
        access_log: 0,
    };
    let public_key = hex::encode(signer.public_key());
    let mut document = wire::Document {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: canonical_time(&exported_at),
        vault: vault_id,
        belief_types: catalogue
            .types
            .iter()
            .map(convert::belief_type_out)
            .collect(),
        purposes: catalogue
            .purposes
            .iter()
            .map(convert::purpose_out)
            .collect(),
        beliefs: Vec::new(),
        grants: Vec::new(),
        access_log: Vec::new(),
        audit_head: wire::AuditHead {
            events: audit_head.0,
            hash: audit_head.1.to_hex(),
        },
        manifest: wire::Manifest {
            counts,
            beliefs_sha256: beliefs_sha256.clone(),
            filter: filter_out(&filter),
        },
        signature: wire::Signature {
            algorithm: sign::ALGORITHM.into(),
            public_key: public_key.clone(),
            signature: String::new(),
        },
    };
    let mut rest = match serde_json::to_value(&document).map_err(serialize_error)? {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    rest.remove("signature");
    let mut message = sign::CONTEXT.to_vec();
    canonical::write_with_member(&mut message, &rest, "beliefs", &beliefs_canonical);
    drop(beliefs_canonical);
    let signature = signer.sign(&message);
    drop(message);
    document.beliefs = beliefs;
    document.signature.signature = hex::encode(signature);
    Ok(Built {
        document,
        counts,
        beliefs_sha256,
        public_key,
    })
}

fn serialize_error(e: serde_json::Error) -> ArchiveError {
    ArchiveError::Io(std::io::Error::other(e))
}

fn filter_out(f: &Filter) -> wire::Filter {
    match f {
        Filter::All => wire::Filter::All(wire::AllTag::All),
        Filter::Subset {
            categories,
            purposes,
            beliefs,
        } => wire::Filter::Subset(wire::Subset {
            categories: categories.iter().cloned().collect(),
            purposes: purposes.iter().cloned().collect(),
            beliefs: beliefs.iter().map(ToString::to_string).collect(),
        }),
    }
}

/// An export document read back: checked against the schema, its manifest and its signature.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// What it holds.
    pub contents: Contents,
    /// Items per section.
    pub counts: Counts,
    /// Hex SHA-256 of the canonical beliefs section (checked).
    pub beliefs_sha256: String,
    /// The key that signed it, hex (the signature is checked; whose key it is, is not).
    pub public_key: String,
}

/// Reads an export document from JSON bytes, checking in order: JSON, format, version, the
/// schema, every belief (schema, then conversion to domain types), the manifest's counts and
/// beliefs hash, and the signature. Errors name the JSON path. Beliefs are parsed one at a
/// time from the input; every value is held to 128 levels of nesting. Domain rules that depend
/// on a vault's catalogue are the importer's to check.
pub fn parse(json: &[u8]) -> Result<Parsed> {
    if json.len() as u64 > MAX_FILE_BYTES {
        return Err(ArchiveError::TooLarge {
            size: json.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    // The top level as raw members: syntax is checked, nothing is built yet.
    let members: BTreeMap<String, &RawValue> =
        serde_json::from_slice(json).map_err(top_level_error)?;
    let mut rest = serde_json::Map::new();
    let mut raw_beliefs: Vec<&RawValue> = Vec::new();
    for (name, raw) in members {
        if name == "beliefs"
            && let Ok(list) = serde_json::from_str::<Vec<&RawValue>>(raw.get())
        {
            raw_beliefs = list;
            rest.insert(name, Value::Array(Vec::new()));
            continue;
        }
        let value =
            serde_json::from_str(raw.get()).map_err(|e| value_error(&format!("/{name}"), e))?;
        rest.insert(name, value);
    }
    let mut rest = Value::Object(rest);
    check_format(&rest)?;
    schema::check(&rest)?;

    let mut canon = canonical::ArrayWriter::default();
    let mut beliefs = Vec::with_capacity(raw_beliefs.len());
    let mut ids = HashSet::with_capacity(raw_beliefs.len());
    let (mut evidence, mut history) = (0u64, 0u64);
    for (i, raw) in raw_beliefs.iter().enumerate() {
        let path = format!("/beliefs/{i}");
        let value: Value = serde_json::from_str(raw.get()).map_err(|e| value_error(&path, e))?;
        schema::check_belief(&value, &path)?;
        canon.push(&value);
        evidence += len(&value["evidence"]);
        history += len(&value["history"]);
        let wire: wire::Belief = serde_json::from_value(value)
            .map_err(|e| ArchiveError::invalid(path.as_str(), e.to_string()))?;
        let belief = convert::belief_in(wire, &path)?;
        if !ids.insert(belief.id) {
            return Err(ArchiveError::invalid(
                format!("{path}/id"),
                format!("belief {} appears twice", belief.id),
            ));
        }
        beliefs.push(belief);
    }
    let beliefs_canonical = canon.finish();

    let counted = Counts {
        belief_types: len(&rest["belief_types"]),
        purposes: len(&rest["purposes"]),
        beliefs: raw_beliefs.len() as u64,
        evidence,
        history,
        grants: len(&rest["grants"]),
        access_log: len(&rest["access_log"]),
    };
    let beliefs_sha256 = hex::encode(Sha256::digest(&beliefs_canonical));
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
    let Some(obj) = rest.as_object_mut() else {
        return Err(ArchiveError::WrongFormat("not an object".into()));
    };
    let signature = obj.remove("signature").unwrap_or(Value::Null);
    let public_key = signature["public_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut message = sign::CONTEXT.to_vec();
    canonical::write_with_member(&mut message, obj, "beliefs", &beliefs_canonical);
    drop(beliefs_canonical);
    sign::verify(
        &public_key,
        signature["signature"].as_str().unwrap_or_default(),
        &message,
    )?;
    drop(message);
    obj.insert("signature".into(), signature);

    let doc: wire::Document = serde_json::from_value(rest).map_err(|e| ArchiveError::Schema {
        path: String::new(),
        message: e.to_string(),
        more: 0,
    })?;
    if !doc.grants.is_empty() || !doc.access_log.is_empty() {
        return Err(ArchiveError::Unsupported(
            "the file holds grants or an access log, which this version of Selfmodel cannot import"
                .into(),
        ));
    }
    let contents = contents_in(doc, beliefs)?;
    Ok(Parsed {
        contents,
        counts: counted,
        beliefs_sha256,
        public_key,
    })
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

/// One member's value (its syntax is already checked): too deep, or otherwise unreadable.
fn value_error(path: &str, e: serde_json::Error) -> ArchiveError {
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
        Some(v) if v.as_u64() == Some(VERSION) => Ok(()),
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

fn contents_in(doc: wire::Document, beliefs: Vec<Belief>) -> Result<Contents> {
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
        catalogue: Catalogue { types, purposes },
        beliefs,
        audit_head: (doc.audit_head.events, Hash(head)),
        filter,
    })
}

/// An export file as read from disk, before decryption.
pub struct SealedFile {
    bytes: Vec<u8>,
    sha256: String,
    envelope: Envelope,
}

impl SealedFile {
    /// Reads a file of at most [`MAX_FILE_BYTES`] and tells what it is.
    pub fn read(path: &Path) -> Result<Self> {
        Self::from_bytes(read_capped(path, MAX_FILE_BYTES)?)
    }

    /// Takes a file's bytes and tells what they are.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ArchiveError::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_FILE_BYTES,
            });
        }
        let envelope = Envelope::detect(&bytes)?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Ok(Self {
            bytes,
            sha256,
            envelope,
        })
    }

    /// Plain, or age with a passphrase or to recipients.
    pub fn envelope(&self) -> Envelope {
        self.envelope
    }

    /// Hex SHA-256 of the file's bytes as stored (the ciphertext, for age files).
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Decrypts (age files need `key`) and parses.
    pub fn open(self, key: Option<&Key>) -> Result<ExportFile> {
        let parsed = match (self.envelope, key) {
            (Envelope::Plain, _) => parse(&self.bytes)?,
            (Envelope::Age { passphrase, .. }, None) => {
                return Err(ArchiveError::KeyRequired(if passphrase {
                    "the file is encrypted with an age passphrase; none was given".into()
                } else {
                    "the file is encrypted to age recipients; give an identity file (--identity KEYFILE)".into()
                }));
            }
            (Envelope::Age { .. }, Some(key)) => {
                let plain = crypt::open(&self.bytes, key, MAX_FILE_BYTES)?;
                drop(self.bytes);
                parse(&plain)?
            }
        };
        Ok(ExportFile {
            parsed,
            file_sha256: self.sha256,
            envelope: self.envelope,
        })
    }
}

/// An export file, decrypted, checked and parsed.
pub struct ExportFile {
    /// The document.
    pub parsed: Parsed,
    /// Hex SHA-256 of the file as stored.
    pub file_sha256: String,
    /// How it was stored.
    pub envelope: Envelope,
}
