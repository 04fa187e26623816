//! Watching the vendors for the person: unusual access, found in the access log.
//!
//! Three patterns raise an [`Alert`] for a vendor, judged only on requests made with a valid
//! token (so a self-asserted vendor id cannot be framed), per vendor and per UTC day against the
//! vendor's own history (the [`Thresholds::baseline_days`] before that day):
//! - **rate**: more requests in the day than [`Thresholds::rate_factor`] times the vendor's
//!   average day, and more than [`Thresholds::rate_floor`] (so a quiet vendor's ten requests
//!   never alarm);
//! - **unusual hour**: a request in an hour of the day (UTC) in which the vendor never made one,
//!   once it has an established rhythm ([`Thresholds::hour_history_min`] requests);
//! - **denials**: [`Thresholds::denial_burst`] refused requests within one hour — probing beyond
//!   the grant.
//!
//! A fourth is attributed to no vendor: **anonymous refusals**, [`Thresholds::anonymous_burst`]
//! refusals of callers without a valid token or poll secret within one hour — guessing tokens or
//! poll secrets, or flooding the grant flow.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};

use crate::access::{AccessEntry, Outcome};

/// When access counts as unusual. The defaults are documented in SECURITY.md and tested at
/// their edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A day is a spike above this many times the vendor's average day.
    pub rate_factor: u64,
    /// ... and above this many requests in the day.
    pub rate_floor: u64,
    /// How many days before a day make the vendor's history.
    pub baseline_days: i64,
    /// Requests in the history before the hour of day is judged.
    pub hour_history_min: u64,
    /// Refused requests within one hour that count as probing.
    pub denial_burst: u64,
    /// Refusals without a valid token or poll secret within one hour that count as guessing.
    pub anonymous_burst: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            rate_factor: 5,
            rate_floor: 100,
            baseline_days: 28,
            hour_history_min: 50,
            denial_burst: 10,
            anonymous_burst: 100,
        }
    }
}

/// What was unusual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertKind {
    /// Far more requests than the vendor's usual day.
    RateSpike {
        /// Requests that day.
        requests: u64,
        /// The vendor's average requests per day before it (rounded down).
        usual_per_day: u64,
    },
    /// Requests in an hour of the day (UTC) the vendor never used before.
    UnusualHour {
        /// The hour, 0–23, UTC.
        hour: u32,
        /// Requests in that hour that day.
        requests: u64,
    },
    /// Many refused requests within one hour.
    DenialBurst {
        /// Refusals within the hour from `at`.
        denials: u64,
    },
    /// Many refusals of callers without a valid token or poll secret within one hour.
    AnonymousBurst {
        /// Refusals within the hour from `at`.
        refusals: u64,
    },
}

impl AlertKind {
    /// The stable code: `rate_spike`, `unusual_hour`, `denial_burst` or `anonymous_burst`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::RateSpike { .. } => "rate_spike",
            Self::UnusualHour { .. } => "unusual_hour",
            Self::DenialBurst { .. } => "denial_burst",
            Self::AnonymousBurst { .. } => "anonymous_burst",
        }
    }
}

/// One unusual pattern of one vendor (or of callers without a valid token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The vendor, as its grant names it; none for [`AlertKind::AnonymousBurst`].
    pub vendor_id: Option<String>,
    /// The day it happened (UTC).
    pub day: NaiveDate,
    /// The first request that made it unusual.
    pub at: DateTime<Utc>,
    /// What was unusual.
    pub kind: AlertKind,
}

impl Alert {
    /// A key that stays the same for the same alert (for not notifying twice).
    pub fn key(&self) -> String {
        let detail = match &self.kind {
            AlertKind::UnusualHour { hour, .. } => hour.to_string(),
            _ => String::new(),
        };
        format!(
            "{}/{}/{}/{detail}",
            self.vendor_id.as_deref().unwrap_or(""),
            self.day,
            self.kind.code()
        )
    }

    /// One plain sentence for the person.
    pub fn describe(&self) -> String {
        let vendor = self
            .vendor_id
            .as_deref()
            .unwrap_or("a caller without a grant");
        match &self.kind {
            AlertKind::RateSpike {
                requests,
                usual_per_day,
            } => format!(
                "{vendor} made {requests} requests on {}, against a usual {usual_per_day} a day",
                self.day
            ),
            AlertKind::UnusualHour { hour, requests } => format!(
                "{vendor} made {requests} requests on {} between {hour:02}:00 and {hour:02}:59 UTC, \
                 an hour it never used before",
                self.day
            ),
            AlertKind::DenialBurst { denials } => format!(
                "{vendor} was refused {denials} times within an hour on {} (asking beyond its grant)",
                self.day
            ),
            AlertKind::AnonymousBurst { refusals } => format!(
                "callers without a valid token were refused {refusals} times within an hour on {} \
                 (guessing tokens or poll secrets, or flooding the grant flow)",
                self.day
            ),
        }
    }
}

/// The alerts for the days from `from` to `to` (inclusive, UTC), judged on `entries` — which
/// must include the [`Thresholds::baseline_days`] before `from` for the history. Vendors are
/// judged only on entries made under a grant; refusals without one count towards
/// [`AlertKind::AnonymousBurst`]. Sorted by time.
pub fn detect(
    entries: &[AccessEntry],
    from: NaiveDate,
    to: NaiveDate,
    t: &Thresholds,
) -> Vec<Alert> {
    let mut by_vendor: BTreeMap<&str, Vec<&AccessEntry>> = BTreeMap::new();
    let mut anonymous: Vec<&AccessEntry> = Vec::new();
    for e in entries {
        match (&e.grant_id, e.vendor_id.as_deref()) {
            (Some(_), Some(v)) => by_vendor.entry(v).or_default().push(e),
            (None, _) if matches!(e.outcome, Outcome::Denied(_)) => anonymous.push(e),
            _ => {}
        }
    }
    anonymous.sort_by_key(|e| e.at);
    let mut alerts = Vec::new();
    for day in days(from, to) {
        judge_anonymous(&anonymous, day, t, &mut alerts);
    }
    for (vendor, mut list) in by_vendor {
        list.sort_by_key(|e| e.at);
        for day in days(from, to) {
            judge_day(vendor, &list, day, t, &mut alerts);
        }
    }
    alerts.sort_by(|a, b| (a.at, &a.vendor_id).cmp(&(b.at, &b.vendor_id)));
    alerts
}

fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    std::iter::successors(Some(from), |d| d.succ_opt()).take_while(move |d| *d <= to)
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The refusals without a grant on `day` (`list` in time order, each entry weighted by the
/// requests it stands for): the most within an hour starting at one of them.
fn judge_anonymous(list: &[&AccessEntry], day: NaiveDate, t: &Thresholds, out: &mut Vec<Alert>) {
    let from = |d: NaiveDate| list.partition_point(|e| e.at < midnight(d));
    let today = &list[from(day)..day.succ_opt().map_or(list.len(), from)];
    if let Some((at, refusals)) = busiest_hour(today)
        && refusals >= t.anonymous_burst
    {
        out.push(Alert {
            vendor_id: None,
            day,
            at,
            kind: AlertKind::AnonymousBurst { refusals },
        });
    }
}

/// The hour-long window, starting at one of `entries` (in time order), that counts the most
/// requests: its start and its count.
fn busiest_hour(entries: &[&AccessEntry]) -> Option<(DateTime<Utc>, u64)> {
    let mut worst: Option<(DateTime<Utc>, u64)> = None;
    for (i, start) in entries.iter().enumerate() {
        let n = entries[i..]
            .iter()
            .take_while(|e| e.at < start.at + Duration::hours(1))
            .map(|e| e.requests)
            .sum::<u64>();
        if worst.is_none_or(|(_, w)| n > w) {
            worst = Some((start.at, n));
        }
    }
    worst
}

fn judge_day(
    vendor: &str,
    list: &[&AccessEntry],
    day: NaiveDate,
    t: &Thresholds,
    out: &mut Vec<Alert>,
) {
    // `list` is in time order: the day and its history are slices of it.
    let from = |d: NaiveDate| list.partition_point(|e| e.at < midnight(d));
    let start = day - Duration::days(t.baseline_days);
    let (start, begin, end) = (
        from(start),
        from(day),
        day.succ_opt().map_or(list.len(), from),
    );
    let (history, today) = (&list[start..begin], &list[begin..end]);
    let Some(first) = today.first() else {
        return;
    };
    let alert = |at: DateTime<Utc>, kind: AlertKind| Alert {
        vendor_id: Some(vendor.to_owned()),
        day,
        at,
        kind,
    };

    // Rate: the day against the vendor's average day in its history. An entry stands for its
    // count of requests (repeats within a minute are one entry).
    let count = |entries: &[&AccessEntry]| entries.iter().map(|e| e.requests).sum::<u64>();
    let requests = count(today);
    let usual = count(history) / t.baseline_days.max(1) as u64;
    if requests > t.rate_floor && requests > t.rate_factor.saturating_mul(usual) {
        let limit = t.rate_floor.max(t.rate_factor.saturating_mul(usual));
        // When the day went past the limit.
        let mut so_far = 0u64;
        let at = today
            .iter()
            .find(|e| {
                so_far += e.requests;
                so_far > limit
            })
            .map_or(first.at, |e| e.at);
        out.push(alert(
            at,
            AlertKind::RateSpike {
                requests,
                usual_per_day: usual,
            },
        ));
    }

    // Hours of the day never used in an established history.
    if count(history) >= t.hour_history_min {
        let known: BTreeSet<u32> = history.iter().map(|e| e.at.hour()).collect();
        let mut new_hours: BTreeMap<u32, (DateTime<Utc>, u64)> = BTreeMap::new();
        for e in today.iter().filter(|e| !known.contains(&e.at.hour())) {
            new_hours.entry(e.at.hour()).or_insert((e.at, 0)).1 += e.requests;
        }
        for (hour, (at, requests)) in new_hours {
            out.push(alert(at, AlertKind::UnusualHour { hour, requests }));
        }
    }

    // Denials: the most refusals in any hour-long window starting at a refusal.
    let denied: Vec<&AccessEntry> = today
        .iter()
        .copied()
        .filter(|e| matches!(e.outcome, Outcome::Denied(_)))
        .collect();
    if let Some((at, denials)) = busiest_hour(&denied)
        && denials >= t.denial_burst
    {
        out.push(alert(at, AlertKind::DenialBurst { denials }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 10, day)
            .and_then(|d| d.and_hms_opt(hour, minute, 0))
            .map(|t| t.and_utc())
            .unwrap_or_default()
    }

    fn entry(at: DateTime<Utc>, denied: bool) -> AccessEntry {
        AccessEntry {
            seq: 0,
            at,
            grant_id: Some("g".into()),
            vendor_id: Some("v".into()),
            purpose: Some("communication".into()),
            operation: "beliefs.read".into(),
            outcome: if denied {
                Outcome::Denied("purpose_not_granted".into())
            } else {
                Outcome::Allowed
            },
            disclosed: Vec::new(),
            requests: 1,
        }
    }

    /// `per_day` requests on each of the 28 days before Oct 29, at 09:00–10:59.
    fn history(per_day: u32) -> Vec<AccessEntry> {
        (1..=28)
            .flat_map(|d| (0..per_day).map(move |i| entry(at(d, 9 + i % 2, i % 60), false)))
            .collect()
    }

    fn day29() -> NaiveDate {
        at(29, 0, 0).date_naive()
    }

    /// The alerts for Oct 29, with the default thresholds.
    fn alerts_of(entries: &[AccessEntry]) -> Vec<Alert> {
        detect(entries, day29(), day29(), &Thresholds::default())
    }

    fn kinds(entries: &[AccessEntry]) -> Vec<&'static str> {
        alerts_of(entries).iter().map(|a| a.kind.code()).collect()
    }

    /// What each alert is about, in full.
    fn alert_kinds(alerts: &[Alert]) -> Vec<&AlertKind> {
        alerts.iter().map(|a| &a.kind).collect()
    }

    #[test]
    fn a_usual_day_raises_nothing() {
        let mut log = history(30);
        log.extend((0..30).map(|i| entry(at(29, 9, i), false)));
        assert!(kinds(&log).is_empty());
    }

    #[test]
    fn the_rate_alarm_needs_both_the_factor_and_the_floor() {
        // Usual 30 a day: 150 (5x) is not above the factor, 151 is.
        let mut log = history(30);
        log.extend((0..150).map(|i| entry(at(29, 9, i % 60), false)));
        assert!(kinds(&log).is_empty());
        log.push(entry(at(29, 10, 0), false));
        assert_eq!(kinds(&log), ["rate_spike"]);

        // A quiet vendor (1 a day): 100 requests is at the floor, 101 above it.
        let mut quiet = history(1);
        quiet.extend((0..100).map(|i| entry(at(29, 9, i % 60), false)));
        assert!(kinds(&quiet).is_empty());
        quiet.push(entry(at(29, 9, 59), false));
        let alerts = alerts_of(&quiet);
        assert_eq!(alerts.len(), 1);
        assert_eq!(
            alerts[0].kind,
            AlertKind::RateSpike {
                requests: 101,
                usual_per_day: 1
            }
        );
        assert!(alerts[0].describe().contains("101 requests"));
    }

    #[test]
    fn an_entry_counts_as_the_requests_it_stands_for() {
        // A vendor re-reading in a loop is one entry a minute: 2 entries of 60 requests each
        // are 120 requests, above the floor of 100.
        let counted = |at, requests, denied| AccessEntry {
            requests,
            ..entry(at, denied)
        };
        let mut log = history(1);
        log.push(counted(at(29, 9, 0), 60, false));
        log.push(counted(at(29, 9, 1), 60, false));
        let alerts = alerts_of(&log);
        assert_eq!(
            alert_kinds(&alerts),
            [&AlertKind::RateSpike {
                requests: 120,
                usual_per_day: 1
            }]
        );
        // The 101st request came in the second entry's minute.
        assert_eq!(alerts[0].at, at(29, 9, 1));

        // Ten refusals counted in one entry are probing too.
        let mut refused = history(30);
        refused.push(counted(at(29, 9, 30), 10, true));
        assert_eq!(kinds(&refused), ["denial_burst"]);
        // And a new hour's requests are counted, not its entries.
        let mut late = history(2);
        late.push(counted(at(29, 3, 0), 7, false));
        let alerts = alerts_of(&late);
        assert_eq!(
            alert_kinds(&alerts),
            [&AlertKind::UnusualHour {
                hour: 3,
                requests: 7
            }]
        );
    }

    #[test]
    fn a_new_hour_alarms_only_with_an_established_history() {
        // 49 requests of history (below 50): 03:00 is not judged.
        let mut thin: Vec<AccessEntry> = (1..=28)
            .flat_map(|d| (0..2).map(move |i| entry(at(d, 9, i), false)))
            .take(49)
            .collect();
        thin.push(entry(at(29, 3, 0), false));
        assert!(kinds(&thin).is_empty());

        // 56 requests at 09:00–10:59: 10:30 is usual, 03:00 is not.
        let mut log = history(2);
        log.push(entry(at(29, 10, 30), false));
        assert!(kinds(&log).is_empty());
        log.push(entry(at(29, 3, 0), false));
        log.push(entry(at(29, 3, 20), false));
        let alerts = alerts_of(&log);
        assert_eq!(
            alert_kinds(&alerts),
            [&AlertKind::UnusualHour {
                hour: 3,
                requests: 2
            }]
        );
        assert_eq!(alerts[0].at, at(29, 3, 0));
    }

    #[test]
    fn ten_refusals_within_an_hour_are_probing_nine_are_not() {
        let mut log = history(2);
        log.extend((0..9).map(|i| entry(at(29, 9, i * 6), true)));
        assert!(kinds(&log).is_empty());
        // The tenth at 10:00 is an hour after the first (09:00): still nine within any hour.
        log.push(entry(at(29, 10, 0), true));
        assert!(kinds(&log).is_empty());
        log.push(entry(at(29, 9, 59), true));
        assert_eq!(kinds(&log), ["denial_burst"]);
    }

    #[test]
    fn each_alert_has_a_stable_key() {
        let mut log = history(2);
        log.push(entry(at(29, 3, 0), false));
        let a = alerts_of(&log);
        let b = alerts_of(&log);
        assert_eq!(a[0].key(), b[0].key());
        assert_eq!(a[0].key(), "v/2026-10-29/unusual_hour/3");
    }

    fn anonymous(at: DateTime<Utc>, requests: u64) -> AccessEntry {
        AccessEntry {
            grant_id: None,
            vendor_id: None,
            requests,
            ..entry(at, true)
        }
    }

    #[test]
    fn a_hundred_refusals_without_a_grant_within_an_hour_are_guessing() {
        // Counted per minute: 60 + 39 within the hour from 09:00 is below the threshold.
        let mut log = vec![anonymous(at(29, 9, 0), 60), anonymous(at(29, 9, 59), 39)];
        log.push(anonymous(at(29, 10, 0), 500));
        assert!(kinds(&log[..2]).is_empty());
        log[1].requests = 40;
        let alerts = alerts_of(&log[..2]);
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].vendor_id, None);
        assert_eq!(alerts[0].kind, AlertKind::AnonymousBurst { refusals: 100 });
        assert!(alerts[0].describe().contains("without a valid token"));
        assert_eq!(kinds(&log), ["anonymous_burst"]);
    }

    #[test]
    fn refusals_claiming_a_vendor_without_its_grant_never_alert_on_that_vendor() {
        let mut log = history(2);
        log.extend((0..20).map(|i| AccessEntry {
            grant_id: None,
            ..entry(at(29, 9, i), true)
        }));
        assert!(kinds(&log).is_empty(), "{:?}", kinds(&log));
    }
}
