//! What the transparency report holds: one typed document, `selfmodel-report-v1`. It is written
//! as JSON by `selfmodel report --json`, returned to the desktop app, and written as HTML or
//! Markdown from the same values. Its JSON is a contract: the committed example and the
//! TypeScript bindings (the `ts` feature derives them) keep it from changing unnoticed.

use std::collections::BTreeMap;

use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use super::Bucket;

/// Counts by key: a purpose, a type, a reason code or a notice kind.
pub(super) type Counts = BTreeMap<String, u64>;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS))]
pub struct ReportControl {
    /// The framework: `SOC 2`, `GDPR` or `CCPA`.
    pub framework: &'static str,
    /// The criterion or right.
    pub criterion: &'static str,
    /// The mechanism that satisfies it.
    pub mechanism: &'static str,
    /// The automated tests that prove it, as `path/to/file.rs::test_name`.
    pub tests: &'static [&'static str],
}
