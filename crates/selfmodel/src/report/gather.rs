//! Each section of the report, from what the vault read in the report's transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use selfmodel_core::audit::{self, AuditAction, ChainVerifier, EventView};
use selfmodel_core::sensitive::SensitiveKind;
use selfmodel_core::{
    AccessDay, Alert, AuditEvent, Belief, BeliefId, Catalogue, ChainVerdict, Grant, Outcome,
    Sensitivity, Status, validate,
};
use selfmodel_vault::DisclosureDay;

use super::json::Counts;
use super::{
    ChainState, Period, ReportAlert, ReportChainEntry, ReportEvidence, ReportIntegrity,
    ReportInventory, ReportLimits, ReportPurpose, ReportRetention, ReportRetentionType,
    ReportScope, ReportSensitivity, ReportType, ReportVendor, ReportVendorName, ReportVendorPeriod,
};
use crate::render::time;

/// Totals per key.
pub(super) fn sum_by(items: impl IntoIterator<Item = (String, u64)>) -> Counts {
    let mut counts = Counts::new();
    for (item, n) in items {
        *counts.entry(item).or_insert(0) += n;
    }
    counts
}

/// What the vault holds now.
pub(super) fn inventory(beliefs: &[Belief], catalogue: &Catalogue) -> ReportInventory {
    let mut inv = ReportInventory {
        total: 0,
        active: 0,
        pending_proposals: 0,
        rejected: 0,
        sensitivity: ReportSensitivity {
            normal: 0,
            special: 0,
        },
        evidence: ReportEvidence {
            beliefs_with_evidence: 0,
            items: 0,
        },
        below_threshold: 0,
        by_type: catalogue
            .types
            .iter()
            .map(|t| ReportType {
                type_id: t.id.clone(),
                name: t.name.clone(),
                active: 0,
                pending: 0,
                special: 0,
                with_evidence: 0,
                below_threshold: 0,
                min_share_confidence: t.min_share_confidence,
            })
            .collect(),
        by_purpose: catalogue
            .purposes
            .iter()
            .map(|p| (p.id.clone(), 0))
            .collect(),
    };
    for b in beliefs {
        inv.total += 1;
        let row = inv.by_type.iter_mut().find(|t| t.type_id == b.category);
        match b.status {
            Status::Pending => {
                inv.pending_proposals += 1;
                if let Some(row) = row {
                    row.pending += 1;
                }
            }
            Status::Rejected => inv.rejected += 1,
            Status::Active => {
                inv.active += 1;
                let special = b.sensitivity == Sensitivity::Special;
                let evidenced = !b.evidence.is_empty();
                let threshold = catalogue
                    .belief_type(&b.category)
                    .map_or(0.0, |t| t.min_share_confidence);
                let below = b.confidence < threshold;
                inv.sensitivity.special += u64::from(special);
                inv.sensitivity.normal += u64::from(!special);
                inv.evidence.beliefs_with_evidence += u64::from(evidenced);
                inv.evidence.items += b.evidence.len() as u64;
                inv.below_threshold += u64::from(below);
                for p in &b.purposes {
                    *inv.by_purpose.entry(p.clone()).or_insert(0) += 1;
                }
                if let Some(row) = row {
                    row.active += 1;
                    row.special += u64::from(special);
                    row.with_evidence += u64::from(evidenced);
                    row.below_threshold += u64::from(below);
                }
            }
        }
    }
    inv
}

/// Each type's retention, with the evidence that it holds at `now`: `beliefs` as reads see them,
/// and `past` (per type) every belief past its expiry in the file, withheld ones included.
pub(super) fn retention(
    beliefs: &[Belief],
    past: &HashMap<String, u64>,
    catalogue: &Catalogue,
) -> ReportRetention {
    let by_type: Vec<ReportRetentionType> = catalogue
        .types
        .iter()
        .map(|t| {
            let of_type: Vec<&Belief> = beliefs.iter().filter(|b| b.category == t.id).collect();
            ReportRetentionType {
                type_id: t.id.clone(),
                retention_days: t.retention_days,
                beliefs: of_type.len() as u64,
                oldest_created: of_type.iter().map(|b| b.created_at).min().map(time),
                next_expiry: of_type.iter().filter_map(|b| b.expires_at).min().map(time),
                past_retention: past.get(&t.id).copied().unwrap_or(0),
            }
        })
        .collect();
    ReportRetention {
        past_retention: by_type.iter().map(|x| x.past_retention).sum(),
        by_type,
    }
}

/// The limits every belief obeys (minimisation and purpose limitation).
pub(super) fn limits(catalogue: &Catalogue) -> ReportLimits {
    ReportLimits {
        statement_chars: validate::MAX_STATEMENT_CHARS,
        evidence_summary_chars: validate::MAX_EVIDENCE_SUMMARY_CHARS,
        source_chars: validate::MAX_SOURCE_CHARS,
        evidence_per_belief: validate::MAX_EVIDENCE_PER_BELIEF,
        refused_data: SensitiveKind::ALL
            .iter()
            .map(|k| k.describe().to_owned())
            .collect(),
        allowed_purposes: catalogue
            .types
            .iter()
            .map(|t| (t.id.clone(), t.allowed_purposes.iter().cloned().collect()))
            .collect(),
    }
}

/// A grant, and what its vendor did in the period: `days` holds the period's requests per day
/// (detailed and compacted), `disclosed` its per-day disclosures, `category` each stored
/// belief's type.
pub(super) fn vendor(
    grant: Grant,
    notices: Counts,
    days: &[AccessDay],
    disclosed: &[DisclosureDay],
    category: &BTreeMap<BeliefId, &str>,
    now: DateTime<Utc>,
) -> ReportVendor {
    let mine: Vec<&AccessDay> = days
        .iter()
        .filter(|a| a.grant_id.as_deref() == Some(grant.id.as_str()))
        .collect();
    let allowed: Vec<&AccessDay> = mine
        .iter()
        .copied()
        .filter(|a| a.outcome == Outcome::Allowed)
        .collect();
    let mut by_purpose: BTreeMap<&str, Vec<&AccessDay>> = BTreeMap::new();
    for a in &allowed {
        if let Some(p) = a.purpose.as_deref() {
            by_purpose.entry(p).or_default().push(a);
        }
    }
    let to_grant: Vec<&DisclosureDay> = disclosed
        .iter()
        .filter(|d| d.grant_id == grant.id)
        .collect();
    let received = by_purpose
        .into_iter()
        .map(|(purpose, entries)| {
            let days: Vec<&&DisclosureDay> = to_grant
                .iter()
                .filter(|d| d.purpose.as_deref() == Some(purpose))
                .collect();
            let mut distinct: Vec<BeliefId> = days.iter().map(|d| d.belief_id).collect();
            distinct.sort();
            distinct.dedup();
            ReportPurpose {
                purpose: purpose.to_owned(),
                requests: entries.iter().map(|a| a.requests).sum(),
                disclosures: days.iter().map(|d| d.times).sum(),
                distinct_beliefs: distinct.len() as u64,
                by_type: sum_by(days.iter().map(|d| {
                    let kind = category.get(&d.belief_id).copied().unwrap_or("(erased)");
                    (kind.to_owned(), d.times)
                })),
            }
        })
        .collect();
    let period = ReportVendorPeriod {
        // From the detailed log and the compacted one alike.
        requests: allowed.iter().map(|a| a.requests).sum(),
        disclosures: to_grant.iter().map(|d| d.times).sum(),
        received,
        denied: sum_by(mine.iter().filter_map(|a| match &a.outcome {
            Outcome::Denied(code) => Some((code.clone(), a.requests)),
            Outcome::Allowed => None,
        })),
        notices,
    };
    let scope = &grant.scope;
    ReportVendor {
        state: grant_state(&grant, now).to_owned(),
        scope: ReportScope {
            purposes: scope.purposes.iter().cloned().collect(),
            categories: scope.categories.iter().cloned().collect(),
            operations: scope
                .operations
                .iter()
                .map(|o| o.as_str().to_owned())
                .collect(),
            max_sensitivity: scope.max_sensitivity.as_str().to_owned(),
            min_confidence: scope.min_confidence,
        },
        vendor_retention_days: grant.vendor_retention_days,
        created_at: time(grant.created_at),
        expires_at: time(grant.expires_at),
        revoked_at: grant.revoked_at.map(time),
        revoked_by: grant.revoked_by,
        vendor: ReportVendorName {
            id: grant.vendor.id,
            name: grant.vendor.name,
            url: grant.vendor.url,
        },
        grant_id: grant.id,
        period,
    }
}

/// `active`, `expired` or `revoked`, at `now`.
pub(crate) fn grant_state(grant: &Grant, now: DateTime<Utc>) -> &'static str {
    if grant.revoked_at.is_some() {
        "revoked"
    } else if grant.expires_at <= now {
        "expired"
    } else {
        "active"
    }
}

/// Unusual vendor access, as the report lists it.
pub(super) fn alert(a: &Alert) -> ReportAlert {
    ReportAlert {
        vendor_id: a.vendor_id.clone(),
        day: a.day.to_string(),
        at: audit::canonical_time(&a.at),
        kind: a.kind.code().to_owned(),
        description: a.describe(),
    }
}

/// The number after `count=` or `new=` in an event's detail (how many beliefs it concerned).
fn detail_count(detail: Option<&str>, key: &str) -> u64 {
    detail
        .unwrap_or_default()
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
        .unwrap_or(0)
}

/// The audit chain's events, verified and tallied one at a time as they are read: the chain's
/// verdict, how many events there are, when the first was, and the exports, imports and erasures
/// in the period.
pub(super) struct ChainTally {
    period: Period,
    verifier: ChainVerifier,
    /// The first event that did not check out; the events after it are still tallied.
    broken: Option<ChainVerdict>,
    events: u64,
    in_period: u64,
    first_at: Option<DateTime<Utc>>,
    exports_and_imports: Vec<ReportChainEntry>,
    erasures: Vec<ReportChainEntry>,
}

impl ChainTally {
    pub(super) fn new(period: Period) -> Self {
        Self {
            period,
            verifier: ChainVerifier::new(),
            broken: None,
            events: 0,
            in_period: 0,
            first_at: None,
            exports_and_imports: Vec::new(),
            erasures: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, e: AuditEvent) {
        if self.broken.is_none() {
            let at = audit::canonical_time(&e.at);
            self.broken = self.verifier.check(&EventView::of(&e, &at)).err();
        }
        self.events += 1;
        self.first_at.get_or_insert(e.at);
        if !self.period.contains(e.at) {
            return;
        }
        self.in_period += 1;
        let detail = e.detail.as_deref();
        let entry = |beliefs| ReportChainEntry {
            seq: e.seq,
            at: time(e.at),
            action: e.action.clone(),
            beliefs,
        };
        match AuditAction::parse(&e.action) {
            Some(AuditAction::Exported) => {
                self.exports_and_imports
                    .push(entry(detail_count(detail, "beliefs")));
            }
            Some(AuditAction::Imported) => {
                self.exports_and_imports
                    .push(entry(detail_count(detail, "new")));
            }
            Some(AuditAction::BeliefDeleted | AuditAction::ProposalRejected) => {
                self.erasures.push(entry(1));
            }
            Some(AuditAction::ErasedAll | AuditAction::RetentionPurged) => {
                self.erasures.push(entry(detail_count(detail, "count")));
            }
            _ => {}
        }
    }

    /// When the vault was created: its first event.
    pub(super) fn first_at(&self) -> Option<DateTime<Utc>> {
        self.first_at
    }

    /// The report's integrity section.
    pub(super) fn integrity(self) -> ReportIntegrity {
        let verdict = self.broken.unwrap_or_else(|| self.verifier.finish());
        let (audit_chain, head, first_bad_event, broken_reason) = match verdict {
            ChainVerdict::Intact { head, .. } => {
                (ChainState::Intact, Some(head.to_hex()), None, None)
            }
            ChainVerdict::Broken {
                first_bad_event,
                reason,
            } => (
                ChainState::Broken,
                None,
                Some(first_bad_event),
                Some(reason),
            ),
        };
        ReportIntegrity {
            audit_chain,
            events: self.events,
            head,
            first_bad_event,
            broken_reason,
            events_in_period: self.in_period,
            beliefs_erased: self.erasures.iter().map(|e| e.beliefs).sum(),
            exports_and_imports: self.exports_and_imports,
            erasures: self.erasures,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_read_from_event_details() {
        assert_eq!(detail_count(Some("count=3 ids=a,b,c"), "count"), 3);
        assert_eq!(
            detail_count(Some("file_sha256=x beliefs=9 new=4"), "new"),
            4
        );
        assert_eq!(detail_count(Some("beliefs=9"), "new"), 0);
        assert_eq!(detail_count(None, "count"), 0);
    }
}
