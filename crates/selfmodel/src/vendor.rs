//! The vendor's side of vendor access, as use cases: asking for a grant and claiming its token
//! once, reads bound to a purpose, proposals to the inbox, giving a grant up, notices. The
//! person's side is in `person`; how a call is authenticated and logged, in `vendor_call`.
//!
//! Every vendor call authenticates, checks its grant and does its work in **one** vault
//! transaction that also writes its access-log entry, so a revocation committed before the
//! transaction began always wins, and no data leaves unless its log entry is committed with it.

use chrono::{DateTime, Duration, Utc};
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::grant::{check_scope, unexpired, within_scope_above};
use selfmodel_core::{
    AccessOp, Actor, AuditAction, Belief, BeliefId, Catalogue, CoreError, ErrorCode, Grant,
    GrantRequest, NewBelief, Operation, Provenance, RequestStatus, Scope, Status, Vendor,
    VendorEvent, VendorEventKind,
    text::{self, Lines},
    validate,
};
use selfmodel_vault::{Reader, VaultError, Writer};
use std::collections::BTreeSet;
use std::sync::Arc;
use zeroize::Zeroizing;

use crate::disclosed::{Disclosed, Page, Shared};
use crate::model_cache::{ModelCache, PageKey};
use crate::tokens::{self, POLL_PREFIX, TOKEN_PREFIX};
use crate::vendor_call::{
    Call, VendorOutcome, authenticate, authenticate_any, authenticate_from, origin_refused,
    unless_refused,
};
use crate::{Error, Result, Selfmodel, tombstone};

/// Most proposals of one grant that may wait for the person at once.
pub const MAX_PENDING_PROPOSALS: u64 = 50;
/// Most grant requests that may wait for the person at once.
pub const MAX_PENDING_REQUESTS: u64 = 16;
/// Most grant requests web pages may have waiting at once, together: the rest of the queue is
/// kept for native vendors.
pub const MAX_PENDING_WEB: u64 = 8;
/// Most grant requests one web origin may have waiting at once.
pub const MAX_PENDING_PER_ORIGIN: u64 = 4;
/// How long a grant request waits for a decision.
pub const REQUEST_TTL_MINUTES: i64 = 15;
/// How often a vendor should poll, in seconds (RFC 8628 `interval`).
pub const POLL_INTERVAL_SECS: u64 = 2;
/// Longest grant, in days.
pub const MAX_GRANT_DAYS: u32 = 365;
/// Default page size of a read.
pub const DEFAULT_PAGE: u64 = 100;
/// Largest page size of a read.
pub const MAX_PAGE: u64 = 500;
const MAX_TEXT: usize = 500;

/// What a caller presents: its bearer token (or poll secret), and the browser origin it came
/// from, if any. A browser origin must be listed by the grant.
pub struct Credential {
    /// The token or poll secret, as presented.
    pub secret: Zeroizing<String>,
    /// The `Origin` of a browser caller.
    pub origin: Option<String>,
}

impl Credential {
    /// A credential from a native caller (no browser origin).
    pub fn native(secret: &str) -> Self {
        Self {
            secret: Zeroizing::new(secret.to_owned()),
            origin: None,
        }
    }
}

/// A vendor's request for a grant, before the person sees it.
#[derive(Debug, Clone)]
pub struct GrantAsk {
    /// Who asks (self-asserted).
    pub vendor: Vendor,
    /// What it asks for.
    pub scope: Scope,
    /// For how many days.
    pub duration_days: u32,
    /// How long it keeps what it reads, in days.
    pub vendor_retention_days: u32,
    /// Why.
    pub justification: String,
}

/// What a vendor gets back when it files a request. The poll secret is shown only here.
pub struct IssuedRequest {
    /// The stored request (id, user code, expiry).
    pub request: GrantRequest,
    /// The secret the vendor polls with.
    pub poll_secret: Zeroizing<String>,
    /// Seconds between polls.
    pub interval_secs: u64,
}

/// The answer to a poll.
pub enum PollOutcome {
    /// The person has not decided yet.
    Pending,
    /// Denied.
    Denied,
    /// Nobody decided in time.
    Expired,
    /// Approved: the bearer token, handed over this once, and the grant.
    Approved {
        /// The bearer token.
        token: Zeroizing<String>,
        /// The grant as approved (possibly narrowed).
        grant: Box<Grant>,
        /// The vault's signed audit checkpoint at approval: the vendor's first receipt.
        checkpoint: Box<crate::SignedCheckpoint>,
    },
}

/// A read as a vendor asks for it.
#[derive(Debug, Clone, Default)]
pub struct VendorRead {
    /// The declared purpose (required).
    pub purpose: String,
    /// Only this category.
    pub category: Option<String>,
    /// Only at or above this confidence.
    pub min_confidence: Option<f64>,
    /// One belief only.
    pub belief: Option<BeliefId>,
    /// Only beliefs whose statement contains this text, ignoring case.
    pub q: Option<String>,
    /// Only beliefs not overdue for review.
    pub fresh: bool,
    /// Page cursor: beliefs after this id.
    pub after: Option<BeliefId>,
    /// Page size.
    pub limit: Option<u64>,
}

/// What a read disclosed: its page, shared with the reads that ask the same (see [`Page`]).
pub type Disclosure = Arc<Page>;

/// A grant with how much it has been used.
#[derive(Debug, Clone)]
pub struct GrantSummary {
    /// The grant.
    pub grant: Grant,
    /// Allowed requests made under it.
    pub access_count: u64,
}

impl Selfmodel {
    // ---- the vendor side -------------------------------------------------------------------

    /// Files a vendor's grant request; the person sees it in the inbox. `origin` is the browser
    /// origin of the caller, if any, which must be among the origins asked for. Nobody is
    /// authenticated yet, so a refusal is only counted (nothing the caller sent is kept).
    pub fn request_grant(&mut self, ask: GrantAsk, origin: Option<&str>) -> Result<IssuedRequest> {
        self.vendor_tx(|w, now| {
            let catalogue = w.read().catalogue()?;
            let call = Call::new(AccessOp::GrantRequest, now);
            let denied = |w: &mut Writer<'_>, e: Error| call.refuse_unknown(w, e);
            if let Err(e) = check_ask(&ask, &catalogue) {
                return denied(w, e);
            }
            if let Some(e) = origin_refused(origin, &ask.scope.origins) {
                return denied(w, e);
            }
            if origin.is_some() && !web_vendors_on(&w.read())? {
                return denied(w, Error::WebVendorsOff);
            }
            w.expire_requests(now)?;
            if let Some(o) = origin {
                // Web pages share part of the queue, and one origin a smaller part of that, so
                // native vendors keep their places.
                let r = w.read();
                if r.pending_requests_from(Some(o), now)? >= MAX_PENDING_PER_ORIGIN
                    || r.pending_requests_from(None, now)? >= MAX_PENDING_WEB
                {
                    return denied(w, Error::TooManyPending);
                }
            }
            if w.read().pending_requests(now)? >= MAX_PENDING_REQUESTS {
                return denied(w, Error::TooManyPending);
            }
            let poll = tokens::mint(POLL_PREFIX);
            let request = GrantRequest {
                id: uuid::Uuid::now_v7().to_string(),
                vendor: ask.vendor.clone(),
                scope: ask.scope.clone(),
                duration_days: ask.duration_days,
                vendor_retention_days: ask.vendor_retention_days,
                justification: ask.justification.trim().to_owned(),
                user_code: tokens::user_code(),
                status: RequestStatus::Pending,
                created_at: now,
                expires_at: now + Duration::minutes(REQUEST_TTL_MINUTES),
                grant_id: None,
                web_origin: origin.map(str::to_owned),
            };
            w.insert_grant_request(&request, &poll.id, &poll.hash)?;
            // No grant yet: nothing of an allowance to refuse.
            unless_refused!(call.by(&request.vendor.id).allowed(w, &[]));
            Ok(Ok(IssuedRequest {
                request,
                poll_secret: poll.text,
                interval_secs: POLL_INTERVAL_SECS,
            }))
        })
    }

    /// A vendor polls its request with the poll secret; on approval the token is minted and
    /// returned exactly once.
    pub fn poll_grant(&mut self, cred: &Credential) -> Result<PollOutcome> {
        self.vendor_tx(|w, now| {
            let found = match tokens::parse(POLL_PREFIX, &cred.secret) {
                Some((id, secret)) => w
                    .read()
                    .grant_request_by_poll_id(id)?
                    .filter(|(_, stored)| tokens::matches(secret, stored))
                    .map(|(r, _)| r),
                None => None,
            };
            let call = Call::new(AccessOp::GrantPoll, now);
            let Some(request) = found else {
                return call.refuse_unknown(w, Error::Unauthorized(ErrorCode::InvalidPollSecret));
            };
            let call = call.by(&request.vendor.id);
            if let Some(e) = origin_refused(cred.origin.as_deref(), &request.scope.origins) {
                return call.deny(w, e);
            }
            let pending = effective_status(&request, now) == RequestStatus::Pending;
            let outcome = match effective_status(&request, now) {
                RequestStatus::Pending => PollOutcome::Pending,
                RequestStatus::Denied => PollOutcome::Denied,
                RequestStatus::Expired => PollOutcome::Expired,
                RequestStatus::Claimed => {
                    return call
                        .grant_id(request.grant_id.as_deref())
                        .deny(w, Error::AlreadyClaimed);
                }
                RequestStatus::Approved => {
                    let grant_id = request
                        .grant_id
                        .clone()
                        .ok_or_else(|| VaultError::Data("approved request without grant".into()))?;
                    let grant = w
                        .read()
                        .grant(&grant_id)?
                        .ok_or_else(|| VaultError::Data("missing grant".into()))?;
                    // The person may have struck the caller's origin when approving.
                    if let Some(e) = origin_refused(cred.origin.as_deref(), &grant.scope.origins) {
                        return call.grant_id(Some(&grant_id)).deny(w, e);
                    }
                    // Revoked (or lapsed) before the vendor came for it: no token is minted.
                    if !grant.is_live(now) {
                        return call
                            .grant_id(Some(&grant_id))
                            .deny(w, Error::Unauthorized(ErrorCode::TokenRevoked));
                    }
                    // Logged first: a refused claim leaves the grant unclaimed.
                    unless_refused!(
                        Call::new(AccessOp::GrantClaim, now)
                            .by(&request.vendor.id)
                            .grant_id(Some(&grant_id))
                            .allowed(w, &[])
                    );
                    let token = tokens::mint(TOKEN_PREFIX);
                    w.set_grant_token(&grant_id, &token.id, &token.hash)?;
                    w.set_request_status(&request.id, RequestStatus::Claimed.as_str(), now, None)?;
                    let checkpoint = crate::checkpoint::sign_in(w, now, None)?
                        .ok_or_else(|| VaultError::Data("the audit chain is empty".into()))?;
                    return Ok(Ok(PollOutcome::Approved {
                        token: token.text,
                        grant: Box::new(grant),
                        checkpoint: Box::new(checkpoint),
                    }));
                }
            };
            // A vendor polls until the person answers: one entry per vendor and minute while its
            // request is pending (at most `MAX_PENDING_REQUESTS` are), and one entry per minute
            // for every poll of an answered or expired request together.
            let counted = if pending {
                call
            } else {
                Call::new(AccessOp::GrantPoll, now)
            };
            Ok(counted.allowed(w, &[])?.map(|()| outcome))
        })
    }

    /// Serves a batch of purpose-bound reads in one transaction (group commit): each is
    /// authenticated, checked against its grant and logged before anything is returned.
    pub fn vendor_reads(
        &mut self,
        batch: &[(&Credential, &VendorRead)],
    ) -> Result<Vec<VendorOutcome<Disclosure>>> {
        let now = Utc::now();
        ModelCache::forget_touched(&mut self.model, self.vault.take_touched());
        let (model, changes) = (&mut self.model, self.changes);
        self.vault.write(|w| {
            let model = ModelCache::current(model, w, changes)?;
            let served = batch
                .iter()
                .map(|(cred, read)| read_one(w, now, model, cred, read))
                .collect::<Result<Vec<_>>>()?;
            // Every read of the batch has the same time: each grant is marked used once.
            let used: BTreeSet<&str> = served
                .iter()
                .filter_map(|d| d.as_ref().ok().map(|d| d.grant_id.as_str()))
                .collect();
            for grant in used {
                w.touch_grant(grant, now)?;
            }
            Ok(served)
        })
    }

    /// Serves one purpose-bound read.
    pub fn vendor_read(&mut self, cred: &Credential, read: &VendorRead) -> Result<Disclosure> {
        self.vendor_reads(&[(cred, read)])?
            .pop()
            .unwrap_or(Err(Error::Unauthorized(ErrorCode::InvalidToken)))
    }

    /// The grant a token stands for, for the vendor to see.
    pub fn vendor_grant(&mut self, cred: &Credential) -> Result<Grant> {
        self.vendor_tx(|w, now| {
            let call = Call::new(AccessOp::GrantRead, now);
            let grant = unless_refused!(authenticate(w, call, cred));
            Ok(call
                .under(&grant)
                .allowed(w, &[])?
                .map(|()| Grant::clone(&grant)))
        })
    }

    /// Notices for the token's grant after `after` (GDPR Art. 19), and the grant id.
    pub fn vendor_events(
        &mut self,
        cred: &Credential,
        after: u64,
    ) -> Result<(String, Vec<VendorEvent>)> {
        self.vendor_tx(|w, now| {
            let call = Call::new(AccessOp::EventsRead, now);
            let grant = unless_refused!(authenticate_any(w, call, cred));
            let events = w.read().vendor_events(&grant.id, after, 500)?;
            unless_refused!(call.under(&grant).allowed(w, &[]));
            Ok(Ok((grant.id.clone(), events)))
        })
    }

    /// Whether a live grant lists this browser origin (to answer CORS preflights, which carry
    /// no token).
    pub fn origin_known(&mut self, origin: &str) -> Result<bool> {
        let now = Utc::now();
        self.vault.read(|r| {
            Ok(r.grants()?
                .iter()
                .any(|g| g.is_live(now) && g.scope.origins.contains(origin)))
        })
    }

    /// Whether any grant, live or not, lists a browser origin: a page there may read why its call
    /// was refused (its grant revoked or expired, say), which no other page may.
    pub fn origin_ever_granted(&mut self, origin: &str) -> Result<bool> {
        self.vault
            .read(|r| Ok(r.grants()?.iter().any(|g| g.scope.origins.contains(origin))))
    }

    /// Notices for a grant after a cursor, without logging: for a server that already
    /// authenticated the request and is waiting for news (long poll).
    pub fn events_since(&mut self, grant_id: &str, after: u64) -> Result<Vec<VendorEvent>> {
        self.vault
            .read(|r| Ok(r.vendor_events(grant_id, after, 500)?))
    }

    /// A vendor proposes a belief; it waits in the person's inbox as `pending`.
    pub fn vendor_propose(&mut self, cred: &Credential, mut new: NewBelief) -> Result<Belief> {
        self.vendor_tx(|w, now| {
            let call = Call::new(AccessOp::BeliefsPropose, now);
            let grant = unless_refused!(authenticate(w, call, cred));
            let catalogue = w.read().catalogue()?;
            let call = call.under(&grant);
            if !grant.allows(Operation::Propose) {
                return call.deny(w, operation_not_granted("proposals"));
            }
            if !grant.scope.categories.contains(&new.category) {
                return call.deny(w, category_not_granted(&new.category));
            }
            if let Some(p) = new
                .purposes
                .iter()
                .find(|p| !grant.scope.purposes.contains(*p))
            {
                return call
                    .for_purpose(&catalogue, p)
                    .deny(w, purpose_not_granted(p));
            }
            let actor = Actor::Vendor {
                grant_id: grant.id.clone(),
                name: grant.vendor.name.clone(),
            };
            let held =
                w.read().pending_from(&actor.encode())? + w.read().dropped_from(&grant.id, now)?;
            if held >= MAX_PENDING_PROPOSALS {
                return call.deny(w, Error::TooManyProposals);
            }
            // A proposal naming no purpose gets the grant's purposes that its type allows and
            // that are not opt-in: never the type's defaults beyond the grant.
            if new.purposes.is_empty() {
                new.purposes = catalogue
                    .belief_type(&new.category)
                    .map(|t| {
                        t.allowed_purposes
                            .iter()
                            .filter(|p| grant.scope.purposes.contains(*p))
                            .filter(|p| catalogue.purpose(p).is_some_and(|p| !p.opt_in))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                if new.purposes.is_empty() {
                    return call.deny(
                        w,
                        Error::Forbidden(
                            ErrorCode::PurposeNotGranted,
                            format!("no granted purpose applies to category '{}'", new.category),
                        ),
                    );
                }
            }
            let provenance = Provenance {
                actor,
                method: "api".into(),
            };
            let belief =
                match validate::build_belief(new, &catalogue, provenance, Status::Pending, now) {
                    Ok(b) => b,
                    Err(e) => {
                        return call.deny(w, Error::Invalid(e));
                    }
                };
            // A proposal of something the person erased or rejected is answered exactly as an
            // accepted one (status, shape, a pending place, an audit event), so the answer does
            // not tell the vendor what was erased; it is dropped, and the person's log says so.
            // Either is logged before anything is written, and counts against the grant's
            // allowance for the day alike: past it, both are refused.
            if tombstone::buried(&w.read(), &belief)? {
                unless_refused!(call.log_refusal(w, Error::Tombstoned.code()));
                if let Some(until) = belief.expires_at {
                    w.drop_proposal(&grant.id, until)?;
                }
                w.append_audit(
                    PendingEvent::new(AuditAction::ProposalDropped, None).with_detail(
                        Detail::new()
                            .with("grant", &grant.id)
                            .with("category", &belief.category)
                            .with("nonce", nonce()),
                    ),
                    now,
                )?;
                w.touch_grant(&grant.id, now)?;
                return Ok(Ok(belief));
            }
            unless_refused!(call.allowed(w, &[]));
            w.insert_belief(&belief)?;
            w.append_audit(
                PendingEvent::new(AuditAction::BeliefProposed, Some(belief.id.to_string()))
                    .with_detail(
                        Detail::new()
                            .with("grant", &grant.id)
                            .with("category", &belief.category)
                            .with("nonce", nonce()),
                    ),
                now,
            )?;
            w.touch_grant(&grant.id, now)?;
            Ok(Ok(belief))
        })
    }

    /// A vendor gives up its own grant.
    pub fn vendor_relinquish(&mut self, cred: &Credential) -> Result<()> {
        self.vendor_tx(|w, now| {
            let call = Call::new(AccessOp::GrantRelinquish, now);
            let grant = unless_refused!(authenticate(w, call, cred));
            unless_refused!(call.under(&grant).allowed(w, &[]));
            revoke_in(w, &grant.id, now, "vendor")?;
            Ok(Ok(()))
        })?;
        // The grant changed: reads must not find it in the in-memory copy.
        self.changes += 1;
        Ok(())
    }

    /// Runs a vendor-side transaction whose closure logs its own outcome: `Ok(Err(_))` is a
    /// refusal that was logged and must still be committed; `Err(_)` rolls back.
    pub(crate) fn vendor_tx<T>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>, DateTime<Utc>) -> Result<VendorOutcome<T>>,
    ) -> Result<T> {
        // No vendor call changes active beliefs or the catalogue (a proposal is pending until
        // the person accepts it), so the model copy stays valid.
        let now = Utc::now();
        self.vault.write(|w| f(w, now))?
    }
}

/// 128 random bits for a proposal's audit event: a vendor knows every other field of it (and
/// can learn its time to the millisecond from the id), and could otherwise recompute the event's
/// chain hash from two signed checkpoints to tell a kept proposal from a dropped one.
fn nonce() -> String {
    let mut raw = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut raw);
    hex::encode(raw)
}

/// The vault setting that lets web pages ask for grants (`on`; anything else is off).
pub(crate) const WEB_VENDORS_KEY: &str = "api.web_vendors";

pub(crate) fn web_vendors_on(r: &Reader<'_>) -> Result<bool> {
    Ok(r.meta(WEB_VENDORS_KEY)?.as_deref() == Some("on"))
}

/// The vault setting that pauses all sharing (`on`; anything else is not paused).
pub(crate) const PAUSED_KEY: &str = "api.paused";

pub(crate) fn sharing_paused(r: &Reader<'_>) -> Result<bool> {
    Ok(r.meta(PAUSED_KEY)?.as_deref() == Some("on"))
}

pub(crate) fn revoke_in(
    w: &mut Writer<'_>,
    id: &str,
    now: DateTime<Utc>,
    by: &str,
) -> Result<bool> {
    if !w.revoke_grant(id, now, by)? {
        return Ok(false);
    }
    w.notify_grant(id, VendorEventKind::GrantRevoked, now)?;
    w.append_audit(
        PendingEvent::new(AuditAction::GrantRevoked, Some(id.to_owned()))
            .with_detail(Detail::new().with("by", by)),
        now,
    )?;
    Ok(true)
}

/// The refusal of an operation the grant does not allow (`what`: "reads", "proposals").
fn operation_not_granted(what: &str) -> Error {
    Error::Forbidden(
        ErrorCode::OperationNotGranted,
        format!("the grant does not allow {what}"),
    )
}

/// The refusal of a purpose the grant does not list.
fn purpose_not_granted(purpose: &str) -> Error {
    Error::Forbidden(
        ErrorCode::PurposeNotGranted,
        format!("purpose '{purpose}' is not in the grant"),
    )
}

/// The refusal of a belief type the grant does not list.
fn category_not_granted(category: &str) -> Error {
    Error::Forbidden(
        ErrorCode::CategoryNotGranted,
        format!("category '{category}' is not in the grant"),
    )
}

pub(crate) fn effective_status(r: &GrantRequest, now: DateTime<Utc>) -> RequestStatus {
    if r.status == RequestStatus::Pending && r.expires_at <= now {
        RequestStatus::Expired
    } else {
        r.status
    }
}

fn check_ask(ask: &GrantAsk, catalogue: &Catalogue) -> Result<()> {
    text::required("vendor.id", &ask.vendor.id, Lines::One, 100)?;
    text::required("vendor.name", &ask.vendor.name, Lines::One, 100)?;
    if let Some(url) = &ask.vendor.url {
        text::required("vendor.url", url, Lines::One, 200)?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(
                CoreError::invalid("vendor.url", "must be an http:// or https:// URL").into(),
            );
        }
    }
    text::required("justification", &ask.justification, Lines::One, MAX_TEXT)?;
    check_scope(&ask.scope, catalogue)?;
    if ask.duration_days == 0 || ask.duration_days > MAX_GRANT_DAYS {
        return Err(CoreError::invalid(
            "duration_days",
            format!("must be from 1 to {MAX_GRANT_DAYS}"),
        )
        .into());
    }
    if ask.vendor_retention_days > 3650 {
        return Err(CoreError::invalid("vendor_retention_days", "must be at most 3650").into());
    }
    Ok(())
}

/// Serves one read: authenticated, checked against its grant, its page picked from the
/// in-memory model as shared views ([`Disclosed`]), and logged with exactly what it disclosed.
fn read_one(
    w: &mut Writer<'_>,
    now: DateTime<Utc>,
    model: &ModelCache,
    cred: &Credential,
    read: &VendorRead,
) -> Result<VendorOutcome<Disclosure>> {
    let catalogue = &model.catalogue;
    let op = if read.belief.is_some() {
        AccessOp::BeliefRead
    } else {
        AccessOp::BeliefsRead
    };
    let call = Call::new(op, now);
    let grant = unless_refused!(authenticate_from(w, call, cred, Some(model)));
    let call = call.under(&grant).for_purpose(catalogue, &read.purpose);
    if !grant.allows(Operation::Read) {
        return call.deny(w, operation_not_granted("reads"));
    }
    if !grant.scope.purposes.contains(&read.purpose) {
        return call.deny(w, purpose_not_granted(&read.purpose));
    }
    if let Some(c) = read
        .category
        .as_ref()
        .filter(|c| !grant.scope.categories.contains(*c))
    {
        return call.deny(w, category_not_granted(c));
    }
    if let Some(m) = read
        .min_confidence
        .filter(|m| !(m.is_finite() && (0.0..=1.0).contains(m)))
    {
        return call.deny(
            w,
            Error::Invalid(CoreError::invalid(
                "min_confidence",
                format!("must be from 0 to 1, not {m}"),
            )),
        );
    }
    let needle = match search_text(read.q.as_deref()) {
        Ok(n) => n,
        Err(e) => return call.deny(w, e),
    };
    let in_scope =
        |s: &Arc<Shared>| within_scope_above(&s.belief, &grant.scope, &read.purpose, s.share_floor);
    let (page, kept) = match read.belief {
        Some(id) => {
            let found = model
                .get(id)
                .filter(|s| in_scope(s) && unexpired(&s.belief, now))
                .filter(|s| !(grant.scope.fresh_only && s.overdue(now)));
            match found {
                Some(s) => {
                    let shown = vec![shown_under(&grant, now)(s)];
                    (Page::new(&grant.id, &read.purpose, shown, None, now), None)
                }
                None => {
                    return call.deny(
                        w,
                        Error::NotFound(format!("no belief {id} under this grant and purpose")),
                    );
                }
            }
        }
        None => {
            let limit = read.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE) as usize;
            let key = PageKey {
                purpose: read.purpose.clone(),
                category: read.category.clone(),
                min_confidence: read.min_confidence.map(f64::to_bits),
                fresh: read.fresh,
                needle,
                after: read.after,
                limit,
            };
            match model.page(&grant.id, &key, now) {
                Some(kept) => (kept, None),
                None => (pick_page(model, &key, &grant, now), Some(key)),
            }
        }
    };
    let ids: Vec<BeliefId> = page.beliefs.iter().map(Disclosed::id).collect();
    unless_refused!(call.allowed(w, &ids));
    // Kept only once served: a refused read keeps nothing.
    if let Some(key) = kept {
        model.keep_page(key, &page);
    }
    Ok(Ok(page))
}

/// The page for `key` under `grant`: the first `limit` beliefs in scope after the cursor; of
/// those, the ones past their retention are withheld (retention erases them within the hour).
fn pick_page(model: &ModelCache, key: &PageKey, grant: &Grant, now: DateTime<Utc>) -> Disclosure {
    let min_confidence = key.min_confidence.map_or(0.0, f64::from_bits);
    let fresh = key.fresh || grant.scope.fresh_only;
    let picked: Vec<&Arc<Shared>> = model
        .for_purpose_after(&key.purpose, key.after)
        .iter()
        .filter(|s| {
            key.category
                .as_ref()
                .is_none_or(|c| *c == s.belief.category)
        })
        .filter(|s| s.belief.confidence >= min_confidence)
        .filter(|s| !(fresh && s.overdue(now)))
        .filter(|s| {
            key.needle
                .as_deref()
                .is_none_or(|n| s.lowercase().contains(n))
        })
        .filter(|s| within_scope_above(&s.belief, &grant.scope, &key.purpose, s.share_floor))
        .take(key.limit)
        .collect();
    let next = (picked.len() == key.limit)
        .then(|| picked.last().map(|s| s.belief.id))
        .flatten();
    let shown = picked
        .into_iter()
        .filter(|s| unexpired(&s.belief, now))
        .map(shown_under(grant, now))
        .collect();
    Page::new(&grant.id, &key.purpose, shown, next, now)
}

/// How a belief is shown under `grant` at `now`: its purposes among the grant's, its evidence
/// if the grant reads evidence, and whether it is overdue for review.
fn shown_under(grant: &Grant, now: DateTime<Utc>) -> impl Fn(&Arc<Shared>) -> Disclosed {
    let with_evidence = grant.allows(Operation::ReadEvidence);
    let granted = Arc::new(grant.scope.purposes.clone());
    move |s| {
        let overdue = s.overdue(now);
        Disclosed::new(Arc::clone(s), Arc::clone(&granted), with_evidence, overdue)
    }
}

/// Longest text a read may search for, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// The text a read searches for, lowercased; `None` if none (or only spaces). Longer than
/// [`MAX_SEARCH_CHARS`] or holding control characters, it is refused.
fn search_text(q: Option<&str>) -> Result<Option<String>> {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(None);
    };
    text::check("q", q, Lines::One, MAX_SEARCH_CHARS)?;
    Ok(Some(q.to_lowercase()))
}
