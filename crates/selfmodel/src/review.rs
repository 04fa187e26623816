//! Reviews: a belief is due when its type's review interval has passed since the person last
//! confirmed it. The person confirms it (still true), rectifies it or deletes it.

use chrono::{DateTime, Utc};
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::validate;
use selfmodel_core::{AuditAction, Belief, BeliefFilter, BeliefId, Status};
use selfmodel_vault::VaultError;

use crate::{Result, Selfmodel};

/// A belief due for review, and since when.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    /// The belief.
    pub belief: Belief,
    /// When it fell due.
    pub since: DateTime<Utc>,
}

impl Selfmodel {
    /// The active beliefs due for review at `now`, longest overdue first.
    pub fn review_queue(&mut self, now: DateTime<Utc>) -> Result<Vec<Due>> {
        let catalogue = self.catalogue()?;
        let active = self.beliefs(&BeliefFilter {
            status: Some(Status::Active),
            ..Default::default()
        })?;
        let mut due: Vec<Due> = active
            .into_iter()
            .filter_map(|belief| {
                let days = catalogue.belief_type(&belief.category)?.review_days;
                let since = belief.review_due_at(days);
                (since <= now).then_some(Due { belief, since })
            })
            .collect();
        due.sort_by_key(|d| (d.since, d.belief.id));
        Ok(due)
    }

    /// The person confirms these beliefs are still true: each is confirmed now (its content is
    /// unchanged) and is its own audit event, in one transaction; all of them or, if one is
    /// missing or not active, none. Returns how many.
    pub fn confirm_beliefs(&mut self, ids: &[BeliefId]) -> Result<usize> {
        self.change_batch(ids, |w, ids, now| {
            for &id in ids {
                let mut b = w.read().belief(id)?.ok_or(VaultError::BeliefNotFound(id))?;
                crate::require_active(
                    &b,
                    "belief",
                    "only an active belief is confirmed (accept a proposal instead)",
                )?;
                b.confirmed_at = Some(now);
                w.replace_belief(&b)?;
                w.append_audit(
                    PendingEvent::new(AuditAction::BeliefConfirmed, Some(id.to_string())),
                    now,
                )?;
            }
            Ok(ids.len())
        })
    }

    /// Sets after how many days (1 to [`validate::MAX_REVIEW_DAYS`]) beliefs of a type are due
    /// for review.
    pub fn set_review_days(
        &mut self,
        type_id: &str,
        days: u32,
    ) -> Result<selfmodel_core::BeliefType> {
        validate::review_days(days)?;
        self.change_type(type_id, Detail::new().with("review_days", days), |ty| {
            ty.review_days = days;
        })
    }
}
