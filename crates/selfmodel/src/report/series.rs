//! Disclosures over time: per vendor, how many beliefs it received in each day (or week, or
//! month, when the period is long) of the report's period — from the detailed and the
//! compacted access log alike.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use selfmodel_vault::DisclosureDay;

use super::{Period, ReportSeries, ReportSeriesLine};
use crate::render::day;

/// A period may start at most this many days before the vault was created; an earlier start (or
/// none) starts the series at the vault's creation.
const EARLIEST_BEFORE_CREATION_DAYS: i64 = 366;
/// Periods up to this many days are counted per day.
const DAILY_UP_TO_DAYS: i64 = 92;
/// Periods up to this many days are counted per week (Monday to Sunday); longer ones per month.
const WEEKLY_UP_TO_DAYS: i64 = 3 * 366;

/// How long one step of the series is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    /// A day (UTC).
    Day,
    /// A week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
}

impl Bucket {
    /// The stable name: `day`, `week` or `month`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// The step for a span of `days` days.
    fn for_span(days: i64) -> Self {
        if days <= DAILY_UP_TO_DAYS {
            Self::Day
        } else if days <= WEEKLY_UP_TO_DAYS {
            Self::Week
        } else {
            Self::Month
        }
    }

    /// The first day of the step that holds `d`.
    pub fn start_of(self, d: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => d,
            Self::Week => d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday())),
            Self::Month => d.with_day(1).unwrap_or(d),
        }
    }

    /// The first day of the next step after the one starting at `start`.
    fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Day => start.checked_add_days(Days::new(1)),
            Self::Week => start.checked_add_days(Days::new(7)),
            Self::Month => start.checked_add_months(Months::new(1)),
        }
    }
}

/// Beliefs disclosed per vendor in each step of the period, from the period's per-day
/// disclosures. `created` is when the vault was created; `names` maps vendor ids to display
/// names (a vendor without one is named by its id).
///
/// The steps run without gaps from the period's start (or, when the period is open or starts
/// more than a year before the vault was created, from the vault's creation) to its end (not
/// after `now`). The first step may begin before the period does; only disclosures inside the
/// period are counted, once per belief per request.
pub(super) fn series(
    days: &[DisclosureDay],
    period: Period,
    created: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    names: &BTreeMap<String, String>,
) -> ReportSeries {
    let first_data = days.iter().map(|d| d.day).min();
    let last_data = days.iter().map(|d| d.day).max();
    // The last day covered: the day before `to` (exclusive) or today, whichever is earlier.
    let mut last = now.date_naive();
    if let Some(to) = period.to {
        let before = (to - chrono::Duration::microseconds(1)).date_naive();
        last = last.min(before);
    }
    // The period's start, unless it is open or lies more than a year before the vault was
    // created: then the vault's creation (nothing can have been disclosed before it).
    let floor = created.map(|c| c - chrono::Duration::days(EARLIEST_BEFORE_CREATION_DAYS));
    let mut first = match (period.from, created) {
        (Some(f), _) if floor.is_none_or(|fl| f >= fl) => f.date_naive(),
        (_, Some(c)) => c.date_naive(),
        (_, None) => first_data.unwrap_or(last),
    };
    if let Some(d) = first_data {
        first = first.min(d);
    }
    if let Some(d) = last_data {
        last = last.max(d);
    }
    let bucket = Bucket::for_span((last - first).num_days() + 1);
    let mut starts = Vec::new();
    if first <= last {
        let mut s = bucket.start_of(first);
        while s <= last {
            starts.push(s);
            match bucket.next(s) {
                Some(n) => s = n,
                None => break,
            }
        }
    }
    let index: BTreeMap<NaiveDate, usize> =
        starts.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut per_vendor: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for d in days {
        let Some(&i) = index.get(&bucket.start_of(d.day)) else {
            continue;
        };
        per_vendor
            .entry(d.vendor_id.as_str())
            .or_insert_with(|| vec![0; starts.len()])[i] += d.times;
    }
    let vendors: Vec<ReportSeriesLine> = per_vendor
        .into_iter()
        .map(|(id, counts)| ReportSeriesLine {
            vendor_id: id.to_owned(),
            name: names.get(id).cloned().unwrap_or_else(|| id.to_owned()),
            total: counts.iter().sum(),
            counts,
        })
        .collect();
    ReportSeries {
        bucket,
        totals: (0..starts.len())
            .map(|i| vendors.iter().map(|v| v.counts[i]).sum())
            .collect(),
        starts: starts.into_iter().map(day).collect(),
        vendors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn disclosed(d: &str, vendor: &str, times: u64) -> DisclosureDay {
        DisclosureDay {
            belief_id: selfmodel_core::BeliefId::new(),
            day: day(d),
            grant_id: format!("g-{vendor}"),
            vendor_id: vendor.into(),
            purpose: Some("communication".into()),
            times,
        }
    }

    #[test]
    fn steps_follow_the_length_of_the_period() {
        assert_eq!(Bucket::for_span(1), Bucket::Day);
        assert_eq!(Bucket::for_span(92), Bucket::Day);
        assert_eq!(Bucket::for_span(93), Bucket::Week);
        assert_eq!(Bucket::for_span(3 * 366 + 1), Bucket::Month);
        assert_eq!(Bucket::Week.start_of(day("2026-03-05")), day("2026-03-02"));
        assert_eq!(Bucket::Month.start_of(day("2026-03-05")), day("2026-03-01"));
    }

    #[test]
    fn a_month_is_counted_per_day_without_gaps() {
        let names = BTreeMap::from([("w".to_owned(), "Writer".to_owned())]);
        let period = Period {
            from: Some(t("2026-03-01T00:00:00Z")),
            to: Some(t("2026-04-01T00:00:00Z")),
        };
        let days = [
            disclosed("2026-03-02", "w", 3),
            disclosed("2026-03-02", "w", 1),
            disclosed("2026-03-20", "s", 2),
        ];
        let s = series(&days, period, None, t("2026-06-01T00:00:00Z"), &names);
        assert_eq!(s.bucket, Bucket::Day);
        assert_eq!(s.starts.len(), 31);
        assert_eq!(s.starts[0], "2026-03-01");
        assert_eq!(s.vendors.len(), 2);
        let w = s.vendors.iter().find(|v| v.vendor_id == "w").unwrap();
        assert_eq!((w.name.as_str(), w.counts[1], w.total), ("Writer", 4, 4));
        let shop = s.vendors.iter().find(|v| v.vendor_id == "s").unwrap();
        assert_eq!((shop.name.as_str(), shop.counts[19]), ("s", 2));
        assert_eq!(s.vendors.iter().map(|v| v.total).sum::<u64>(), 6);
        assert_eq!(s.totals.iter().sum::<u64>(), 6);
    }

    #[test]
    fn an_open_period_runs_from_the_vaults_creation_to_now_in_weeks() {
        let days = [disclosed("2026-05-13", "w", 1)];
        let s = series(
            &days,
            Period::default(),
            Some(t("2026-01-07T10:00:00Z")),
            t("2026-06-30T12:00:00Z"),
            &BTreeMap::new(),
        );
        assert_eq!(s.bucket, Bucket::Week);
        assert_eq!(s.starts[0], "2026-01-05");
        assert!(s.starts.last().unwrap().as_str() <= "2026-06-30");
        assert_eq!(s.totals.iter().sum::<u64>(), 1);
        assert_eq!(
            s.vendors[0].counts[s.starts.iter().position(|d| d == "2026-05-11").unwrap()],
            1
        );
    }

    #[test]
    fn a_chosen_start_is_kept_unless_it_is_long_before_the_vault() {
        let created = Some(t("2026-03-20T10:00:00Z"));
        let now = t("2026-03-21T12:00:00Z");
        let last_30 = Period::days(Some(day("2026-02-20")), Some(day("2026-03-21")));
        let s = series(&[], last_30, created, now, &BTreeMap::new());
        assert_eq!((s.bucket, s.starts.len()), (Bucket::Day, 30));
        assert_eq!(s.starts[0], "2026-02-20");
        let ages_ago = Period::days(Some(day("1970-01-01")), None);
        let s = series(&[], ages_ago, created, now, &BTreeMap::new());
        assert_eq!(s.starts, ["2026-03-20", "2026-03-21"]);
    }

    #[test]
    fn a_period_in_the_future_has_no_steps() {
        let period = Period {
            from: Some(t("2999-01-01T00:00:00Z")),
            to: None,
        };
        let s = series(
            &[],
            period,
            None,
            t("2026-06-30T12:00:00Z"),
            &BTreeMap::new(),
        );
        assert!(s.starts.is_empty() && s.vendors.is_empty());
        assert!(s.totals.is_empty());
    }
}
