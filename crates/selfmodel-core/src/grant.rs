//! Vendor grants: what a vendor asked for, what the person allowed, and the rule that decides
//! which beliefs a read under a grant may disclose.

use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::belief::{Belief, Sensitivity, Status};
use crate::catalogue::Catalogue;
use crate::error::CoreError;

/// What a grant lets a vendor do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    /// Read beliefs for a purpose.
    Read,
    /// Also read the evidence behind them.
    ReadEvidence,
    /// Propose new beliefs, which wait in the person's inbox.
    Propose,
}

str_enum!(Operation, "operations" {
    Read => "read",
    ReadEvidence => "read_evidence",
    Propose => "propose",
});

/// Who is asking. Everything here is self-asserted by the vendor and shown as such.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    /// The vendor's own id for itself, e.g. `com.example.notes`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its web site, if any.
    pub url: Option<String>,
}

/// The scope of a grant: the same shape for what was asked and what was allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// Purposes reads may name.
    pub purposes: BTreeSet<String>,
    /// Belief types that may be disclosed.
    pub categories: BTreeSet<String>,
    /// What the vendor may do.
    pub operations: BTreeSet<Operation>,
    /// The most sensitive beliefs it may see; `Special` only when granted explicitly.
    pub max_sensitivity: Sensitivity,
    /// Beliefs below this confidence are never disclosed (on top of each type's own minimum).
    pub min_confidence: f64,
    /// Browser origins allowed to call the API under this grant (exact match).
    pub origins: BTreeSet<String>,
    /// Only beliefs within their type's review interval are disclosed: one the person has not
    /// confirmed for longer is left out of every read, as `fresh=true` leaves it out of one.
    pub fresh_only: bool,
}

/// Where a grant request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// Waiting for the person.
    Pending,
    /// Approved; the vendor has not collected its token yet.
    Approved,
    /// Approved and the token handed over (once).
    Claimed,
    /// Denied by the person.
    Denied,
    /// Nobody decided in time.
    Expired,
}

impl RequestStatus {
    /// The stable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Claimed => "claimed",
            Self::Denied => "denied",
            Self::Expired => "expired",
        }
    }
}

impl FromStr for RequestStatus {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::Pending,
            Self::Approved,
            Self::Claimed,
            Self::Denied,
            Self::Expired,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| CoreError::invalid("status", format!("'{s}' is not a request status")))
    }
}

/// A vendor's request for a grant, as the person sees it in the inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantRequest {
    /// Request id.
    pub id: String,
    /// Who asks.
    pub vendor: Vendor,
    /// What it asks for.
    pub scope: Scope,
    /// For how many days.
    pub duration_days: u32,
    /// How long the vendor says it keeps what it reads (its downstream retention), in days.
    pub vendor_retention_days: u32,
    /// Why, in the vendor's words.
    pub justification: String,
    /// The short code the person matches against what the vendor shows.
    pub user_code: String,
    /// Where it stands.
    pub status: RequestStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it lapses if nobody decides.
    pub expires_at: DateTime<Utc>,
    /// The grant made from it, once approved.
    pub grant_id: Option<String>,
    /// The browser origin of the web page that filed it (the `Origin` the browser sent), or
    /// `None` for a native caller. Unlike the vendor's name, this is not self-asserted.
    pub web_origin: Option<String>,
}

/// How the person narrows a request when approving it; `None` keeps what was asked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Narrowing {
    /// Only these purposes (a subset of the request's).
    pub purposes: Option<BTreeSet<String>>,
    /// Only these categories (a subset of the request's).
    pub categories: Option<BTreeSet<String>>,
    /// Only these operations (a subset of the request's).
    pub operations: Option<BTreeSet<Operation>>,
    /// Fewer days.
    pub duration_days: Option<u32>,
    /// Only these web origins (a subset of the request's; empty: none, native use only).
    pub origins: Option<BTreeSet<String>>,
    /// Drop special categories of data: the grant reaches normal-sensitivity beliefs only.
    pub no_special: bool,
    /// Disclose only beliefs within their type's review interval, whatever was asked.
    pub fresh_only: bool,
}

/// A consent record in the shape of ISO/IEC TS 27560: who consented to what, for which purposes,
/// for how long, when and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentRecord {
    /// Record id (the grant id).
    pub id: String,
    /// The person (data subject): always the vault's owner.
    pub subject: String,
    /// The recipient (controller) the consent is given to.
    pub recipient: Vendor,
    /// Purposes consented to.
    pub purposes: BTreeSet<String>,
    /// Data categories (belief types) covered.
    pub data_categories: BTreeSet<String>,
    /// Processing operations allowed.
    pub operations: BTreeSet<Operation>,
    /// Whether special-category data is included (GDPR Art. 9 explicit consent).
    pub special_categories: bool,
    /// The notice the person saw: the vendor's justification.
    pub notice: String,
    /// The recipient's stated retention of what it reads, in days.
    pub recipient_retention_days: u32,
    /// When consent was given.
    pub given_at: DateTime<Utc>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
    /// How it was given, e.g. `explicit approval (cli)`.
    pub method: String,
}

/// A grant: what a vendor may do, until when.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// Grant id.
    pub id: String,
    /// The request it came from.
    pub request_id: String,
    /// Who holds it.
    pub vendor: Vendor,
    /// What it allows.
    pub scope: Scope,
    /// The vendor's stated downstream retention, in days.
    pub vendor_retention_days: u32,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who revoked it: `person` or `vendor`.
    pub revoked_by: Option<String>,
    /// Last request made under it.
    pub last_used_at: Option<DateTime<Utc>>,
    /// The consent record.
    pub consent: ConsentRecord,
}

impl Grant {
    /// Whether the grant may be used at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }

    /// Whether it allows an operation.
    pub fn allows(&self, op: Operation) -> bool {
        self.scope.operations.contains(&op)
    }
}

/// Whether `belief` may be disclosed at `now` under `scope` for `purpose`: [`within_scope`] and
/// not past its retention.
pub fn disclosable(
    belief: &Belief,
    scope: &Scope,
    purpose: &str,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> bool {
    unexpired(belief, now) && within_scope(belief, scope, purpose, catalogue)
}

/// Whether `belief` is not past its retention at `now`.
pub fn unexpired(belief: &Belief, now: DateTime<Utc>) -> bool {
    belief.expires_at.is_none_or(|expiry| now < expiry)
}

/// Whether `belief` falls under `scope` for `purpose`, whatever the time: active, carrying the
/// purpose, of a granted type, within the granted sensitivity, and at or above both the type's
/// and the grant's minimum confidence.
pub fn within_scope(belief: &Belief, scope: &Scope, purpose: &str, catalogue: &Catalogue) -> bool {
    within_scope_above(
        belief,
        scope,
        purpose,
        share_floor(catalogue, &belief.category),
    )
}

/// The least confidence at which beliefs of a type are shared: the type's minimum, or above 1 (never)
/// for a type the catalogue lacks.
pub fn share_floor(catalogue: &Catalogue, category: &str) -> f64 {
    catalogue
        .belief_type(category)
        .map_or(1.1, |t| t.min_share_confidence)
}

/// [`within_scope`] with the belief type's [`share_floor`] already looked up.
pub fn within_scope_above(belief: &Belief, scope: &Scope, purpose: &str, type_floor: f64) -> bool {
    belief.status == Status::Active
        && belief.confidence >= type_floor
        && belief.confidence >= scope.min_confidence
        && belief.sensitivity <= scope.max_sensitivity
        && scope.purposes.contains(purpose)
        && belief.purposes.contains(purpose)
        && scope.categories.contains(&belief.category)
}

/// Whether `o` is a browser origin as browsers send it: `http` or `https`, `://`, a host of
/// lower-case ASCII letters, digits, dots and hyphens (IDNs in their `xn--` form), and an
/// optional port; nothing else.
pub fn is_origin(o: &str) -> bool {
    let Some(rest) = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-'])
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

/// Checks a scope as a vendor asked for it: known purposes and categories, at least one of each,
/// at least one operation, origins that are exact `scheme://host[:port]` values.
pub fn check_scope(scope: &Scope, catalogue: &Catalogue) -> Result<(), CoreError> {
    if scope.purposes.is_empty() {
        return Err(CoreError::invalid("purposes", "name at least one purpose"));
    }
    for p in &scope.purposes {
        if catalogue.purpose(p).is_none() {
            return Err(CoreError::UnknownPurpose(p.clone()));
        }
    }
    if scope.categories.is_empty() {
        return Err(CoreError::invalid(
            "categories",
            "name at least one category",
        ));
    }
    for c in &scope.categories {
        if catalogue.belief_type(c).is_none() {
            return Err(CoreError::UnknownCategory(c.clone()));
        }
    }
    if scope.operations.is_empty() {
        return Err(CoreError::invalid(
            "operations",
            "name at least one operation",
        ));
    }
    if !(scope.min_confidence.is_finite() && (0.0..=1.0).contains(&scope.min_confidence)) {
        return Err(CoreError::invalid(
            "min_confidence",
            "must be a number from 0 to 1",
        ));
    }
    for o in &scope.origins {
        if !is_origin(o) {
            // The refusal does not echo what was sent: it could be anything.
            return Err(CoreError::invalid(
                "origins",
                "each must be a browser origin like https://app.example (lower case, no path)"
                    .to_owned(),
            ));
        }
    }
    Ok(())
}

/// Narrows a requested scope: every narrowing must be a subset of what was asked.
pub fn narrow(asked: &Scope, n: &Narrowing, catalogue: &Catalogue) -> Result<Scope, CoreError> {
    fn subset<T: Ord + Clone + fmt::Display>(
        field: &str,
        asked: &BTreeSet<T>,
        given: &Option<BTreeSet<T>>,
    ) -> Result<BTreeSet<T>, CoreError> {
        match given {
            None => Ok(asked.clone()),
            Some(g) if g.is_empty() => Err(CoreError::invalid(
                field,
                "cannot narrow to nothing; deny instead",
            )),
            Some(g) => match g.iter().find(|x| !asked.contains(x)) {
                Some(extra) => Err(CoreError::invalid(
                    field,
                    format!("'{extra}' was not asked for; approval can only narrow"),
                )),
                None => Ok(g.clone()),
            },
        }
    }
    let categories = subset("categories", &asked.categories, &n.categories)?;
    // Narrowed to categories none of which is special: the grant (and its consent record) no
    // longer reaches special categories of data.
    let max_sensitivity = if n.no_special
        || n.categories.is_some()
            && !categories.iter().any(|c| {
                catalogue
                    .belief_type(c)
                    .is_some_and(|t| t.default_sensitivity == Sensitivity::Special)
            }) {
        asked.max_sensitivity.min(Sensitivity::Normal)
    } else {
        asked.max_sensitivity
    };
    let origins = match &n.origins {
        None => asked.origins.clone(),
        Some(o) => match o.iter().find(|x| !asked.origins.contains(*x)) {
            Some(extra) => {
                return Err(CoreError::invalid(
                    "origins",
                    format!("'{extra}' was not asked for; approval can only narrow"),
                ));
            }
            None => o.clone(),
        },
    };
    Ok(Scope {
        purposes: subset("purposes", &asked.purposes, &n.purposes)?,
        categories,
        operations: subset("operations", &asked.operations, &n.operations)?,
        max_sensitivity,
        origins,
        fresh_only: asked.fresh_only || n.fresh_only,
        ..asked.clone()
    })
}

#[cfg(test)]
mod tests;
