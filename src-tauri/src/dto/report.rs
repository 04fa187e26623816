//! The wire types of the transparency report and the data-subject packages.

use super::*;

// ---- the transparency report and the data-subject packages --------------------------------

/// A count with what it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Tally {
    /// What is counted: a purpose, a type, a reason code.
    pub key: String,
    /// How many.
    pub n: u32,
}

/// One type's line of the report's inventory.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportType {
    /// The type's id.
    pub type_id: String,
    /// Its display name.
    pub name: String,
    /// Active beliefs.
    pub active: u32,
    /// Proposals waiting for the person.
    pub pending: u32,
    /// Active beliefs in a special category.
    pub special: u32,
    /// Active beliefs below the type's confidence for sharing (never shared).
    pub below_threshold: u32,
    /// The type's confidence for sharing.
    pub min_share_confidence: f64,
}

/// What the vault holds now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportInventory {
    /// Every stored belief.
    pub total: u32,
    /// Active beliefs.
    pub active: u32,
    /// Proposals waiting for the person.
    pub pending: u32,
    /// Rejected proposals kept as rejected.
    pub rejected: u32,
    /// Active beliefs of ordinary sensitivity.
    pub normal: u32,
    /// Active beliefs in a special category.
    pub special: u32,
    /// Active beliefs with evidence.
    pub with_evidence: u32,
    /// Pieces of evidence on active beliefs.
    pub evidence_items: u32,
    /// Active beliefs below their type's confidence for sharing.
    pub below_threshold: u32,
    /// Per type.
    pub by_type: Vec<ReportType>,
    /// Active beliefs per purpose.
    pub by_purpose: Vec<Tally>,
}

/// What a vendor received for one purpose in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReportPurpose {
    /// The purpose.
    pub purpose: String,
    /// Allowed requests naming it.
    pub requests: u32,
    /// Beliefs disclosed, once per belief per request.
    pub disclosures: u32,
    /// Distinct beliefs disclosed.
    pub distinct_beliefs: u32,
}

/// A grant in the report, and what its vendor did in the period.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportVendor {
    /// The grant's id.
    pub grant_id: String,
    /// The vendor.
    pub vendor: Vendor,
    /// `active`, `expired` or `revoked`.
    pub state: String,
    /// Granted purposes.
    pub purposes: Vec<String>,
    /// Granted types.
    pub categories: Vec<String>,
    /// Allowed requests in the period.
    pub requests: u32,
    /// Beliefs disclosed in the period.
    pub disclosures: u32,
    /// Per purpose.
    pub received: Vec<ReportPurpose>,
    /// Refused requests in the period.
    pub denied: u32,
    /// Notices sent to it in the period (rectifications, erasures, revocation).
    pub notices: u32,
}

/// How long one step of the disclosures-over-time series is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    /// A day (UTC).
    Day,
    /// A week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
}

/// One vendor's line of the series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SeriesLine {
    /// The vendor's id.
    pub vendor_id: String,
    /// Its display name.
    pub name: String,
    /// Beliefs disclosed in each step (aligned with `starts`).
    pub counts: Vec<u32>,
    /// In the whole period.
    pub total: u32,
}

/// Beliefs disclosed per vendor in each step of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DisclosureSeries {
    /// The length of a step.
    pub bucket: Bucket,
    /// The first day of each step (`YYYY-MM-DD`), oldest first, without gaps.
    pub starts: Vec<String>,
    /// Each vendor that received anything in the period.
    pub vendors: Vec<SeriesLine>,
}

/// The audit chain, as the report tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReportIntegrity {
    /// Whether the chain verifies.
    pub intact: bool,
    /// Events in the chain.
    pub events: u32,
    /// The head hash, when intact.
    pub head: Option<String>,
    /// The first event that does not verify, when broken.
    pub first_bad_event: Option<u32>,
    /// Why it does not, when broken.
    pub broken_reason: Option<String>,
    /// Events in the period.
    pub events_in_period: u32,
    /// Exports and imports in the period.
    pub transfers: u32,
    /// Erasures in the period.
    pub erasures: u32,
    /// Beliefs erased in the period.
    pub beliefs_erased: u32,
}

/// The transparency report for a period, as the Reports screen shows it (the saved documents
/// have every detail).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Report {
    /// When it was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The first instant covered, if bounded.
    pub from: Option<String>,
    /// The first instant no longer covered, if bounded.
    pub to: Option<String>,
    /// What the vault holds now.
    pub inventory: ReportInventory,
    /// Beliefs past their type's retention (zero unless something is wrong).
    pub past_retention: u32,
    /// Every grant, with its vendor's use in the period.
    pub vendors: Vec<ReportVendor>,
    /// Refused requests in the period that carried no valid grant.
    pub denied_without_grant: u32,
    /// Beliefs disclosed per vendor over the period.
    pub disclosures: DisclosureSeries,
    /// The audit chain's verdict.
    pub integrity: ReportIntegrity,
}

/// The format of a saved document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DocumentFormat {
    /// One self-contained HTML page.
    Html,
    /// Markdown.
    Markdown,
    /// JSON.
    Json,
}

impl From<DocumentFormat> for selfmodel::render::Format {
    fn from(f: DocumentFormat) -> Self {
        match f {
            DocumentFormat::Html => Self::Html,
            DocumentFormat::Markdown => Self::Markdown,
            DocumentFormat::Json => Self::Json,
        }
    }
}

/// A document written to a file the person chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SavedDocument {
    /// The file.
    pub path: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
}

fn n(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn tallies(v: &[(String, u64)]) -> Vec<Tally> {
    v.iter()
        .map(|(key, count)| Tally {
            key: key.clone(),
            n: n(*count),
        })
        .collect()
}

fn sum(v: &[(String, u64)]) -> u32 {
    n(v.iter().map(|(_, c)| c).sum())
}

/// The days from `from` to `to` (`YYYY-MM-DD`, UTC, both included; open when absent).
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<selfmodel::report::Period, IpcError> {
    let day = |field: &str, s: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            IpcError::new(
                "invalid_field",
                format!("{field}: '{s}' is not a date (YYYY-MM-DD)"),
            )
        })
    };
    let from = from.map(|s| day("from", s)).transpose()?;
    let to = to.map(|s| day("to", s)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(IpcError::new(
            "invalid_field",
            "the period must end on or after the day it starts",
        ));
    }
    Ok(selfmodel::report::Period::days(from, to))
}

/// The report, for the Reports screen.
pub fn report(r: selfmodel::report::Report) -> Report {
    use selfmodel::report::Bucket as B;
    let inv = &r.inventory;
    let i = &r.integrity;
    let s = &r.disclosures;
    Report {
        generated_at: time(&r.generated_at),
        from: r.period.from.as_ref().map(time),
        to: r.period.to.as_ref().map(time),
        inventory: ReportInventory {
            total: n(inv.total),
            active: n(inv.active),
            pending: n(inv.pending),
            rejected: n(inv.rejected),
            normal: n(inv.normal),
            special: n(inv.special),
            with_evidence: n(inv.with_evidence),
            evidence_items: n(inv.evidence_items),
            below_threshold: n(inv.below_threshold),
            by_type: inv
                .by_type
                .iter()
                .map(|t| ReportType {
                    type_id: t.type_id.clone(),
                    name: t.name.clone(),
                    active: n(t.active),
                    pending: n(t.pending),
                    special: n(t.special),
                    below_threshold: n(t.below_threshold),
                    min_share_confidence: t.min_share_confidence,
                })
                .collect(),
            by_purpose: tallies(&inv.by_purpose),
        },
        past_retention: n(r.retention.iter().map(|x| x.past_retention).sum()),
        vendors: r
            .vendors
            .iter()
            .map(|v| ReportVendor {
                grant_id: v.grant.id.clone(),
                vendor: vendor(&v.grant.vendor),
                state: v.state.to_owned(),
                purposes: ids(&v.grant.scope.purposes),
                categories: ids(&v.grant.scope.categories),
                requests: n(v.requests),
                disclosures: n(v.disclosures),
                received: v
                    .received
                    .iter()
                    .map(|p| ReportPurpose {
                        purpose: p.purpose.clone(),
                        requests: n(p.requests),
                        disclosures: n(p.disclosures),
                        distinct_beliefs: n(p.distinct_beliefs),
                    })
                    .collect(),
                denied: sum(&v.denied),
                notices: sum(&v.notices),
            })
            .collect(),
        denied_without_grant: sum(&r.denied_without_grant),
        disclosures: DisclosureSeries {
            bucket: match s.bucket {
                B::Day => Bucket::Day,
                B::Week => Bucket::Week,
                B::Month => Bucket::Month,
            },
            starts: s
                .starts
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect(),
            vendors: s
                .vendors
                .iter()
                .map(|v| SeriesLine {
                    vendor_id: v.vendor_id.clone(),
                    name: v.name.clone(),
                    counts: v.counts.iter().map(|c| n(*c)).collect(),
                    total: n(v.total()),
                })
                .collect(),
        },
        integrity: ReportIntegrity {
            intact: i.intact,
            events: n(i.events),
            head: i.head.clone(),
            first_bad_event: i.broken_at.as_ref().map(|b| n(b.0)),
            broken_reason: i.broken_at.as_ref().map(|b| b.1.clone()),
            events_in_period: n(i.events_in_period),
            transfers: count(i.transfers.len()),
            erasures: count(i.erasures.len()),
            beliefs_erased: n(i.beliefs_erased),
        },
    }
}
