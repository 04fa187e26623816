//! Monitoring the vendors for the person: the alerts of [`selfmodel_core::monitor`] over this
//! vault's access log — only the days judged and their history are read.

use chrono::{DateTime, Duration, Utc};
use selfmodel_core::AccessEntry;
use selfmodel_core::monitor::{self, Alert, Thresholds};

use crate::{AccessFilter, Error, Result, Selfmodel};

/// The alerts for the UTC days from `from` to `to` (default: the oldest entry, and `now`) judged
/// on `entries` (the detailed access log, oldest first), with the default [`Thresholds`].
pub(crate) fn alerts_in(
    entries: &[AccessEntry],
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<Alert> {
    let thresholds = Thresholds::default();
    let Some(oldest) = entries.first().map(|e| e.at) else {
        return Vec::new();
    };
    let from = from.unwrap_or(oldest).max(oldest).date_naive();
    let to = to.unwrap_or(now).min(now).date_naive();
    if from > to {
        return Vec::new();
    }
    monitor::detect(entries, from, to, &thresholds)
}

/// Days judged when [`Selfmodel::alerts`] is given no start: today and the days before it.
pub const ALERT_DAYS: i64 = 30;

/// The first instant alerts for days from `from` on need: midnight (UTC)
/// [`Thresholds::baseline_days`] days before it (none before the first day there is).
pub(crate) fn history_start(from: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let history = Duration::days(Thresholds::default().baseline_days);
    from.date_naive()
        .checked_sub_signed(history)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

impl Selfmodel {
    /// Unusual vendor access on the days from `from` to `to` (UTC days; default: the last
    /// `ALERT_DAYS` days, and today), with the default [`Thresholds`]. Judged on the detailed
    /// access log (which the log's retention keeps for at least a month), reading only those
    /// days and the [`Thresholds::baseline_days`] before them; refusals counted so far are
    /// written first.
    pub fn alerts(
        &mut self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Alert>> {
        let now = Utc::now();
        let from = from.unwrap_or(now - Duration::days(ALERT_DAYS - 1));
        self.vault.write_refusals()?;
        let filter = AccessFilter {
            since: history_start(from),
            without_disclosed: true,
            ..AccessFilter::default()
        };
        let entries = self
            .vault
            .read(|r| Ok::<_, Error>(r.access_log(&filter)?))?;
        Ok(alerts_in(&entries, Some(from), to, now))
    }
}
