//! Importing memories from other assistants (ChatGPT, Claude, Gemini, mem0, me.md, any list)
//! as proposals: each memory becomes a **pending** belief in the inbox, never an active one,
//! with a type suggested by [`selfmodel_core::memories::classify()`], the type's default
//! purposes, confidence [`IMPORT_CONFIDENCE`], and evidence of kind `imported` that records the
//! source system, the import time and the SHA-256 of the original line. Lines carrying secrets or
//! identifiers are refused by kind; lines already in the vault (same line hash, or the same
//! text as any belief) and lines the person erased or rejected before (tombstones) are skipped
//! and counted. Everything is written in one transaction, or nothing is.

mod mem0;
mod read;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::memories::{
    IMPORT_CONFIDENCE, MAX_ITEMS, MemorySource, RawMemory, Refusal, classify, screen,
};
use selfmodel_core::{
    Actor, AuditAction, Belief, BeliefFilter, BeliefId, Catalogue, EvidenceKind, NewBelief,
    NewEvidence, Provenance, Sensitivity, Status, sensitive, text, validate,
};
use selfmodel_vault::Reader;

pub use read::{parse, read, read_limited};

use crate::merge::{self, SameAs};
use crate::{Error, Result, Selfmodel, tombstone};

/// What an import did, or (in a dry run) would do, with each memory.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryImport {
    /// Where the memories came from.
    pub source: MemorySource,
    /// Nothing was written.
    pub dry_run: bool,
    /// Something was written.
    pub changed: bool,
    /// The import's time: every proposal's creation time.
    pub at: DateTime<Utc>,
    /// Each memory, in input order.
    pub items: Vec<ItemReport>,
}

/// One memory's fate.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReport {
    /// Its line (a list) or position (mem0).
    pub line: usize,
    /// Its file within a me.md directory.
    pub file: Option<String>,
    /// Hex SHA-256 of the original line.
    pub sha256: String,
    /// What became of it.
    pub outcome: Outcome,
}

/// What became of a memory.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Proposed (or, in a dry run, would be): waiting in the inbox.
    Proposed {
        /// The proposal's id (`None` in a dry run).
        id: Option<BeliefId>,
        /// The suggested type.
        category: String,
        /// The type's default purposes.
        purposes: BTreeSet<String>,
        /// The type's sensitivity.
        sensitivity: Sensitivity,
        /// The statement.
        statement: String,
        /// The belief it says the same as, worded differently: it can be merged into it from
        /// the inbox.
        same_as: Option<SameAs>,
    },
    /// Already in the vault, or earlier in the same input.
    Duplicate,
    /// The person erased or rejected it before; it stays erased.
    PreviouslyErased,
    /// Refused, with the reason in words (never the text).
    Refused {
        /// Why, as a kind.
        refusal: Refusal,
        /// Why, in words.
        reason: String,
    },
}

/// The counts of an import.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts {
    /// Proposed (or that would be).
    pub proposed: usize,
    /// Of those, the ones that say the same as a belief already held, in other words.
    pub same_as: usize,
    /// Already there.
    pub duplicates: usize,
    /// Erased or rejected before.
    pub previously_erased: usize,
    /// Refused, in all.
    pub refused: usize,
    /// Refused, per [`Refusal::code`].
    pub refused_by_kind: BTreeMap<&'static str, usize>,
}

impl MemoryImport {
    /// How many memories met each fate.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for item in &self.items {
            match &item.outcome {
                Outcome::Proposed { same_as, .. } => {
                    c.proposed += 1;
                    c.same_as += usize::from(same_as.is_some());
                }
                Outcome::Duplicate => c.duplicates += 1,
                Outcome::PreviouslyErased => c.previously_erased += 1,
                Outcome::Refused { refusal, .. } => {
                    c.refused += 1;
                    *c.refused_by_kind.entry(refusal.code()).or_default() += 1;
                }
            }
        }
        c
    }
}

impl Selfmodel {
    /// Imports memories read by [`read`] or [`parse`] as proposals for the inbox (see the
    /// module documentation). A dry run, or an import that would propose nothing, writes
    /// nothing; otherwise every proposal, its `belief.proposed` event and one
    /// `memories.imported` event with the counts are written in one transaction.
    pub fn import_memories(
        &mut self,
        source: MemorySource,
        memories: &[RawMemory],
        dry_run: bool,
    ) -> Result<MemoryImport> {
        if memories.len() > MAX_ITEMS {
            return Err(Error::MemoryInput(format!(
                "{} memories; one import takes at most {MAX_ITEMS}",
                memories.len()
            )));
        }
        let now = Utc::now();
        let planned = self
            .vault
            .read(|r| plan(r, source, memories, now).map(|(report, _)| report))?;
        let report = MemoryImport {
            source,
            dry_run,
            changed: false,
            at: now,
            items: planned,
        };
        let counts = report.counts();
        if dry_run || counts.proposed == 0 {
            return Ok(report);
        }
        let report = self.change(|w, now| {
            // Planned again inside the write transaction, so that it holds for what is written.
            let (mut items, beliefs) = plan(&w.read(), source, memories, now)?;
            let mut written = beliefs.iter();
            for item in &mut items {
                if let Outcome::Proposed { id, .. } = &mut item.outcome {
                    let Some(b) = written.next() else { break };
                    w.insert_belief(b)?;
                    w.append_audit(
                        PendingEvent::new(AuditAction::BeliefProposed, Some(b.id.to_string()))
                            .with_detail(
                                Detail::new()
                                    .with("method", &b.provenance.method)
                                    .with("category", &b.category),
                            ),
                        now,
                    )?;
                    *id = Some(b.id);
                }
            }
            let report = MemoryImport {
                source,
                dry_run,
                changed: true,
                at: now,
                items,
            };
            let c = report.counts();
            w.append_audit(
                PendingEvent::new(AuditAction::MemoriesImported, None).with_detail(
                    Detail::new()
                        .with("source", source)
                        .with("proposed", c.proposed)
                        .with("duplicates", c.duplicates)
                        .with("previously_erased", c.previously_erased)
                        .with("refused", c.refused),
                ),
                now,
            )?;
            Ok(report)
        })?;
        let c = report.counts();
        tracing::info!(
            source = source.as_str(),
            proposed = c.proposed,
            duplicates = c.duplicates,
            previously_erased = c.previously_erased,
            refused = c.refused,
            "memories imported as proposals"
        );
        Ok(report)
    }
}

/// Decides each memory's fate against the vault as it is, and builds the proposals. Reads only.
fn plan(
    r: &Reader<'_>,
    source: MemorySource,
    memories: &[RawMemory],
    now: DateTime<Utc>,
) -> Result<(Vec<ItemReport>, Vec<Belief>)> {
    let catalogue = r.catalogue()?;
    let existing = r.beliefs(&BeliefFilter::default())?;
    let mut hashes: HashSet<String> = existing
        .iter()
        .flat_map(|b| b.evidence.iter().filter_map(|e| e.content_sha256.clone()))
        .collect();
    let mut fingerprints: HashSet<String> = existing
        .iter()
        .map(|b| text::fingerprint(&b.statement))
        .collect();
    let categories: Vec<&str> = catalogue.types.iter().map(|t| t.id.as_str()).collect();
    let graveyard = tombstone::Graveyard::open(r)?;
    let model = merge::indexed(
        existing
            .into_iter()
            .filter(|b| b.status == Status::Active)
            .collect(),
    );
    let mut items = Vec::with_capacity(memories.len());
    let mut beliefs = Vec::new();
    for m in memories {
        let outcome = if let Err((refusal, reason)) = screen(&m.text) {
            Outcome::Refused { refusal, reason }
        } else if !hashes.insert(m.sha256.clone())
            || !fingerprints.insert(text::fingerprint(&m.text))
        {
            Outcome::Duplicate
        } else if graveyard.holds(r, categories.iter().copied(), &m.text)? {
            Outcome::PreviouslyErased
        } else {
            match proposal(m, source, &catalogue, now) {
                Ok(b) => {
                    let outcome = Outcome::Proposed {
                        id: None,
                        category: b.category.clone(),
                        purposes: b.purposes.clone(),
                        sensitivity: b.sensitivity,
                        statement: b.statement.clone(),
                        // Looked up below, for every proposal at once.
                        same_as: None,
                    };
                    beliefs.push(b);
                    outcome
                }
                Err(e) => Outcome::Refused {
                    refusal: Refusal::Invalid,
                    reason: e.to_string(),
                },
            }
        };
        items.push(ItemReport {
            line: m.line,
            file: m.file.clone(),
            sha256: m.sha256.clone(),
            outcome,
        });
    }
    // Each lookup reads the postings of its trigrams, much of a large model: on every core.
    items.par_iter_mut().for_each(|item| {
        if let Outcome::Proposed {
            statement, same_as, ..
        } = &mut item.outcome
        {
            *same_as = merge::same_as(&model, statement);
        }
    });
    Ok((items, beliefs))
}

/// The pending belief a memory becomes.
fn proposal(
    m: &RawMemory,
    source: MemorySource,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> Result<Belief> {
    let suggested = classify(&m.text);
    let category = [suggested, classify::FALLBACK]
        .into_iter()
        .find(|t| catalogue.belief_type(t).is_some())
        .or_else(|| catalogue.types.first().map(|t| t.id.as_str()))
        .unwrap_or(suggested)
        .to_owned();
    let new = NewBelief {
        statement: m.text.clone(),
        category,
        confidence: IMPORT_CONFIDENCE,
        purposes: BTreeSet::new(),
        sensitivity: None,
        evidence: vec![NewEvidence {
            kind: EvidenceKind::Imported,
            source: source.display_name().to_owned(),
            summary: summary(m, source, now),
            observed_at: m.observed_at,
            content_sha256: Some(m.sha256.clone()),
        }],
    };
    let provenance = Provenance {
        actor: Actor::Import,
        method: source.method(),
    };
    Ok(validate::build_belief(
        new,
        catalogue,
        provenance,
        Status::Pending,
        now,
    )?)
}

/// "Imported from ChatGPT saved memories on 2026-12-04, line 3": where, from what, when. A file
/// name that is not plain, short text is left out rather than stored.
fn summary(m: &RawMemory, source: MemorySource, now: DateTime<Utc>) -> String {
    let place = if source == MemorySource::Mem0 {
        format!("item {}", m.line)
    } else {
        format!("line {}", m.line)
    };
    let place = match &m.file {
        Some(f)
            if text::check("file", f, text::Lines::One, 100).is_ok()
                && sensitive::find(f).is_none() =>
        {
            format!("{f}, {place}")
        }
        _ => place,
    };
    format!(
        "Imported from {} on {}, {place}",
        source.display_name(),
        now.format("%Y-%m-%d")
    )
}

#[cfg(test)]
mod tests;
