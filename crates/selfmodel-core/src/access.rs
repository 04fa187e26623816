//! The access log (every vendor request, allowed or denied) and the feed that tells vendors of
//! changes to what they received (GDPR Art. 19).

use chrono::{DateTime, NaiveDate, Utc};

use crate::belief::BeliefId;

/// Whether a vendor request was served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Served.
    Allowed,
    /// Refused, with the reason's stable code (e.g. `purpose_not_granted`).
    Denied(String),
}

/// What a vendor asked for: the access log's `operation`, one name per kind of call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessOp {
    /// Filed a grant request.
    GrantRequest,
    /// Polled its grant request.
    GrantPoll,
    /// Received its token, once.
    GrantClaim,
    /// Read its own grant.
    GrantRead,
    /// Gave up its grant.
    GrantRelinquish,
    /// Read a page of beliefs.
    BeliefsRead,
    /// Read one belief.
    BeliefRead,
    /// Proposed a belief.
    BeliefsPropose,
    /// Read its notices.
    EventsRead,
    /// Asked for a signed checkpoint of the audit chain.
    Checkpoint,
}

impl AccessOp {
    /// The stable name, as stored, e.g. `beliefs.read`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::GrantRequest => "grant.request",
            Self::GrantPoll => "grant.poll",
            Self::GrantClaim => "grant.claim",
            Self::GrantRead => "grant.read",
            Self::GrantRelinquish => "grant.relinquish",
            Self::BeliefsRead => "beliefs.read",
            Self::BeliefRead => "belief.read",
            Self::BeliefsPropose => "beliefs.propose",
            Self::EventsRead => "events.read",
            Self::Checkpoint => "audit.checkpoint",
        }
    }
}

impl std::fmt::Display for AccessOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One vendor request as logged. Ids only, never belief content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    /// Position in the log.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// The grant it was made under, if a token was valid.
    pub grant_id: Option<String>,
    /// The vendor's id, if known.
    pub vendor_id: Option<String>,
    /// The purpose the request named.
    pub purpose: Option<String>,
    /// What was asked, e.g. `beliefs.read`, `beliefs.propose`, `grant.request`.
    pub operation: String,
    /// Served or refused.
    pub outcome: Outcome,
    /// The beliefs disclosed (empty when denied).
    pub disclosed: Vec<BeliefId>,
    /// How many requests the entry stands for: 1, or the refusals of callers without a valid
    /// token or poll secret counted together for one minute, operation and reason.
    pub requests: u64,
}

/// An access-log entry about to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccess {
    /// The grant, if a token was valid.
    pub grant_id: Option<String>,
    /// The vendor's id, if known.
    pub vendor_id: Option<String>,
    /// The purpose named.
    pub purpose: Option<String>,
    /// What was asked.
    pub operation: String,
    /// Served or refused.
    pub outcome: Outcome,
    /// Beliefs disclosed.
    pub disclosed: Vec<BeliefId>,
}

impl NewAccess {
    /// The refusal logged for a request that would take the grant past its allowance for the
    /// day: no purpose and nothing disclosed, so that such refusals make one entry a minute per
    /// operation however the grant asks.
    pub fn over_allowance(&self) -> Self {
        Self {
            grant_id: self.grant_id.clone(),
            vendor_id: self.vendor_id.clone(),
            purpose: None,
            operation: self.operation.clone(),
            outcome: Outcome::Denied(crate::ErrorCode::RateLimited.as_str().to_owned()),
            disclosed: Vec::new(),
        }
    }

    /// Whether this entry is logged past the grant's allowance for the day: such a refusal, the
    /// refusal of a revoked or expired token (what the person most wants to see), a vendor
    /// giving up its grant (once), or reading the notices it is owed (GDPR Art. 19).
    pub fn goes_past_allowance(&self) -> bool {
        use crate::ErrorCode::{RateLimited, TokenExpired, TokenRevoked};
        let refused = |codes: &[crate::ErrorCode]| matches!(&self.outcome, Outcome::Denied(r) if codes.iter().any(|c| c.as_str() == r));
        let over_allowance =
            self.purpose.is_none() && self.disclosed.is_empty() && refused(&[RateLimited]);
        over_allowance
            || refused(&[TokenRevoked, TokenExpired])
            || self.operation == AccessOp::GrantRelinquish.as_str()
            || self.operation == AccessOp::EventsRead.as_str()
    }

    /// Whether every request of this kind counts against the grant's allowance, repeated within
    /// its minute or not: a proposal, so that what it costs cannot depend on whether it was
    /// dropped (the person erased what it proposes).
    pub fn counts_every_request(&self) -> bool {
        self.operation == AccessOp::BeliefsPropose.as_str()
    }
}

/// What a vendor is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorEventKind {
    /// A belief it received was rectified.
    BeliefRectified,
    /// A belief it received was erased.
    BeliefErased,
    /// Its grant was revoked.
    GrantRevoked,
}

impl VendorEventKind {
    /// The stable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::BeliefRectified => "belief.rectified",
            Self::BeliefErased => "belief.erased",
            Self::GrantRevoked => "grant.revoked",
        }
    }

    /// Reads a stable name back.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::BeliefRectified,
            Self::BeliefErased,
            Self::GrantRevoked,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One notice for one grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorEvent {
    /// Position in the feed (the cursor).
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// The grant it is for.
    pub grant_id: String,
    /// What happened.
    pub kind: VendorEventKind,
    /// The belief concerned, if any.
    pub belief_id: Option<BeliefId>,
}

/// Requests of one day with the same grant, vendor, purpose, operation and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessDay {
    /// The day (UTC).
    pub day: NaiveDate,
    /// The grant, if a token was valid.
    pub grant_id: Option<String>,
    /// The vendor, if known.
    pub vendor_id: Option<String>,
    /// The purpose named, if any.
    pub purpose: Option<String>,
    /// What was asked.
    pub operation: String,
    /// Served or refused (with the reason's code).
    pub outcome: Outcome,
    /// How many requests.
    pub requests: u64,
    /// Whether some of them come from the compacted log (day precision only).
    pub compacted: bool,
}

/// How often one belief was disclosed on one day under one grant for one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureDay {
    /// The belief (which may since have been erased).
    pub belief_id: BeliefId,
    /// The day (UTC).
    pub day: NaiveDate,
    /// The grant it was disclosed under.
    pub grant_id: String,
    /// The vendor.
    pub vendor_id: String,
    /// The purpose named.
    pub purpose: Option<String>,
    /// How many requests disclosed it.
    pub times: u64,
}
