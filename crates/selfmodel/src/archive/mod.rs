//! Export and import (GDPR Art. 20): the person's whole self-model, or a subset, as one signed
//! and optionally age-encrypted file any tool can read, and back.
//!
//! Export reads one consistent snapshot, writes the file atomically and records an
//! `archive.exported` event. Import checks everything — format, version, schema, manifest,
//! signature, then every belief against the merged catalogue — before its one write
//! transaction, and merges without duplicates: a belief with the same id and content is
//! skipped, one with different content is a conflict resolved only by an explicit
//! [`ConflictPolicy`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use selfmodel_archive::{AtomicFile, Header, Record, StreamWriter, Summary};
use selfmodel_core::audit::{Detail, PendingEvent};
use selfmodel_core::{
    AuditAction, Belief, BeliefFilter, BeliefId, BeliefType, Catalogue, CoreError,
};
use selfmodel_vault::{Reader, VaultError};

use crate::{Identity, Result, Selfmodel};

pub use selfmodel_archive::{
    ArchiveError, Counts, Envelope, ExportFile, Filter, Identities, Key, MAX_FILE_BYTES, Parsed,
    Protection, Recipient, SealedFile, Signer, WORK_FACTOR_RANGE, generate_identity,
};

mod import;

pub(crate) use import::each_prefetched;

impl Signer for Identity {
    fn public_key(&self) -> [u8; 32] {
        Identity::public_key(self)
    }
    fn sign(&self, msg: &[u8]) -> [u8; 64] {
        Identity::sign(self, msg)
    }
}

/// Progress of a long export or import, for front ends that show it. Every method defaults to
/// doing nothing; `()` is the silent implementation.
pub trait Progress {
    /// A step over `total` items begins.
    fn start(&self, _step: &str, _total: u64) {}
    /// `n` more items are done.
    fn advance(&self, _n: u64) {}
    /// The step is over.
    fn finish(&self) {}
}

impl Progress for () {}

/// What to export, and how.
pub struct ExportOptions {
    /// Only these categories (empty: any).
    pub categories: BTreeSet<String>,
    /// Only beliefs carrying one of these purposes (empty: any).
    pub purposes: BTreeSet<String>,
    /// Only these beliefs (empty: any).
    pub beliefs: BTreeSet<BeliefId>,
    /// Plain, passphrase or recipients.
    pub protection: Protection,
    /// ASCII-armor the age file.
    pub armor: bool,
    /// Replace an existing file at the destination.
    pub overwrite: bool,
}

impl ExportOptions {
    /// The beliefs these options select.
    pub(crate) fn filter(&self) -> Filter {
        if self.categories.is_empty() && self.purposes.is_empty() && self.beliefs.is_empty() {
            Filter::All
        } else {
            Filter::Subset {
                categories: self.categories.clone(),
                purposes: self.purposes.clone(),
                beliefs: self.beliefs.clone(),
            }
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Items per section.
    pub counts: Counts,
    /// Hex SHA-256 of the canonical beliefs section.
    pub beliefs_sha256: String,
    /// The signing key, hex.
    pub public_key: String,
    /// `none`, `passphrase` or `recipients`.
    pub encryption: &'static str,
    /// Whether a subset was exported.
    pub subset: bool,
    /// Tombstones written, or `None` when the vault's were left out: a plain file does not
    /// carry them.
    pub tombstones: Option<u64>,
}

impl ExportSummary {
    /// Whether an import reads the file back: at most [`MAX_FILE_BYTES`]. A whole export past it
    /// usually holds a long access log in detail; fewer days kept in detail make it smaller.
    pub fn importable(&self) -> bool {
        self.bytes <= MAX_FILE_BYTES
    }
}

/// What to do with a belief whose id is in the vault with different content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictPolicy {
    /// Keep the vault's version.
    KeepExisting,
    /// Replace it with the file's version.
    TakeIncoming,
}

impl ConflictPolicy {
    /// `keep` or `take`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::KeepExisting => "keep",
            Self::TakeIncoming => "take",
        }
    }
}

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Report what would happen and change nothing.
    pub dry_run: bool,
    /// How conflicts are resolved; without one, an import with conflicts is refused.
    pub on_conflict: Option<ConflictPolicy>,
    /// A signing key other than this vault's that the person trusts like their own: its files'
    /// beliefs land as they are, not as proposals.
    pub trust_signer: Option<[u8; 32]>,
    /// Bring back beliefs the person erased or rejected (skipped and counted otherwise).
    pub restore_erased: bool,
    /// Leave out the beliefs the secrets screen refuses (a password, a phone number, ...), each
    /// listed in [`ImportReport::left_out`], instead of refusing the whole file: a file written
    /// before the screen knew that kind of data can still be restored, without it.
    pub leave_out_sensitive: bool,
}

/// What an import did, or would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Nothing was changed because this was a dry run.
    pub dry_run: bool,
    /// Whether the vault changed.
    pub changed: bool,
    /// Hex SHA-256 of the file as stored.
    pub file_sha256: String,
    /// The vault the file came from.
    pub source_vault: String,
    /// Beliefs not in the vault: added.
    pub new: Vec<BeliefId>,
    /// Beliefs already in the vault with the same content: skipped.
    pub identical: Vec<BeliefId>,
    /// Beliefs in the vault with different content.
    pub conflicting: Vec<BeliefId>,
    /// How the conflicts were resolved.
    pub on_conflict: Option<ConflictPolicy>,
    /// Belief types the vault did not have: added.
    pub types_added: Vec<String>,
    /// Purposes the vault did not have: added.
    pub purposes_added: Vec<String>,
    /// Belief types defined differently in the file: the vault's definition is kept.
    pub types_differing: Vec<String>,
    /// Purposes defined differently in the file: the vault's definition is kept.
    pub purposes_differing: Vec<String>,
    /// The key that signed the file (hex).
    pub signer: String,
    /// Signed by a key that is neither this vault's nor trusted: its new beliefs wait in the
    /// inbox as proposals with provenance `import`, and it cannot replace beliefs.
    pub foreign: bool,
    /// Beliefs the person erased or rejected before: skipped (unless restoring them).
    pub erased: Vec<BeliefId>,
    /// Beliefs the secrets screen refused, left out ([`ImportOptions::leave_out_sensitive`]).
    pub left_out: Vec<LeftOut>,
    /// What of the file's grants, access log and tombstones was, or would be, added.
    pub record: crate::carry::Carried,
}

/// A belief of a file that an import left out, and why: the field and the kind of data found,
/// never the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The belief.
    pub id: BeliefId,
    /// Where the screen found it, e.g. `statement` or `evidence[0].summary`.
    pub field: String,
    /// What it found.
    pub kind: selfmodel_core::sensitive::SensitiveKind,
}

impl std::fmt::Display for LeftOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} holds what looks like {}",
            self.id,
            self.field,
            self.kind.describe()
        )
    }
}

/// How many conflicting ids an error message lists.
const LISTED_CONFLICTS: usize = 10;

impl Selfmodel {
    /// Exports beliefs to `out`: signed with the vault's identity, encrypted as asked, written
    /// atomically (a temporary file beside it, fsynced, then renamed), and recorded on the audit
    /// chain with its counts and beliefs hash. The file is never the vault itself, and a file
    /// passphrase is held to the vault's own rule ([`check_strength`](crate::check_strength)).
    pub fn export(
        &mut self,
        out: &Path,
        options: &ExportOptions,
        progress: &dyn Progress,
    ) -> Result<ExportSummary> {
        if same_file(out, self.path()) {
            return Err(ArchiveError::Exists(out.to_owned()).into());
        }
        if let Protection::Passphrase { passphrase, .. } = &options.protection {
            crate::check_strength(passphrase)?;
        }
        // The file carries the access log as the log's retention allows it, whenever the vault
        // was last compacted.
        self.compact_access_log()?;
        let filter = options.filter();
        let identity = self.identity()?;
        let mut file = Some(AtomicFile::create(out, options.overwrite)?);
        let mut persisted = false;
        let result = self.change(|w, now| {
            if matches!(filter, Filter::All) {
                // The file carries the access log as it is now: no entry in it counts more
                // requests later (a repeat in the same minute starts a new entry).
                w.seal_access_log()?;
            }
            let r = w.read();
            let catalogue = r.catalogue()?;
            check_filter(&options.categories, &options.purposes, &catalogue)?;
            let vault_id = r
                .meta("vault_id")?
                .ok_or_else(|| VaultError::Data("the vault has no id".into()))?;
            let audit_head = r.audit_head()?;
            let catalogue = match filter {
                Filter::All => catalogue,
                Filter::Subset { .. } => {
                    // The catalogue comes before the beliefs in the file: a first pass finds
                    // what the subset uses.
                    let (mut used_types, mut used_purposes) = (BTreeSet::new(), BTreeSet::new());
                    each_belief(&r, &options.beliefs, &filter, |b| {
                        used_types.insert(b.category.clone());
                        used_purposes.extend(b.purposes.iter().cloned());
                        Ok(())
                    })?;
                    subset_catalogue(
                        &catalogue,
                        options.categories.iter().chain(&used_types),
                        options.purposes.iter().chain(&used_purposes),
                    )
                }
            };
            // A whole export's access log is read twice, in the same snapshot: the signature
            // covers it before the beliefs, the file holds it after them.
            let (record, log) = match filter {
                Filter::All => {
                    let (record, numbers) = crate::carry::record(&r, &options.protection)?;
                    (record, Some((r.count_carried_access()?, numbers)))
                }
                Filter::Subset { .. } => (Record::default(), None),
            };
            let tombstones = match &record.tombstones {
                Some(t) => Some(t.digests.len() as u64),
                None if matches!(filter, Filter::All)
                    && matches!(options.protection, Protection::Plain)
                    && crate::tombstone::key(&r)?.is_some() =>
                {
                    None
                }
                None => Some(0),
            };
            let header = Header {
                vault_id,
                exported_at: now,
                catalogue,
                audit_head,
                filter: filter.clone(),
                record,
            };
            let total = if options.beliefs.is_empty() {
                r.count_beliefs()?
            } else {
                options.beliefs.len() as u64
            };
            let mut sink = file
                .take()
                .ok_or_else(|| VaultError::Data("export file".into()))?;
            // The beliefs are read a page at a time and written as they come; an error reading
            // them is carried out of the encryption's writer whole.
            let mut failure = None;
            let mut summary = None;
            selfmodel_archive::seal_with(&options.protection, options.armor, &mut sink, |out| {
                let written = (|| -> Result<Summary> {
                    let mut writer = StreamWriter::begin(header, out)?;
                    if let Some((n, numbers)) = &log {
                        progress.start("signing the access log", *n);
                        crate::carry::each_access(&r, numbers, |a| {
                            writer.sign_access(&a)?;
                            progress.advance(1);
                            Ok(())
                        })?;
                    }
                    progress.start("reading, signing and writing beliefs", total);
                    each_belief(&r, &options.beliefs, &filter, |b| {
                        writer.push(b, out)?;
                        progress.advance(1);
                        Ok(())
                    })?;
                    let mut tail = writer.sign(&identity, out)?;
                    if let Some((n, numbers)) = &log {
                        progress.start("writing the access log", *n);
                        crate::carry::each_access(&r, numbers, |a| {
                            tail.write_access(&a, out)?;
                            progress.advance(1);
                            Ok(())
                        })?;
                    }
                    Ok(tail.finish(out)?)
                })();
                match written {
                    Ok(s) => {
                        summary = Some(s);
                        Ok(())
                    }
                    Err(e) => {
                        let message = e.to_string();
                        failure = Some(e);
                        Err(std::io::Error::other(message))
                    }
                }
            })
            .map_err(|e| failure.take().unwrap_or_else(|| e.into()))?;
            let summary = summary.ok_or_else(|| VaultError::Data("export file".into()))?;
            let bytes = sink.persist()?;
            persisted = true;
            progress.finish();
            let c = summary.counts;
            let detail = export_detail(&c, &summary.beliefs_sha256, &filter, &options.protection);
            w.append_audit(
                PendingEvent::new(AuditAction::Exported, None).with_detail(detail),
                now,
            )?;
            Ok(ExportSummary {
                path: out.to_owned(),
                bytes,
                counts: c,
                beliefs_sha256: summary.beliefs_sha256,
                public_key: summary.public_key,
                encryption: options.protection.kind(),
                subset: !matches!(filter, Filter::All),
                tombstones,
            })
        });
        if result.is_err() && persisted {
            // The export was not recorded: do not leave an unrecorded copy behind.
            let _ = std::fs::remove_file(out);
        }
        result
    }
}

pub(crate) fn check_filter(
    categories: &BTreeSet<String>,
    purposes: &BTreeSet<String>,
    catalogue: &Catalogue,
) -> Result<()> {
    if let Some(c) = categories
        .iter()
        .find(|c| catalogue.belief_type(c).is_none())
    {
        return Err(CoreError::UnknownCategory(c.clone()).into());
    }
    if let Some(p) = purposes.iter().find(|p| catalogue.purpose(p).is_none()) {
        return Err(CoreError::UnknownPurpose(p.clone()).into());
    }
    Ok(())
}

/// The catalogue a subset needs: the types asked for or used, and every purpose they allow or
/// the beliefs and filter name.
fn subset_catalogue<'a>(
    all: &Catalogue,
    type_ids: impl IntoIterator<Item = &'a String>,
    purpose_ids: impl IntoIterator<Item = &'a String>,
) -> Catalogue {
    let type_ids: BTreeSet<&str> = type_ids.into_iter().map(String::as_str).collect();
    let types: Vec<BeliefType> = all
        .types
        .iter()
        .filter(|t| type_ids.contains(t.id.as_str()))
        .cloned()
        .collect();
    let mut purpose_ids: BTreeSet<&str> = purpose_ids.into_iter().map(String::as_str).collect();
    purpose_ids.extend(
        types
            .iter()
            .flat_map(|t| t.allowed_purposes.iter().map(String::as_str)),
    );
    let purposes = all
        .purposes
        .iter()
        .filter(|p| purpose_ids.contains(p.id.as_str()))
        .cloned()
        .collect();
    Catalogue { types, purposes }
}

/// Beliefs read for an export, a page at a time in id order: those named (each must exist), or
/// all of them; only those matching `filter` are passed on.
fn each_belief(
    r: &Reader<'_>,
    ids: &BTreeSet<BeliefId>,
    filter: &Filter,
    mut f: impl FnMut(&Belief) -> Result<()>,
) -> Result<()> {
    if !ids.is_empty() {
        for &id in ids {
            let b = r.belief(id)?.ok_or(VaultError::BeliefNotFound(id))?;
            if filter.matches(&b) {
                f(&b)?;
            }
        }
        return Ok(());
    }
    let mut after = None;
    loop {
        let page = r.beliefs(&BeliefFilter {
            after,
            limit: Some(EXPORT_PAGE),
            ..BeliefFilter::default()
        })?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = Some(last.id);
        for b in &page {
            if filter.matches(b) {
                f(b)?;
            }
        }
    }
}

/// Beliefs read from the vault at a time by an export.
const EXPORT_PAGE: u64 = 1000;

/// The `archive.exported` event's detail: counts, the beliefs hash, the filter, the encryption.
fn export_detail(c: &Counts, beliefs_sha256: &str, filter: &Filter, p: &Protection) -> Detail {
    let counted = Detail::new()
        .with("beliefs", c.beliefs)
        .with("evidence", c.evidence)
        .with("history", c.history)
        .with("belief_types", c.belief_types)
        .with("purposes", c.purposes)
        .with("grants", c.grants)
        .with("access_log", c.access_log)
        .with("beliefs_sha256", beliefs_sha256);
    let filtered = match filter {
        Filter::All => counted.with("filter", "all"),
        Filter::Subset {
            categories,
            purposes,
            beliefs,
        } => counted
            .with("filter", "subset")
            .list("filter_categories", categories)
            .list("filter_purposes", purposes)
            .with("filter_beliefs", beliefs.len()),
    };
    filtered.with("encryption", p.kind())
}

/// Whether `a` exists and is the same file as `b`.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// The conflicting ids as an error message lists them.
pub(crate) fn conflict_list(ids: &[BeliefId]) -> String {
    let shown: Vec<String> = ids
        .iter()
        .take(LISTED_CONFLICTS)
        .map(ToString::to_string)
        .collect();
    let rest = ids.len().saturating_sub(LISTED_CONFLICTS);
    if rest > 0 {
        format!("{} and {rest} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
