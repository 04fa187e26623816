//! Vendor access as use cases: the grant flow (ask, approve or deny, claim the token once), reads
//! bound to a purpose, proposals to the inbox, revocation, notices, and the access log.
//!
//! Every vendor call authenticates, checks its grant and does its work in **one** vault
//! transaction that also writes its access-log entry, so a revocation committed before the
//! transaction began always wins, and no data leaves unless its log entry is committed with it.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::grant::{check_scope, disclosable, narrow, within_scope};
use selfmodel_core::{
    AccessEntry, Actor, AuditAction, Belief, BeliefFilter, BeliefId, Catalogue, ConsentRecord,
    CoreError, Grant, GrantRequest, Narrowing, NewAccess, NewBelief, Operation, Outcome,
    Provenance, RequestStatus, Scope, Sensitivity, Status, Vendor, VendorEvent, VendorEventKind,
    text::{self, Lines},
    validate,
};
use selfmodel_vault::{AccessFilter, Reader, Recipient, VaultError, Writer};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::model_cache::ModelCache;
use crate::tokens::{self, POLL_PREFIX, TOKEN_PREFIX};
use crate::{Error, Result, Selfmodel};

/// Most proposals of one grant that may wait for the person at once.
pub const MAX_PENDING_PROPOSALS: u64 = 50;
/// Most grant requests that may wait for the person at once.
pub const MAX_PENDING_REQUESTS: u64 = 16;
/// Most grant requests one web origin may have waiting at once, so a page cannot fill the queue.
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
const TOMBSTONE_KEY: &str = "tombstone.hmac_key";
/// What the access log keeps for a purpose that is not in the catalogue.
pub const INVALID_PURPOSE: &str = "(invalid)";

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

fn origin_refused(
    origin: Option<&str>,
    allowed: &std::collections::BTreeSet<String>,
) -> Option<Error> {
    let o = origin?;
    (!allowed.contains(o)).then(|| {
        Error::Forbidden(
            "origin_not_allowed",
            format!("origin {o} is not allowed by the grant"),
        )
    })
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
    /// Page cursor: beliefs after this id.
    pub after: Option<BeliefId>,
    /// Page size.
    pub limit: Option<u64>,
}

/// What a read disclosed.
#[derive(Debug, Clone)]
pub struct Disclosure {
    /// The grant it was read under.
    pub grant_id: String,
    /// The beliefs (evidence emptied unless the grant allows `read_evidence`).
    pub beliefs: Vec<Belief>,
    /// The cursor for the next page, if there may be more.
    pub next: Option<BeliefId>,
    /// Whether the grant allows evidence (otherwise evidence was removed).
    pub with_evidence: bool,
}

/// A grant with how much it has been used.
#[derive(Debug, Clone)]
pub struct GrantSummary {
    /// The grant.
    pub grant: Grant,
    /// Allowed requests made under it.
    pub access_count: u64,
}

type VendorOutcome<T> = std::result::Result<T, Error>;

impl Selfmodel {
    // ---- the vendor side -------------------------------------------------------------------

    /// Files a vendor's grant request; the person sees it in the inbox. `origin` is the browser
    /// origin of the caller, if any, which must be among the origins asked for. Nobody is
    /// authenticated yet, so a refusal is only counted (nothing the caller sent is kept).
    pub fn request_grant(&mut self, ask: GrantAsk, origin: Option<&str>) -> Result<IssuedRequest> {
        self.vendor_tx(|w, now| {
            let catalogue = w.read().catalogue()?;
            let denied = |w: &mut Writer<'_>, e: Error| refuse_unknown(w, now, "grant.request", e);
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
            if let Some(o) = origin
                && w.read().pending_requests_from(o, now)? >= MAX_PENDING_PER_ORIGIN
            {
                return denied(w, Error::TooManyPending);
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
            log(
                w,
                now,
                None,
                Some(&request.vendor.id),
                None,
                "grant.request",
                &[],
            )?;
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
            let Some(request) = found else {
                let e = Error::Unauthorized("invalid_poll_secret");
                return refuse_unknown(w, now, "grant.poll", e);
            };
            let vendor = Some(request.vendor.id.as_str());
            if let Some(e) = origin_refused(cred.origin.as_deref(), &request.scope.origins) {
                return deny(w, now, None, vendor, None, "grant.poll", e);
            }
            let pending = effective_status(&request, now) == RequestStatus::Pending;
            let outcome = match effective_status(&request, now) {
                RequestStatus::Pending => PollOutcome::Pending,
                RequestStatus::Denied => PollOutcome::Denied,
                RequestStatus::Expired => PollOutcome::Expired,
                RequestStatus::Claimed => {
                    return deny(
                        w,
                        now,
                        request.grant_id.as_deref(),
                        vendor,
                        None,
                        "grant.poll",
                        Error::AlreadyClaimed,
                    );
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
                    // Revoked (or lapsed) before the vendor came for it: no token is minted.
                    if !grant.is_live(now) {
                        return deny(
                            w,
                            now,
                            Some(&grant_id),
                            vendor,
                            None,
                            "grant.poll",
                            Error::Unauthorized("token_revoked"),
                        );
                    }
                    let token = tokens::mint(TOKEN_PREFIX);
                    w.set_grant_token(&grant_id, &token.id, &token.hash)?;
                    w.set_request_status(&request.id, RequestStatus::Claimed.as_str(), now, None)?;
                    log(w, now, Some(&grant_id), vendor, None, "grant.claim", &[])?;
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
            w.count_access(
                &NewAccess {
                    grant_id: None,
                    vendor_id: vendor.filter(|_| pending).map(str::to_owned),
                    purpose: None,
                    operation: "grant.poll".into(),
                    outcome: Outcome::Allowed,
                    disclosed: Vec::new(),
                },
                now,
            )?;
            Ok(Ok(outcome))
        })
    }

    /// Serves a batch of purpose-bound reads in one transaction (group commit): each is
    /// authenticated, checked against its grant and logged before anything is returned.
    pub fn vendor_reads(
        &mut self,
        batch: &[(&Credential, &VendorRead)],
    ) -> Result<Vec<VendorOutcome<Disclosure>>> {
        let now = Utc::now();
        let (model, changes) = (&mut self.model, self.changes);
        self.vault.write(|w| {
            let model = ModelCache::current(model, w, changes)?;
            batch
                .iter()
                .map(|(cred, read)| read_one(w, now, model, cred, read))
                .collect::<Result<Vec<_>>>()
        })
    }

    /// Serves one purpose-bound read.
    pub fn vendor_read(&mut self, cred: &Credential, read: &VendorRead) -> Result<Disclosure> {
        self.vendor_reads(&[(cred, read)])?
            .pop()
            .unwrap_or(Err(Error::Unauthorized("invalid_token")))
    }

    /// The grant a token stands for, for the vendor to see.
    pub fn vendor_grant(&mut self, cred: &Credential) -> Result<Grant> {
        self.vendor_tx(|w, now| {
            let grant = match authenticate(w, now, cred, "grant.read")? {
                Ok(g) => g,
                Err(e) => return Ok(Err(e)),
            };
            log(
                w,
                now,
                Some(&grant.id),
                Some(&grant.vendor.id),
                None,
                "grant.read",
                &[],
            )?;
            Ok(Ok(grant))
        })
    }

    /// Notices for the token's grant after `after` (GDPR Art. 19), and the grant id.
    pub fn vendor_events(
        &mut self,
        cred: &Credential,
        after: u64,
    ) -> Result<(String, Vec<VendorEvent>)> {
        self.vendor_tx(|w, now| {
            let grant = match authenticate_any(w, now, cred, "events.read")? {
                Ok(g) => g,
                Err(e) => return Ok(Err(e)),
            };
            let events = w.read().vendor_events(&grant.id, after, 500)?;
            log(
                w,
                now,
                Some(&grant.id),
                Some(&grant.vendor.id),
                None,
                "events.read",
                &[],
            )?;
            Ok(Ok((grant.id, events)))
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

    /// Whether web pages may ask for grants. Off until the person turns it on: any page open in
    /// their browser could otherwise file requests.
    pub fn web_vendors(&mut self) -> Result<bool> {
        self.vault.read(web_vendors_on)
    }

    /// Lets web pages ask for grants, or stops them (grants already given are not touched).
    pub fn set_web_vendors(&mut self, on: bool) -> Result<()> {
        self.change(|w, now| {
            w.set_meta(WEB_VENDORS_KEY, if on { "on" } else { "off" })?;
            w.append_audit(
                PendingEvent::new(AuditAction::WebVendorsChanged, None)
                    .with_detail(format!("on={on}")),
                now,
            )?;
            Ok(())
        })
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
            let grant = match authenticate(w, now, cred, "beliefs.propose")? {
                Ok(g) => g,
                Err(e) => return Ok(Err(e)),
            };
            let catalogue = w.read().catalogue()?;
            let (gid, vid) = (Some(grant.id.as_str()), Some(grant.vendor.id.as_str()));
            if !grant.allows(Operation::Propose) {
                return deny(
                    w,
                    now,
                    gid,
                    vid,
                    None,
                    "beliefs.propose",
                    Error::Forbidden(
                        "operation_not_granted",
                        "the grant does not allow proposals".into(),
                    ),
                );
            }
            if !grant.scope.categories.contains(&new.category) {
                return deny(
                    w,
                    now,
                    gid,
                    vid,
                    None,
                    "beliefs.propose",
                    Error::Forbidden(
                        "category_not_granted",
                        format!("category '{}' is not in the grant", new.category),
                    ),
                );
            }
            if let Some(p) = new
                .purposes
                .iter()
                .find(|p| !grant.scope.purposes.contains(*p))
            {
                return deny(
                    w,
                    now,
                    gid,
                    vid,
                    Some(logged_purpose(&catalogue, p)),
                    "beliefs.propose",
                    Error::Forbidden(
                        "purpose_not_granted",
                        format!("purpose '{p}' is not in the grant"),
                    ),
                );
            }
            let actor = Actor::Vendor {
                grant_id: grant.id.clone(),
                name: grant.vendor.name.clone(),
            };
            let held =
                w.read().pending_from(&actor.encode())? + w.read().dropped_from(&grant.id, now)?;
            if held >= MAX_PENDING_PROPOSALS {
                return deny(
                    w,
                    now,
                    gid,
                    vid,
                    None,
                    "beliefs.propose",
                    Error::TooManyProposals,
                );
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
                    return deny(
                        w,
                        now,
                        gid,
                        vid,
                        None,
                        "beliefs.propose",
                        Error::Forbidden(
                            "purpose_not_granted",
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
                        return deny(w, now, gid, vid, None, "beliefs.propose", Error::Invalid(e));
                    }
                };
            // A proposal of something the person erased or rejected is answered exactly as an
            // accepted one (status, shape, a pending place, an audit event), so the answer does
            // not tell the vendor what was erased; it is dropped, and the person's log says so.
            if buried(&w.read(), &belief)? {
                if let Some(until) = belief.expires_at {
                    w.drop_proposal(&grant.id, until)?;
                }
                w.append_audit(
                    PendingEvent::new(AuditAction::ProposalDropped, None)
                        .with_detail(format!("grant={} category={}", grant.id, belief.category)),
                    now,
                )?;
                w.touch_grant(&grant.id, now)?;
                log_refusal(
                    w,
                    now,
                    gid,
                    vid,
                    None,
                    "beliefs.propose",
                    Error::Tombstoned.code(),
                )?;
                return Ok(Ok(belief));
            }
            w.insert_belief(&belief)?;
            w.append_audit(
                PendingEvent::new(AuditAction::BeliefProposed, Some(belief.id.to_string()))
                    .with_detail(format!("grant={} category={}", grant.id, belief.category)),
                now,
            )?;
            w.touch_grant(&grant.id, now)?;
            log(w, now, gid, vid, None, "beliefs.propose", &[])?;
            Ok(Ok(belief))
        })
    }

    /// A vendor gives up its own grant.
    pub fn vendor_relinquish(&mut self, cred: &Credential) -> Result<()> {
        self.vendor_tx(|w, now| {
            let grant = match authenticate(w, now, cred, "grant.relinquish")? {
                Ok(g) => g,
                Err(e) => return Ok(Err(e)),
            };
            revoke_in(w, &grant.id, now, "vendor")?;
            log(
                w,
                now,
                Some(&grant.id),
                Some(&grant.vendor.id),
                None,
                "grant.relinquish",
                &[],
            )?;
            Ok(Ok(()))
        })
    }

    // ---- the person's side -----------------------------------------------------------------

    /// Grant requests, newest first (pending only, or all).
    pub fn grant_requests(&mut self, pending_only: bool) -> Result<Vec<GrantRequest>> {
        let now = Utc::now();
        let mut all = self
            .vault
            .read(|r| Ok::<_, Error>(r.grant_requests(None)?))?;
        for r in &mut all {
            r.status = effective_status(r, now);
        }
        if pending_only {
            all.retain(|r| r.status == RequestStatus::Pending);
        }
        Ok(all)
    }

    /// One grant request.
    pub fn grant_request(&mut self, id: &str) -> Result<GrantRequest> {
        let now = Utc::now();
        let mut r = self
            .vault
            .read(|r| Ok::<_, Error>(r.grant_request(id)?))?
            .ok_or_else(|| Error::NotFound(format!("no grant request {id}")))?;
        r.status = effective_status(&r, now);
        Ok(r)
    }

    /// Exactly which beliefs a request (narrowed or not) would disclose, per purpose.
    pub fn preview_request(
        &mut self,
        id: &str,
        narrowing: &Narrowing,
    ) -> Result<Vec<(String, Vec<Belief>)>> {
        let request = self.grant_request(id)?;
        let now = Utc::now();
        self.vault.read(|r| {
            let catalogue = r.catalogue()?;
            let scope = narrow(&request.scope, narrowing, &catalogue)?;
            let filter = scope_filter(&scope);
            let candidates = r.beliefs(&filter)?;
            Ok(scope
                .purposes
                .iter()
                .map(|p| {
                    let shown = candidates
                        .iter()
                        .filter(|b| disclosable(b, &scope, p, &catalogue, now))
                        .cloned()
                        .collect();
                    (p.clone(), shown)
                })
                .collect())
        })
    }

    /// Approves a pending request, possibly narrowed; records consent and audits it. The vendor
    /// collects its token with its next poll.
    pub fn approve_request(
        &mut self,
        id: &str,
        narrowing: &Narrowing,
        method: &str,
    ) -> Result<Grant> {
        self.change(|w, now| {
            let request = w
                .read()
                .grant_request(id)?
                .ok_or_else(|| Error::NotFound(format!("no grant request {id}")))?;
            if effective_status(&request, now) != RequestStatus::Pending {
                return Err(Error::NotPending(effective_status(&request, now).as_str()));
            }
            let scope = narrow(&request.scope, narrowing, &w.read().catalogue()?)?;
            let days = narrowing.duration_days.unwrap_or(request.duration_days);
            if days == 0 || days > request.duration_days {
                return Err(CoreError::invalid(
                    "days",
                    format!("must be from 1 to the {} asked for", request.duration_days),
                )
                .into());
            }
            let grant_id = uuid::Uuid::now_v7().to_string();
            let expires_at = now + Duration::days(i64::from(days));
            let grant = Grant {
                id: grant_id.clone(),
                request_id: request.id.clone(),
                vendor: request.vendor.clone(),
                vendor_retention_days: request.vendor_retention_days,
                created_at: now,
                expires_at,
                revoked_at: None,
                revoked_by: None,
                last_used_at: None,
                consent: ConsentRecord {
                    id: grant_id.clone(),
                    subject: "the vault owner".into(),
                    recipient: request.vendor.clone(),
                    purposes: scope.purposes.clone(),
                    data_categories: scope.categories.clone(),
                    operations: scope.operations.clone(),
                    special_categories: scope.max_sensitivity == Sensitivity::Special,
                    notice: request.justification.clone(),
                    recipient_retention_days: request.vendor_retention_days,
                    given_at: now,
                    expires_at,
                    method: format!("explicit approval ({method})"),
                },
                scope,
            };
            w.insert_grant(&grant)?;
            w.set_request_status(
                &request.id,
                RequestStatus::Approved.as_str(),
                now,
                Some(&grant_id),
            )?;
            w.append_audit(
                PendingEvent::new(AuditAction::GrantApproved, Some(grant_id)).with_detail(format!(
                    "request={} vendor={}",
                    request.id, request.vendor.id
                )),
                now,
            )?;
            Ok(grant)
        })
    }

    /// Denies a pending request.
    pub fn deny_request(&mut self, id: &str) -> Result<()> {
        self.change(|w, now| {
            let request = w
                .read()
                .grant_request(id)?
                .ok_or_else(|| Error::NotFound(format!("no grant request {id}")))?;
            if effective_status(&request, now) != RequestStatus::Pending {
                return Err(Error::NotPending(effective_status(&request, now).as_str()));
            }
            w.set_request_status(id, RequestStatus::Denied.as_str(), now, None)?;
            w.append_audit(
                PendingEvent::new(AuditAction::GrantDenied, Some(id.to_owned())),
                now,
            )?;
            Ok(())
        })
    }

    /// Every grant with its use count, newest first.
    pub fn grants(&mut self) -> Result<Vec<GrantSummary>> {
        self.vault.read(|r| {
            let counts: std::collections::BTreeMap<String, u64> =
                r.access_counts()?.into_iter().collect();
            Ok(r.grants()?
                .into_iter()
                .map(|g| GrantSummary {
                    access_count: counts.get(&g.id).copied().unwrap_or(0),
                    grant: g,
                })
                .collect())
        })
    }

    /// One grant.
    pub fn grant(&mut self, id: &str) -> Result<Grant> {
        self.vault.read(|r| {
            r.grant(id)?
                .ok_or_else(|| Error::NotFound(format!("no grant {id}")))
        })
    }

    /// Revokes a grant; its token is refused from the next request on, and the vendor is told.
    pub fn revoke_grant(&mut self, id: &str) -> Result<()> {
        self.change(|w, now| {
            w.read()
                .grant(id)?
                .ok_or_else(|| Error::NotFound(format!("no grant {id}")))?;
            if !revoke_in(w, id, now, "person")? {
                return Err(Error::NotPending("revoked"));
            }
            Ok(())
        })
    }

    /// The access log, oldest first (refusals counted so far are written first).
    pub fn access_log(&mut self, filter: &AccessFilter) -> Result<Vec<AccessEntry>> {
        self.vault.write_refusals()?;
        self.vault.read(|r| Ok(r.access_log(filter)?))
    }

    /// Who received a belief.
    pub fn recipients(&mut self, belief: BeliefId) -> Result<Vec<Recipient>> {
        self.vault.read(|r| Ok(r.recipients(belief)?))
    }

    /// Beliefs proposed by vendors, waiting for the person.
    pub fn inbox(&mut self) -> Result<Vec<Belief>> {
        self.beliefs(&BeliefFilter {
            status: Some(Status::Pending),
            ..Default::default()
        })
    }

    /// Accepts a proposed belief: it becomes active.
    pub fn accept_proposal(&mut self, id: BeliefId) -> Result<Belief> {
        self.change(|w, now| {
            let mut b = pending(w, id)?;
            b.status = Status::Active;
            b.updated_at = now;
            w.replace_belief(&b)?;
            w.append_audit(
                PendingEvent::new(AuditAction::ProposalAccepted, Some(id.to_string())),
                now,
            )?;
            Ok(b)
        })
    }

    /// Rejects a proposed belief: it is erased and leaves a tombstone, so the same belief cannot
    /// be proposed again.
    pub fn reject_proposal(&mut self, id: BeliefId) -> Result<()> {
        self.change(|w, now| {
            let b = pending(w, id)?;
            bury(w, &b, now)?;
            w.delete_belief(id)?;
            w.append_audit(
                PendingEvent::new(AuditAction::ProposalRejected, Some(id.to_string())),
                now,
            )?;
            Ok(())
        })?;
        self.settle();
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

/// The vault setting that lets web pages ask for grants (`on`; anything else is off).
const WEB_VENDORS_KEY: &str = "api.web_vendors";

fn web_vendors_on(r: &Reader<'_>) -> Result<bool> {
    Ok(r.meta(WEB_VENDORS_KEY)?.as_deref() == Some("on"))
}

/// Leaves a tombstone for a belief the person erased or rejected: a keyed hash of its normalised
/// category and statement, never the text.
pub(crate) fn bury(w: &mut Writer<'_>, b: &Belief, now: DateTime<Utc>) -> Result<()> {
    let key = match w.read().meta(TOMBSTONE_KEY)? {
        Some(k) => Zeroizing::new(k),
        None => {
            let mut raw = Zeroizing::new([0u8; 32]);
            rand::RngCore::fill_bytes(&mut rand::rng(), raw.as_mut());
            let k = Zeroizing::new(hex::encode(&raw[..]));
            w.set_meta(TOMBSTONE_KEY, &k)?;
            k
        }
    };
    w.insert_tombstone(&tombstone(&key, &b.category, &b.statement), now)?;
    Ok(())
}

/// The tombstone digest of a belief: a keyed hash of its category and the [`text::fingerprint`]
/// of its statement, so case, punctuation, width, invisible and look-alike characters do not
/// make an erased belief new.
fn tombstone(key: &str, category: &str, statement: &str) -> Vec<u8> {
    keyed(key, category, &text::fingerprint(statement))
}

/// The digest tombstones were stored under before fingerprints: words lower-cased
/// without surrounding punctuation. Still looked up, so older tombstones keep holding.
fn tombstone_v1(key: &str, category: &str, statement: &str) -> Vec<u8> {
    let normal: String = statement
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    keyed(key, category, &normal)
}

fn keyed(key: &str, category: &str, normal: &str) -> Vec<u8> {
    #[allow(clippy::expect_used, reason = "HMAC accepts keys of any length")]
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(category.as_bytes());
    mac.update(&[0]);
    mac.update(normal.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Whether the person erased or rejected this belief before.
pub(crate) fn buried(r: &Reader<'_>, b: &Belief) -> Result<bool> {
    let Some(key) = r.meta(TOMBSTONE_KEY)?.map(Zeroizing::new) else {
        return Ok(false);
    };
    Ok(
        r.has_tombstone(&tombstone(&key, &b.category, &b.statement))?
            || r.has_tombstone(&tombstone_v1(&key, &b.category, &b.statement))?,
    )
}

fn pending(w: &Writer<'_>, id: BeliefId) -> Result<Belief> {
    let b = w.read().belief(id)?.ok_or(VaultError::BeliefNotFound(id))?;
    if b.status != Status::Pending {
        return Err(Error::NotPending(b.status.as_str()));
    }
    Ok(b)
}

fn revoke_in(w: &mut Writer<'_>, id: &str, now: DateTime<Utc>, by: &str) -> Result<bool> {
    if !w.revoke_grant(id, now, by)? {
        return Ok(false);
    }
    w.notify_grant(id, VendorEventKind::GrantRevoked, now)?;
    w.append_audit(
        PendingEvent::new(AuditAction::GrantRevoked, Some(id.to_owned()))
            .with_detail(format!("by={by}")),
        now,
    )?;
    Ok(true)
}

fn effective_status(r: &GrantRequest, now: DateTime<Utc>) -> RequestStatus {
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

fn scope_filter(scope: &Scope) -> BeliefFilter {
    BeliefFilter {
        status: Some(Status::Active),
        categories: scope.categories.iter().cloned().collect(),
        max_sensitivity: Some(scope.max_sensitivity),
        shareable: true,
        ..Default::default()
    }
}

/// Looks up a token's grant and checks it is live; a refusal for a known grant is logged.
pub(crate) fn authenticate(
    w: &mut Writer<'_>,
    now: DateTime<Utc>,
    cred: &Credential,
    op: &'static str,
) -> Result<VendorOutcome<Grant>> {
    let grant = match authenticate_any(w, now, cred, op)? {
        Ok(g) => g,
        Err(e) => return Ok(Err(e)),
    };
    if grant.revoked_at.is_some() {
        return deny(
            w,
            now,
            Some(&grant.id),
            Some(&grant.vendor.id),
            None,
            op,
            Error::Unauthorized("token_revoked"),
        );
    }
    if now >= grant.expires_at {
        return deny(
            w,
            now,
            Some(&grant.id),
            Some(&grant.vendor.id),
            None,
            op,
            Error::Unauthorized("token_expired"),
        );
    }
    Ok(Ok(grant))
}

/// Looks up a token's grant, live or not (a revoked vendor may still read its notices). An
/// unknown or malformed token is refused and counted, never logged on its own.
fn authenticate_any(
    w: &mut Writer<'_>,
    now: DateTime<Utc>,
    cred: &Credential,
    op: &'static str,
) -> Result<VendorOutcome<Grant>> {
    let found = match tokens::parse(TOKEN_PREFIX, &cred.secret) {
        Some((id, secret)) => w
            .read()
            .grant_by_token_id(id)?
            .filter(|(_, stored)| tokens::matches(secret, stored))
            .map(|(g, _)| g),
        None => None,
    };
    match found {
        Some(grant) => match origin_refused(cred.origin.as_deref(), &grant.scope.origins) {
            Some(e) => deny(w, now, Some(&grant.id), Some(&grant.vendor.id), None, op, e),
            None => Ok(Ok(grant)),
        },
        None => refuse_unknown(w, now, op, Error::Unauthorized("invalid_token")),
    }
}

fn read_one(
    w: &mut Writer<'_>,
    now: DateTime<Utc>,
    model: &ModelCache,
    cred: &Credential,
    read: &VendorRead,
) -> Result<VendorOutcome<Disclosure>> {
    let catalogue = &model.catalogue;
    let op = if read.belief.is_some() {
        "belief.read"
    } else {
        "beliefs.read"
    };
    let grant = match authenticate(w, now, cred, op)? {
        Ok(g) => g,
        Err(e) => return Ok(Err(e)),
    };
    let (gid, vid, purpose) = (
        Some(grant.id.as_str()),
        Some(grant.vendor.id.as_str()),
        Some(logged_purpose(catalogue, &read.purpose)),
    );
    let forbid = |code: &'static str, msg: String| Error::Forbidden(code, msg);
    if !grant.allows(Operation::Read) {
        return deny(
            w,
            now,
            gid,
            vid,
            purpose,
            op,
            forbid(
                "operation_not_granted",
                "the grant does not allow reads".into(),
            ),
        );
    }
    if !grant.scope.purposes.contains(&read.purpose) {
        return deny(
            w,
            now,
            gid,
            vid,
            purpose,
            op,
            forbid(
                "purpose_not_granted",
                format!("purpose '{}' is not in the grant", read.purpose),
            ),
        );
    }
    if let Some(c) = read
        .category
        .as_ref()
        .filter(|c| !grant.scope.categories.contains(*c))
    {
        return deny(
            w,
            now,
            gid,
            vid,
            purpose,
            op,
            forbid(
                "category_not_granted",
                format!("category '{c}' is not in the grant"),
            ),
        );
    }
    if let Some(m) = read
        .min_confidence
        .filter(|m| !(m.is_finite() && (0.0..=1.0).contains(m)))
    {
        return deny(
            w,
            now,
            gid,
            vid,
            purpose,
            op,
            Error::Invalid(CoreError::invalid(
                "min_confidence",
                format!("must be from 0 to 1, not {m}"),
            )),
        );
    }
    let (mut beliefs, next) = match read.belief {
        Some(id) => {
            let found = w
                .read()
                .belief(id)?
                .filter(|b| disclosable(b, &grant.scope, &read.purpose, catalogue, now));
            match found {
                Some(b) => (vec![b], None),
                None => {
                    return deny(
                        w,
                        now,
                        gid,
                        vid,
                        purpose,
                        op,
                        Error::NotFound(format!("no belief {id} under this grant and purpose")),
                    );
                }
            }
        }
        None => {
            // A page is the first `limit` beliefs in scope after the cursor; of those, the ones
            // past their retention are withheld (retention erases them within the hour).
            let limit = read.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE) as usize;
            let min_confidence = read.min_confidence.unwrap_or(0.0);
            let page: Vec<&Belief> = model
                .after(read.after)
                .filter(|b| read.category.as_ref().is_none_or(|c| *c == b.category))
                .filter(|b| b.confidence >= min_confidence)
                .filter(|b| within_scope(b, &grant.scope, &read.purpose, catalogue))
                .take(limit)
                .collect();
            let next = (page.len() == limit)
                .then(|| page.last().map(|b| b.id))
                .flatten();
            let shown = page
                .into_iter()
                .filter(|b| disclosable(b, &grant.scope, &read.purpose, catalogue, now))
                .cloned()
                .collect();
            (shown, next)
        }
    };
    for b in &mut beliefs {
        // Minimisation: a vendor learns only the purposes it was granted, not the others.
        b.purposes.retain(|p| grant.scope.purposes.contains(p));
        if !grant.allows(Operation::ReadEvidence) {
            b.evidence.clear();
        }
    }
    let ids: Vec<BeliefId> = beliefs.iter().map(|b| b.id).collect();
    w.touch_grant(&grant.id, now)?;
    log(w, now, gid, vid, purpose, op, &ids)?;
    Ok(Ok(Disclosure {
        grant_id: grant.id.clone(),
        beliefs,
        next,
        with_evidence: grant.allows(Operation::ReadEvidence),
    }))
}

pub(crate) fn log(
    w: &mut Writer<'_>,
    now: DateTime<Utc>,
    grant: Option<&str>,
    vendor: Option<&str>,
    purpose: Option<&str>,
    op: &str,
    ids: &[BeliefId],
) -> Result<()> {
    w.append_access(
        &NewAccess {
            grant_id: grant.map(str::to_owned),
            vendor_id: vendor.map(str::to_owned),
            purpose: purpose.map(str::to_owned),
            operation: op.to_owned(),
            outcome: Outcome::Allowed,
            disclosed: ids.to_vec(),
        },
        now,
    )?;
    Ok(())
}

/// A purpose as the access log keeps it: the catalogue's id, or [`INVALID_PURPOSE`] for text
/// the caller made up.
fn logged_purpose<'a>(catalogue: &Catalogue, purpose: &'a str) -> &'a str {
    match catalogue.purpose(purpose) {
        Some(_) => purpose,
        None => INVALID_PURPOSE,
    }
}

/// Refuses a caller that presented no valid token or poll secret. Nothing it sent is kept: the
/// refusal is counted per minute, operation and reason ([`Writer::count_refusal`]).
fn refuse_unknown<T>(
    w: &mut Writer<'_>,
    now: DateTime<Utc>,
    op: &'static str,
    e: Error,
) -> Result<VendorOutcome<T>> {
    w.count_refusal(now, op, e.code());
    Ok(Err(e))
}

/// Logs a refusal of an identified caller and returns it as the (committed) outcome.
pub(crate) fn deny<T>(
    w: &mut Writer<'_>,
    now: DateTime<Utc>,
    grant: Option<&str>,
    vendor: Option<&str>,
    purpose: Option<&str>,
    op: &str,
    e: Error,
) -> Result<VendorOutcome<T>> {
    log_refusal(w, now, grant, vendor, purpose, op, e.code())?;
    Ok(Err(e))
}

/// Logs a refusal of an identified caller, with its reason's stable code.
fn log_refusal(
    w: &mut Writer<'_>,
    now: DateTime<Utc>,
    grant: Option<&str>,
    vendor: Option<&str>,
    purpose: Option<&str>,
    op: &str,
    code: &str,
) -> Result<()> {
    w.append_access(
        &NewAccess {
            grant_id: grant.map(str::to_owned),
            vendor_id: vendor.map(str::to_owned),
            purpose: purpose.map(str::to_owned),
            operation: op.to_owned(),
            outcome: Outcome::Denied(code.to_owned()),
            disclosed: Vec::new(),
        },
        now,
    )?;
    Ok(())
}
