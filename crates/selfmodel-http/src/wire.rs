//! The v1 wire types: the API's public contract, converted from the domain by hand. Requests
//! reject unknown fields.

use chrono::{DateTime, Utc};
use selfmodel_core::audit::canonical_time;
use selfmodel_core::{Belief, ConsentRecord, Grant, Operation, VendorEvent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Who is asking (self-asserted; shown to the person as such).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorInfo {
    /// The vendor's own id for itself, e.g. `com.example.notes`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its web site.
    #[serde(default)]
    pub url: Option<String>,
}

/// `POST /v1/grant-requests`: what a vendor asks for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequestIn {
    /// Who asks.
    pub vendor: VendorInfo,
    /// Purposes its reads will name (see the purpose catalogue).
    pub purposes: Vec<String>,
    /// Belief types it wants.
    pub categories: Vec<String>,
    /// Any of `read`, `read_evidence`, `propose`.
    pub operations: Vec<String>,
    /// `normal` (default) or `special` (GDPR Art. 9 data, granted only explicitly).
    #[serde(default)]
    pub max_sensitivity: Option<String>,
    /// Never disclose beliefs below this confidence.
    #[serde(default)]
    pub min_confidence: Option<f64>,
    /// Browser origins that will call the API (exact, e.g. `https://app.example`).
    #[serde(default)]
    pub origins: Vec<String>,
    /// For how many days (at most 365).
    pub duration_days: u32,
    /// How long the vendor keeps what it reads, in days.
    pub vendor_retention_days: u32,
    /// Why, in plain words for the person.
    pub justification: String,
}

/// The answer to a grant request: show `user_code` to the person; poll with `poll_secret`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GrantRequestOut {
    /// Request id.
    pub request_id: String,
    /// The code the person matches in Selfmodel.
    pub user_code: String,
    /// The secret to poll with (shown only here).
    pub poll_secret: String,
    /// When the request lapses.
    pub expires_at: String,
    /// Seconds between polls.
    pub interval: u64,
}

/// `POST /v1/grant-requests/poll`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PollIn {
    /// The poll secret from the grant request.
    pub poll_secret: String,
}

/// The state of a grant request; on approval, the bearer token (exactly once).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PollOut {
    /// `pending`, `approved`, `denied` or `expired`.
    pub status: String,
    /// The bearer token, on approval only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The grant as approved (possibly narrowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<GrantOut>,
    /// On approval: the vault's signed audit checkpoint, the vendor's first receipt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<CheckpointOut>,
}

/// A signed audit checkpoint: the vault's statement that its audit event `seq` has hash `head`.
/// The Ed25519 signature, by the vault's identity key (the key `POST /v1/server-proof` proves),
/// covers `"selfmodel-checkpoint-v1\n"` followed by the RFC 8785 canonical JSON of
/// `{"head", "issued_at", "seq", "vault_key"}`. Keep it as a receipt: two valid checkpoints with
/// the same key and `seq` but different heads prove the history was rewritten.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckpointOut {
    /// The vault's public identity key, hex.
    pub vault_key: String,
    /// The audit event's sequence number (the event count, for the latest).
    pub seq: u64,
    /// The event's SHA-256 chain hash, hex.
    pub head: String,
    /// When it was signed (RFC 3339, UTC), exactly as signed.
    pub issued_at: String,
    /// The Ed25519 signature, hex.
    pub signature: String,
}

/// Query of `GET /v1/checkpoint`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CheckpointQuery {
    /// The event whose hash the vault states now (default: the latest event).
    pub seq: Option<u64>,
}

/// A consent record in the shape of ISO/IEC TS 27560.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsentOut {
    /// Record id.
    pub id: String,
    /// The data subject.
    pub subject: String,
    /// The recipient.
    pub recipient: VendorInfo,
    /// Purposes consented to.
    pub purposes: Vec<String>,
    /// Data categories covered.
    pub data_categories: Vec<String>,
    /// Processing operations.
    pub operations: Vec<String>,
    /// Whether special-category data is included.
    pub special_categories: bool,
    /// The notice shown (the vendor's justification).
    pub notice: String,
    /// The recipient's stated retention, in days.
    pub recipient_retention_days: u32,
    /// When consent was given.
    pub given_at: String,
    /// When it ends.
    pub expires_at: String,
    /// How it was given.
    pub method: String,
}

/// A grant as its holder sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GrantOut {
    /// Grant id.
    pub id: String,
    /// The holder.
    pub vendor: VendorInfo,
    /// Purposes reads may name.
    pub purposes: Vec<String>,
    /// Belief types that may be disclosed.
    pub categories: Vec<String>,
    /// Allowed operations.
    pub operations: Vec<String>,
    /// `normal` or `special`.
    pub max_sensitivity: String,
    /// Minimum confidence disclosed.
    pub min_confidence: f64,
    /// Allowed browser origins.
    pub origins: Vec<String>,
    /// The vendor's stated retention, in days.
    pub vendor_retention_days: u32,
    /// When it was made.
    pub created_at: String,
    /// When it ends.
    pub expires_at: String,
    /// When it was revoked.
    pub revoked_at: Option<String>,
    /// The consent record.
    pub consent: ConsentOut,
}

/// Evidence behind a belief (only with `read_evidence`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EvidenceOut {
    /// `stated`, `observed`, `inferred` or `imported`.
    pub kind: String,
    /// Where it came from.
    pub source: String,
    /// A short summary.
    pub summary: String,
    /// When observed.
    pub observed_at: String,
}

/// A disclosed belief.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BeliefOut {
    /// Belief id.
    pub id: String,
    /// What is believed.
    pub statement: String,
    /// Its type.
    pub category: String,
    /// Confidence in [0, 1].
    pub confidence: f64,
    /// Purposes it may be used for.
    pub purposes: Vec<String>,
    /// `normal` or `special`.
    pub sensitivity: String,
    /// Last change.
    pub updated_at: String,
    /// Evidence, only under a grant with `read_evidence`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<EvidenceOut>>,
}

/// `GET /v1/beliefs`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BeliefsOut {
    /// The grant the read was made under.
    pub grant_id: String,
    /// The purpose it named.
    pub purpose: String,
    /// The beliefs disclosed.
    pub beliefs: Vec<BeliefOut>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Query of `GET /v1/beliefs`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BeliefsQuery {
    /// The purpose the beliefs will be used for (required).
    pub purpose: String,
    /// Only this belief type.
    pub category: Option<String>,
    /// Only at or above this confidence.
    pub min_confidence: Option<f64>,
    /// Page cursor (`next` of the previous page).
    pub after: Option<String>,
    /// Page size (default 100, at most 500).
    pub limit: Option<u64>,
}

/// Query of `GET /v1/beliefs/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PurposeQuery {
    /// The purpose the belief will be used for (required).
    pub purpose: String,
}

/// Evidence a vendor offers with a proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceIn {
    /// `stated`, `observed`, `inferred` or `imported`.
    pub kind: String,
    /// Where it came from.
    pub source: String,
    /// A short summary (at most 280 characters; no raw data).
    pub summary: String,
    /// When observed.
    #[serde(default)]
    pub observed_at: Option<DateTime<Utc>>,
    /// SHA-256 (hex) of the raw source the summary was made from.
    #[serde(default)]
    pub content_sha256: Option<String>,
}

/// `POST /v1/beliefs/proposals`: a belief for the person's inbox.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalIn {
    /// What the vendor believes, in one sentence.
    pub statement: String,
    /// Its type (must be granted).
    pub category: String,
    /// Confidence in [0, 1].
    pub confidence: f64,
    /// Purposes (must be granted).
    #[serde(default)]
    pub purposes: Vec<String>,
    /// Evidence.
    #[serde(default)]
    pub evidence: Vec<EvidenceIn>,
}

/// A proposal as filed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProposalOut {
    /// The new belief's id.
    pub id: String,
    /// Always `pending` until the person decides.
    pub status: String,
}

/// Query of `GET /v1/events`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only notices after this cursor (default 0).
    pub after: Option<u64>,
    /// Wait up to this many seconds for a notice (long poll; at most 25).
    pub wait: Option<u64>,
}

/// A notice to a recipient (GDPR Art. 19).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventOut {
    /// Cursor position.
    pub seq: u64,
    /// When.
    pub at: String,
    /// `belief.rectified`, `belief.erased` or `grant.revoked`.
    pub kind: String,
    /// The belief concerned.
    pub belief_id: Option<String>,
}

/// `GET /v1/events`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventsOut {
    /// Notices, oldest first.
    pub events: Vec<EventOut>,
    /// Pass as `after` next time.
    pub cursor: u64,
}

/// `POST /v1/server-proof`: a challenge to the server's identity key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofIn {
    /// 32 random bytes, hex.
    pub nonce: String,
}

/// The server's answer: its public key and an Ed25519 signature over
/// `"selfmodel-server-proof-v1\0" || nonce bytes`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProofOut {
    /// The vault's public identity key, hex.
    pub public_key: String,
    /// The signature, hex.
    pub signature: String,
}

/// An error: a stable `code` for programs and a `message` for people.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// The error.
    pub error: ProblemBody,
}

/// The body of [`Problem`].
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProblemBody {
    /// Stable machine-readable code, e.g. `purpose_not_granted`.
    pub code: String,
    /// What went wrong, in plain words.
    pub message: String,
}

/// The message a server signs to prove its identity.
pub fn proof_message(nonce: &[u8]) -> Vec<u8> {
    let mut m = b"selfmodel-server-proof-v1\0".to_vec();
    m.extend_from_slice(nonce);
    m
}

fn strings<'a>(it: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    it.into_iter().cloned().collect()
}

fn ops(it: &std::collections::BTreeSet<Operation>) -> Vec<String> {
    it.iter().map(|o| o.as_str().to_owned()).collect()
}

fn consent(c: &ConsentRecord) -> ConsentOut {
    ConsentOut {
        id: c.id.clone(),
        subject: c.subject.clone(),
        recipient: VendorInfo {
            id: c.recipient.id.clone(),
            name: c.recipient.name.clone(),
            url: c.recipient.url.clone(),
        },
        purposes: strings(&c.purposes),
        data_categories: strings(&c.data_categories),
        operations: ops(&c.operations),
        special_categories: c.special_categories,
        notice: c.notice.clone(),
        recipient_retention_days: c.recipient_retention_days,
        given_at: canonical_time(&c.given_at),
        expires_at: canonical_time(&c.expires_at),
        method: c.method.clone(),
    }
}

/// A grant on the wire.
pub fn grant(g: &Grant) -> GrantOut {
    GrantOut {
        id: g.id.clone(),
        vendor: VendorInfo {
            id: g.vendor.id.clone(),
            name: g.vendor.name.clone(),
            url: g.vendor.url.clone(),
        },
        purposes: strings(&g.scope.purposes),
        categories: strings(&g.scope.categories),
        operations: ops(&g.scope.operations),
        max_sensitivity: g.scope.max_sensitivity.as_str().to_owned(),
        min_confidence: g.scope.min_confidence,
        origins: strings(&g.scope.origins),
        vendor_retention_days: g.vendor_retention_days,
        created_at: canonical_time(&g.created_at),
        expires_at: canonical_time(&g.expires_at),
        revoked_at: g.revoked_at.as_ref().map(canonical_time),
        consent: consent(&g.consent),
    }
}

/// A belief on the wire; evidence only if `with_evidence`.
pub fn belief(b: &Belief, with_evidence: bool) -> BeliefOut {
    BeliefOut {
        id: b.id.to_string(),
        statement: b.statement.clone(),
        category: b.category.clone(),
        confidence: b.confidence,
        purposes: strings(&b.purposes),
        sensitivity: b.sensitivity.as_str().to_owned(),
        updated_at: canonical_time(&b.updated_at),
        evidence: with_evidence.then(|| {
            b.evidence
                .iter()
                .map(|e| EvidenceOut {
                    kind: e.kind.as_str().to_owned(),
                    source: e.source.clone(),
                    summary: e.summary.clone(),
                    observed_at: canonical_time(&e.observed_at),
                })
                .collect()
        }),
    }
}

/// A notice on the wire.
pub fn event(e: &VendorEvent) -> EventOut {
    EventOut {
        seq: e.seq,
        at: canonical_time(&e.at),
        kind: e.kind.as_str().to_owned(),
        belief_id: e.belief_id.map(|b| b.to_string()),
    }
}

/// A signed checkpoint on the wire.
pub fn checkpoint(c: &selfmodel::SignedCheckpoint) -> CheckpointOut {
    CheckpointOut {
        vault_key: c.vault_key.clone(),
        seq: c.seq,
        head: c.head.clone(),
        issued_at: c.issued_at.clone(),
        signature: c.signature.clone(),
    }
}
