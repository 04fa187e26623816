//! The report's JSON form, `selfmodel-report-v1`: one typed document, written by
//! `selfmodel report --json` and returned to the desktop app. Its fields are declared here, apart
//! from the report's own types, so that the format does not follow refactors silently. With the
//! `ts` feature each type also derives its TypeScript declaration.

use std::collections::BTreeMap;

use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use super::{Bucket, ChainEntry, Report};
use crate::render::{day, time};

/// Counts by key: a purpose, a type, a reason code or a notice kind.
type Counts = BTreeMap<String, u64>;

/// The transparency report as one document. No belief text: counts, types, purposes, ids and
/// hashes only. Instants are RFC 3339 to the second, UTC; days are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportDocument {
    /// The format and its version.
    pub format: ReportFormat,
    /// When it was made.
    pub generated_at: String,
    /// The period that vendor activity, exports and erasures are counted over.
    pub period: ReportPeriod,
    /// The vault's id.
    pub vault_id: Option<String>,
    /// What the vault holds now.
    pub inventory: ReportInventory,
    /// Each type's retention and proof that nothing is past it.
    pub retention: ReportRetention,
    /// The limits every belief obeys.
    pub limits: ReportLimits,
    /// Every grant, with what its vendor received in the period.
    pub vendors: Vec<ReportVendor>,
    /// Per vendor, beliefs disclosed in each step of the period.
    pub disclosures_over_time: ReportSeries,
    /// Refused requests in the period that carried no valid grant, by reason code.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, number>"))]
    pub denied_without_grant: Counts,
    /// Unusual vendor access in the period.
    pub alerts: Vec<ReportAlert>,
    /// The audit chain, and the exports and erasures it records in the period.
    pub integrity: ReportIntegrity,
    /// Which mechanism answers which control or right, and the tests that prove it.
    pub controls: Vec<ReportControl>,
}

/// The document's format: `selfmodel-report-v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub enum ReportFormat {
    /// Version 1.
    #[serde(rename = "selfmodel-report-v1")]
    V1,
}

/// The period covered: `[from, to)`, each bound open when `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportPeriod {
    /// The first instant covered.
    pub from: Option<String>,
    /// The first instant no longer covered.
    pub to: Option<String>,
}

/// What the vault holds now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportInventory {
    /// Every stored belief, whatever its status.
    pub total: u64,
    /// Active beliefs (the only ones ever shared).
    pub active: u64,
    /// Proposals waiting for the person.
    pub pending_proposals: u64,
    /// Rejected proposals kept as rejected.
    pub rejected: u64,
    /// Active beliefs per sensitivity.
    pub sensitivity: ReportSensitivity,
    /// Evidence on active beliefs.
    pub evidence: ReportEvidence,
    /// Active beliefs below their type's confidence for sharing (never shared).
    pub below_threshold: u64,
    /// Per type.
    pub by_type: Vec<ReportType>,
    /// Active beliefs carrying each purpose.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, number>"))]
    pub by_purpose: Counts,
}

/// Active beliefs per sensitivity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportSensitivity {
    /// Ordinary personal data.
    pub normal: u64,
    /// A special category (GDPR Art. 9).
    pub special: u64,
}

/// Evidence on active beliefs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportEvidence {
    /// Active beliefs with at least one piece of evidence.
    pub beliefs_with_evidence: u64,
    /// Pieces of evidence.
    pub items: u64,
}

/// One type's line of the inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportType {
    /// The type's id.
    #[serde(rename = "type")]
    pub type_id: String,
    /// Its display name.
    pub name: String,
    /// Active beliefs.
    pub active: u64,
    /// Proposals waiting for the person.
    pub pending: u64,
    /// Active beliefs in a special category.
    pub special: u64,
    /// Active beliefs with evidence.
    pub with_evidence: u64,
    /// Active beliefs below the type's confidence for sharing.
    pub below_threshold: u64,
    /// The type's confidence for sharing.
    pub min_share_confidence: f64,
}

/// Retention: what is past it, and each type's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportRetention {
    /// Beliefs past their type's retention (zero unless something is wrong).
    pub past_retention: u64,
    /// Per type.
    pub by_type: Vec<ReportRetentionType>,
}

/// One type's retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportRetentionType {
    /// The type's id.
    #[serde(rename = "type")]
    pub type_id: String,
    /// Days its beliefs are kept.
    pub retention_days: u32,
    /// Beliefs of the type stored now.
    pub beliefs: u64,
    /// When the oldest of them was created.
    pub oldest_created: Option<String>,
    /// The earliest expiry among them.
    pub next_expiry: Option<String>,
    /// How many are past their expiry.
    pub past_retention: u64,
}

/// The limits every belief obeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportLimits {
    /// Longest statement, in characters.
    pub statement_chars: usize,
    /// Longest evidence summary, in characters.
    pub evidence_summary_chars: usize,
    /// Longest evidence source, in characters.
    pub source_chars: usize,
    /// Most pieces of evidence per belief.
    pub evidence_per_belief: usize,
    /// What is refused in any text field, in words.
    pub refused_data: Vec<String>,
    /// Per type, the purposes its beliefs may carry.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, string[]>"))]
    pub allowed_purposes: BTreeMap<String, Vec<String>>,
}

/// A grant, and what its vendor did in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportVendor {
    /// The grant's id.
    pub grant_id: String,
    /// The vendor.
    pub vendor: ReportVendorName,
    /// `active`, `expired` or `revoked`, at the time of the report.
    pub state: String,
    /// What the grant allows.
    pub scope: ReportScope,
    /// Days the vendor may keep what it receives.
    pub vendor_retention_days: u32,
    /// When the grant was made.
    pub created_at: String,
    /// When it expires.
    pub expires_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// Who revoked it, if anyone did.
    pub revoked_by: Option<String>,
    /// What the vendor did in the period.
    pub period: ReportVendorPeriod,
}

/// A vendor as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportVendorName {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its web address, if it gave one.
    pub url: Option<String>,
}

/// What a grant allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportScope {
    /// Granted purposes.
    pub purposes: Vec<String>,
    /// Granted types.
    pub categories: Vec<String>,
    /// Granted operations.
    pub operations: Vec<String>,
    /// The highest sensitivity shared: `normal` or `special`.
    pub max_sensitivity: String,
    /// The lowest confidence shared.
    pub min_confidence: f64,
}

/// What a vendor did in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportVendorPeriod {
    /// Allowed requests.
    pub requests: u64,
    /// Beliefs disclosed, counted once per disclosure.
    pub disclosures: u64,
    /// Per purpose.
    pub received: Vec<ReportPurpose>,
    /// Refused requests, by reason code.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, number>"))]
    pub denied: Counts,
    /// Notices sent to it (rectifications, erasures, revocation), by kind.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, number>"))]
    pub notices: Counts,
}

/// What a vendor received for one purpose in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportPurpose {
    /// The purpose.
    pub purpose: String,
    /// Allowed requests naming it.
    pub requests: u64,
    /// Beliefs disclosed, counted once per disclosure.
    pub disclosures: u64,
    /// Distinct beliefs disclosed.
    pub distinct_beliefs: u64,
    /// Disclosures per belief type (`(erased)` for beliefs no longer in the vault).
    #[cfg_attr(feature = "ts", ts(type = "Record<string, number>"))]
    pub by_type: Counts,
}

/// Beliefs disclosed per vendor in each step of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportSeries {
    /// The length of a step.
    pub bucket: Bucket,
    /// The first day of each step, oldest first, without gaps.
    pub starts: Vec<String>,
    /// All vendors together in each step.
    pub totals: Vec<u64>,
    /// Each vendor that received anything in the period.
    pub vendors: Vec<ReportSeriesLine>,
}

/// One vendor's line of the series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportSeriesLine {
    /// The vendor's id.
    pub vendor_id: String,
    /// Its display name.
    pub name: String,
    /// Beliefs disclosed in each step (aligned with `starts`).
    pub counts: Vec<u64>,
    /// In the whole period.
    pub total: u64,
}

/// Unusual vendor access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportAlert {
    /// The vendor, if the access named one.
    pub vendor_id: Option<String>,
    /// The day it happened.
    pub day: String,
    /// When it was noticed.
    pub at: String,
    /// What kind: a rate spike, unusual hours or a burst of denials.
    pub kind: String,
    /// In words.
    pub description: String,
}

/// The audit chain, as the report tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportIntegrity {
    /// Whether the chain verifies.
    pub audit_chain: ChainState,
    /// Events in the chain.
    pub events: u64,
    /// The head hash (hex), when intact.
    pub head: Option<String>,
    /// The first event that does not verify, when broken.
    pub first_bad_event: Option<u64>,
    /// Why it does not, when broken.
    pub broken_reason: Option<String>,
    /// Events in the period.
    pub events_in_period: u64,
    /// Exports and imports in the period.
    pub exports_and_imports: Vec<ReportChainEntry>,
    /// Erasures in the period.
    pub erasures: Vec<ReportChainEntry>,
    /// Beliefs erased in the period.
    pub beliefs_erased: u64,
}

/// Whether the audit chain verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
#[serde(rename_all = "lowercase")]
pub enum ChainState {
    /// Every event verifies.
    Intact,
    /// Some event does not.
    Broken,
}

/// One audit event, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportChainEntry {
    /// Its sequence number.
    pub seq: u64,
    /// When.
    pub at: String,
    /// Its action name.
    pub action: String,
    /// How many beliefs it concerned.
    pub beliefs: u64,
}

/// One line of the control map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportControl {
    /// The framework: `SOC 2`, `GDPR` or `CCPA`.
    pub framework: String,
    /// The criterion or right.
    pub criterion: String,
    /// The mechanism that satisfies it.
    pub mechanism: String,
    /// The automated tests that prove it, as `path/to/file.rs::test_name`.
    pub tests: Vec<String>,
}

fn counts(v: &[(String, u64)]) -> Counts {
    v.iter().cloned().collect()
}

fn strings<'a>(v: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    v.into_iter().map(str::to_owned).collect()
}

fn chain_entry(e: &ChainEntry) -> ReportChainEntry {
    ReportChainEntry {
        seq: e.seq,
        at: time(e.at),
        action: e.action.clone(),
        beliefs: e.beliefs,
    }
}

/// The report as its document.
pub(super) fn document(r: &Report) -> ReportDocument {
    let inv = &r.inventory;
    let series = &r.disclosures;
    let i = &r.integrity;
    ReportDocument {
        format: ReportFormat::V1,
        generated_at: time(r.generated_at),
        period: ReportPeriod {
            from: r.period.from.map(time),
            to: r.period.to.map(time),
        },
        vault_id: r.vault_id.clone(),
        inventory: ReportInventory {
            total: inv.total,
            active: inv.active,
            pending_proposals: inv.pending,
            rejected: inv.rejected,
            sensitivity: ReportSensitivity {
                normal: inv.normal,
                special: inv.special,
            },
            evidence: ReportEvidence {
                beliefs_with_evidence: inv.with_evidence,
                items: inv.evidence_items,
            },
            below_threshold: inv.below_threshold,
            by_type: inv
                .by_type
                .iter()
                .map(|t| ReportType {
                    type_id: t.type_id.clone(),
                    name: t.name.clone(),
                    active: t.active,
                    pending: t.pending,
                    special: t.special,
                    with_evidence: t.with_evidence,
                    below_threshold: t.below_threshold,
                    min_share_confidence: t.min_share_confidence,
                })
                .collect(),
            by_purpose: counts(&inv.by_purpose),
        },
        retention: ReportRetention {
            past_retention: r.retention.iter().map(|x| x.past_retention).sum(),
            by_type: r
                .retention
                .iter()
                .map(|x| ReportRetentionType {
                    type_id: x.type_id.clone(),
                    retention_days: x.retention_days,
                    beliefs: x.beliefs,
                    oldest_created: x.oldest_created.map(time),
                    next_expiry: x.next_expiry.map(time),
                    past_retention: x.past_retention,
                })
                .collect(),
        },
        limits: ReportLimits {
            statement_chars: r.limits.statement_chars,
            evidence_summary_chars: r.limits.evidence_summary_chars,
            source_chars: r.limits.source_chars,
            evidence_per_belief: r.limits.evidence_per_belief,
            refused_data: strings(r.limits.refused_data.iter().copied()),
            allowed_purposes: r.limits.allowed_purposes.iter().cloned().collect(),
        },
        vendors: r
            .vendors
            .iter()
            .map(|v| {
                let g = &v.grant;
                ReportVendor {
                    grant_id: g.id.clone(),
                    vendor: ReportVendorName {
                        id: g.vendor.id.clone(),
                        name: g.vendor.name.clone(),
                        url: g.vendor.url.clone(),
                    },
                    state: v.state.to_owned(),
                    scope: ReportScope {
                        purposes: g.scope.purposes.iter().cloned().collect(),
                        categories: g.scope.categories.iter().cloned().collect(),
                        operations: strings(g.scope.operations.iter().map(|o| o.as_str())),
                        max_sensitivity: g.scope.max_sensitivity.as_str().to_owned(),
                        min_confidence: g.scope.min_confidence,
                    },
                    vendor_retention_days: g.vendor_retention_days,
                    created_at: time(g.created_at),
                    expires_at: time(g.expires_at),
                    revoked_at: g.revoked_at.map(time),
                    revoked_by: g.revoked_by.clone(),
                    period: ReportVendorPeriod {
                        requests: v.requests,
                        disclosures: v.disclosures,
                        received: v
                            .received
                            .iter()
                            .map(|p| ReportPurpose {
                                purpose: p.purpose.clone(),
                                requests: p.requests,
                                disclosures: p.disclosures,
                                distinct_beliefs: p.distinct_beliefs,
                                by_type: counts(&p.by_type),
                            })
                            .collect(),
                        denied: counts(&v.denied),
                        notices: counts(&v.notices),
                    },
                }
            })
            .collect(),
        disclosures_over_time: ReportSeries {
            bucket: series.bucket,
            starts: series.starts.iter().map(|d| day(*d)).collect(),
            totals: series.totals(),
            vendors: series
                .vendors
                .iter()
                .map(|v| ReportSeriesLine {
                    vendor_id: v.vendor_id.clone(),
                    name: v.name.clone(),
                    counts: v.counts.clone(),
                    total: v.total(),
                })
                .collect(),
        },
        denied_without_grant: counts(&r.denied_without_grant),
        alerts: r
            .alerts
            .iter()
            .map(|a| ReportAlert {
                vendor_id: a.vendor_id.clone(),
                day: a.day.to_string(),
                at: selfmodel_core::audit::canonical_time(&a.at),
                kind: a.kind.code().to_owned(),
                description: a.describe(),
            })
            .collect(),
        integrity: ReportIntegrity {
            audit_chain: if i.intact {
                ChainState::Intact
            } else {
                ChainState::Broken
            },
            events: i.events,
            head: i.head.clone(),
            first_bad_event: i.broken_at.as_ref().map(|b| b.0),
            broken_reason: i.broken_at.as_ref().map(|b| b.1.clone()),
            events_in_period: i.events_in_period,
            exports_and_imports: i.transfers.iter().map(chain_entry).collect(),
            erasures: i.erasures.iter().map(chain_entry).collect(),
            beliefs_erased: i.beliefs_erased,
        },
        controls: r
            .controls
            .iter()
            .map(|c| ReportControl {
                framework: c.framework.to_owned(),
                criterion: c.criterion.to_owned(),
                mechanism: c.mechanism.to_owned(),
                tests: strings(c.tests.iter().copied()),
            })
            .collect(),
    }
}
