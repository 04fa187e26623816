//! The IPC wire types: what crosses between the Rust shell and the web UI.
//!
//! Domain types are not `Serialize` (see `selfmodel-core`); these structs are the desktop app's
//! own wire format, converted from the domain by hand so that a refactor of the domain cannot
//! silently change what the UI receives. The transparency report crosses as its own versioned
//! document, [`ReportDocument`], the one `selfmodel report --json` writes. The UI's
//! TypeScript types are generated from these (`ui/src/lib/bindings/ipc.ts`, by the
//! `ipc_surface` test, which fails when they drift).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use selfmodel::archive;
use selfmodel_core as core;
pub use selfmodel_core::ErrorCode;

mod living;
mod transfer;
mod vendors;
pub use living::*;
/// The format of a saved document.
pub use selfmodel::render::Format as DocumentFormat;
pub use selfmodel::report::ReportDocument;
pub use transfer::*;
pub use vendors::*;

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

/// A page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditPage {
    /// The events.
    pub events: Vec<AuditEvent>,
    /// Whether older events follow.
    pub more: bool,
}

/// One audit event: ids, counts and hashes, never content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditEvent {
    /// Position in the chain, from 1.
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
        events: u64,
        /// The last event's hash (hex).
        head: String,
    },
    /// An event does not match.
    Broken {
        /// The first event that does not verify.
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
    /// Beliefs past their retention at unlock: no read returns them, and they are erased once the
    /// check of every page has passed.
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

/// An error as the UI receives it: a stable machine-readable code and a one-line message.
#[derive(Debug, Clone, PartialEq, Eq, TS)]
pub struct IpcError {
    /// Stable code, e.g. `wrong_passphrase`, `vault_locked`, `invalid_field`.
    #[ts(type = "ErrorCode")]
    pub code: ErrorCode,
    /// One line for the person.
    pub message: String,
}

impl IpcError {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The person cancelled; `message` says what did not happen.
    pub fn cancelled(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Cancelled, message)
    }

    /// The vault is locked.
    pub fn locked() -> Self {
        Self::new(
            ErrorCode::VaultLocked,
            "The vault is locked. Unlock it to continue.",
        )
    }
}

/// Written as `{"code": name, "message": ...}`; the code by its name.
impl Serialize for IpcError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut e = s.serialize_struct("IpcError", 2)?;
        e.serialize_field("code", self.code.as_str())?;
        e.serialize_field("message", &self.message)?;
        e.end()
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

/// A count as the page receives it, capped at `u32::MAX`.
pub(crate) fn count(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
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

/// A document written to a file the person chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SavedDocument {
    /// The file.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
}

#[cfg(test)]
mod tests;
