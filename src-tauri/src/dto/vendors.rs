//! The wire types of vendors: grant requests, narrowing, grants, the access log and recipients.

use super::*;

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
    /// Only beliefs confirmed within their type's review interval are disclosed.
    pub fresh_only: bool,
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
    /// Disclose only beliefs confirmed within their type's review interval.
    pub fresh_only: bool,
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
    pub access_count: u64,
    /// Not revoked and not expired.
    pub live: bool,
}

/// One vendor request, as logged: ids only, never content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AccessEntry {
    /// Position in the log.
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
    pub requests: u64,
}

/// A page of the access log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AccessPage {
    /// The entries.
    pub entries: Vec<AccessEntry>,
    /// Whether older entries follow.
    pub more: bool,
}

/// What one vendor received over the whole log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Received {
    /// The vendor's id.
    pub vendor_id: String,
    /// The distinct beliefs disclosed to it (ids; some may since have been erased).
    pub beliefs: Vec<String>,
}

/// Who received a belief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Recipient {
    /// Under which grant.
    pub grant_id: String,
    /// The vendor's id.
    pub vendor_id: String,
    /// How many requests disclosed it.
    pub times: u64,
    /// When last (RFC 3339, UTC).
    pub last_at: String,
}

pub(super) fn vendor(v: &core::Vendor) -> Vendor {
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
        fresh_only: s.fresh_only,
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
            fresh_only: self.fresh_only,
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

/// What each vendor received.
pub fn received(list: Vec<(String, Vec<core::BeliefId>)>) -> Vec<Received> {
    list.into_iter()
        .map(|(vendor_id, beliefs)| Received {
            vendor_id,
            beliefs: beliefs.iter().map(ToString::to_string).collect(),
        })
        .collect()
}
