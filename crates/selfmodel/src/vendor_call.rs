//! One vendor call inside its write transaction: what it asked ([`AccessOp`]), who asked once
//! that is known (grant, vendor, purpose), and the one way its outcome is written. A call that
//! is served or refused under a known grant or request is one access-log entry; a caller with no
//! valid token or poll secret is only counted, so nothing it sent is kept.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use selfmodel_core::{AccessOp, BeliefId, Catalogue, ErrorCode, Grant, NewAccess, Outcome};
use selfmodel_vault::Writer;

use crate::model_cache::ModelCache;
use crate::tokens::{self, TOKEN_PREFIX};
use crate::vendor::Credential;
use crate::{Error, Result};

/// The answer a vendor gets: its result, or the refusal already logged and committed.
pub(crate) type VendorOutcome<T> = std::result::Result<T, Error>;

/// `?` for a `Result<VendorOutcome<T>>`: the value served, or else an early return of the
/// failure (rolled back) or of the refusal (logged, so committed).
macro_rules! unless_refused {
    ($outcome:expr) => {
        match $outcome? {
            Ok(served) => served,
            Err(refused) => return Ok(Err(refused)),
        }
    };
}
pub(crate) use unless_refused;

/// What the access log keeps for a purpose that is not in the catalogue: what a caller made up
/// is never stored.
pub const INVALID_PURPOSE: &str = "(invalid)";

/// A vendor call, and what its log entry names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// When it arrived: the time of its log entry and of every check.
    pub(crate) now: DateTime<Utc>,
    op: AccessOp,
    grant: Option<&'a str>,
    vendor: Option<&'a str>,
    purpose: Option<&'a str>,
}

impl<'a> Call<'a> {
    /// A call of a caller not yet identified.
    pub(crate) fn new(op: AccessOp, now: DateTime<Utc>) -> Self {
        Self {
            now,
            op,
            grant: None,
            vendor: None,
            purpose: None,
        }
    }

    /// The same call by a vendor known by the (self-asserted) id of its request.
    pub(crate) fn by(self, vendor: &'a str) -> Self {
        Self {
            vendor: Some(vendor),
            ..self
        }
    }

    /// The same call under a grant known only by its id.
    pub(crate) fn grant_id(self, grant: Option<&'a str>) -> Self {
        Self { grant, ..self }
    }

    /// The same call under a grant: its id and its vendor's.
    pub(crate) fn under(self, grant: &'a Grant) -> Self {
        Self {
            grant: Some(&grant.id),
            vendor: Some(&grant.vendor.id),
            ..self
        }
    }

    /// The same call naming a purpose: the catalogue's id, or [`INVALID_PURPOSE`].
    pub(crate) fn for_purpose(self, catalogue: &Catalogue, purpose: &'a str) -> Self {
        let logged = match catalogue.purpose(purpose) {
            Some(_) => purpose,
            None => INVALID_PURPOSE,
        };
        Self {
            purpose: Some(logged),
            ..self
        }
    }

    /// Logs the call as served, with exactly what it disclosed. Past the grant's allowance for
    /// the day it is refused instead, and the refusal returned, logged.
    pub(crate) fn allowed(
        &self,
        w: &mut Writer<'_>,
        disclosed: &[BeliefId],
    ) -> Result<VendorOutcome<()>> {
        self.append(w, &self.entry(Outcome::Allowed, disclosed))
    }

    /// Logs the call as refused and returns the refusal as its (committed) outcome: `e`, or the
    /// grant's allowance for the day if it is spent.
    pub(crate) fn deny<T>(&self, w: &mut Writer<'_>, e: Error) -> Result<VendorOutcome<T>> {
        Ok(Err(self.log_refusal(w, e.code())?.err().unwrap_or(e)))
    }

    /// Logs the call as refused for `code`, whatever the caller is told; past the grant's
    /// allowance for the day, the refusal for that instead, which is returned.
    pub(crate) fn log_refusal(
        &self,
        w: &mut Writer<'_>,
        code: ErrorCode,
    ) -> Result<VendorOutcome<()>> {
        let refused = Outcome::Denied(code.as_str().to_owned());
        self.append(w, &self.entry(refused, &[]))
    }

    /// Appends the call's entry; past the grant's allowance for the day, the refusal that
    /// stands for it ([`NewAccess::over_allowance`]), which is returned.
    fn append(&self, w: &mut Writer<'_>, entry: &NewAccess) -> Result<VendorOutcome<()>> {
        match w.append_access(entry, self.now) {
            Ok(_) => Ok(Ok(())),
            Err(e) if e.is_daily_allowance() => {
                w.append_access(&entry.over_allowance(), self.now)?;
                Ok(Err(e.into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Refuses a caller that presented no valid token or poll secret. Nothing it sent is kept:
    /// the refusal is counted per minute, operation and reason ([`Writer::count_refusal`]).
    pub(crate) fn refuse_unknown<T>(
        &self,
        w: &mut Writer<'_>,
        e: Error,
    ) -> Result<VendorOutcome<T>> {
        w.count_refusal(self.now, self.op.as_str(), e.code().as_str());
        Ok(Err(e))
    }

    fn entry(&self, outcome: Outcome, disclosed: &[BeliefId]) -> NewAccess {
        NewAccess {
            grant_id: self.grant.map(str::to_owned),
            vendor_id: self.vendor.map(str::to_owned),
            purpose: self.purpose.map(str::to_owned),
            operation: self.op.as_str().to_owned(),
            outcome,
            disclosed: disclosed.to_vec(),
        }
    }
}

/// The refusal of a browser origin a grant or request does not list (`None`: allowed, or a
/// native caller).
pub(crate) fn origin_refused(
    origin: Option<&str>,
    allowed: &std::collections::BTreeSet<String>,
) -> Option<Error> {
    let o = origin?;
    (!allowed.contains(o)).then(|| {
        Error::Forbidden(
            ErrorCode::OriginNotAllowed,
            format!("origin {o} is not allowed by the grant"),
        )
    })
}

/// Looks up a token's grant and checks it is live; a refusal for a known grant is logged.
pub(crate) fn authenticate(
    w: &mut Writer<'_>,
    call: Call<'_>,
    cred: &Credential,
) -> Result<VendorOutcome<Arc<Grant>>> {
    authenticate_from(w, call, cred, None)
}

/// [`authenticate`], finding the grant and whether sharing is paused in the in-memory copy of
/// the vault when one is given (it is valid for the transaction's version of the vault).
pub(crate) fn authenticate_from(
    w: &mut Writer<'_>,
    call: Call<'_>,
    cred: &Credential,
    cached: Option<&ModelCache>,
) -> Result<VendorOutcome<Arc<Grant>>> {
    let grant = unless_refused!(find_grant(w, call, cred, cached));
    if grant.revoked_at.is_some() {
        return call
            .under(&grant)
            .deny(w, Error::Unauthorized(ErrorCode::TokenRevoked));
    }
    if call.now >= grant.expires_at {
        return call
            .under(&grant)
            .deny(w, Error::Unauthorized(ErrorCode::TokenExpired));
    }
    // While the person has paused sharing nothing is read or proposed; giving a grant up
    // still works (it only narrows what is shared).
    let paused = match cached {
        Some(c) => c.paused,
        None => crate::vendor::sharing_paused(&w.read())?,
    };
    if call.op != AccessOp::GrantRelinquish && paused {
        return call.under(&grant).deny(w, Error::Paused);
    }
    Ok(Ok(grant))
}

/// Looks up a token's grant, live or not (a revoked vendor may still read its notices). An
/// unknown or malformed token is refused and counted, never logged on its own.
pub(crate) fn authenticate_any(
    w: &mut Writer<'_>,
    call: Call<'_>,
    cred: &Credential,
) -> Result<VendorOutcome<Arc<Grant>>> {
    find_grant(w, call, cred, None)
}

fn find_grant(
    w: &mut Writer<'_>,
    call: Call<'_>,
    cred: &Credential,
    cached: Option<&ModelCache>,
) -> Result<VendorOutcome<Arc<Grant>>> {
    let found = match tokens::parse(TOKEN_PREFIX, &cred.secret) {
        Some((id, secret)) => match cached {
            Some(c) => c.grant_by_token_id(&w.read(), id)?,
            None => w
                .read()
                .grant_by_token_id(id)?
                .map(|(g, h)| (Arc::new(g), h)),
        }
        .filter(|(_, stored)| tokens::matches(secret, stored))
        .map(|(g, _)| g),
        None => None,
    };
    match found {
        Some(grant) => match origin_refused(cred.origin.as_deref(), &grant.scope.origins) {
            Some(e) => call.under(&grant).deny(w, e),
            None => Ok(Ok(grant)),
        },
        None => call.refuse_unknown(w, Error::Unauthorized(ErrorCode::InvalidToken)),
    }
}
