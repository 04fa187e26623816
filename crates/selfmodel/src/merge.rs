//! Duplicates merge instead of piling up: a proposal that says the same as a belief already in
//! the model is shown as such ([`selfmodel_core::similar`]), and merging adds its evidence to
//! that belief, keeping the belief's history, instead of adding a second belief.

use std::collections::HashMap;

use rayon::prelude::*;
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::similar::{Index, Profile};
use selfmodel_core::validate::MAX_EVIDENCE_PER_BELIEF;
use selfmodel_core::{
    AuditAction, Belief, BeliefFilter, BeliefId, CoreError, Status, VendorEventKind,
};
use selfmodel_vault::VaultError;
use sha2::{Digest as _, Sha256};

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

/// The first 16 bytes of a statement's SHA-256: enough to tell any two statements apart.
type Digest = [u8; 16];

fn digest(statement: &str) -> Digest {
    let mut d = Digest::default();
    d.copy_from_slice(&Sha256::digest(statement.as_bytes())[..16]);
    d
}

/// Past this many active statements changed since the last listing, every proposal is looked up
/// again in a new index instead of being compared with each changed statement.
const MAX_COMPARED: usize = 256;

/// What an inbox listing found, kept so that the next listing finds its matches from what
/// changed since: each active statement (by digest) and each proposal's match.
#[derive(Default)]
pub(crate) struct KeptMatches {
    active: HashMap<BeliefId, Digest>,
    found: HashMap<BeliefId, (Digest, Option<(BeliefId, f64)>)>,
}

/// Each proposal's match among `active` (sorted by id, as a listing is): its position and the
/// similarity, the same as a lookup in an index of all of `active` finds ([`Index::best_match`]:
/// the most similar, the oldest of equals). A proposal whose statement and match are as `kept`
/// found them is compared only with the statements that changed since; the others are looked up.
fn find_matches(
    proposals: &[(BeliefId, &str)],
    active: &[(BeliefId, &str)],
    kept: Option<KeptMatches>,
) -> (Vec<Option<(usize, f64)>>, KeptMatches) {
    let digests: Vec<Digest> = active.par_iter().map(|(_, s)| digest(s)).collect();
    let position: HashMap<BeliefId, usize> = active
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    let kept = kept.unwrap_or_default();
    let changed: Vec<usize> = (0..active.len())
        .filter(|&i| kept.active.get(&active[i].0) != Some(&digests[i]))
        .collect();
    // A kept match still stands if its statement is the one it was.
    let stands = |id: &BeliefId| {
        position
            .get(id)
            .is_some_and(|&i| kept.active.get(id) == Some(&digests[i]))
    };
    let incremental = !kept.active.is_empty() && changed.len() <= MAX_COMPARED;
    let changed_profiles: Vec<(usize, Profile)> = if incremental {
        changed
            .iter()
            .map(|&i| (i, Profile::of(active[i].1)))
            .collect()
    } else {
        Vec::new()
    };
    let proposal_digests: Vec<Digest> = proposals.par_iter().map(|(_, s)| digest(s)).collect();
    // Compared with what changed, or `Err(())`: to be looked up.
    let compared: Vec<std::result::Result<Option<(usize, f64)>, ()>> = proposals
        .par_iter()
        .zip(&proposal_digests)
        .map(|((id, statement), d)| {
            let Some((was, best)) = kept.found.get(id).filter(|_| incremental) else {
                return Err(());
            };
            if was != d || best.is_some_and(|(m, _)| !stands(&m)) {
                return Err(());
            }
            let mut best = best.map(|(m, s)| (position[&m], s));
            let profile = Profile::of(statement);
            for (i, other) in &changed_profiles {
                if !profile.same_as(other) {
                    continue;
                }
                let s = profile.similarity(other);
                if best.is_none_or(|(b, bs)| s > bs || (s == bs && *i < b)) {
                    best = Some((*i, s));
                }
            }
            Ok(best)
        })
        .collect();
    let index = compared
        .iter()
        .any(|c| c.is_err())
        .then(|| Index::new(active.par_iter().map(|(_, s)| Profile::of(s)).collect()));
    // Each lookup reads the postings of its trigrams, much of a large model: on every core.
    let found: Vec<Option<(usize, f64)>> = proposals
        .par_iter()
        .zip(compared)
        .map(|((_, statement), c)| match (c, &index) {
            (Ok(best), _) => best,
            (Err(()), Some(index)) => index.best_match(&Profile::of(statement)),
            (Err(()), None) => None,
        })
        .collect();
    let kept = KeptMatches {
        active: active.iter().map(|(id, _)| *id).zip(digests).collect(),
        found: proposals
            .iter()
            .zip(proposal_digests)
            .zip(&found)
            .map(|(((id, _), d), f)| (*id, (d, f.map(|(i, s)| (active[i].0, s)))))
            .collect(),
    };
    (found, kept)
}

/// Each belief's id and statement.
fn statements(beliefs: &[Belief]) -> Vec<(BeliefId, &str)> {
    beliefs
        .iter()
        .map(|b| (b.id, b.statement.as_str()))
        .collect()
}

impl Selfmodel {
    /// The inbox, each proposal with the active belief it says the same as, if any. What a
    /// listing found is kept: the next one compares the proposals only with the statements that
    /// changed since, so that accepting one proposal of many does not look them all up again.
    pub fn inbox_with_matches(&mut self) -> Result<Vec<(Belief, Option<SameAs>)>> {
        let proposals = self.inbox()?;
        if proposals.is_empty() {
            self.kept_matches = None;
            return Ok(Vec::new());
        }
        let active = self.beliefs(&BeliefFilter {
            status: Some(Status::Active),
            ..Default::default()
        })?;
        let (found, kept) = find_matches(
            &statements(&proposals),
            &statements(&active),
            self.kept_matches.take(),
        );
        self.kept_matches = Some(kept);
        Ok(proposals
            .into_iter()
            .zip(found)
            .map(|(p, f)| {
                let same = f.map(|(i, similarity)| SameAs {
                    id: active[i].id,
                    statement: active[i].statement.clone(),
                    similarity,
                });
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// A statement from few words, so that many say the same and some tie.
    fn statement(rng: &mut StdRng) -> String {
        const WORDS: [&str; 5] = ["likes", "jazz", "music", "often", "tea"];
        let n = rng.random_range(2..4);
        (0..n)
            .map(|_| WORDS[rng.random_range(0..WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn refs(v: &[(BeliefId, String)]) -> Vec<(BeliefId, &str)> {
        v.iter().map(|(i, s)| (*i, s.as_str())).collect()
    }

    fn id(n: u128) -> BeliefId {
        BeliefId::from(uuid::Uuid::from_u128(n))
    }

    /// After any sequence of changes to the model and the inbox, the matches found from what
    /// changed are the ones a lookup of every proposal finds.
    #[test]
    fn matches_found_from_what_changed_are_the_ones_a_full_lookup_finds() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut next = 1000u128;
        let mut fresh = |rng: &mut StdRng| {
            next += u128::from(rng.random_range(1u8..4));
            next
        };
        let mut active: Vec<(BeliefId, String)> =
            (0..40).map(|n| (id(n * 10), statement(&mut rng))).collect();
        let mut proposals: Vec<(BeliefId, String)> = (0..15)
            .map(|n| (id(500 + n), statement(&mut rng)))
            .collect();
        let mut kept = None;
        let mut compared = 0;
        for round in 0..600 {
            let (found, k) = find_matches(&refs(&proposals), &refs(&active), kept.take());
            let (whole, _) = find_matches(&refs(&proposals), &refs(&active), None);
            assert_eq!(found, whole, "round {round}");
            compared += found.iter().filter(|f| f.is_some()).count();
            kept = Some(k);
            // One to three changes, of any kind.
            for _ in 0..rng.random_range(1..4) {
                match rng.random_range(0..6) {
                    0 if !active.is_empty() => {
                        let i = rng.random_range(0..active.len());
                        active.remove(i);
                    }
                    1 if !active.is_empty() => {
                        let i = rng.random_range(0..active.len());
                        active[i].1 = statement(&mut rng);
                    }
                    2 if !proposals.is_empty() => {
                        // Accepted: the proposal joins the model.
                        let p = proposals.remove(rng.random_range(0..proposals.len()));
                        active.push(p);
                        active.sort_by_key(|(i, _)| *i);
                    }
                    3 if !proposals.is_empty() => {
                        proposals.remove(rng.random_range(0..proposals.len()));
                    }
                    4 => proposals.push((id(fresh(&mut rng)), statement(&mut rng))),
                    _ => {
                        active.push((id(fresh(&mut rng)), statement(&mut rng)));
                        active.sort_by_key(|(i, _)| *i);
                    }
                }
            }
        }
        assert!(
            compared > 300,
            "the proposals had matches to keep: {compared}"
        );
    }
}
