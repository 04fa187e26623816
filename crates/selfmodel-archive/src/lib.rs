//! Selfmodel's portable export: one versioned JSON document (`docs/export.schema.json`) holding a
//! person's whole self-model or a subset of it, signed with the vault's Ed25519 key and
//! optionally encrypted with age. This is the only crate that knows the file format or names
//! `age`; it does no vault IO.
//!
//! Writing: a [`StreamWriter`] writes signed JSON as the beliefs arrive (one at a time, through
//! [`seal_with`]'s encryption, into an [`AtomicFile`]); [`build`] does the same in memory.
//! Reading: [`SealedFile::read`] reads with a size cap and tells age from plain files,
//! [`SealedFile::open`] decrypts and runs [`parse`], which checks format, version, schema,
//! every belief and log entry, manifest and signature (streamed over the canonical beliefs as
//! they are parsed). The [`Parsed`] document keeps its text, not its beliefs and log entries:
//! an import reads them again, a batch at a time, so it holds the file and one batch.

mod canonical;
mod convert;
mod crypt;
mod error;
mod file;
mod read;
mod record;
mod schema;
mod sign;
mod unique;
pub mod wire;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use selfmodel_core::audit::canonical_time;
use selfmodel_core::{Belief, BeliefId, Catalogue, Hash};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use canonical::to_vec as canonical_json;
pub use convert::{belief_type_out, purpose_out};
pub use crypt::{
    Envelope, Identities, Key, Protection, Recipient, WORK_FACTOR_RANGE, generate_identity, seal,
    seal_with,
};
pub use error::{ArchiveError, Result};
pub use file::{AtomicFile, read_capped};
pub use read::{Parsed, parse};
pub use record::{Access, Record, Tombstones};
pub use schema::SCHEMA_JSON;
pub use sign::{CONTEXT as SIGNATURE_CONTEXT, Signer};
pub use wire::Counts;

/// The `format` of every export.
pub const FORMAT: &str = "selfmodel-export";
/// The format version this build writes. It reads it and version 1, which has no [`Record`].
pub const VERSION: u64 = 2;
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
    /// Grants, access log and tombstones (a whole export's).
    pub record: Record,
}

/// A signed export document, ready to be sealed and written.
pub struct Built {
    bytes: Vec<u8>,
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
        w.write_all(&self.bytes)
    }

    /// The document as pretty-printed JSON with a final newline.
    pub fn to_vec(&self) -> Vec<u8> {
        self.bytes.clone()
    }
}

/// Builds the signed document for `contents` in memory, through a [`StreamWriter`].
pub fn build(contents: Contents, signer: &dyn Signer) -> Result<Built> {
    let Contents {
        vault_id,
        exported_at,
        catalogue,
        beliefs,
        audit_head,
        filter,
        record,
    } = contents;
    let mut header = Header {
        vault_id,
        exported_at,
        catalogue,
        audit_head,
        filter,
        record,
    };
    let access = std::mem::take(&mut header.record.access);
    let mut bytes = Vec::new();
    let mut writer = StreamWriter::begin(header, &mut bytes)?;
    for a in &access {
        writer.sign_access(a)?;
    }
    for b in &beliefs {
        writer.push(b, &mut bytes)?;
    }
    let mut tail = writer.sign(signer, &mut bytes)?;
    for a in &access {
        tail.write_access(a, &mut bytes)?;
    }
    let summary = tail.finish(&mut bytes)?;
    Ok(Built {
        bytes,
        counts: summary.counts,
        beliefs_sha256: summary.beliefs_sha256,
        public_key: summary.public_key,
    })
}

/// Everything an export holds but its beliefs, which a [`StreamWriter`] takes one at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The id of the vault it comes from.
    pub vault_id: String,
    /// When it was made.
    pub exported_at: DateTime<Utc>,
    /// Belief types and purposes.
    pub catalogue: Catalogue,
    /// The audit chain's event count and head hash at export time.
    pub audit_head: (u64, Hash),
    /// What was asked for.
    pub filter: Filter,
    /// Grants, the compacted access log and tombstones (a whole export's). Its detailed access
    /// log is handed over an entry at a time ([`StreamWriter::sign_access`]); here it is empty.
    pub record: Record,
}

/// What a finished export holds and who signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Items per section.
    pub counts: Counts,
    /// Hex SHA-256 of the canonical beliefs section.
    pub beliefs_sha256: String,
    /// The signing key, hex.
    pub public_key: String,
}

/// Writes an export document as its access log and beliefs arrive, in the same bytes [`build`]
/// gives. The access log comes first in the canonical document the signature covers, the
/// beliefs first in the file: so the writer takes every access-log entry for the signature
/// ([`StreamWriter::sign_access`]), then every belief ([`StreamWriter::push`]: converted,
/// written as pretty-printed JSON and canonicalised one at a time), signs
/// ([`StreamWriter::sign`]), and then takes the access log again for the file
/// ([`StreamTail::write_access`]). Only the canonical document is held, since an Ed25519
/// signature reads its message twice; the manifest and the signature close the document.
pub struct StreamWriter {
    /// The document without its access log and beliefs, which are never held.
    document: wire::Document,
    /// [`sign::CONTEXT`], then the canonical document up to the beliefs, then the beliefs so
    /// far.
    message: Vec<u8>,
    /// The canonical parts of the document around the access log, as they were when the
    /// message began: they must not change before it is signed.
    head: [Vec<u8>; 2],
    /// Where the canonical beliefs array starts in `message`, once the access log is closed.
    beliefs_at: Option<usize>,
    counts: Counts,
    piece: String,
    pretty: Vec<u8>,
    indented: Vec<u8>,
}

impl StreamWriter {
    /// Writes the document up to its first belief. The header's record is moved into the
    /// document, not copied; its detailed access log must be empty.
    pub fn begin(header: Header, out: &mut dyn Write) -> Result<Self> {
        if !header.record.access.is_empty() {
            return Err(serialize_error(serde::ser::Error::custom(
                "the access log is handed to the writer an entry at a time",
            )));
        }
        let grants = header.record.grants.len();
        let record = record::out(header.record);
        let document = wire::Document {
            format: FORMAT.into(),
            version: VERSION,
            exported_at: canonical_time(&header.exported_at),
            vault: header.vault_id.clone(),
            belief_types: header.catalogue.types.iter().map(belief_type_out).collect(),
            purposes: header.catalogue.purposes.iter().map(purpose_out).collect(),
            beliefs: Vec::new(),
            grants: record.grants,
            access_log: Vec::new(),
            disclosure_sets: record.disclosure_sets,
            access_days: record.access_days,
            disclosure_days: record.disclosure_days,
            tombstones: record.tombstones,
            audit_head: wire::AuditHead {
                events: header.audit_head.0,
                hash: header.audit_head.1.to_hex(),
            },
            manifest: wire::Manifest {
                counts: Counts {
                    belief_types: header.catalogue.types.len() as u64,
                    purposes: header.catalogue.purposes.len() as u64,
                    grants: grants as u64,
                    ..Counts::default()
                },
                beliefs_sha256: String::new(),
                filter: filter_out(&header.filter),
            },
            signature: wire::Signature {
                algorithm: sign::ALGORITHM.into(),
                public_key: String::new(),
                signature: String::new(),
            },
        };
        let [before_log, before_beliefs, _] = streamed_parts(&document)?;
        let mut message = sign::CONTEXT.to_vec();
        message.extend_from_slice(&before_log);
        message.push(b'[');
        let mut w = Self {
            counts: document.manifest.counts,
            document,
            message,
            head: [before_log, before_beliefs],
            beliefs_at: None,
            piece: String::new(),
            pretty: Vec::new(),
            indented: Vec::new(),
        };
        let d = &w.document;
        let mut head = Vec::new();
        head.extend_from_slice(b"{");
        for (i, (name, value)) in [
            ("format", to_pretty(&d.format)?),
            ("version", to_pretty(&d.version)?),
            ("exported_at", to_pretty(&d.exported_at)?),
            ("vault", to_pretty(&d.vault)?),
            ("belief_types", to_pretty(&d.belief_types)?),
            ("purposes", to_pretty(&d.purposes)?),
        ]
        .into_iter()
        .enumerate()
        {
            member(&mut head, i == 0, name, &value);
        }
        head.extend_from_slice(b",\n  \"beliefs\": [");
        out.write_all(&head)?;
        w.indented = head;
        Ok(w)
    }

    /// Adds one more access-log entry to what the signature covers. Every entry comes before
    /// the first belief, and again, in the same order, after [`StreamWriter::sign`].
    pub fn sign_access(&mut self, a: &Access) -> Result<()> {
        if self.beliefs_at.is_some() {
            return Err(serialize_error(serde::ser::Error::custom(
                "the access log comes before the beliefs",
            )));
        }
        self.piece.clear();
        if self.counts.access_log > 0 {
            self.piece.push(',');
        }
        canonical::write_value(&to_value(&record::access_out(a))?, &mut self.piece);
        self.message.extend_from_slice(self.piece.as_bytes());
        self.counts.access_log += 1;
        Ok(())
    }

    /// Closes the access log in the signed message and opens the beliefs, once.
    fn open_beliefs(&mut self) -> usize {
        match self.beliefs_at {
            Some(at) => at,
            None => {
                self.message.push(b']');
                self.message.extend_from_slice(&self.head[1]);
                let at = self.message.len();
                self.message.push(b'[');
                self.beliefs_at = Some(at);
                at
            }
        }
    }

    /// Writes one more belief.
    pub fn push(&mut self, belief: &Belief, out: &mut dyn Write) -> Result<()> {
        self.open_beliefs();
        let b = convert::belief_out(belief);
        let first = self.counts.beliefs == 0;
        self.counts.beliefs += 1;
        self.counts.evidence += b.evidence.len() as u64;
        self.counts.history += b.history.len() as u64;
        self.piece.clear();
        if !first {
            self.piece.push(',');
        }
        canonical::write_belief(&b, &mut self.piece);
        self.message.extend_from_slice(self.piece.as_bytes());
        self.pretty.clear();
        serde_json::to_writer_pretty(&mut self.pretty, &b).map_err(serialize_error)?;
        self.indented.clear();
        self.indented
            .extend_from_slice(if first { b"\n" } else { b",\n" });
        self.indented.extend_from_slice(INDENT_2);
        indent(&mut self.indented, &self.pretty, INDENT_2);
        out.write_all(&self.indented)?;
        Ok(())
    }

    /// Signs, and writes the document up to its access log, which [`StreamTail::write_access`]
    /// takes again, entry by entry, in the order [`StreamWriter::sign_access`] took it.
    pub fn sign(mut self, signer: &dyn Signer, out: &mut dyn Write) -> Result<StreamTail> {
        let beliefs_at = self.open_beliefs();
        self.message.push(b']');
        let beliefs_sha256 = hex::encode(Sha256::digest(&self.message[beliefs_at..]));
        self.document.manifest.counts = self.counts;
        self.document.manifest.beliefs_sha256 = beliefs_sha256.clone();
        let [before_log, before_beliefs, after] = streamed_parts(&self.document)?;
        if self.head != [before_log, before_beliefs] {
            // Only members that sort before `beliefs` (and never the manifest) may precede it.
            return Err(serialize_error(serde::ser::Error::custom(
                "the canonical document changed while it was written",
            )));
        }
        self.message.extend_from_slice(&after);
        let signature = signer.sign(&self.message);
        self.message = Vec::new();
        let public_key = hex::encode(signer.public_key());
        self.document.signature.public_key = public_key.clone();
        self.document.signature.signature = hex::encode(signature);
        let d = &self.document;
        let mut head = Vec::new();
        head.extend_from_slice(if self.counts.beliefs == 0 {
            b"]"
        } else {
            b"\n  ]"
        });
        let (mut rest, mut after_log) = (Vec::new(), false);
        for (name, value) in record_members::<Vec<u8>>(d)? {
            if name == "access_log" {
                after_log = true;
                continue;
            }
            member(
                if after_log { &mut rest } else { &mut head },
                false,
                name,
                &value,
            );
        }
        for (name, value) in [
            ("audit_head", to_pretty(&d.audit_head)?),
            ("manifest", to_pretty(&d.manifest)?),
            ("signature", to_pretty(&d.signature)?),
        ] {
            member(&mut rest, false, name, &value);
        }
        rest.extend_from_slice(b"\n}\n");
        head.extend_from_slice(b",\n  \"access_log\": [");
        out.write_all(&head)?;
        Ok(StreamTail {
            rest,
            signed: self.counts.access_log,
            written: 0,
            summary: Summary {
                counts: self.counts,
                beliefs_sha256,
                public_key,
            },
        })
    }
}

/// The rest of an export document once it is signed: its access log, written an entry at a
/// time, then what follows it.
pub struct StreamTail {
    /// The document after its access log, pretty-printed.
    rest: Vec<u8>,
    /// Entries the signature covers.
    signed: u64,
    /// Entries written.
    written: u64,
    summary: Summary,
}

impl StreamTail {
    /// Writes one more access-log entry: the next one [`StreamWriter::sign_access`] took.
    pub fn write_access(&mut self, a: &Access, out: &mut dyn Write) -> Result<()> {
        let mut text = Vec::new();
        text.extend_from_slice(if self.written == 0 { b"\n" } else { b",\n" });
        text.extend_from_slice(INDENT_2);
        indent(&mut text, &to_pretty(&record::access_out(a))?, INDENT_2);
        out.write_all(&text)?;
        self.written += 1;
        Ok(())
    }

    /// Writes the rest of the document, with a final newline. The access log written must be
    /// the one signed, entry for entry.
    pub fn finish(self, out: &mut dyn Write) -> Result<Summary> {
        if self.written != self.signed {
            return Err(serialize_error(serde::ser::Error::custom(format!(
                "{} access-log entries were signed and {} written",
                self.signed, self.written
            ))));
        }
        out.write_all(if self.written == 0 { b"]" } else { b"\n  ]" })?;
        out.write_all(&self.rest)?;
        Ok(self.summary)
    }
}

/// One level of `serde_json`'s pretty-printing.
const INDENT_1: &[u8] = b"  ";
/// Two levels: the beliefs array's elements.
const INDENT_2: &[u8] = b"    ";

/// The document without its beliefs and signature, as the canonical form covers it.
fn unsigned(d: &wire::Document) -> Result<serde_json::Map<String, Value>> {
    let wire::Document {
        format,
        version,
        exported_at,
        vault,
        belief_types,
        purposes,
        beliefs: _,
        audit_head,
        manifest,
        signature: _,
        ..
    } = d;
    let mut map = serde_json::Map::new();
    map.insert("format".into(), to_value(format)?);
    map.insert("version".into(), to_value(version)?);
    map.insert("exported_at".into(), to_value(exported_at)?);
    map.insert("vault".into(), to_value(vault)?);
    map.insert("belief_types".into(), to_value(belief_types)?);
    map.insert("purposes".into(), to_value(purposes)?);
    for (name, value) in record_members::<Value>(d)? {
        map.insert(name.into(), value);
    }
    map.insert("audit_head".into(), to_value(audit_head)?);
    map.insert("manifest".into(), to_value(manifest)?);
    Ok(map)
}

/// The canonical document without its signature, in three parts: before the access log, between
/// it and the beliefs, and after the beliefs. Those two are written into the signed message an
/// element at a time.
fn streamed_parts(d: &wire::Document) -> Result<[Vec<u8>; 3]> {
    let parts = canonical::split_at(&unsigned(d)?, &STREAMED);
    <[Vec<u8>; 3]>::try_from(parts).map_err(|_| {
        serialize_error(serde::ser::Error::custom(
            "the canonical document has no place for its streamed members",
        ))
    })
}

/// The members written and read an element at a time, in canonical order.
pub(crate) const STREAMED: [&str; 2] = ["access_log", "beliefs"];

/// The record's members as the document holds them: `grants` and `access_log` always, the others
/// only when they hold something.
fn record_members<E: Encoding>(d: &wire::Document) -> Result<Vec<(&'static str, E)>> {
    let mut members = vec![
        ("grants", E::encode(&d.grants)?),
        ("access_log", E::encode(&d.access_log)?),
    ];
    if !d.disclosure_sets.is_empty() {
        members.push(("disclosure_sets", E::encode(&d.disclosure_sets)?));
    }
    if !d.access_days.is_empty() {
        members.push(("access_days", E::encode(&d.access_days)?));
    }
    if !d.disclosure_days.is_empty() {
        members.push(("disclosure_days", E::encode(&d.disclosure_days)?));
    }
    if let Some(t) = &d.tombstones {
        members.push(("tombstones", E::encode(t)?));
    }
    Ok(members)
}

/// A member's value for the signature (a JSON value) or for the file (pretty-printed bytes).
trait Encoding: Sized {
    fn encode<T: serde::Serialize>(v: &T) -> Result<Self>;
}

impl Encoding for Value {
    fn encode<T: serde::Serialize>(v: &T) -> Result<Self> {
        to_value(v)
    }
}

impl Encoding for Vec<u8> {
    fn encode<T: serde::Serialize>(v: &T) -> Result<Self> {
        to_pretty(v)
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(serialize_error)
}

fn to_pretty<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(v).map_err(serialize_error)
}

/// Appends one top-level member as `serde_json` pretty-prints it inside the document.
fn member(out: &mut Vec<u8>, first: bool, name: &str, pretty: &[u8]) {
    out.extend_from_slice(if first { b"\n" } else { b",\n" });
    out.extend_from_slice(INDENT_1);
    // Member names are plain ASCII identifiers.
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\": ");
    indent(out, pretty, INDENT_1);
}

/// Appends `pretty` (a value pretty-printed at the top level) as it reads nested `by` deeper: the
/// first line as it is, every later line indented. JSON strings never hold a raw newline.
fn indent(out: &mut Vec<u8>, pretty: &[u8], by: &[u8]) {
    let mut lines = pretty.split(|&c| c == b'\n');
    if let Some(first) = lines.next() {
        out.extend_from_slice(first);
    }
    for line in lines {
        out.push(b'\n');
        out.extend_from_slice(by);
        out.extend_from_slice(line);
    }
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

/// An export file as read from disk, before decryption.
pub struct SealedFile {
    body: Body,
    sha256: String,
    envelope: Envelope,
}

/// Where a sealed file's bytes are.
enum Body {
    /// In memory.
    Held(Vec<u8>),
    /// An age file read from disk (a regular file, kept open): decrypted from it again, and
    /// refused unless it hashes as it did, so that the ciphertext and the plaintext are never
    /// held at once.
    OnDisk(std::fs::File),
}

impl SealedFile {
    /// Reads a file of at most [`MAX_FILE_BYTES`] and tells what it is.
    pub fn read(path: &Path) -> Result<Self> {
        let (bytes, file) = file::read_capped_keeping(path, MAX_FILE_BYTES)?;
        let sealed = Self::from_bytes(bytes)?;
        Ok(match (sealed.envelope, file) {
            (Envelope::Age { .. }, Some(file)) => Self {
                body: Body::OnDisk(file),
                ..sealed
            },
            _ => sealed,
        })
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
            body: Body::Held(bytes),
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
        let parsed = match (self.envelope, key, self.body) {
            (Envelope::Plain, _, Body::Held(bytes)) => parse(bytes)?,
            (Envelope::Plain, _, Body::OnDisk(_)) => {
                unreachable!("a plain file is held whole")
            }
            (Envelope::Age { passphrase, .. }, None, _) => {
                return Err(ArchiveError::KeyRequired(if passphrase {
                    "the file is encrypted with an age passphrase; none was given".into()
                } else {
                    "the file is encrypted to age recipients; give an identity file (--identity KEYFILE)".into()
                }));
            }
            (Envelope::Age { .. }, Some(key), Body::Held(bytes)) => {
                let plain = crypt::open(bytes.as_slice(), key, MAX_FILE_BYTES, bytes.len())?;
                drop(bytes);
                parse(plain)?
            }
            (Envelope::Age { .. }, Some(key), Body::OnDisk(file)) => {
                parse(decrypt_again(file, &self.sha256, key)?)?
            }
        };
        Ok(ExportFile {
            parsed,
            file_sha256: self.sha256,
            envelope: self.envelope,
        })
    }
}

/// Decrypts the age file read into `file`, from its start again as it decrypts, and refuses it
/// unless it hashes to `sha256` as it did when it was first read. A file that changed is said to
/// have changed, whatever its decryption made of it.
fn decrypt_again(
    mut file: std::fs::File,
    sha256: &str,
    key: &Key,
) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    use std::io::Seek;
    file.rewind()?;
    let size = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
    let mut hashed = Hashed {
        inner: file,
        hasher: Sha256::new(),
    };
    let plain = crypt::open(
        std::io::BufReader::new(&mut hashed),
        key,
        MAX_FILE_BYTES,
        size.min(MAX_FILE_BYTES as usize),
    );
    // What the decryption left unread, if anything, counts too.
    std::io::copy(
        &mut std::io::Read::take(&mut hashed, MAX_FILE_BYTES),
        &mut std::io::sink(),
    )?;
    if hex::encode(hashed.hasher.finalize()) != sha256 {
        return Err(ArchiveError::Damaged(
            "the file changed after it was read; choose it again".into(),
        ));
    }
    plain
}

/// A reader that hashes what it reads.
struct Hashed<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: std::io::Read> std::io::Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
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
