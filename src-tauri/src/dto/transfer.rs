//! The wire types of export and import.

use super::*;
use selfmodel_core::ErrorCode;

/// How an export file is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportEncryption {
    /// Plain JSON: anyone with the file can read it.
    None,
    /// age, with a passphrase (scrypt).
    Passphrase,
    /// age, to one or more X25519 recipients (`age1…`).
    Recipients,
}

/// What to export, and how.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// Only these belief types (empty: any).
    pub categories: Vec<String>,
    /// Only beliefs carrying one of these purposes (empty: any).
    pub purposes: Vec<String>,
    /// Only these beliefs (empty: any).
    pub beliefs: Vec<String>,
    /// Plain, passphrase or recipients.
    pub encryption: ExportEncryption,
    /// The passphrase, for `passphrase`.
    pub passphrase: Option<String>,
    /// age public keys, for `recipients`.
    pub recipients: Vec<String>,
    /// ASCII-armor an age file.
    pub armor: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExportDone {
    /// The file.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Beliefs in it.
    pub beliefs: u64,
    /// Evidence in it.
    pub evidence: u64,
    /// History entries in it.
    pub history: u64,
    /// `none`, `passphrase` or `recipients`.
    pub encryption: String,
    /// The vault's signing key (hex), to give with the file.
    pub public_key: String,
    /// Whether only a subset was exported.
    pub subset: bool,
    /// Whether an import reads the file back (at most 512 MiB): a whole export past it usually
    /// holds a long access log in detail.
    pub importable: bool,
}

/// A file chosen for import, before it is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportFile {
    /// The file's path.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// How it is protected: `none`, `passphrase` or `recipients`.
    pub encryption: ExportEncryption,
}

/// How to resolve beliefs that are in both the vault and the file with different content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ConflictChoice {
    /// Keep the vault's version.
    Keep,
    /// Take the file's version.
    Take,
}

/// What an import would do (a dry run) or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportOutcome {
    /// Nothing was changed: this is the preview.
    pub dry_run: bool,
    /// Whether the vault changed.
    pub changed: bool,
    /// When the file was exported (RFC 3339, UTC).
    pub exported_at: String,
    /// The vault it came from.
    pub source_vault: String,
    /// The key that signed it (hex; the signature checked out).
    pub signed_by: String,
    /// Beliefs in the file.
    pub in_file: u32,
    /// Beliefs that are new here: added.
    pub new: u32,
    /// Beliefs already here, identical: skipped.
    pub identical: u32,
    /// Beliefs here with different content.
    pub conflicting: Vec<String>,
    /// Belief types the vault lacks: added.
    pub types_added: Vec<String>,
    /// Purposes the vault lacks: added.
    pub purposes_added: Vec<String>,
    /// Types defined differently in the file (the vault's definition stays).
    pub types_differing: Vec<String>,
    /// Signed by a key that is not this vault's: new beliefs wait in the inbox as proposals,
    /// and the file cannot replace beliefs.
    pub foreign: bool,
    /// Beliefs the person erased or rejected before: skipped.
    pub erased: u32,
    /// Beliefs the secrets screen refuses (a password, a phone number, ...): left out.
    pub left_out: u32,
    /// The first of them (at most 20): the belief's id, where the screen found what.
    pub left_out_first: Vec<String>,
}

impl ExportRequest {
    /// The use-case layer's export options (ids and age recipients parsed here).
    pub fn into_options(self) -> Result<archive::ExportOptions, IpcError> {
        let beliefs = self
            .beliefs
            .iter()
            .map(|b| b.parse::<core::BeliefId>())
            .collect::<Result<_, _>>()?;
        let protection = match self.encryption {
            ExportEncryption::None => archive::Protection::Plain,
            ExportEncryption::Passphrase => {
                let passphrase = core::Passphrase::new(
                    self.passphrase.filter(|p| !p.is_empty()).ok_or_else(|| {
                        IpcError::new(ErrorCode::InvalidField, "enter a passphrase for the file")
                    })?,
                );
                // The export refuses it too; said here, before the dialogs.
                selfmodel::check_strength(&passphrase)?;
                archive::Protection::Passphrase {
                    passphrase,
                    work_factor: None,
                }
            }
            ExportEncryption::Recipients => {
                if self.recipients.is_empty() {
                    return Err(IpcError::new(
                        ErrorCode::InvalidField,
                        "add at least one age recipient",
                    ));
                }
                archive::Protection::Recipients(
                    self.recipients
                        .iter()
                        .map(|r| r.parse::<archive::Recipient>())
                        .collect::<Result<_, _>>()
                        .map_err(selfmodel::Error::from)?,
                )
            }
        };
        Ok(archive::ExportOptions {
            categories: self.categories.into_iter().collect(),
            purposes: self.purposes.into_iter().collect(),
            beliefs,
            protection,
            armor: self.armor,
            overwrite: true,
        })
    }
}

/// What an export wrote.
pub fn export_done(s: archive::ExportSummary) -> ExportDone {
    ExportDone {
        importable: s.importable(),
        path: s.path.display().to_string(),
        bytes: s.bytes,
        beliefs: s.counts.beliefs,
        evidence: s.counts.evidence,
        history: s.counts.history,
        encryption: s.encryption.to_owned(),
        public_key: s.public_key,
        subset: s.subset,
    }
}

/// How a file to import is protected.
pub fn encryption_of(envelope: &archive::Envelope) -> ExportEncryption {
    match envelope {
        archive::Envelope::Plain => ExportEncryption::None,
        archive::Envelope::Age {
            passphrase: true, ..
        } => ExportEncryption::Passphrase,
        archive::Envelope::Age { .. } => ExportEncryption::Recipients,
    }
}

/// What an import would do, or did.
pub fn import_outcome(file: &archive::ExportFile, r: archive::ImportReport) -> ImportOutcome {
    let strings = |ids: &[core::BeliefId]| ids.iter().map(ToString::to_string).collect();
    ImportOutcome {
        dry_run: r.dry_run,
        changed: r.changed,
        exported_at: time(&file.parsed.head.exported_at),
        source_vault: r.source_vault,
        signed_by: file.parsed.public_key.clone(),
        in_file: count(file.parsed.counts.beliefs),
        new: count(r.new.len()),
        identical: count(r.identical.len()),
        conflicting: strings(&r.conflicting),
        types_added: r.types_added,
        purposes_added: r.purposes_added,
        types_differing: r.types_differing,
        foreign: r.foreign,
        erased: count(r.erased.len()),
        left_out: count(r.left_out.len()),
        left_out_first: r
            .left_out
            .iter()
            .take(20)
            .map(ToString::to_string)
            .collect(),
    }
}

impl From<ConflictChoice> for archive::ConflictPolicy {
    fn from(c: ConflictChoice) -> Self {
        match c {
            ConflictChoice::Keep => Self::KeepExisting,
            ConflictChoice::Take => Self::TakeIncoming,
        }
    }
}
