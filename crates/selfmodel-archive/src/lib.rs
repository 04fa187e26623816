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

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use selfmodel_core::audit::canonical_time;
use selfmodel_core::{Belief, BeliefId, Catalogue, Hash};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use canonical::to_vec as canonical_json;
pub use crypt::{
    Envelope, Identities, Key, Protection, Recipient, WORK_FACTOR_RANGE, generate_identity, seal,
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
    /// The document as pretty-printed JSON.
    pub json: Vec<u8>,
    /// Items per section.
    pub counts: Counts,
    /// Hex SHA-256 of the canonical beliefs section.
    pub beliefs_sha256: String,
    /// The signing key, hex.
    pub public_key: String,
}

/// Builds the signed document for `contents`.
pub fn build(contents: &Contents, signer: &dyn Signer) -> Result<Built> {
    let beliefs: Vec<wire::Belief> = contents.beliefs.iter().map(convert::belief_out).collect();
    let counts = Counts {
        belief_types: contents.catalogue.types.len() as u64,
        purposes: contents.catalogue.purposes.len() as u64,
        beliefs: beliefs.len() as u64,
        evidence: beliefs.iter().map(|b| b.evidence.len() as u64).sum(),
        history: beliefs.iter().map(|b| b.history.len() as u64).sum(),
        grants: 0,
        access_log: 0,
    };
    let public_key = hex::encode(signer.public_key());
    let mut doc = wire::Document {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: canonical_time(&contents.exported_at),
        vault: contents.vault_id.clone(),
        belief_types: contents
            .catalogue
            .types
            .iter()
            .map(convert::belief_type_out)
            .collect(),
        purposes: contents
            .catalogue
            .purposes
            .iter()
            .map(convert::purpose_out)
            .collect(),
        beliefs,
        grants: Vec::new(),
        access_log: Vec::new(),
        audit_head: wire::AuditHead {
            events: contents.audit_head.0,
            hash: contents.audit_head.1.to_hex(),
        },
        manifest: wire::Manifest {
            counts,
            beliefs_sha256: String::new(),
            filter: filter_out(&contents.filter),
        },
        signature: wire::Signature {
            algorithm: sign::ALGORITHM.into(),
            public_key: public_key.clone(),
            signature: String::new(),
        },
    };
    let mut value = serde_json::to_value(&doc).map_err(|e| ArchiveError::Encrypt(e.to_string()))?;
    let beliefs_sha256 = hex::encode(Sha256::digest(canonical::to_vec(&value["beliefs"])));
    value["manifest"]["beliefs_sha256"] = Value::String(beliefs_sha256.clone());
    if let Some(obj) = value.as_object_mut() {
        obj.remove("signature");
    }
    let signature = signer.sign(&sign::message(&canonical::to_vec(&value)));
    drop(value);
    doc.manifest.beliefs_sha256 = beliefs_sha256.clone();
    doc.signature.signature = hex::encode(signature);
    let mut json =
        serde_json::to_vec_pretty(&doc).map_err(|e| ArchiveError::Encrypt(e.to_string()))?;
    json.push(b'\n');
    Ok(Built {
        json,
        counts,
        beliefs_sha256,
        public_key,
    })
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

/// Reads an export document from JSON bytes, checking in order: JSON (nesting is limited to 128
/// levels), format, version, the schema, the manifest's counts and beliefs hash, the signature,
/// and finally every value's conversion to domain types. Errors name the JSON path.
/// Domain rules that depend on a vault's catalogue are the importer's to check.
pub fn parse(json: &[u8]) -> Result<Parsed> {
    if json.len() as u64 > MAX_FILE_BYTES {
        return Err(ArchiveError::TooLarge {
            size: json.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    let mut value: Value = serde_json::from_slice(json).map_err(json_error)?;
    check_format(&value)?;
    schema::check(&value)?;

    let counted = Counts {
        belief_types: len(&value["belief_types"]),
        purposes: len(&value["purposes"]),
        beliefs: len(&value["beliefs"]),
        evidence: sum_len(&value["beliefs"], "evidence"),
        history: sum_len(&value["beliefs"], "history"),
        grants: len(&value["grants"]),
        access_log: len(&value["access_log"]),
    };
    let beliefs_sha256 = hex::encode(Sha256::digest(canonical::to_vec(&value["beliefs"])));
    let manifest: wire::Manifest = serde_json::from_value(value["manifest"].clone())
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
    let signature = value
        .as_object_mut()
        .and_then(|o| o.remove("signature"))
        .unwrap_or(Value::Null);
    let public_key = signature["public_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    sign::verify(
        &public_key,
        signature["signature"].as_str().unwrap_or_default(),
        &sign::message(&canonical::to_vec(&value)),
    )?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert("signature".into(), signature);
    }

    let doc: wire::Document = serde_json::from_value(value).map_err(|e| ArchiveError::Schema {
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
    let contents = contents_in(doc)?;
    Ok(Parsed {
        contents,
        counts: counted,
        beliefs_sha256,
        public_key,
    })
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

fn sum_len(beliefs: &Value, field: &str) -> u64 {
    beliefs
        .as_array()
        .map_or(0, |a| a.iter().map(|b| len(&b[field])).sum())
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
    let mut ids = HashSet::with_capacity(doc.beliefs.len());
    let mut beliefs = Vec::with_capacity(doc.beliefs.len());
    for (i, b) in doc.beliefs.into_iter().enumerate() {
        let path = format!("/beliefs/{i}");
        let belief = convert::belief_in(b, &path)?;
        if !ids.insert(belief.id) {
            return Err(ArchiveError::invalid(
                format!("{path}/id"),
                format!("belief {} appears twice", belief.id),
            ));
        }
        beliefs.push(belief);
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
