//! The CLI's `--json` output: wire types of their own, converted from the domain by hand, so the
//! output other tools depend on cannot change by accident. The catalogue (`types`, `purposes`)
//! is printed as an export file carries it: the archive's wire types, which change only with the
//! file format.

use selfmodel_archive::wire;
use selfmodel_core::audit::canonical_time;
use selfmodel_core::{Actor, AuditEvent, Belief, BeliefType, ChainVerdict, Purpose, Snapshot};
use serde::Serialize;

/// A belief; `history` only in `belief show`.
#[derive(Serialize)]
pub struct BeliefOut {
    id: String,
    statement: String,
    category: String,
    confidence: f64,
    purposes: Vec<String>,
    sensitivity: &'static str,
    status: &'static str,
    evidence: Vec<EvidenceOut>,
    provenance: ProvenanceOut,
    created_at: String,
    updated_at: String,
    expires_at: Option<String>,
    confirmed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<RectificationOut>>,
}

#[derive(Serialize)]
struct EvidenceOut {
    kind: &'static str,
    source: String,
    summary: String,
    observed_at: String,
    content_sha256: Option<String>,
}

#[derive(Serialize)]
struct ProvenanceOut {
    actor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor_name: Option<String>,
    method: String,
}

#[derive(Serialize)]
struct RectificationOut {
    at: String,
    actor: String,
    reason: String,
    before: SnapshotOut,
    after: SnapshotOut,
}

#[derive(Serialize)]
struct SnapshotOut {
    statement: String,
    confidence: f64,
    purposes: Vec<String>,
}

fn snapshot(s: &Snapshot) -> SnapshotOut {
    SnapshotOut {
        statement: s.statement.clone(),
        confidence: s.confidence,
        purposes: s.purposes.iter().cloned().collect(),
    }
}

/// A belief as JSON.
pub fn belief(b: &Belief, with_history: bool) -> BeliefOut {
    BeliefOut {
        id: b.id.to_string(),
        statement: b.statement.clone(),
        category: b.category.clone(),
        confidence: b.confidence,
        purposes: b.purposes.iter().cloned().collect(),
        sensitivity: b.sensitivity.as_str(),
        status: b.status.as_str(),
        evidence: b
            .evidence
            .iter()
            .map(|e| EvidenceOut {
                kind: e.kind.as_str(),
                source: e.source.clone(),
                summary: e.summary.clone(),
                observed_at: canonical_time(&e.observed_at),
                content_sha256: e.content_sha256.clone(),
            })
            .collect(),
        provenance: ProvenanceOut {
            actor: b.provenance.actor.encode(),
            vendor_name: match &b.provenance.actor {
                Actor::Vendor { name, .. } => Some(name.clone()),
                _ => None,
            },
            method: b.provenance.method.clone(),
        },
        created_at: canonical_time(&b.created_at),
        updated_at: canonical_time(&b.updated_at),
        expires_at: b.expires_at.as_ref().map(canonical_time),
        confirmed_at: b.confirmed_at.as_ref().map(canonical_time),
        history: with_history.then(|| {
            b.history
                .iter()
                .map(|r| RectificationOut {
                    at: canonical_time(&r.at),
                    actor: r.actor.encode(),
                    reason: r.reason.clone(),
                    before: snapshot(&r.before),
                    after: snapshot(&r.after),
                })
                .collect()
        }),
    }
}

/// Belief types as JSON: as a portable file carries them.
pub fn types(types: &[BeliefType]) -> Vec<wire::BeliefType> {
    types
        .iter()
        .map(selfmodel_archive::belief_type_out)
        .collect()
}

/// Purposes as JSON: as a portable file carries them.
pub fn purposes(purposes: &[Purpose]) -> Vec<wire::Purpose> {
    purposes
        .iter()
        .map(selfmodel_archive::purpose_out)
        .collect()
}

/// The outcome of `audit verify`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum VerdictOut {
    /// The chain is intact.
    Intact { ok: bool, events: u64, head: String },
    /// The chain is broken.
    Broken {
        ok: bool,
        first_bad_event: u64,
        reason: String,
    },
}

/// A chain verdict as JSON.
pub fn verdict(v: &ChainVerdict) -> VerdictOut {
    match v {
        ChainVerdict::Intact { events, head } => VerdictOut::Intact {
            ok: true,
            events: *events,
            head: head.to_hex(),
        },
        ChainVerdict::Broken {
            first_bad_event,
            reason,
        } => VerdictOut::Broken {
            ok: false,
            first_bad_event: *first_bad_event,
            reason: reason.clone(),
        },
    }
}

/// An audit event.
#[derive(Serialize)]
pub struct AuditEventOut {
    seq: u64,
    at: String,
    action: String,
    subject: Option<String>,
    detail: Option<String>,
    prev: String,
    hash: String,
}

/// An audit event as JSON.
pub fn audit_event(e: &AuditEvent) -> AuditEventOut {
    AuditEventOut {
        seq: e.seq,
        at: e.timestamp(),
        action: e.action.clone(),
        subject: e.subject.clone(),
        detail: e.detail.clone(),
        prev: e.prev.to_hex(),
        hash: e.hash.to_hex(),
    }
}

/// The report of `import-memories`.
#[derive(Serialize)]
pub struct MemoryImportOut {
    source: &'static str,
    dry_run: bool,
    changed: bool,
    imported_at: String,
    summary: MemorySummaryOut,
    items: Vec<MemoryItemOut>,
}

#[derive(Serialize)]
struct MemorySummaryOut {
    items: usize,
    proposed: usize,
    same_as: usize,
    duplicates: usize,
    previously_erased: usize,
    refused: usize,
    refused_by_kind: std::collections::BTreeMap<&'static str, usize>,
}

/// One memory's fate: `proposed` with its id (null in a dry run), type, purposes, sensitivity
/// and statement; `duplicate`; `previously_erased`; or `refused` with a code and reason.
#[derive(Serialize)]
struct MemoryItemOut {
    line: usize,
    file: Option<String>,
    sha256: String,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    proposal: Option<ProposalOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize)]
struct ProposalOut {
    id: Option<String>,
    category: String,
    purposes: Vec<String>,
    sensitivity: &'static str,
    statement: String,
    same_as: Option<SameAsOut>,
}

/// The belief a proposal says the same as, in other words.
#[derive(Serialize)]
pub struct SameAsOut {
    id: String,
    statement: String,
    similarity: f64,
}

impl From<&selfmodel::SameAs> for SameAsOut {
    fn from(s: &selfmodel::SameAs) -> Self {
        Self {
            id: s.id.to_string(),
            statement: s.statement.clone(),
            similarity: s.similarity,
        }
    }
}

/// Converts an import's report.
pub fn memory_import(r: &selfmodel::memories::MemoryImport) -> MemoryImportOut {
    use selfmodel::memories::Outcome;
    let c = r.counts();
    MemoryImportOut {
        source: r.source.as_str(),
        dry_run: r.dry_run,
        changed: r.changed,
        imported_at: canonical_time(&r.at),
        summary: MemorySummaryOut {
            items: r.items.len(),
            proposed: c.proposed,
            same_as: c.same_as,
            duplicates: c.duplicates,
            previously_erased: c.previously_erased,
            refused: c.refused,
            refused_by_kind: c.refused_by_kind,
        },
        items: r
            .items
            .iter()
            .map(|i| {
                let mut out = MemoryItemOut {
                    line: i.line,
                    file: i.file.clone(),
                    sha256: i.sha256.clone(),
                    outcome: "",
                    proposal: None,
                    reason_code: None,
                    reason: None,
                };
                match &i.outcome {
                    Outcome::Proposed {
                        id,
                        category,
                        purposes,
                        sensitivity,
                        statement,
                        same_as,
                    } => {
                        out.outcome = "proposed";
                        out.proposal = Some(ProposalOut {
                            id: id.map(|id| id.to_string()),
                            category: category.clone(),
                            purposes: purposes.iter().cloned().collect(),
                            sensitivity: sensitivity.as_str(),
                            statement: statement.clone(),
                            same_as: same_as.as_ref().map(SameAsOut::from),
                        });
                    }
                    Outcome::Duplicate => out.outcome = "duplicate",
                    Outcome::PreviouslyErased => out.outcome = "previously_erased",
                    Outcome::Refused { refusal, reason } => {
                        out.outcome = "refused";
                        out.reason_code = Some(refusal.code());
                        out.reason = Some(reason.clone());
                    }
                }
                out
            })
            .collect(),
    }
}
