//! Monitoring the vendors for the person: the alerts of [`selfmodel_core::monitor`] over this
//! vault's access log.

use chrono::{DateTime, Utc};
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

impl Selfmodel {
    /// Unusual vendor access on the days from `from` to `to` (UTC days; default: the oldest
    /// detailed entry, and today), with the default [`Thresholds`]. Judged on the detailed
    /// access log, which the log's retention keeps for at least a month.
    pub fn alerts(
        &mut self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Alert>> {
        let entries = self
            .vault
            .read(|r| Ok::<_, Error>(r.access_log(&AccessFilter::default())?))?;
        Ok(alerts_in(&entries, from, to, Utc::now()))
    }
}
