//! The v1 wire format as a vendor sees it. Defined here, not shared with the server crates, so
//! vendors do not pull the server in; kept in step with the server by contract tests against its
//! OpenAPI document. Responses ignore fields this version does not know (forward compatible).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::secret::{PollSecret, Token};

/// Who the vendor is (self-asserted; shown to the person as such).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorInfo {
    /// The vendor's own id for itself, e.g. `com.example.notes`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its web site.
    #[serde(default)]
    pub url: Option<String>,
}

/// What a grant allows besides the purposes and categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Read beliefs.
    Read,
    /// Also receive the evidence behind them.
    ReadEvidence,
    /// Propose new beliefs to the person's inbox.
    Propose,
}

/// How sensitive data may be: `special` is GDPR Art. 9 data (health, ...), granted only
/// explicitly.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// Ordinary personal data.
    #[default]
    Normal,
    /// Special-category data.
    Special,
}

/// `POST /v1/grant-requests`: what a vendor asks for. Build with [`GrantRequest::new`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GrantRequest {
    /// Who asks.
    pub vendor: VendorInfo,
    /// Purposes its reads will name (see `selfmodel purposes`).
    pub purposes: Vec<String>,
    /// Belief types it wants (see `selfmodel types`).
    pub categories: Vec<String>,
    /// Operations it wants.
    pub operations: Vec<Operation>,
    /// Highest sensitivity (default normal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_sensitivity: Option<Sensitivity>,
    /// Never disclose beliefs below this confidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f64>,
    /// Browser origins that will call the API (exact, e.g. `https://app.example`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub origins: Vec<String>,
    /// For how many days (1 to 365).
    pub duration_days: u32,
    /// How long the vendor keeps what it reads, in days (shown to the person, recorded).
    pub vendor_retention_days: u32,
    /// Why, in plain words for the person.
    pub justification: String,
}

impl GrantRequest {
    /// A request for `read` for 30 days with 0 days' retention; add purposes and categories.
    pub fn new(vendor_id: &str, vendor_name: &str, justification: &str) -> Self {
        Self {
            vendor: VendorInfo {
                id: vendor_id.to_owned(),
                name: vendor_name.to_owned(),
                url: None,
            },
            purposes: Vec::new(),
            categories: Vec::new(),
            operations: vec![Operation::Read],
            max_sensitivity: None,
            min_confidence: None,
            origins: Vec::new(),
            duration_days: 30,
            vendor_retention_days: 0,
            justification: justification.to_owned(),
        }
    }

    /// The vendor's web site.
    pub fn url(mut self, url: &str) -> Self {
        self.vendor.url = Some(url.to_owned());
        self
    }

    /// The purposes reads will name.
    pub fn purposes<S: Into<String>>(mut self, p: impl IntoIterator<Item = S>) -> Self {
        self.purposes = p.into_iter().map(Into::into).collect();
        self
    }

    /// The belief types wanted.
    pub fn categories<S: Into<String>>(mut self, c: impl IntoIterator<Item = S>) -> Self {
        self.categories = c.into_iter().map(Into::into).collect();
        self
    }

    /// The operations wanted.
    pub fn operations(mut self, ops: impl IntoIterator<Item = Operation>) -> Self {
        self.operations = ops.into_iter().collect();
        self
    }

    /// The highest sensitivity wanted.
    pub fn max_sensitivity(mut self, s: Sensitivity) -> Self {
        self.max_sensitivity = Some(s);
        self
    }

    /// The lowest confidence wanted.
    pub fn min_confidence(mut self, c: f64) -> Self {
        self.min_confidence = Some(c);
        self
    }

    /// Browser origins that will call the API.
    pub fn origins<S: Into<String>>(mut self, o: impl IntoIterator<Item = S>) -> Self {
        self.origins = o.into_iter().map(Into::into).collect();
        self
    }

    /// How many days the grant should last.
    pub fn duration_days(mut self, days: u32) -> Self {
        self.duration_days = days;
        self
    }

    /// How many days the vendor keeps what it reads.
    pub fn vendor_retention_days(mut self, days: u32) -> Self {
        self.vendor_retention_days = days;
        self
    }
}

/// The answer to a grant request as sent on the wire.
#[derive(Serialize, Deserialize)]
pub(crate) struct GrantRequestOut {
    pub request_id: String,
    pub user_code: String,
    pub poll_secret: String,
    pub expires_at: DateTime<Utc>,
    pub interval: u64,
}

/// A filed grant request: show [`PendingGrant::user_code`] to the person, then poll.
pub struct PendingGrant {
    /// The request id (the person approves it as `selfmodel grant approve ID`).
    pub request_id: String,
    /// The code the person matches in Selfmodel.
    pub user_code: String,
    /// The secret to poll with.
    pub poll_secret: PollSecret,
    /// When the request lapses.
    pub expires_at: DateTime<Utc>,
    /// How long to wait between polls.
    pub interval: Duration,
}

impl std::fmt::Debug for PendingGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingGrant")
            .field("request_id", &self.request_id)
            .field("user_code", &self.user_code)
            .field("expires_at", &self.expires_at)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl From<GrantRequestOut> for PendingGrant {
    fn from(o: GrantRequestOut) -> Self {
        Self {
            request_id: o.request_id,
            user_code: o.user_code,
            poll_secret: PollSecret::new(o.poll_secret),
            expires_at: o.expires_at,
            interval: Duration::from_secs(o.interval.max(1)),
        }
    }
}

/// `POST /v1/grant-requests/poll` body.
#[derive(Serialize)]
pub(crate) struct PollIn<'a> {
    pub poll_secret: &'a str,
}

/// The poll answer as sent on the wire.
#[derive(Deserialize)]
pub(crate) struct PollOut {
    pub status: String,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub grant: Option<Grant>,
    #[serde(default)]
    pub checkpoint: Option<SignedCheckpoint>,
}

/// The state of a grant request.
pub enum PollStatus {
    /// The person has not decided yet.
    Pending,
    /// Approved: the token (handed over only this once) and the grant as approved.
    Approved(Box<Approval>),
    /// The person denied it.
    Denied,
    /// Nobody decided in time.
    Expired,
}

impl std::fmt::Debug for PollStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pending => f.write_str("Pending"),
            Self::Approved(a) => f.debug_tuple("Approved").field(a).finish(),
            Self::Denied => f.write_str("Denied"),
            Self::Expired => f.write_str("Expired"),
        }
    }
}

/// An approved grant: the bearer token and the grant (possibly narrowed by the person).
pub struct Approval {
    /// The bearer token; store it, it is shown only once.
    pub token: Token,
    /// The grant as approved.
    pub grant: Grant,
    /// The vault's signed audit checkpoint at approval, checked against the pinned key: the
    /// first receipt to keep (see [`SignedCheckpoint`]). `None` if the server sent none, or one
    /// that does not verify (the token is handed over once, so the approval is not refused).
    pub checkpoint: Option<SignedCheckpoint>,
}

impl std::fmt::Debug for Approval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Approval")
            .field("grant", &self.grant)
            .field("checkpoint", &self.checkpoint)
            .finish_non_exhaustive()
    }
}

/// The consent record of a grant, in the shape of ISO/IEC TS 27560.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consent {
    /// Record id.
    pub id: String,
    /// The data subject.
    pub subject: String,
    /// The recipient (the vendor).
    pub recipient: VendorInfo,
    /// Purposes consented to.
    pub purposes: Vec<String>,
    /// Data categories covered.
    pub data_categories: Vec<String>,
    /// Processing operations.
    pub operations: Vec<Operation>,
    /// Whether special-category data is included.
    pub special_categories: bool,
    /// The notice shown (the vendor's justification).
    pub notice: String,
    /// The recipient's stated retention, in days.
    pub recipient_retention_days: u32,
    /// When consent was given.
    pub given_at: DateTime<Utc>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
    /// How it was given.
    pub method: String,
}

/// A grant as its holder sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    /// Grant id.
    pub id: String,
    /// The holder.
    pub vendor: VendorInfo,
    /// Purposes reads may name.
    pub purposes: Vec<String>,
    /// Belief types that may be disclosed.
    pub categories: Vec<String>,
    /// Allowed operations.
    pub operations: Vec<Operation>,
    /// Highest sensitivity disclosed.
    pub max_sensitivity: Sensitivity,
    /// Lowest confidence disclosed.
    pub min_confidence: f64,
    /// Allowed browser origins.
    pub origins: Vec<String>,
    /// The vendor's stated retention, in days.
    pub vendor_retention_days: u32,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The consent record.
    pub consent: Consent,
}

impl Grant {
    /// Whether the grant allows an operation.
    pub fn allows(&self, op: Operation) -> bool {
        self.operations.contains(&op)
    }
}

/// Evidence behind a belief (only under a grant with `read_evidence`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// `stated`, `observed`, `inferred` or `imported`.
    pub kind: String,
    /// Where it came from.
    pub source: String,
    /// A short summary.
    pub summary: String,
    /// When observed.
    pub observed_at: DateTime<Utc>,
}

/// A disclosed belief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Belief {
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
    /// Normal or special.
    pub sensitivity: Sensitivity,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Evidence: `Some` only under a grant with `read_evidence`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<Evidence>>,
}

/// One page of `GET /v1/beliefs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeliefPage {
    /// The grant the read was made under.
    pub grant_id: String,
    /// The purpose it named.
    pub purpose: String,
    /// The beliefs disclosed.
    pub beliefs: Vec<Belief>,
    /// The cursor of the next page; `None` on the last page. A page may be short, even empty,
    /// and still have a next one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// What to read: a purpose (required) and optional filters and paging.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BeliefQuery {
    /// The purpose the beliefs will be used for.
    pub purpose: String,
    /// Only this belief type.
    pub category: Option<String>,
    /// Only at or above this confidence.
    pub min_confidence: Option<f64>,
    /// Start after this cursor (a page's `next`).
    pub after: Option<String>,
    /// Page size (server default 100, at most 500).
    pub limit: Option<u32>,
}

impl BeliefQuery {
    /// Beliefs for a purpose.
    pub fn new(purpose: &str) -> Self {
        Self {
            purpose: purpose.to_owned(),
            ..Self::default()
        }
    }

    /// Only this belief type.
    pub fn category(mut self, c: &str) -> Self {
        self.category = Some(c.to_owned());
        self
    }

    /// Only at or above this confidence.
    pub fn min_confidence(mut self, c: f64) -> Self {
        self.min_confidence = Some(c);
        self
    }

    /// Start after this cursor.
    pub fn after(mut self, cursor: &str) -> Self {
        self.after = Some(cursor.to_owned());
        self
    }

    /// Page size.
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }

    /// The query parameters this read is sent with.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("purpose", self.purpose.clone())];
        if let Some(c) = &self.category {
            q.push(("category", c.clone()));
        }
        if let Some(m) = self.min_confidence {
            q.push(("min_confidence", m.to_string()));
        }
        if let Some(a) = &self.after {
            q.push(("after", a.clone()));
        }
        if let Some(l) = self.limit {
            q.push(("limit", l.to_string()));
        }
        q
    }
}

/// Evidence a vendor offers with a proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceIn {
    /// `stated`, `observed`, `inferred` or `imported`.
    pub kind: String,
    /// Where it came from.
    pub source: String,
    /// A short summary (at most 280 characters; no raw data).
    pub summary: String,
    /// When observed (default: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<DateTime<Utc>>,
    /// SHA-256 (hex) of the raw source the summary was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_sha256: Option<String>,
}

impl EvidenceIn {
    /// Evidence of a kind, from a source, with a summary.
    pub fn new(kind: &str, source: &str, summary: &str) -> Self {
        Self {
            kind: kind.to_owned(),
            source: source.to_owned(),
            summary: summary.to_owned(),
            observed_at: None,
            content_sha256: None,
        }
    }
}

/// `POST /v1/beliefs/proposals`: a belief for the person's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
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

impl Proposal {
    /// A proposal with no purposes (the type's defaults) and no evidence yet.
    pub fn new(statement: &str, category: &str, confidence: f64) -> Self {
        Self {
            statement: statement.to_owned(),
            category: category.to_owned(),
            confidence,
            purposes: Vec::new(),
            evidence: Vec::new(),
        }
    }

    /// The purposes it may be used for.
    pub fn purposes<S: Into<String>>(mut self, p: impl IntoIterator<Item = S>) -> Self {
        self.purposes = p.into_iter().map(Into::into).collect();
        self
    }

    /// Adds evidence.
    pub fn evidence(mut self, e: EvidenceIn) -> Self {
        self.evidence.push(e);
        self
    }
}

/// A filed proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalReceipt {
    /// The new belief's id.
    pub id: String,
    /// `pending` until the person decides.
    pub status: String,
}

/// What a notice is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// A belief the vendor received was rectified: read it again.
    #[serde(rename = "belief.rectified")]
    BeliefRectified,
    /// A belief the vendor received was erased: erase your copy.
    #[serde(rename = "belief.erased")]
    BeliefErased,
    /// The grant was revoked: stop using what it disclosed.
    #[serde(rename = "grant.revoked")]
    GrantRevoked,
    /// A kind this client version does not know.
    #[serde(other)]
    Other,
}

/// A notice to a recipient (GDPR Art. 19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Cursor position.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
    /// The belief concerned, if any.
    pub belief_id: Option<String>,
}

/// `GET /v1/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Events {
    /// Notices, oldest first.
    pub events: Vec<Event>,
    /// Pass as `after` next time.
    pub cursor: u64,
}

/// A signed audit checkpoint: the vault's statement that its audit event `seq` has hash `head`,
/// signed by the vault's identity key — the key the server proves at pairing, so
/// [`SignedCheckpoint::verify`] checks it against the pinned [`crate::ServerKey`]. Keep them as
/// receipts (they serialise as the server sent them): a later statement of the same event with
/// another hash, or a vault that no longer has the event, shows that its history was rewritten
/// or rolled back ([`SignedCheckpoint::compare`], [`crate::Client::check_receipt`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    /// The vault's public identity key, hex.
    pub vault_key: String,
    /// The audit event's sequence number (the event count, for the latest).
    pub seq: u64,
    /// The event's chain hash, hex.
    pub head: String,
    /// When it was signed (RFC 3339), exactly as signed.
    pub issued_at: String,
    /// The Ed25519 signature, hex.
    pub signature: String,
}

/// `POST /v1/server-proof` body.
#[derive(Serialize)]
pub(crate) struct ProofIn {
    pub nonce: String,
}

/// The server's identity proof.
#[derive(Deserialize)]
pub(crate) struct ProofOut {
    pub public_key: String,
    pub signature: String,
}

/// An error body.
#[derive(Deserialize)]
pub(crate) struct ProblemOut {
    pub error: ProblemBody,
}

/// The body of an error.
#[derive(Deserialize)]
pub(crate) struct ProblemBody {
    pub code: String,
    pub message: String,
}
