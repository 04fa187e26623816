//! The IPC wire types: what crosses between the Rust shell and the web UI.
//!
//! Domain types are not `Serialize` (see `selfmodel-core`); these structs are the desktop app's
//! own wire format, converted from the domain by hand so that a refactor of the domain cannot
//! silently change what the UI receives. The UI's TypeScript types are generated from these
//! (`ui/src/lib/bindings/ipc.ts`, by [`typescript_bindings`]); a test fails when they drift.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use selfmodel::archive;
use selfmodel_core as core;

mod living;
pub use living::*;

/// Ordinary or special-category personal data (GDPR Art. 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Sensitivity {
    /// Ordinary personal data.
    Normal,
    /// A special category of personal data.
    Special,
}

/// Where a belief stands in the person's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Confirmed or created by the person.
    Active,
    /// Proposed by a vendor, waiting in the inbox.
    Pending,
    /// Proposed and refused.
    Rejected,
}

/// How a piece of evidence came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// The person said so.
    Stated,
    /// Seen in the person's behaviour.
    Observed,
    /// Derived by a system from other data.
    Inferred,
    /// Brought in from an export file.
    Imported,
}

/// Who did something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    /// The person who owns the vault.
    Person,
    /// A vendor acting under a grant.
    Vendor,
    /// An import from an export file.
    Import,
    /// Selfmodel itself (demo data, retention).
    System,
}

/// Who did something, ready to display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Actor {
    /// The kind of actor.
    pub kind: ActorKind,
    /// A display label, e.g. `person` or `Acme (grant g1)`.
    pub label: String,
    /// The grant's id when a vendor acted.
    pub grant_id: Option<String>,
}

/// Who created a belief and by what method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Provenance {
    /// Who created it.
    pub actor: Actor,
    /// By what channel or method (`app`, `cli`, `api`, `import`, `demo`).
    pub method: String,
}

/// One piece of evidence behind a belief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Evidence {
    /// How it came to be.
    pub kind: EvidenceKind,
    /// Where it came from.
    pub source: String,
    /// A short summary.
    pub summary: String,
    /// When it was observed (RFC 3339, UTC).
    pub observed_at: String,
    /// Hex SHA-256 of a discarded raw source.
    pub content_sha256: Option<String>,
}

/// The rectifiable parts of a belief at one time.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Snapshot {
    /// The statement.
    pub statement: String,
    /// The confidence, in `[0, 1]`.
    pub confidence: f64,
    /// The purposes' ids.
    pub purposes: Vec<String>,
}

/// One rectification in a belief's history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Rectification {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub actor: Actor,
    /// Why.
    pub reason: String,
    /// Before.
    pub before: Snapshot,
    /// After.
    pub after: Snapshot,
}

/// A belief as the list shows it: everything but its evidence and history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BeliefRow {
    /// The belief's id (a UUIDv7, sorts by creation).
    pub id: String,
    /// What is believed.
    pub statement: String,
    /// The belief type's id.
    pub category: String,
    /// Confidence in `[0, 1]`.
    pub confidence: f64,
    /// The purposes' ids.
    pub purposes: Vec<String>,
    /// Normal or special.
    pub sensitivity: Sensitivity,
    /// Review status.
    pub status: Status,
    /// Who created it.
    pub actor: Actor,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
    /// When retention erases it (RFC 3339, UTC).
    pub expires_at: Option<String>,
    /// When the person last confirmed it (RFC 3339, UTC); `null` for a proposal.
    pub confirmed_at: Option<String>,
    /// How many pieces of evidence it has.
    pub evidence_count: u32,
    /// How many times it was rectified.
    pub history_count: u32,
}

/// A belief, whole: the detail pane.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BeliefDetail {
    /// The list's view of it.
    pub row: BeliefRow,
    /// Evidence, oldest first.
    pub evidence: Vec<Evidence>,
    /// Who created it and how.
    pub provenance: Provenance,
    /// Rectifications, oldest first.
    pub history: Vec<Rectification>,
}

/// Evidence as the person enters it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewEvidence {
    /// How it came to be.
    pub kind: EvidenceKind,
    /// Where it came from.
    pub source: String,
    /// A short summary.
    pub summary: String,
}

/// A belief as the person enters it.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewBelief {
    /// What is believed.
    pub statement: String,
    /// The belief type's id.
    pub category: String,
    /// Confidence in `[0, 1]`.
    pub confidence: f64,
    /// Purposes' ids; empty means the type's allowed purposes.
    pub purposes: Vec<String>,
    /// Mark it special-category data; `false` takes the type's default.
    pub special: bool,
    /// Evidence, if any.
    pub evidence: Vec<NewEvidence>,
}

/// A rectification as the person asks for it; `null` fields stay as they are.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RectifyRequest {
    /// A new statement.
    pub statement: Option<String>,
    /// A new confidence.
    pub confidence: Option<f64>,
    /// A new purpose set.
    pub purposes: Option<Vec<String>>,
    /// Why (required).
    pub reason: String,
}

/// What the person decides for the proposals they accept together; `null` keeps what was
/// proposed.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// Another belief type.
    pub category: Option<String>,
    /// Another purpose set.
    pub purposes: Option<Vec<String>>,
}

/// A purpose a belief may be used for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Purpose {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Plain-language description.
    pub description: String,
    /// The W3C DPV term.
    pub dpv_term: String,
    /// Never given by default, only when asked for.
    pub opt_in: bool,
}

/// A belief type and its rules.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BeliefType {
    /// Stable id, a belief's `category`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What beliefs of this type are about.
    pub description: String,
    /// Purposes beliefs of this type may carry.
    pub allowed_purposes: Vec<String>,
    /// Days after which beliefs of this type are erased.
    pub retention_days: u32,
    /// Minimum confidence before sharing.
    pub min_share_confidence: f64,
    /// Whether evidence is required.
    pub evidence_required: bool,
    /// Sensitivity given to new beliefs.
    pub default_sensitivity: Sensitivity,
    /// Days after the person last confirmed a belief before it is due for review.
    pub review_days: u32,
}

/// The belief types and purposes of the vault.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Catalogue {
    /// Belief types.
    pub types: Vec<BeliefType>,
    /// Purposes.
    pub purposes: Vec<Purpose>,
}

/// One audit event: ids, counts and hashes, never content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditEvent {
    /// Position in the chain, from 1.
    #[ts(type = "number")]
    pub seq: u64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The stable action name, e.g. `belief.created`.
    pub action: String,
    /// The id it changed.
    pub subject: Option<String>,
    /// Further ids, counts or hashes.
    pub detail: Option<String>,
    /// This event's hash (hex).
    pub hash: String,
}

/// The result of recomputing the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum AuditVerdict {
    /// Every hash matches.
    Intact {
        /// How many events.
        #[ts(type = "number")]
        events: u64,
        /// The last event's hash (hex).
        head: String,
    },
    /// An event does not match.
    Broken {
        /// The first event that does not verify.
        #[ts(type = "number")]
        first_bad_event: u64,
        /// Why.
        reason: String,
    },
}

/// Where the vault is and whether it is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct VaultStatus {
    /// The vault file's path.
    pub path: String,
    /// Whether a vault file exists there.
    pub exists: bool,
    /// Whether it is unlocked in this app.
    pub unlocked: bool,
    /// Whether the person paused all sharing (known only while unlocked).
    pub sharing_paused: bool,
    /// Whether this vault was created as the demo (its passphrase is [`VaultStatus::demo_passphrase`]).
    pub demo: bool,
    /// The demo vault's passphrase, shown to the person for demo vaults.
    pub demo_passphrase: String,
    /// The shortest passphrase a new vault accepts.
    pub min_passphrase_chars: u32,
    /// A test build that auto-accepts native confirmations (see `confirm::auto_confirm`); the
    /// UI shows a warning banner whenever this is true.
    pub confirmations_auto_accepted: bool,
}

/// What unlocking did besides unlocking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Unlocked {
    /// Beliefs that retention erased at unlock.
    pub purged_at_open: u32,
    /// Set when the vault is older than the one last opened on this machine, or its audit
    /// history was rewritten since (the rollback witness); the sentence to show.
    pub integrity_warning: Option<String>,
}

/// The desktop app's own settings (not secret; kept beside the vault).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Settings {
    /// Lock the vault after this many minutes without activity.
    pub auto_lock_minutes: u32,
    /// Run the vendor API while the vault is unlocked.
    pub api_enabled: bool,
    /// The vendor API's port.
    pub api_port: u16,
}

/// The in-process vendor API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ApiStatus {
    /// On in the settings.
    pub enabled: bool,
    /// The port it is set to.
    pub port: u16,
    /// The port it listens on now (only while unlocked).
    pub listening: Option<u16>,
    /// Why it did not start, if it did not.
    pub error: Option<String>,
}

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
    #[ts(type = "number")]
    pub bytes: u64,
    /// Beliefs in it.
    #[ts(type = "number")]
    pub beliefs: u64,
    /// Evidence in it.
    #[ts(type = "number")]
    pub evidence: u64,
    /// History entries in it.
    #[ts(type = "number")]
    pub history: u64,
    /// `none`, `passphrase` or `recipients`.
    pub encryption: String,
    /// The vault's signing key (hex), to give with the file.
    pub public_key: String,
    /// Whether only a subset was exported.
    pub subset: bool,
}

/// A file chosen for import, before it is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportFile {
    /// The file's path.
    pub path: String,
    /// Its size in bytes.
    #[ts(type = "number")]
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
}

/// A vendor, as it named itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Vendor {
    /// Its id, e.g. `com.example.writer`.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its web address, if it gave one.
    pub url: Option<String>,
}

/// What a grant (or a request for one) covers.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Scope {
    /// Purposes the vendor may read for.
    pub purposes: Vec<String>,
    /// Belief types it may read.
    pub categories: Vec<String>,
    /// `read`, `read_evidence`, `propose`.
    pub operations: Vec<String>,
    /// Whether special-category beliefs are included.
    pub special: bool,
    /// Only beliefs at or above this confidence.
    pub min_confidence: f64,
    /// Browser origins allowed to use it.
    pub origins: Vec<String>,
}

/// A vendor's request for a grant.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GrantRequest {
    /// The request's id.
    pub id: String,
    /// Who asks.
    pub vendor: Vendor,
    /// What it asks for.
    pub scope: Scope,
    /// For how many days.
    pub duration_days: u32,
    /// How long the vendor keeps what it reads, in days.
    pub vendor_retention_days: u32,
    /// Why, in the vendor's words.
    pub justification: String,
    /// The code the vendor shows; the person checks it matches.
    pub user_code: String,
    /// `pending`, `approved`, `claimed`, `denied` or `expired`.
    pub status: String,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
    /// When it lapses if nobody decides (RFC 3339, UTC).
    pub expires_at: String,
    /// The origin of the web page that filed it, if a web page did (not self-asserted).
    pub web_origin: Option<String>,
}

/// The person's narrowing of a request when approving it; `null` keeps what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Narrowing {
    /// Only these purposes.
    pub purposes: Option<Vec<String>>,
    /// Only these belief types.
    pub categories: Option<Vec<String>>,
    /// Only these operations.
    pub operations: Option<Vec<String>>,
    /// For fewer days.
    pub duration_days: Option<u32>,
    /// Only these web origins (`[]`: none, native use only).
    pub origins: Option<Vec<String>>,
    /// Leave out special categories of data.
    pub no_special: bool,
}

/// What a request would disclose for one purpose.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PreviewPurpose {
    /// The purpose.
    pub purpose: String,
    /// The beliefs it would disclose.
    pub beliefs: Vec<BeliefRow>,
}

/// A grant and its use.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Grant {
    /// The grant's id.
    pub id: String,
    /// Who holds it.
    pub vendor: Vendor,
    /// What it covers.
    pub scope: Scope,
    /// How long the vendor keeps what it reads, in days.
    pub vendor_retention_days: u32,
    /// When it was approved (RFC 3339, UTC).
    pub created_at: String,
    /// When it expires (RFC 3339, UTC).
    pub expires_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// Who revoked it (`person`, `vendor`).
    pub revoked_by: Option<String>,
    /// When it was last used.
    pub last_used_at: Option<String>,
    /// Requests served under it.
    #[ts(type = "number")]
    pub access_count: u64,
    /// Not revoked and not expired.
    pub live: bool,
}

/// One vendor request, as logged: ids only, never content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AccessEntry {
    /// Position in the log.
    #[ts(type = "number")]
    pub seq: u64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The grant, if the token was valid.
    pub grant_id: Option<String>,
    /// The vendor's id, if known.
    pub vendor_id: Option<String>,
    /// The purpose named.
    pub purpose: Option<String>,
    /// What was asked, e.g. `beliefs.read`.
    pub operation: String,
    /// Whether it was served.
    pub allowed: bool,
    /// Why it was refused (a stable code).
    pub denied_because: Option<String>,
    /// Beliefs disclosed.
    pub disclosed: Vec<String>,
    /// How many requests the entry stands for: 1, or more for repeated requests counted per
    /// minute (polls of a pending request, refusals of callers without a valid token).
    #[ts(type = "number")]
    pub requests: u64,
}

/// Who received a belief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Recipient {
    /// Under which grant.
    pub grant_id: String,
    /// The vendor's id.
    pub vendor_id: String,
    /// How many requests disclosed it.
    #[ts(type = "number")]
    pub times: u64,
    /// When last (RFC 3339, UTC).
    pub last_at: String,
}

/// An error as the UI receives it: a stable machine-readable code and a one-line message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    /// Stable code, e.g. `wrong_passphrase`, `locked`, `invalid_field`.
    pub code: String,
    /// One line for the person.
    pub message: String,
}

impl IpcError {
    /// An error with this code and message.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// The vault is locked.
    pub fn locked() -> Self {
        Self::new("locked", "The vault is locked. Unlock it to continue.")
    }
}

impl From<selfmodel::Error> for IpcError {
    fn from(e: selfmodel::Error) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<core::CoreError> for IpcError {
    fn from(e: core::CoreError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

// ---- conversions from the domain ------------------------------------------------------------

pub(crate) fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn ids(set: &BTreeSet<String>) -> Vec<String> {
    set.iter().cloned().collect()
}

impl From<core::Sensitivity> for Sensitivity {
    fn from(s: core::Sensitivity) -> Self {
        match s {
            core::Sensitivity::Normal => Self::Normal,
            core::Sensitivity::Special => Self::Special,
        }
    }
}

impl From<core::Status> for Status {
    fn from(s: core::Status) -> Self {
        match s {
            core::Status::Active => Self::Active,
            core::Status::Pending => Self::Pending,
            core::Status::Rejected => Self::Rejected,
        }
    }
}

impl From<core::EvidenceKind> for EvidenceKind {
    fn from(k: core::EvidenceKind) -> Self {
        match k {
            core::EvidenceKind::Stated => Self::Stated,
            core::EvidenceKind::Observed => Self::Observed,
            core::EvidenceKind::Inferred => Self::Inferred,
            core::EvidenceKind::Imported => Self::Imported,
        }
    }
}

impl From<EvidenceKind> for core::EvidenceKind {
    fn from(k: EvidenceKind) -> Self {
        match k {
            EvidenceKind::Stated => Self::Stated,
            EvidenceKind::Observed => Self::Observed,
            EvidenceKind::Inferred => Self::Inferred,
            EvidenceKind::Imported => Self::Imported,
        }
    }
}

impl From<&core::Actor> for Actor {
    fn from(a: &core::Actor) -> Self {
        let (kind, grant_id) = match a {
            core::Actor::Person => (ActorKind::Person, None),
            core::Actor::Vendor { grant_id, .. } => (ActorKind::Vendor, Some(grant_id.clone())),
            core::Actor::Import => (ActorKind::Import, None),
            core::Actor::System => (ActorKind::System, None),
        };
        Self {
            kind,
            label: a.to_string(),
            grant_id,
        }
    }
}

impl From<&core::Snapshot> for Snapshot {
    fn from(s: &core::Snapshot) -> Self {
        Self {
            statement: s.statement.clone(),
            confidence: s.confidence,
            purposes: ids(&s.purposes),
        }
    }
}

impl From<&core::Belief> for BeliefRow {
    fn from(b: &core::Belief) -> Self {
        Self {
            id: b.id.to_string(),
            statement: b.statement.clone(),
            category: b.category.clone(),
            confidence: b.confidence,
            purposes: ids(&b.purposes),
            sensitivity: b.sensitivity.into(),
            status: b.status.into(),
            actor: (&b.provenance.actor).into(),
            created_at: time(&b.created_at),
            updated_at: time(&b.updated_at),
            expires_at: b.expires_at.as_ref().map(time),
            confirmed_at: b.confirmed_at.as_ref().map(time),
            evidence_count: count(b.evidence.len()),
            history_count: count(b.history.len()),
        }
    }
}

impl From<&core::Belief> for BeliefDetail {
    fn from(b: &core::Belief) -> Self {
        Self {
            row: b.into(),
            evidence: b
                .evidence
                .iter()
                .map(|e| Evidence {
                    kind: e.kind.into(),
                    source: e.source.clone(),
                    summary: e.summary.clone(),
                    observed_at: time(&e.observed_at),
                    content_sha256: e.content_sha256.clone(),
                })
                .collect(),
            provenance: Provenance {
                actor: (&b.provenance.actor).into(),
                method: b.provenance.method.clone(),
            },
            history: b
                .history
                .iter()
                .map(|h| Rectification {
                    at: time(&h.at),
                    actor: (&h.actor).into(),
                    reason: h.reason.clone(),
                    before: (&h.before).into(),
                    after: (&h.after).into(),
                })
                .collect(),
        }
    }
}

/// The list view of many beliefs.
pub fn rows(beliefs: Vec<core::Belief>) -> Vec<BeliefRow> {
    beliefs.iter().map(BeliefRow::from).collect()
}

/// The detail view of one belief.
pub fn detail(belief: core::Belief) -> BeliefDetail {
    (&belief).into()
}

impl From<NewBelief> for core::NewBelief {
    fn from(n: NewBelief) -> Self {
        Self {
            statement: n.statement,
            category: n.category,
            confidence: n.confidence,
            purposes: n.purposes.into_iter().collect(),
            sensitivity: n.special.then_some(core::Sensitivity::Special),
            evidence: n
                .evidence
                .into_iter()
                .map(|e| core::NewEvidence {
                    kind: e.kind.into(),
                    source: e.source,
                    summary: e.summary,
                    observed_at: None,
                    content_sha256: None,
                })
                .collect(),
        }
    }
}

impl From<RectifyRequest> for core::Rectify {
    fn from(r: RectifyRequest) -> Self {
        Self {
            statement: r.statement,
            confidence: r.confidence,
            purposes: r.purposes.map(|p| p.into_iter().collect()),
            reason: r.reason,
        }
    }
}

impl From<Acceptance> for core::Acceptance {
    fn from(a: Acceptance) -> Self {
        Self {
            category: a.category,
            purposes: a.purposes.map(|p| p.into_iter().collect()),
        }
    }
}

impl From<&core::BeliefType> for BeliefType {
    fn from(t: &core::BeliefType) -> Self {
        Self {
            id: t.id.clone(),
            name: t.name.clone(),
            description: t.description.clone(),
            allowed_purposes: ids(&t.allowed_purposes),
            retention_days: t.retention_days,
            min_share_confidence: t.min_share_confidence,
            evidence_required: t.evidence_required,
            default_sensitivity: t.default_sensitivity.into(),
            review_days: t.review_days,
        }
    }
}

/// One belief type.
pub fn belief_type(t: core::BeliefType) -> BeliefType {
    (&t).into()
}

impl From<core::Catalogue> for Catalogue {
    fn from(c: core::Catalogue) -> Self {
        Self {
            types: c.types.iter().map(BeliefType::from).collect(),
            purposes: c
                .purposes
                .iter()
                .map(|p| Purpose {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                    dpv_term: p.dpv_term.clone(),
                    opt_in: p.opt_in,
                })
                .collect(),
        }
    }
}

/// The audit log.
pub fn audit_events(events: Vec<core::AuditEvent>) -> Vec<AuditEvent> {
    events
        .into_iter()
        .map(|e| AuditEvent {
            seq: e.seq,
            at: time(&e.at),
            action: e.action,
            subject: e.subject,
            detail: e.detail,
            hash: e.hash.to_hex(),
        })
        .collect()
}

impl From<core::ChainVerdict> for AuditVerdict {
    fn from(v: core::ChainVerdict) -> Self {
        match v {
            core::ChainVerdict::Intact { events, head } => Self::Intact {
                events,
                head: head.to_hex(),
            },
            core::ChainVerdict::Broken {
                first_bad_event,
                reason,
            } => Self::Broken {
                first_bad_event,
                reason,
            },
        }
    }
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
            ExportEncryption::Passphrase => archive::Protection::Passphrase {
                passphrase: core::Passphrase::new(
                    self.passphrase.filter(|p| !p.is_empty()).ok_or_else(|| {
                        IpcError::new("invalid_field", "enter a passphrase for the file")
                    })?,
                ),
                work_factor: None,
            },
            ExportEncryption::Recipients => {
                if self.recipients.is_empty() {
                    return Err(IpcError::new(
                        "invalid_field",
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
        exported_at: time(&file.parsed.contents.exported_at),
        source_vault: r.source_vault,
        signed_by: file.parsed.public_key.clone(),
        in_file: count(file.parsed.contents.beliefs.len()),
        new: count(r.new.len()),
        identical: count(r.identical.len()),
        conflicting: strings(&r.conflicting),
        types_added: r.types_added,
        purposes_added: r.purposes_added,
        types_differing: r.types_differing,
        foreign: r.foreign,
        erased: count(r.erased.len()),
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

fn vendor(v: &core::Vendor) -> Vendor {
    Vendor {
        id: v.id.clone(),
        name: v.name.clone(),
        url: v.url.clone(),
    }
}

fn scope(s: &core::Scope) -> Scope {
    Scope {
        purposes: ids(&s.purposes),
        categories: ids(&s.categories),
        operations: s.operations.iter().map(|o| o.as_str().to_owned()).collect(),
        special: s.max_sensitivity == core::Sensitivity::Special,
        min_confidence: s.min_confidence,
        origins: ids(&s.origins),
    }
}

/// Grant requests for the inbox.
pub fn grant_requests(requests: Vec<core::GrantRequest>) -> Vec<GrantRequest> {
    requests
        .iter()
        .map(|r| GrantRequest {
            id: r.id.clone(),
            vendor: vendor(&r.vendor),
            scope: scope(&r.scope),
            duration_days: r.duration_days,
            vendor_retention_days: r.vendor_retention_days,
            justification: r.justification.clone(),
            user_code: r.user_code.clone(),
            status: r.status.as_str().to_owned(),
            created_at: time(&r.created_at),
            expires_at: time(&r.expires_at),
            web_origin: r.web_origin.clone(),
        })
        .collect()
}

impl Narrowing {
    /// The domain's narrowing (operations parsed here).
    pub fn into_domain(self) -> Result<core::Narrowing, IpcError> {
        let set = |v: Option<Vec<String>>| v.map(|v| v.into_iter().collect());
        Ok(core::Narrowing {
            purposes: set(self.purposes),
            categories: set(self.categories),
            operations: self
                .operations
                .map(|ops| ops.iter().map(|o| o.parse::<core::Operation>()).collect())
                .transpose()?,
            duration_days: self.duration_days,
            origins: set(self.origins),
            no_special: self.no_special,
        })
    }
}

/// What a request would disclose, per purpose.
pub fn preview(p: Vec<(String, Vec<core::Belief>)>) -> Vec<PreviewPurpose> {
    p.into_iter()
        .map(|(purpose, beliefs)| PreviewPurpose {
            purpose,
            beliefs: rows(beliefs),
        })
        .collect()
}

/// Grants with their use.
pub fn grants(list: Vec<selfmodel::GrantSummary>) -> Vec<Grant> {
    let now = chrono::Utc::now();
    list.iter()
        .map(|s| {
            let g = &s.grant;
            Grant {
                id: g.id.clone(),
                vendor: vendor(&g.vendor),
                scope: scope(&g.scope),
                vendor_retention_days: g.vendor_retention_days,
                created_at: time(&g.created_at),
                expires_at: time(&g.expires_at),
                revoked_at: g.revoked_at.as_ref().map(time),
                revoked_by: g.revoked_by.clone(),
                last_used_at: g.last_used_at.as_ref().map(time),
                access_count: s.access_count,
                live: g.is_live(now),
            }
        })
        .collect()
}

/// The access log.
pub fn access_log(entries: Vec<core::AccessEntry>) -> Vec<AccessEntry> {
    entries
        .into_iter()
        .map(|e| {
            let (allowed, denied_because) = match e.outcome {
                core::Outcome::Allowed => (true, None),
                core::Outcome::Denied(why) => (false, Some(why)),
            };
            AccessEntry {
                seq: e.seq,
                at: time(&e.at),
                grant_id: e.grant_id,
                vendor_id: e.vendor_id,
                purpose: e.purpose,
                operation: e.operation,
                allowed,
                denied_because,
                disclosed: e.disclosed.iter().map(ToString::to_string).collect(),
                requests: e.requests,
            }
        })
        .collect()
}

/// Who received a belief.
pub fn recipients(list: Vec<selfmodel::Recipient>) -> Vec<Recipient> {
    list.into_iter()
        .map(|r| Recipient {
            grant_id: r.grant_id,
            vendor_id: r.vendor_id,
            times: r.times,
            last_at: time(&r.last_at),
        })
        .collect()
}

// ---- the transparency report and the data-subject packages --------------------------------

/// A count with what it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Tally {
    /// What is counted: a purpose, a type, a reason code.
    pub key: String,
    /// How many.
    pub n: u32,
}

/// One type's line of the report's inventory.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportType {
    /// The type's id.
    pub type_id: String,
    /// Its display name.
    pub name: String,
    /// Active beliefs.
    pub active: u32,
    /// Proposals waiting for the person.
    pub pending: u32,
    /// Active beliefs in a special category.
    pub special: u32,
    /// Active beliefs below the type's confidence for sharing (never shared).
    pub below_threshold: u32,
    /// The type's confidence for sharing.
    pub min_share_confidence: f64,
}

/// What the vault holds now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportInventory {
    /// Every stored belief.
    pub total: u32,
    /// Active beliefs.
    pub active: u32,
    /// Proposals waiting for the person.
    pub pending: u32,
    /// Rejected proposals kept as rejected.
    pub rejected: u32,
    /// Active beliefs of ordinary sensitivity.
    pub normal: u32,
    /// Active beliefs in a special category.
    pub special: u32,
    /// Active beliefs with evidence.
    pub with_evidence: u32,
    /// Pieces of evidence on active beliefs.
    pub evidence_items: u32,
    /// Active beliefs below their type's confidence for sharing.
    pub below_threshold: u32,
    /// Per type.
    pub by_type: Vec<ReportType>,
    /// Active beliefs per purpose.
    pub by_purpose: Vec<Tally>,
}

/// What a vendor received for one purpose in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReportPurpose {
    /// The purpose.
    pub purpose: String,
    /// Allowed requests naming it.
    pub requests: u32,
    /// Beliefs disclosed, once per belief per request.
    pub disclosures: u32,
    /// Distinct beliefs disclosed.
    pub distinct_beliefs: u32,
}

/// A grant in the report, and what its vendor did in the period.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportVendor {
    /// The grant's id.
    pub grant_id: String,
    /// The vendor.
    pub vendor: Vendor,
    /// `active`, `expired` or `revoked`.
    pub state: String,
    /// Granted purposes.
    pub purposes: Vec<String>,
    /// Granted types.
    pub categories: Vec<String>,
    /// Allowed requests in the period.
    pub requests: u32,
    /// Beliefs disclosed in the period.
    pub disclosures: u32,
    /// Per purpose.
    pub received: Vec<ReportPurpose>,
    /// Refused requests in the period.
    pub denied: u32,
    /// Notices sent to it in the period (rectifications, erasures, revocation).
    pub notices: u32,
}

/// How long one step of the disclosures-over-time series is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    /// A day (UTC).
    Day,
    /// A week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
}

/// One vendor's line of the series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SeriesLine {
    /// The vendor's id.
    pub vendor_id: String,
    /// Its display name.
    pub name: String,
    /// Beliefs disclosed in each step (aligned with `starts`).
    pub counts: Vec<u32>,
    /// In the whole period.
    pub total: u32,
}

/// Beliefs disclosed per vendor in each step of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DisclosureSeries {
    /// The length of a step.
    pub bucket: Bucket,
    /// The first day of each step (`YYYY-MM-DD`), oldest first, without gaps.
    pub starts: Vec<String>,
    /// Each vendor that received anything in the period.
    pub vendors: Vec<SeriesLine>,
}

/// The audit chain, as the report tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReportIntegrity {
    /// Whether the chain verifies.
    pub intact: bool,
    /// Events in the chain.
    pub events: u32,
    /// The head hash, when intact.
    pub head: Option<String>,
    /// The first event that does not verify, when broken.
    pub first_bad_event: Option<u32>,
    /// Why it does not, when broken.
    pub broken_reason: Option<String>,
    /// Events in the period.
    pub events_in_period: u32,
    /// Exports and imports in the period.
    pub transfers: u32,
    /// Erasures in the period.
    pub erasures: u32,
    /// Beliefs erased in the period.
    pub beliefs_erased: u32,
}

/// The transparency report for a period, as the Reports screen shows it (the saved documents
/// have every detail).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Report {
    /// When it was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The first instant covered, if bounded.
    pub from: Option<String>,
    /// The first instant no longer covered, if bounded.
    pub to: Option<String>,
    /// What the vault holds now.
    pub inventory: ReportInventory,
    /// Beliefs past their type's retention (zero unless something is wrong).
    pub past_retention: u32,
    /// Every grant, with its vendor's use in the period.
    pub vendors: Vec<ReportVendor>,
    /// Refused requests in the period that carried no valid grant.
    pub denied_without_grant: u32,
    /// Beliefs disclosed per vendor over the period.
    pub disclosures: DisclosureSeries,
    /// The audit chain's verdict.
    pub integrity: ReportIntegrity,
}

/// The format of a saved document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DocumentFormat {
    /// One self-contained HTML page.
    Html,
    /// Markdown.
    Markdown,
    /// JSON.
    Json,
}

impl From<DocumentFormat> for selfmodel::render::Format {
    fn from(f: DocumentFormat) -> Self {
        match f {
            DocumentFormat::Html => Self::Html,
            DocumentFormat::Markdown => Self::Markdown,
            DocumentFormat::Json => Self::Json,
        }
    }
}

/// A document written to a file the person chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SavedDocument {
    /// The file.
    pub path: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
}

fn n(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn tallies(v: &[(String, u64)]) -> Vec<Tally> {
    v.iter()
        .map(|(key, count)| Tally {
            key: key.clone(),
            n: n(*count),
        })
        .collect()
}

fn sum(v: &[(String, u64)]) -> u32 {
    n(v.iter().map(|(_, c)| c).sum())
}

/// The days from `from` to `to` (`YYYY-MM-DD`, UTC, both included; open when absent).
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<selfmodel::report::Period, IpcError> {
    let day = |field: &str, s: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            IpcError::new(
                "invalid_field",
                format!("{field}: '{s}' is not a date (YYYY-MM-DD)"),
            )
        })
    };
    let from = from.map(|s| day("from", s)).transpose()?;
    let to = to.map(|s| day("to", s)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(IpcError::new(
            "invalid_field",
            "the period must end on or after the day it starts",
        ));
    }
    Ok(selfmodel::report::Period::days(from, to))
}

/// The report, for the Reports screen.
pub fn report(r: selfmodel::report::Report) -> Report {
    use selfmodel::report::Bucket as B;
    let inv = &r.inventory;
    let i = &r.integrity;
    let s = &r.disclosures;
    Report {
        generated_at: time(&r.generated_at),
        from: r.period.from.as_ref().map(time),
        to: r.period.to.as_ref().map(time),
        inventory: ReportInventory {
            total: n(inv.total),
            active: n(inv.active),
            pending: n(inv.pending),
            rejected: n(inv.rejected),
            normal: n(inv.normal),
            special: n(inv.special),
            with_evidence: n(inv.with_evidence),
            evidence_items: n(inv.evidence_items),
            below_threshold: n(inv.below_threshold),
            by_type: inv
                .by_type
                .iter()
                .map(|t| ReportType {
                    type_id: t.type_id.clone(),
                    name: t.name.clone(),
                    active: n(t.active),
                    pending: n(t.pending),
                    special: n(t.special),
                    below_threshold: n(t.below_threshold),
                    min_share_confidence: t.min_share_confidence,
                })
                .collect(),
            by_purpose: tallies(&inv.by_purpose),
        },
        past_retention: n(r.retention.iter().map(|x| x.past_retention).sum()),
        vendors: r
            .vendors
            .iter()
            .map(|v| ReportVendor {
                grant_id: v.grant.id.clone(),
                vendor: vendor(&v.grant.vendor),
                state: v.state.to_owned(),
                purposes: ids(&v.grant.scope.purposes),
                categories: ids(&v.grant.scope.categories),
                requests: n(v.requests),
                disclosures: n(v.disclosures),
                received: v
                    .received
                    .iter()
                    .map(|p| ReportPurpose {
                        purpose: p.purpose.clone(),
                        requests: n(p.requests),
                        disclosures: n(p.disclosures),
                        distinct_beliefs: n(p.distinct_beliefs),
                    })
                    .collect(),
                denied: sum(&v.denied),
                notices: sum(&v.notices),
            })
            .collect(),
        denied_without_grant: sum(&r.denied_without_grant),
        disclosures: DisclosureSeries {
            bucket: match s.bucket {
                B::Day => Bucket::Day,
                B::Week => Bucket::Week,
                B::Month => Bucket::Month,
            },
            starts: s
                .starts
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect(),
            vendors: s
                .vendors
                .iter()
                .map(|v| SeriesLine {
                    vendor_id: v.vendor_id.clone(),
                    name: v.name.clone(),
                    counts: v.counts.iter().map(|c| n(*c)).collect(),
                    total: n(v.total()),
                })
                .collect(),
        },
        integrity: ReportIntegrity {
            intact: i.intact,
            events: n(i.events),
            head: i.head.clone(),
            first_bad_event: i.broken_at.as_ref().map(|b| n(b.0)),
            broken_reason: i.broken_at.as_ref().map(|b| b.1.clone()),
            events_in_period: n(i.events_in_period),
            transfers: count(i.transfers.len()),
            erasures: count(i.erasures.len()),
            beliefs_erased: n(i.beliefs_erased),
        },
    }
}

/// The TypeScript declarations of every wire type, as committed in
/// `ui/src/lib/bindings/ipc.ts`.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::new();
    let mut out = String::from(
        "// Generated from src-tauri/src/dto/ by ts-rs. Do not edit: run\n\
         // `SELFMODEL_BLESS=1 cargo test -p selfmodel-desktop --test ipc_surface` to regenerate.\n",
    );
    macro_rules! decl {
        ($($t:ty),+ $(,)?) => {$(
            out.push('\n');
            if let Some(docs) = <$t as TS>::docs() {
                out.push_str(&docs);
            }
            out.push_str("export ");
            out.push_str(&<$t as TS>::decl(&cfg));
            out.push('\n');
        )+};
    }
    decl!(
        Sensitivity,
        Status,
        EvidenceKind,
        ActorKind,
        Actor,
        Provenance,
        Evidence,
        Snapshot,
        Rectification,
        BeliefRow,
        BeliefDetail,
        NewEvidence,
        NewBelief,
        RectifyRequest,
        Acceptance,
        DueBelief,
        SameAs,
        MemoryFate,
        MemoryItem,
        MemoryImport,
        Purpose,
        BeliefType,
        Catalogue,
        AuditEvent,
        AuditVerdict,
        VaultStatus,
        Unlocked,
        Settings,
        ApiStatus,
        ExportEncryption,
        ExportRequest,
        ExportDone,
        ImportFile,
        ConflictChoice,
        ImportOutcome,
        Vendor,
        Scope,
        GrantRequest,
        Narrowing,
        PreviewPurpose,
        Grant,
        AccessEntry,
        Recipient,
        Tally,
        ReportType,
        ReportInventory,
        ReportPurpose,
        ReportVendor,
        Bucket,
        SeriesLine,
        DisclosureSeries,
        ReportIntegrity,
        Report,
        DocumentFormat,
        SavedDocument,
        IpcError,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use selfmodel::Selfmodel;
    use selfmodel_core::{BeliefFilter, Passphrase};

    #[test]
    fn a_report_period_is_whole_days_and_nonsense_is_refused() {
        let p = period(Some("2026-03-01"), Some("2026-03-31")).expect("period");
        assert_eq!(
            p.from.map(|t| time(&t)).as_deref(),
            Some("2026-03-01T00:00:00.000Z")
        );
        assert_eq!(
            p.to.map(|t| time(&t)).as_deref(),
            Some("2026-04-01T00:00:00.000Z"),
            "the last day is included"
        );
        assert_eq!(period(None, None).expect("open"), Default::default());
        assert_eq!(
            period(Some("2026-02-30"), None)
                .expect_err("no such day")
                .code,
            "invalid_field"
        );
        assert_eq!(
            period(Some("2026-03-02"), Some("2026-03-01"))
                .expect_err("backwards")
                .code,
            "invalid_field"
        );
    }

    #[test]
    fn the_report_converts_with_its_series() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pass = Passphrase::new("a test passphrase".into());
        let mut m = Selfmodel::create(&dir.path().join("v.db"), &pass).expect("create");
        m.fill_demo().expect("demo");
        let r = m.report(Default::default()).expect("report");
        let wire = report(r.clone());
        assert_eq!(wire.inventory.total as u64, r.inventory.total);
        assert_eq!(wire.inventory.by_type.len(), r.inventory.by_type.len());
        assert_eq!(wire.disclosures.starts.len(), r.disclosures.starts.len());
        assert_eq!(wire.disclosures.bucket, Bucket::Day);
        assert!(wire.integrity.intact && wire.integrity.head == r.integrity.head);
        let json = serde_json::to_value(&wire).expect("json");
        assert_eq!(json["disclosures"]["bucket"], "day");
    }

    #[test]
    fn domain_beliefs_convert_to_the_wire_format() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pass = Passphrase::new("a test passphrase".into());
        let mut m = Selfmodel::create(&dir.path().join("v.db"), &pass).expect("create");
        m.fill_demo().expect("demo");
        let beliefs = m.beliefs(&BeliefFilter::default()).expect("list");
        let rows = rows(beliefs.clone());
        assert_eq!(rows.len(), beliefs.len());
        let json = serde_json::to_value(&rows[0]).expect("json");
        for key in [
            "id",
            "statement",
            "category",
            "confidence",
            "purposes",
            "sensitivity",
            "status",
            "actor",
            "created_at",
            "updated_at",
            "expires_at",
            "evidence_count",
            "history_count",
        ] {
            assert!(json.get(key).is_some(), "{key} missing from {json}");
        }
        assert_eq!(json["status"], "active");
        assert_eq!(json["actor"]["kind"], "system");

        let with_evidence = beliefs
            .iter()
            .find(|b| !b.evidence.is_empty())
            .expect("demo beliefs have evidence");
        let d = detail(with_evidence.clone());
        assert_eq!(d.evidence.len(), with_evidence.evidence.len());
        assert_eq!(d.row.id, with_evidence.id.to_string());
        assert_eq!(d.provenance.method, "demo");
    }

    #[test]
    fn wire_input_converts_to_the_domain_and_rejects_unknown_fields() {
        let new: NewBelief = serde_json::from_value(serde_json::json!({
            "statement": "Likes jazz", "category": "interests", "confidence": 0.7,
            "purposes": [], "special": true,
            "evidence": [{"kind": "stated", "source": "app", "summary": "Said so"}]
        }))
        .expect("valid");
        let domain: core::NewBelief = new.into();
        assert_eq!(domain.sensitivity, Some(core::Sensitivity::Special));
        assert_eq!(domain.evidence[0].kind, core::EvidenceKind::Stated);
        let extra = serde_json::from_value::<RectifyRequest>(serde_json::json!({
            "statement": null, "confidence": 0.5, "purposes": null, "reason": "x", "actor": "vendor"
        }));
        assert!(extra.is_err(), "unknown fields are refused");
    }

    #[test]
    fn errors_keep_the_core_code() {
        let e: IpcError = selfmodel::Error::WeakPassphrase("too short".into()).into();
        assert_eq!(e.code, "weak_passphrase");
        assert_eq!(
            serde_json::to_value(&e).expect("json"),
            serde_json::json!({"code": "weak_passphrase", "message": "passphrase too weak: too short"})
        );
    }
}
