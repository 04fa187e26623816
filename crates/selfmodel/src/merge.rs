//! Duplicates merge instead of piling up: a proposal that says the same as a belief already in
//! the model is shown as such ([`selfmodel_core::similar`]), and merging adds its evidence to
//! that belief, keeping the belief's history, instead of adding a second belief.

use rayon::prelude::*;
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::similar::{Index, Profile};
use selfmodel_core::validate::MAX_EVIDENCE_PER_BELIEF;
use selfmodel_core::{
    AuditAction, Belief, BeliefFilter, BeliefId, CoreError, Status, VendorEventKind,
};
use selfmodel_vault::VaultError;

use crate::{Error, Result, Selfmodel};

/// The belief a proposal says the same as.
#[derive(Debug, Clone, PartialEq)]
pub struct SameAs {
    /// The belief.
    pub id: BeliefId,
    /// Its statement.
    pub statement: String,
    /// How alike the two are, from [`selfmodel_core::similar::SAME_AS`] to 1.
    pub similarity: f64,
}

/// The belief of `model` (active beliefs and their index) that `statement` says the same as.
pub(crate) fn same_as((active, index): &(Vec<Belief>, Index), statement: &str) -> Option<SameAs> {
    index
        .best_match(&Profile::of(statement))
        .map(|(i, similarity)| SameAs {
            id: active[i].id,
            statement: active[i].statement.clone(),
            similarity,
        })
}

/// Beliefs with the index of their statements.
pub(crate) fn indexed(beliefs: Vec<Belief>) -> (Vec<Belief>, Index) {
    let index = Index::new(beliefs.iter().map(|b| Profile::of(&b.statement)).collect());
    (beliefs, index)
}

impl Selfmodel {
    /// The inbox, each proposal with the active belief it says the same as, if any.
    pub fn inbox_with_matches(&mut self) -> Result<Vec<(Belief, Option<SameAs>)>> {
        let proposals = self.inbox()?;
        if proposals.is_empty() {
            return Ok(Vec::new());
        }
        let model = self.active_profiles()?;
        // Each lookup reads the postings of its trigrams, much of a large model: on every core.
        Ok(proposals
            .into_par_iter()
            .map(|p| {
                let same = same_as(&model, &p.statement);
                (p, same)
            })
            .collect())
    }

    /// The active belief that `statement` says the same as, if any.
    pub fn same_as(&mut self, statement: &str) -> Result<Option<SameAs>> {
        Ok(same_as(&self.active_profiles()?, statement))
    }

    /// The active beliefs and their index.
    fn active_profiles(&mut self) -> Result<(Vec<Belief>, Index)> {
        let active = self.beliefs(&BeliefFilter {
            status: Some(Status::Active),
            ..Default::default()
        })?;
        Ok(indexed(active))
    }

    /// Merges a proposal into an active belief that says the same: the proposal's evidence is
    /// added to the belief (pieces it already has are not repeated), the belief counts as
    /// confirmed now and keeps its statement, purposes and history, and the proposal is gone.
    /// One transaction, one `belief.merged` event; vendors that received the belief are told
    /// it changed.
    pub fn merge_proposal(&mut self, proposal: BeliefId, into: BeliefId) -> Result<Belief> {
        if proposal == into {
            return Err(
                CoreError::invalid("into", "a proposal cannot be merged into itself").into(),
            );
        }
        self.change(|w, now| {
            let read = w.read();
            let from = read
                .belief(proposal)?
                .ok_or(VaultError::BeliefNotFound(proposal))?;
            if from.status != Status::Pending {
                return Err(Error::NotPending(format!(
                    "{proposal} is {}, not a proposal",
                    from.status.as_str()
                )));
            }
            let mut target = read.belief(into)?.ok_or(VaultError::BeliefNotFound(into))?;
            crate::require_active(&target, "into", "merge into an active belief")?;
            let before = target.evidence.len();
            for e in from.evidence {
                let known = target
                    .evidence
                    .iter()
                    .any(|t| t.kind == e.kind && t.source == e.source && t.summary == e.summary);
                if !known {
                    target.evidence.push(e);
                }
            }
            if target.evidence.len() > MAX_EVIDENCE_PER_BELIEF {
                return Err(CoreError::invalid(
                    "evidence",
                    format!(
                        "merging would give {into} {} pieces of evidence; a belief holds at most \
                         {MAX_EVIDENCE_PER_BELIEF} (delete some first, or reject the proposal)",
                        target.evidence.len()
                    ),
                )
                .into());
            }
            let added = target.evidence.len() - before;
            target.updated_at = now;
            target.confirmed_at = Some(now);
            w.replace_belief(&target)?;
            w.delete_belief(proposal)?;
            if added > 0 {
                w.notify_recipients(&[into], VendorEventKind::BeliefRectified, now)?;
            }
            w.append_audit(
                PendingEvent::new(AuditAction::BeliefMerged, Some(into.to_string())).with_detail(
                    Detail::new()
                        .with("from", proposal)
                        .with("evidence_added", added),
                ),
                now,
            )?;
            Ok(target)
        })
    }
}
