//! The wire types of a living model: beliefs due for review, and memories imported from other
//! assistants.

use serde::Serialize;
use ts_rs::TS;

use selfmodel::memories;

use super::{BeliefRow, count, time};

/// A belief due for review, and since when.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DueBelief {
    /// The belief.
    pub row: BeliefRow,
    /// When it fell due (RFC 3339, UTC): its type's interval after the person last confirmed it.
    pub due_since: String,
}

/// Beliefs due for review, longest overdue first.
pub fn due(queue: Vec<selfmodel::Due>) -> Vec<DueBelief> {
    queue
        .iter()
        .map(|d| DueBelief {
            row: (&d.belief).into(),
            due_since: time(&d.since),
        })
        .collect()
}

/// A proposal that says the same as a belief in the model.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SameAs {
    /// The proposal.
    pub proposal_id: String,
    /// The belief it says the same as.
    pub id: String,
    /// That belief's statement.
    pub statement: String,
    /// How alike the two are, from 0.75 to 1.
    pub similarity: f64,
}

/// The proposals that say the same as a belief, with that belief.
pub fn same_as(inbox: Vec<(selfmodel_core::Belief, Option<selfmodel::SameAs>)>) -> Vec<SameAs> {
    inbox
        .into_iter()
        .filter_map(|(p, same)| {
            same.map(|s| SameAs {
                proposal_id: p.id.to_string(),
                id: s.id.to_string(),
                statement: s.statement,
                similarity: s.similarity,
            })
        })
        .collect()
}

/// What became of one memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MemoryFate {
    /// Proposed (in a preview: would be), waiting in the inbox.
    Proposed,
    /// The same as a belief in the vault, or as a memory earlier in the input.
    Duplicate,
    /// The person erased or rejected it before; it stays erased.
    PreviouslyErased,
    /// Refused: it holds an identifier or secret, or is not a sentence the vault keeps.
    Refused,
}

/// One memory of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MemoryItem {
    /// Its line (a list) or position (mem0).
    pub line: u32,
    /// Its file within a me.md folder.
    pub file: Option<String>,
    /// What became of it.
    pub fate: MemoryFate,
    /// The statement proposed (only when proposed: a refused memory's text is never repeated).
    pub statement: Option<String>,
    /// The suggested type (when proposed).
    pub category: Option<String>,
    /// The type's default purposes (when proposed).
    pub purposes: Vec<String>,
    /// Why it was refused, in words (never the text).
    pub reason: Option<String>,
}

/// What an import of memories would do (the preview) or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MemoryImport {
    /// Nothing was changed: this is the preview.
    pub dry_run: bool,
    /// Whether the vault changed.
    pub changed: bool,
    /// The source system's display name.
    pub source: String,
    /// Each memory, in input order.
    pub items: Vec<MemoryItem>,
    /// How many were (or would be) proposed.
    pub proposed: u32,
    /// How many were already there.
    pub duplicates: u32,
    /// How many were erased or rejected before.
    pub previously_erased: u32,
    /// How many were refused.
    pub refused: u32,
}

/// An import of memories on the wire.
pub fn memory_import(report: memories::MemoryImport) -> MemoryImport {
    let counts = report.counts();
    MemoryImport {
        dry_run: report.dry_run,
        changed: report.changed,
        source: report.source.display_name().to_owned(),
        items: report.items.into_iter().map(memory_item).collect(),
        proposed: count(counts.proposed),
        duplicates: count(counts.duplicates),
        previously_erased: count(counts.previously_erased),
        refused: count(counts.refused),
    }
}

fn memory_item(item: memories::ItemReport) -> MemoryItem {
    let mut out = MemoryItem {
        line: count(item.line),
        file: item.file,
        fate: MemoryFate::Duplicate,
        statement: None,
        category: None,
        purposes: Vec::new(),
        reason: None,
    };
    match item.outcome {
        memories::Outcome::Proposed {
            category,
            purposes,
            statement,
            ..
        } => {
            out.fate = MemoryFate::Proposed;
            out.statement = Some(statement);
            out.category = Some(category);
            out.purposes = purposes.into_iter().collect();
        }
        memories::Outcome::Duplicate => {}
        memories::Outcome::PreviouslyErased => out.fate = MemoryFate::PreviouslyErased,
        memories::Outcome::Refused { reason, .. } => {
            out.fate = MemoryFate::Refused;
            out.reason = Some(reason);
        }
    }
    out
}
