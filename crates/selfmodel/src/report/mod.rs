//! The transparency report: what the vault holds, under which rules, who received what, and
//! whether the audit chain holds — the numbers an auditor (or the person) can check instead of
//! trusting. Everything is read in one transaction, so the numbers agree with each other.
//!
//! This module gathers the data; [`Report::render`] writes it as one self-contained HTML page
//! (inline CSS and SVG), Markdown or JSON, the same for every front end. No belief text is ever
//! included: counts, types, purposes, ids and hashes only.

mod document;
mod json;
mod series;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use selfmodel_core::audit::{self, AuditAction};
use selfmodel_core::sensitive::SensitiveKind;
use selfmodel_core::{
    AccessEntry, Belief, BeliefFilter, BeliefId, ChainVerdict, Grant, Outcome, Sensitivity, Status,
    validate,
};
use selfmodel_vault::{AccessFilter, DisclosureDay};

use crate::render::Format;
use crate::{Result, Selfmodel};

pub use json::{
    ChainState, ReportAlert, ReportChainEntry, ReportControl, ReportDocument, ReportEvidence,
    ReportFormat, ReportIntegrity, ReportInventory, ReportLimits, ReportPeriod, ReportPurpose,
    ReportRetention, ReportRetentionType, ReportScope, ReportSensitivity, ReportSeries,
    ReportSeriesLine, ReportType, ReportVendor, ReportVendorName, ReportVendorPeriod,
};
pub use series::{Bucket, DisclosureSeries, VendorSeries};

/// The time a report covers: `[from, to)`, each bound open when `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    /// First instant covered.
    pub from: Option<DateTime<Utc>>,
    /// First instant no longer covered.
    pub to: Option<DateTime<Utc>>,
}

impl Period {
    /// The days from `from` to `to`, both included (UTC): from midnight of `from` to the
    /// midnight after `to`.
    pub fn days(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Self {
        let midnight = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc();
        Self {
            from: from.map(midnight),
            to: to.map(|d| d.succ_opt().map_or(DateTime::<Utc>::MAX_UTC, midnight)),
        }
    }

    /// Whether `at` falls in the period.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| at >= f) && self.to.is_none_or(|t| at < t)
    }
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// When it was made.
    pub generated_at: DateTime<Utc>,
    /// The period that vendor activity, exports and erasures are counted over.
    pub period: Period,
    /// The vault's id.
    pub vault_id: Option<String>,
    /// What the vault holds now.
    pub inventory: Inventory,
    /// Each type's retention and proof that nothing is past it.
    pub retention: Vec<RetentionRow>,
    /// The limits every belief obeys (minimisation and purpose limitation).
    pub limits: Limits,
    /// Every grant, with what its vendor received in the period.
    pub vendors: Vec<VendorRow>,
    /// Per vendor, beliefs disclosed in each day (or week, or month) of the period.
    pub disclosures: DisclosureSeries,
    /// Refused requests in the period that carried no valid grant, by reason code.
    pub denied_without_grant: Vec<(String, u64)>,
    /// Unusual vendor access in the period (rate spikes, unusual hours, denial bursts).
    pub alerts: Vec<selfmodel_core::Alert>,
    /// The audit chain, and the exports and erasures it records in the period.
    pub integrity: Integrity,
    /// Which mechanism answers which control or right, and the test that proves it.
    pub controls: &'static [Control],
}

/// What the vault holds now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// Every stored belief, whatever its status.
    pub total: u64,
    /// Active beliefs (the only ones ever shared).
    pub active: u64,
    /// Proposals waiting for the person.
    pub pending: u64,
    /// Proposals the person rejected and that are kept as rejected.
    pub rejected: u64,
    /// Per type.
    pub by_type: Vec<TypeCount>,
    /// Active beliefs carrying each purpose.
    pub by_purpose: Vec<(String, u64)>,
    /// Active beliefs of ordinary sensitivity.
    pub normal: u64,
    /// Active beliefs in a special category (GDPR Art. 9).
    pub special: u64,
    /// Active beliefs with at least one piece of evidence.
    pub with_evidence: u64,
    /// Pieces of evidence on active beliefs.
    pub evidence_items: u64,
    /// Active beliefs below their type's confidence threshold for sharing (never disclosed).
    pub below_threshold: u64,
}

/// One type's line of the inventory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeCount {
    /// The type's id.
    pub type_id: String,
    /// Its display name.
    pub name: String,
    /// Active beliefs.
    pub active: u64,
    /// Pending proposals.
    pub pending: u64,
    /// Active beliefs in a special category.
    pub special: u64,
    /// Active beliefs with evidence.
    pub with_evidence: u64,
    /// Active beliefs below the threshold.
    pub below_threshold: u64,
    /// The type's confidence threshold for sharing.
    pub min_share_confidence: f64,
}

/// One type's retention, with the evidence that it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRow {
    /// The type's id.
    pub type_id: String,
    /// Days its beliefs are kept.
    pub retention_days: u32,
    /// Beliefs of the type stored now.
    pub beliefs: u64,
    /// When the oldest of them was created.
    pub oldest_created: Option<DateTime<Utc>>,
    /// The earliest expiry among them.
    pub next_expiry: Option<DateTime<Utc>>,
    /// How many are past their expiry at the time of the report (retention erases them at
    /// every unlock, so this is zero unless something is wrong).
    pub past_retention: u64,
}

/// The limits every belief obeys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest statement, in characters.
    pub statement_chars: usize,
    /// Longest evidence summary, in characters.
    pub evidence_summary_chars: usize,
    /// Longest evidence source, in characters.
    pub source_chars: usize,
    /// Most pieces of evidence per belief.
    pub evidence_per_belief: usize,
    /// What is refused in any text field, in words.
    pub refused_data: Vec<&'static str>,
    /// Per type, the purposes its beliefs may carry (purpose limitation).
    pub allowed_purposes: Vec<(String, Vec<String>)>,
}

/// A grant and what its vendor did in the period.
#[derive(Debug, Clone)]
pub struct VendorRow {
    /// The grant (scope, expiry, revocation).
    pub grant: Grant,
    /// `active`, `expired` or `revoked`, at the time of the report.
    pub state: &'static str,
    /// Allowed requests in the period.
    pub requests: u64,
    /// Per purpose, what was received in the period.
    pub received: Vec<PurposeUse>,
    /// Beliefs disclosed in the period, counted once per disclosure.
    pub disclosures: u64,
    /// Refused requests in the period, by reason code.
    pub denied: Vec<(String, u64)>,
    /// Notices sent to the vendor in the period (rectifications, erasures, revocation), by kind.
    pub notices: Vec<(String, u64)>,
}

/// What one vendor received for one purpose in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeUse {
    /// The purpose named.
    pub purpose: String,
    /// Allowed requests naming it.
    pub requests: u64,
    /// Beliefs disclosed, counted once per disclosure.
    pub disclosures: u64,
    /// Distinct beliefs disclosed.
    pub distinct_beliefs: u64,
    /// Disclosures per belief type (`(erased)` for beliefs no longer in the vault).
    pub by_type: Vec<(String, u64)>,
}

/// The audit chain and what it records in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integrity {
    /// Whether the chain verifies.
    pub intact: bool,
    /// Events in the chain.
    pub events: u64,
    /// The head hash (hex), when intact.
    pub head: Option<String>,
    /// The first event that does not verify, and why, when broken.
    pub broken_at: Option<(u64, String)>,
    /// Events in the period.
    pub events_in_period: u64,
    /// Exports and imports in the period.
    pub transfers: Vec<ChainEntry>,
    /// Erasures in the period: deletions, erase-all, retention, rejected proposals.
    pub erasures: Vec<ChainEntry>,
    /// Beliefs erased in the period (the sum over `erasures`).
    pub beliefs_erased: u64,
}

/// One audit event, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    /// Its sequence number.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Its action name.
    pub action: String,
    /// How many beliefs it concerned.
    pub beliefs: u64,
}

/// One line of the control map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    /// The framework: `SOC 2`, `GDPR` or `CCPA`.
    pub framework: &'static str,
    /// The criterion or right, e.g. `Art. 17 — erasure`.
    pub criterion: &'static str,
    /// The mechanism that satisfies it.
    pub mechanism: &'static str,
    /// The automated tests that prove it, as `path/to/file.rs::test_name`.
    pub tests: &'static [&'static str],
}

/// The control map. Every test named here must exist; `tests/security_doc.rs` checks.
pub const CONTROLS: &[Control] = &[
    Control {
        framework: "SOC 2",
        criterion: "C1.1 — confidential information is identified and protected",
        mechanism: "One SQLCipher file (AES-256, per-page HMAC-SHA512, key only from the passphrase); files 0600; no belief text in logs or the audit chain",
        tests: &[
            "crates/selfmodel-vault/tests/vault/at_rest.rs::canary_never_appears_in_any_file_open_or_closed",
            "crates/selfmodel-vault/tests/vault/at_rest.rs::files_are_private_to_the_owner",
        ],
    },
    Control {
        framework: "SOC 2",
        criterion: "C1.2 — confidential information is disposed of",
        mechanism: "Deletion with secure_delete and a WAL checkpoint; erase-all; destroy deletes the file with its WAL and SHM",
        tests: &[
            "crates/selfmodel-vault/tests/vault/erasure.rs::deleted_belief_leaves_no_text_behind",
            "crates/selfmodel-cli/tests/cli/destroy.rs::destroy_deletes_the_vault_and_its_sidecars_and_nothing_else",
        ],
    },
    Control {
        framework: "SOC 2",
        criterion: "P3.1 / P6.1 — collection and disclosure only for agreed purposes, with consent",
        mechanism: "Purpose-bound grants approved by the person; every read names a purpose and is filtered by the grant in the read transaction",
        tests: &[
            "crates/selfmodel-client/tests/client/flow.rs::a_purpose_outside_the_grant_is_refused_and_the_refusal_logged",
            "crates/selfmodel-core/src/grant/tests.rs::disclosure_rule",
        ],
    },
    Control {
        framework: "SOC 2",
        criterion: "P6.7 — an accounting of disclosures",
        mechanism: "The access log: every vendor request, allowed or denied, with the beliefs disclosed, written before data leaves",
        tests: &[
            "crates/selfmodel-http/tests/http/defences.rs::nothing_is_served_when_the_access_log_cannot_be_written",
            "crates/selfmodel/tests/usecases/report.rs::report_numbers_match_the_vault",
        ],
    },
    Control {
        framework: "SOC 2",
        criterion: "PI1.2 / PI1.3 — inputs are complete and accurate, processing is complete",
        mechanism: "Validation of every belief whoever writes it; one transaction per change with its audit event; crash-safe writes",
        tests: &[
            "crates/selfmodel-cli/tests/cli/validation.rs::purpose_not_allowed_for_the_type_is_refused",
            "crates/selfmodel-cli/tests/cli/crash.rs::sigkill_mid_write_leaves_an_intact_all_or_nothing_vault",
        ],
    },
    Control {
        framework: "SOC 2",
        criterion: "PI1.5 — stored data is protected from alteration",
        mechanism: "A SHA-256 hash chain over every change; `audit verify` names the first altered event",
        tests: &[
            "crates/selfmodel-cli/tests/cli/audit.rs::an_event_altered_through_sql_is_named",
            "crates/selfmodel-vault/tests/vault/audit_tamper.rs::every_altered_field_is_named",
        ],
    },
    Control {
        framework: "GDPR",
        criterion: "Art. 5(1)(b) — purpose limitation",
        mechanism: "Each type allows only its purposes; opt-in purposes are never defaulted; vendors read only for granted purposes",
        tests: &[
            "crates/selfmodel-core/src/validate.rs::purpose_limitation_is_enforced",
            "crates/selfmodel-client/tests/client/flow.rs::two_vendors_with_different_purposes_and_categories_see_different_beliefs",
        ],
    },
    Control {
        framework: "GDPR",
        criterion: "Art. 5(1)(c) — data minimisation",
        mechanism: "Bounded statements and summaries, raw data only as a hash, and secrets and identifiers refused in every text field",
        tests: &[
            "crates/selfmodel-http/tests/http/minimisation.rs::a_proposal_carrying_secrets_or_identifiers_is_refused_naming_the_kind",
            "crates/selfmodel-cli/tests/cli/validation.rs::overlong_evidence_is_refused",
        ],
    },
    Control {
        framework: "GDPR",
        criterion: "Art. 5(1)(e) — storage limitation",
        mechanism: "Per-type retention, enforced at every unlock",
        tests: &[
            "crates/selfmodel-cli/tests/cli/retention.rs::opening_the_vault_erases_expired_beliefs",
        ],
    },
    Control {
        framework: "GDPR",
        criterion: "Art. 15 — right of access",
        mechanism: "The access package in one step (`package access`, or Reports in the app): every belief with its evidence, provenance, history and recipients, the purposes, retention, rights and the logic involved; also `belief show`, `access-log` and this report",
        tests: &[
            "crates/selfmodel/tests/usecases/packages.rs::the_access_package_holds_every_belief_with_its_recipients",
            "crates/selfmodel-cli/tests/cli/report.rs::packages_agree_with_the_vault_and_are_recorded",
            "crates/selfmodel-cli/tests/cli/beliefs.rs::show_json_adds_history_and_text_shows_everything",
        ],
    },
    Control {
        framework: "GDPR",
        criterion: "Art. 16 — right to rectification",
        mechanism: "`belief edit` with a reason; the before and after are kept in the belief's history",
        tests: &[
            "crates/selfmodel-cli/tests/cli/beliefs.rs::edit_with_a_reason_keeps_before_and_after_in_history",
        ],
    },
    Control {
        framework: "GDPR",
        criterion: "Art. 17 — right to erasure",
        mechanism: "Delete one, erase all, or destroy the vault; erased beliefs cannot be proposed again",
        tests: &[
            "crates/selfmodel-cli/tests/cli/beliefs.rs::delete_removes_the_belief_with_its_evidence_and_history",
            "crates/selfmodel-client/tests/client/lifecycle.rs::a_rejected_or_deleted_belief_proposed_again_is_dropped_and_the_vendor_cannot_tell",
        ],
    },
    Control {
        framework: "GDPR",
        criterion: "Art. 19 — notifying recipients of rectification and erasure",
        mechanism: "Each vendor that received a belief gets a notice in its event feed when it is rectified or erased",
        tests: &[
            "crates/selfmodel-client/tests/client/lifecycle.rs::notices_tell_of_rectification_erasure_and_revocation",
        ],
    },
    Control {
        framework: "GDPR",
        criterion: "Art. 20 — right to data portability",
        mechanism: "A signed, documented JSON export (optionally age-encrypted) that imports losslessly",
        tests: &[
            "crates/selfmodel-cli/tests/cli/archive.rs::round_trip_through_a_new_vault_is_lossless",
        ],
    },
    Control {
        framework: "CCPA",
        criterion: "Right to know (§1798.100, §1798.110, §1798.115)",
        mechanism: "The right-to-know disclosure in one step (`package right-to-know`, or Reports in the app): categories, sources, purposes and the vendors disclosed to in the last 12 months, and whether anything was shared for advertising; every disclosure in the access log; the export",
        tests: &[
            "crates/selfmodel/tests/usecases/packages.rs::the_right_to_know_adds_up_to_the_vault_and_states_sharing_as_granted",
            "crates/selfmodel/tests/usecases/report.rs::report_numbers_match_the_vault",
            "crates/selfmodel-cli/tests/cli/archive.rs::round_trip_through_a_new_vault_is_lossless",
        ],
    },
    Control {
        framework: "CCPA",
        criterion: "Right to delete (§1798.105)",
        mechanism: "Erasure in the vault, and notices to every vendor that received the belief",
        tests: &[
            "crates/selfmodel-vault/tests/vault/erasure.rs::delete_all_beliefs_leaves_no_text_behind",
            "crates/selfmodel-client/tests/client/lifecycle.rs::notices_tell_of_rectification_erasure_and_revocation",
        ],
    },
];

impl Selfmodel {
    /// Builds the transparency report for `period`, reading everything in one transaction.
    pub fn report(&mut self, period: Period) -> Result<Report> {
        let now = Utc::now();
        self.vault.write_refusals()?;
        self.vault.read(|r| {
            let catalogue = r.catalogue()?;
            let beliefs = r.beliefs(&BeliefFilter::default())?;
            let events = r.audit_events()?;
            let grants = r.grants()?;
            // The period, and the history its alerts are judged against.
            // Who asked and when; what was disclosed comes from the per-day disclosures, which
            // count each stored set once per day instead of listing its members per request.
            let access = r.access_log(&AccessFilter {
                since: period.from.and_then(crate::monitor::history_start),
                without_disclosed: true,
                ..AccessFilter::default()
            })?;
            let disclosed = r.disclosure_days(period.from, period.to)?;
            let mut vendors = Vec::with_capacity(grants.len());
            for grant in grants {
                let notices = r.vendor_events(&grant.id, 0, u64::MAX)?;
                let notices = count_by(
                    notices
                        .iter()
                        .filter(|n| period.contains(n.at))
                        .map(|n| n.kind.as_str().to_owned()),
                );
                vendors.push((grant, notices));
            }
            let category: BTreeMap<BeliefId, &str> = beliefs
                .iter()
                .map(|b| (b.id, b.category.as_str()))
                .collect();
            let in_period: Vec<&AccessEntry> =
                access.iter().filter(|a| period.contains(a.at)).collect();
            // Grants are listed newest first: the latest grant names the vendor.
            let names: BTreeMap<String, String> = vendors
                .iter()
                .rev()
                .map(|(g, _)| (g.vendor.id.clone(), g.vendor.name.clone()))
                .collect();
            let created = events.first().map(|e| e.at);
            Ok(Report {
                generated_at: now,
                period,
                vault_id: r.meta("vault_id")?,
                inventory: inventory(&beliefs, &catalogue),
                retention: retention(&beliefs, &catalogue, now),
                limits: limits(&catalogue),
                vendors: vendors
                    .into_iter()
                    .map(|(g, notices)| {
                        vendor_row(g, notices, &in_period, &disclosed, &category, now)
                    })
                    .collect(),
                disclosures: DisclosureSeries::build(&disclosed, period, created, now, &names),
                denied_without_grant: sum_by(in_period.iter().filter_map(|a| {
                    match (&a.grant_id, &a.outcome) {
                        (None, Outcome::Denied(code)) => Some((code.clone(), a.requests)),
                        _ => None,
                    }
                })),
                // The period's `to` is exclusive: its last day is the one before.
                alerts: crate::monitor::alerts_in(
                    &access,
                    period.from,
                    period.to.map(|t| t - chrono::Duration::microseconds(1)),
                    now,
                ),
                integrity: integrity(&events, period),
                controls: CONTROLS,
            })
        })
    }
}

impl Report {
    /// The report as a document: one self-contained HTML page (inline CSS and SVG, no scripts,
    /// nothing loaded from elsewhere), Markdown, or JSON (`selfmodel-report-v1`).
    pub fn render(&self, format: Format) -> String {
        let doc = self.to_document();
        match format {
            Format::Html => document::document(&doc).to_html(),
            Format::Markdown => document::document(&doc).to_markdown(),
            Format::Json => crate::render::json_text(
                &serde_json::to_value(doc).expect("the document has string keys"),
            ),
        }
    }

    /// The JSON form (`selfmodel-report-v1`) as its typed document.
    pub fn to_document(&self) -> ReportDocument {
        json::document(self)
    }
}

fn count_by(items: impl IntoIterator<Item = String>) -> Vec<(String, u64)> {
    sum_by(items.into_iter().map(|item| (item, 1)))
}

/// Totals per key.
fn sum_by(items: impl IntoIterator<Item = (String, u64)>) -> Vec<(String, u64)> {
    let mut counts = BTreeMap::new();
    for (item, n) in items {
        *counts.entry(item).or_insert(0) += n;
    }
    counts.into_iter().collect()
}

fn inventory(beliefs: &[Belief], catalogue: &selfmodel_core::Catalogue) -> Inventory {
    let mut inv = Inventory {
        by_type: catalogue
            .types
            .iter()
            .map(|t| TypeCount {
                type_id: t.id.clone(),
                name: t.name.clone(),
                min_share_confidence: t.min_share_confidence,
                ..TypeCount::default()
            })
            .collect(),
        ..Inventory::default()
    };
    let mut purposes: BTreeMap<String, u64> = catalogue
        .purposes
        .iter()
        .map(|p| (p.id.clone(), 0))
        .collect();
    for b in beliefs {
        inv.total += 1;
        let row = inv.by_type.iter_mut().find(|t| t.type_id == b.category);
        match b.status {
            Status::Pending => {
                inv.pending += 1;
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
                inv.special += u64::from(special);
                inv.normal += u64::from(!special);
                inv.with_evidence += u64::from(evidenced);
                inv.evidence_items += b.evidence.len() as u64;
                inv.below_threshold += u64::from(below);
                for p in &b.purposes {
                    *purposes.entry(p.clone()).or_insert(0) += 1;
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
    inv.by_purpose = purposes.into_iter().collect();
    inv
}

fn retention(
    beliefs: &[Belief],
    catalogue: &selfmodel_core::Catalogue,
    now: DateTime<Utc>,
) -> Vec<RetentionRow> {
    catalogue
        .types
        .iter()
        .map(|t| {
            let of_type: Vec<&Belief> = beliefs.iter().filter(|b| b.category == t.id).collect();
            RetentionRow {
                type_id: t.id.clone(),
                retention_days: t.retention_days,
                beliefs: of_type.len() as u64,
                oldest_created: of_type.iter().map(|b| b.created_at).min(),
                next_expiry: of_type.iter().filter_map(|b| b.expires_at).min(),
                past_retention: of_type
                    .iter()
                    .filter(|b| b.expires_at.is_some_and(|e| e <= now))
                    .count() as u64,
            }
        })
        .collect()
}

fn limits(catalogue: &selfmodel_core::Catalogue) -> Limits {
    Limits {
        statement_chars: validate::MAX_STATEMENT_CHARS,
        evidence_summary_chars: validate::MAX_EVIDENCE_SUMMARY_CHARS,
        source_chars: validate::MAX_SOURCE_CHARS,
        evidence_per_belief: validate::MAX_EVIDENCE_PER_BELIEF,
        refused_data: SensitiveKind::ALL.iter().map(|k| k.describe()).collect(),
        allowed_purposes: catalogue
            .types
            .iter()
            .map(|t| (t.id.clone(), t.allowed_purposes.iter().cloned().collect()))
            .collect(),
    }
}

fn vendor_row(
    grant: Grant,
    notices: Vec<(String, u64)>,
    access: &[&AccessEntry],
    disclosed: &[DisclosureDay],
    category: &BTreeMap<BeliefId, &str>,
    now: DateTime<Utc>,
) -> VendorRow {
    let mine: Vec<&&AccessEntry> = access
        .iter()
        .filter(|a| a.grant_id.as_deref() == Some(grant.id.as_str()))
        .collect();
    let allowed: Vec<&&AccessEntry> = mine
        .iter()
        .copied()
        .filter(|a| a.outcome == Outcome::Allowed)
        .collect();
    let mut by_purpose: BTreeMap<&str, Vec<&AccessEntry>> = BTreeMap::new();
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
            PurposeUse {
                purpose: purpose.to_owned(),
                requests: entries.len() as u64,
                disclosures: days.iter().map(|d| d.times).sum(),
                distinct_beliefs: distinct.len() as u64,
                by_type: sum_by(days.iter().map(|d| {
                    let kind = category.get(&d.belief_id).copied().unwrap_or("(erased)");
                    (kind.to_owned(), d.times)
                })),
            }
        })
        .collect();
    let state = grant_state(&grant, now);
    VendorRow {
        state,
        requests: allowed.len() as u64,
        disclosures: to_grant.iter().map(|d| d.times).sum(),
        received,
        denied: count_by(mine.iter().filter_map(|a| match &a.outcome {
            Outcome::Denied(code) => Some(code.clone()),
            Outcome::Allowed => None,
        })),
        notices,
        grant,
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

/// The number after `count=` or `new=` in an event's detail (how many beliefs it concerned).
fn detail_count(detail: Option<&str>, key: &str) -> u64 {
    detail
        .unwrap_or_default()
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
        .unwrap_or(0)
}

fn integrity(events: &[selfmodel_core::AuditEvent], period: Period) -> Integrity {
    let verdict = audit::verify(events);
    let (intact, head, broken_at) = match verdict {
        ChainVerdict::Intact { head, .. } => (true, Some(head.to_hex()), None),
        ChainVerdict::Broken {
            first_bad_event,
            reason,
        } => (false, None, Some((first_bad_event, reason))),
    };
    let mut transfers = Vec::new();
    let mut erasures = Vec::new();
    for e in events.iter().filter(|e| period.contains(e.at)) {
        let detail = e.detail.as_deref();
        let entry = |beliefs| ChainEntry {
            seq: e.seq,
            at: e.at,
            action: e.action.clone(),
            beliefs,
        };
        match AuditAction::parse(&e.action) {
            Some(AuditAction::Exported) => transfers.push(entry(detail_count(detail, "beliefs"))),
            Some(AuditAction::Imported) => transfers.push(entry(detail_count(detail, "new"))),
            Some(AuditAction::BeliefDeleted | AuditAction::ProposalRejected) => {
                erasures.push(entry(1));
            }
            Some(AuditAction::ErasedAll | AuditAction::RetentionPurged) => {
                erasures.push(entry(detail_count(detail, "count")));
            }
            _ => {}
        }
    }
    Integrity {
        intact,
        events: events.len() as u64,
        head,
        broken_at,
        events_in_period: events.iter().filter(|e| period.contains(e.at)).count() as u64,
        beliefs_erased: erasures.iter().map(|e| e.beliefs).sum(),
        transfers,
        erasures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_half_open() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let p = Period {
            from: Some(t("2026-01-01T00:00:00Z")),
            to: Some(t("2026-02-01T00:00:00Z")),
        };
        assert!(p.contains(t("2026-01-01T00:00:00Z")));
        assert!(p.contains(t("2026-01-31T23:59:59Z")));
        assert!(!p.contains(t("2026-02-01T00:00:00Z")));
        assert!(!p.contains(t("2025-12-31T23:59:59Z")));
        assert!(Period::default().contains(t("1970-01-01T00:00:00Z")));
    }

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
