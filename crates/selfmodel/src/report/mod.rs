//! The transparency report: what the vault holds, under which rules, who received what, and
//! whether the audit chain holds — the numbers an auditor (or the person) can check instead of
//! trusting. Everything is read in one transaction, so the numbers agree with each other.
//!
//! [`Selfmodel::report`] builds one [`ReportDocument`]; [`ReportDocument::render`] writes it as
//! one self-contained HTML page (inline CSS and SVG), Markdown or JSON, the same for every front
//! end. No belief text is ever included: counts, types, purposes, ids and hashes only.

mod controls;
mod document;
mod gather;
mod json;
mod series;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, SubsecRound, Utc};
use selfmodel_core::{BeliefFilter, BeliefId, CoreError, Outcome};
use selfmodel_vault::AccessFilter;

use crate::render::{Format, rendered, time};
use crate::{Result, Selfmodel};

pub use controls::CONTROLS;
pub(crate) use gather::grant_state;
pub use json::{
    ChainState, ReportAlert, ReportChainEntry, ReportControl, ReportDocument, ReportEvidence,
    ReportFormat, ReportIntegrity, ReportInventory, ReportLimits, ReportPeriod, ReportPurpose,
    ReportRetention, ReportRetentionType, ReportScope, ReportSensitivity, ReportSeries,
    ReportSeriesLine, ReportType, ReportVendor, ReportVendorName, ReportVendorPeriod,
};
pub use series::Bucket;

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
            to: to.map(|d| selfmodel_core::audit::days_after(midnight(d), 1)),
        }
    }

    /// The period from `from` to `to`, each a day (`YYYY-MM-DD`, UTC, included) or an RFC 3339
    /// instant, open where absent; it must end after it starts.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self> {
        let from = from.map(|s| bound("from", s, false)).transpose()?;
        let to = to.map(|s| bound("to", s, true)).transpose()?;
        if let (Some(f), Some(t)) = (from, to)
            && f >= t
        {
            return Err(CoreError::invalid("to", "the period must end after it starts").into());
        }
        Ok(Self { from, to })
    }

    /// Whether `at` falls in the period.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| at >= f) && self.to.is_none_or(|t| at < t)
    }
}

/// One end of a period: an RFC 3339 instant (to the second), or a day's first instant (`end`:
/// the first instant after it, so that the day is included), in the years 0000–9999.
fn bound(field: &str, s: &str, end: bool) -> Result<DateTime<Utc>> {
    let refused = |what: &str| {
        let shown: String = s.chars().take(40).collect();
        let more = if s.chars().nth(40).is_some() {
            "…"
        } else {
            ""
        };
        CoreError::invalid(
            field,
            format!("'{}{more}' {what}", selfmodel_core::text::one_line(&shown)),
        )
    };
    let in_range = |year: i32| (0..=9999).contains(&year);
    let at = match DateTime::parse_from_rfc3339(s) {
        Ok(t) => t.with_timezone(&Utc).trunc_subsecs(0),
        Err(_) => {
            let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| refused("is not a date (YYYY-MM-DD) or an RFC 3339 time"))?;
            if !in_range(day.year()) {
                return Err(refused("is not in the years 0000 to 9999 (UTC)").into());
            }
            // The end of a day is the first instant after it, or the end of 9999.
            let start = day.and_time(chrono::NaiveTime::MIN).and_utc();
            if end {
                selfmodel_core::audit::days_after(start, 1)
            } else {
                start
            }
        }
    };
    if !in_range(at.year()) {
        return Err(refused("is not in the years 0000 to 9999 (UTC)").into());
    }
    Ok(at)
}

impl Selfmodel {
    /// Builds the transparency report for `period`, reading everything in one transaction.
    pub fn report(&mut self, period: Period) -> Result<ReportDocument> {
        let now = Utc::now();
        self.vault.write_refusals()?;
        self.vault.read(|r| {
            let catalogue = r.catalogue()?;
            let beliefs = r.beliefs(&BeliefFilter::default())?;
            // The chain is verified and tallied in one read, never held whole.
            let mut chain = gather::ChainTally::new(period);
            r.for_each_audit_event(|e| {
                chain.add(e);
                Ok(())
            })?;
            let grants = r.grants()?;
            // The requests per day, and what was disclosed per day: from the detailed log and
            // the compacted one alike, counting each stored set once per day instead of
            // listing its members per request.
            let days = r.access_days(period.from, period.to)?;
            let disclosed = r.disclosure_days(period.from, period.to)?;
            // The detailed entries of the period and of the history its alerts are judged
            // against.
            let access = r.access_log(&AccessFilter {
                since: period.from.and_then(crate::monitor::history_start),
                without_disclosed: true,
                ..AccessFilter::default()
            })?;
            let mut vendors = Vec::with_capacity(grants.len());
            for grant in grants {
                let notices = gather::sum_by(r.notice_counts(&grant.id, period.from, period.to)?);
                vendors.push((grant, notices));
            }
            let category: BTreeMap<BeliefId, &str> = beliefs
                .iter()
                .map(|b| (b.id, b.category.as_str()))
                .collect();
            // Grants are listed newest first: the latest grant names the vendor.
            let names: BTreeMap<String, String> = vendors
                .iter()
                .rev()
                .map(|(g, _)| (g.vendor.id.clone(), g.vendor.name.clone()))
                .collect();
            let created = chain.first_at();
            Ok(ReportDocument {
                format: ReportFormat::V1,
                generated_at: time(now),
                period: ReportPeriod {
                    from: period.from.map(time),
                    to: period.to.map(time),
                },
                vault_id: r.meta("vault_id")?,
                inventory: gather::inventory(&beliefs, &catalogue),
                retention: gather::retention(&beliefs, &r.expired_by_type(now)?, &catalogue),
                limits: gather::limits(&catalogue),
                vendors: vendors
                    .into_iter()
                    .map(|(g, notices)| {
                        gather::vendor(g, notices, &days, &disclosed, &category, now)
                    })
                    .collect(),
                disclosures_over_time: series::series(&disclosed, period, created, now, &names),
                denied_without_grant: gather::sum_by(days.iter().filter_map(|a| {
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
                )
                .iter()
                .map(gather::alert)
                .collect(),
                integrity: chain.integrity(),
                controls: CONTROLS.to_vec(),
            })
        })
    }
}

impl ReportDocument {
    /// The report as one self-contained HTML page (inline CSS and SVG, no scripts, nothing
    /// loaded from elsewhere), Markdown, or JSON (`selfmodel-report-v1`).
    pub fn render(&self, format: Format) -> String {
        rendered(
            format,
            || document::document(self),
            || serde_json::to_value(self).expect("the document has string keys"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_whole_days_or_instants_and_nonsense_is_refused() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let p = Period::parse(Some("2026-03-01"), Some("2026-03-31")).unwrap();
        assert_eq!(p.from, Some(t("2026-03-01T00:00:00Z")));
        assert_eq!(
            p.to,
            Some(t("2026-04-01T00:00:00Z")),
            "the last day is included"
        );
        let p = Period::parse(Some("2026-03-01T12:00:00+02:00"), Some("2026-03-01")).unwrap();
        assert_eq!(p.from, Some(t("2026-03-01T10:00:00Z")));
        assert_eq!(Period::parse(None, None).unwrap(), Period::default());
        let last = Period::parse(None, Some("9999-12-31")).unwrap();
        assert_eq!(
            last.to,
            Some(t("9999-12-31T23:59:59.999999Z")),
            "the end of 9999"
        );
        for (from, to) in [
            (Some("2026-02-30"), None),
            (None, Some("yesterday\u{1b}[2J")),
            (Some("2026-03-02"), Some("2026-03-01")),
            (Some("2026-03-01T00:00:00Z"), Some("2026-03-01T00:00:00Z")),
            (
                Some("2026-03-01T00:00:00Z"),
                Some("2026-03-01T00:00:00.000001Z"),
            ),
            (Some("-262143-01-01"), None),
            (None, Some("+262142-12-31")),
            (Some(&"\u{7}".repeat(100_000)), None),
            (None, Some("9999-12-31T23:00:00-05:00")),
            (Some("0000-01-01T00:30:00+01:00"), None),
        ] {
            let e = Period::parse(from, to).unwrap_err();
            assert_eq!(e.code(), selfmodel_core::ErrorCode::InvalidField, "{e}");
            assert!(!e.to_string().contains('\u{1b}'), "{e}");
            assert!(e.to_string().len() < 400, "{e}");
        }
    }

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
}
