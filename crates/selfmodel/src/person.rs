//! The person's side of vendor access: the grant requests waiting for them (preview, approve
//! with narrowing, deny), the grants given (list, revoke), the access log and who received a
//! belief, the inbox of proposals (accept, reject), and whether web pages may ask at all.

use chrono::{DateTime, Duration, Utc};
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::grant::{disclosable, narrow};
use selfmodel_core::validate;
use selfmodel_core::{
    Acceptance, AccessEntry, Actor, AuditAction, Belief, BeliefFilter, BeliefId, Catalogue,
    ConsentRecord, CoreError, Grant, GrantRequest, Narrowing, Rectify, RequestStatus, Scope,
    Sensitivity, Status,
};
use selfmodel_vault::{AccessFilter, Recipient, VaultError, Writer};

use crate::vendor::{
    GrantSummary, PAUSED_KEY, WEB_VENDORS_KEY, effective_status, revoke_in, sharing_paused,
    web_vendors_on,
};
use crate::{Error, Result, Selfmodel, tombstone};

impl Selfmodel {
    /// Whether web pages may ask for grants. Off until the person turns it on: any page open in
    /// their browser could otherwise file requests.
    pub fn web_vendors(&mut self) -> Result<bool> {
        self.vault.read(web_vendors_on)
    }

    /// Lets web pages ask for grants, or stops them (grants already given are not touched).
    pub fn set_web_vendors(&mut self, on: bool) -> Result<()> {
        self.change_setting(
            |w| w.set_meta(WEB_VENDORS_KEY, if on { "on" } else { "off" }),
            PendingEvent::new(AuditAction::WebVendorsChanged, None)
                .with_detail(Detail::new().with("on", on)),
        )
    }

    /// Whether sharing is paused: every vendor read and proposal refused (`paused`), nothing
    /// revoked.
    pub fn paused(&mut self) -> Result<bool> {
        self.vault.read(sharing_paused)
    }

    /// Pauses all sharing at once, or resumes it as it was. Grants, requests and tokens are not
    /// touched; vendors are refused with `paused` while it lasts, and the refusals are logged.
    pub fn set_paused(&mut self, paused: bool) -> Result<()> {
        if self.paused()? == paused {
            return Ok(());
        }
        let action = if paused {
            AuditAction::SharingPaused
        } else {
            AuditAction::SharingResumed
        };
        self.change_setting(
            |w| w.set_meta(PAUSED_KEY, if paused { "on" } else { "off" }),
            PendingEvent::new(action, None),
        )
    }

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

    /// A request as approving it with `narrowing` would grant it: the request and the grant's
    /// scope, for the person to see in full before approving.
    pub fn narrowed_request(
        &mut self,
        id: &str,
        narrowing: &Narrowing,
    ) -> Result<(GrantRequest, Scope)> {
        let request = self.grant_request(id)?;
        let scope = narrow(&request.scope, narrowing, &self.catalogue()?)?;
        Ok((request, scope))
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
            let request = pending_request(w, id, now)?;
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
                PendingEvent::new(AuditAction::GrantApproved, Some(grant_id)).with_detail(
                    Detail::new()
                        .with("request", &request.id)
                        .with("vendor", &request.vendor.id),
                ),
                now,
            )?;
            Ok(grant)
        })
    }

    /// Denies a pending request.
    pub fn deny_request(&mut self, id: &str) -> Result<()> {
        self.change(|w, now| {
            pending_request(w, id, now)?;
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
                return Err(already("revoked"));
            }
            Ok(())
        })
    }

    /// The access log, oldest first (refusals counted so far are written first).
    pub fn access_log(&mut self, filter: &AccessFilter) -> Result<Vec<AccessEntry>> {
        self.vault.write_refusals()?;
        self.vault.read(|r| Ok(r.access_log(filter)?))
    }

    /// [`Selfmodel::access_log`], each entry handed to `visit` as it is read instead of held.
    pub fn for_each_access(
        &mut self,
        filter: &AccessFilter,
        visit: impl FnMut(AccessEntry) -> selfmodel_vault::Result<()>,
    ) -> Result<()> {
        self.vault.write_refusals()?;
        self.vault.read(|r| Ok(r.for_each_access(filter, visit)?))
    }

    /// What each vendor received, per vendor id: the distinct beliefs disclosed to it over the
    /// whole log (detailed and compacted), only under `grant_id` when given.
    pub fn received(&mut self, grant_id: Option<&str>) -> Result<Vec<(String, Vec<BeliefId>)>> {
        self.vault.read(|r| Ok(r.received(grant_id)?))
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

    /// Accepts a proposed belief: it becomes active, after the person's `edit` if they made one
    /// (kept in its history). One transaction: if the edit or the acceptance is refused,
    /// nothing changes.
    pub fn accept_proposal(&mut self, id: BeliefId, edit: Option<Rectify>) -> Result<Belief> {
        self.change(|w, now| {
            let mut proposal = pending(w, id)?;
            if let Some(edit) = edit {
                proposal = crate::rectify_in(w, &proposal, edit, Actor::Person, now)?;
            }
            let catalogue = w.read().catalogue()?;
            accept_in(w, &proposal, &Acceptance::default(), &catalogue, now)
        })
    }

    /// Accepts these proposals in one transaction, as the person decided ([`Acceptance`]): all
    /// of them or, if one is missing or not pending, none (the error names it). Each is its own
    /// audit event. Returns the accepted beliefs, in id order.
    pub fn accept_proposals(&mut self, ids: &[BeliefId], how: &Acceptance) -> Result<Vec<Belief>> {
        self.change_batch(ids, |w, ids, now| {
            let catalogue = w.read().catalogue()?;
            let mut accepted = Vec::with_capacity(ids.len());
            for &id in ids {
                let proposal = pending(w, id)?;
                accepted.push(accept_in(w, &proposal, how, &catalogue, now)?);
            }
            Ok(accepted)
        })
    }

    /// Rejects a proposed belief: it is erased and leaves a tombstone, so the same belief cannot
    /// be proposed again.
    pub fn reject_proposal(&mut self, id: BeliefId) -> Result<()> {
        self.reject_proposals(&[id]).map(drop)
    }

    /// Rejects these proposals in one transaction: all of them or none, as
    /// [`accept_proposals`](Self::accept_proposals). Each is erased, leaves a tombstone and is
    /// its own audit event. Returns how many.
    pub fn reject_proposals(&mut self, ids: &[BeliefId]) -> Result<usize> {
        self.erase_batch(ids, |w, ids, now| {
            for &id in ids {
                let proposal = pending(w, id)?;
                let event = PendingEvent::new(AuditAction::ProposalRejected, Some(id.to_string()));
                tombstone::erase(w, &proposal, event, now)?;
            }
            Ok(())
        })
    }
}

/// A request or grant already decided.
fn already(status: &str) -> Error {
    Error::NotPending(format!("it is already {status}"))
}

/// Makes `proposal` active in `w` as the person decided, audited (with its new type if `how`
/// changed it).
fn accept_in(
    w: &mut Writer<'_>,
    proposal: &Belief,
    how: &Acceptance,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> Result<Belief> {
    let b = validate::accept(proposal, how, catalogue, now)?;
    w.replace_belief(&b)?;
    let mut event = PendingEvent::new(AuditAction::ProposalAccepted, Some(b.id.to_string()));
    if b.category != proposal.category {
        event = event.with_detail(Detail::new().with("category", &b.category));
    }
    w.append_audit(event, now)?;
    Ok(b)
}

/// The grant request `id`, which must still be pending at `now`.
fn pending_request(w: &Writer<'_>, id: &str, now: DateTime<Utc>) -> Result<GrantRequest> {
    let request = w
        .read()
        .grant_request(id)?
        .ok_or_else(|| Error::NotFound(format!("no grant request {id}")))?;
    if effective_status(&request, now) != RequestStatus::Pending {
        return Err(already(effective_status(&request, now).as_str()));
    }
    Ok(request)
}

fn pending(w: &Writer<'_>, id: BeliefId) -> Result<Belief> {
    let b = w.read().belief(id)?.ok_or(VaultError::BeliefNotFound(id))?;
    if b.status != Status::Pending {
        return Err(Error::NotPending(format!(
            "{id} is already {}, not a proposal",
            b.status.as_str()
        )));
    }
    Ok(b)
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
