//! The access log's retention: it grows with every vendor request, so entries older than the
//! retention the person sets (default one year) are compacted into per-day counts per vendor,
//! purpose and belief. Each compaction is an event on the audit chain, and "who received this
//! belief" stays answerable for the compacted period (to the day).

use std::ops::RangeInclusive;

use chrono::{DateTime, Days, Utc};
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::{AuditAction, CoreError};
use selfmodel_vault::{AccessDay, Compaction, DisclosureDay};

use crate::{Error, Result, Selfmodel};

/// The retentions the person may choose for the access log, in days: at least a month, so that
/// vendor monitoring has detail to compare with; at most a hundred years.
pub const ACCESS_LOG_RETENTION_DAYS: RangeInclusive<u32> = 30..=36_500;

/// The first instant whose entries are kept in detail: midnight (UTC) of the day `days` before
/// `now`, so a day is never split between the detailed and the compacted log.
pub fn compaction_cut(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let day = now
        .date_naive()
        .checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(chrono::NaiveDate::MIN);
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

impl Selfmodel {
    /// The access log's retention in days.
    pub fn access_log_retention(&mut self) -> Result<u32> {
        self.vault
            .read(|r| Ok::<_, Error>(r.access_log_retention_days()?))
    }

    /// Requests per day in `[from, to)`, from the detailed and the compacted log together.
    pub fn access_days(
        &mut self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<AccessDay>> {
        self.vault
            .read(|r| Ok::<_, Error>(r.access_days(from, to)?))
    }

    /// Disclosures per belief and day in `[from, to)`, from the detailed and the compacted log.
    pub fn disclosure_days(
        &mut self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<DisclosureDay>> {
        self.vault
            .read(|r| Ok::<_, Error>(r.disclosure_days(from, to)?))
    }

    /// Sets the access log's retention (see [`ACCESS_LOG_RETENTION_DAYS`]) and compacts what is
    /// now past it. Returns what the compaction did.
    pub fn set_access_log_retention(&mut self, days: u32) -> Result<Compaction> {
        if !ACCESS_LOG_RETENTION_DAYS.contains(&days) {
            return Err(CoreError::Invalid {
                field: "access_log_retention_days".into(),
                reason: format!(
                    "choose from {} to {} days",
                    ACCESS_LOG_RETENTION_DAYS.start(),
                    ACCESS_LOG_RETENTION_DAYS.end()
                ),
            }
            .into());
        }
        self.change_setting(
            |w| w.set_access_log_retention_days(days),
            PendingEvent::new(AuditAction::AccessLogRetentionChanged, None)
                .with_detail(Detail::new().with("days", days)),
        )?;
        self.compact_access_log()
    }

    /// Compacts the access-log entries past the log's retention into per-day counts, in one
    /// transaction with its audit event (counts and the cut-off day only). Does nothing, and
    /// writes nothing, when no entry is past it.
    pub fn compact_access_log(&mut self) -> Result<Compaction> {
        let now = Utc::now();
        let (cut, due) = self.vault.read(|r| {
            let cut = compaction_cut(now, r.access_log_retention_days()?);
            let due = r.oldest_access()?.is_some_and(|oldest| oldest < cut);
            Ok::<_, Error>((cut, due))
        })?;
        if !due {
            return Ok(Compaction::default());
        }
        let done = self.change(|w, now| {
            let done = w.compact_access_log(cut)?;
            w.append_audit(
                PendingEvent::new(AuditAction::AccessLogCompacted, None).with_detail(
                    Detail::new()
                        .with("entries", done.entries)
                        .with("disclosures", done.disclosures)
                        .with("before", cut.date_naive()),
                ),
                now,
            )?;
            Ok(done)
        })?;
        tracing::info!(entries = done.entries, "access log compacted");
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cut_is_midnight_days_before() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T15:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            compaction_cut(now, 365).to_rfc3339(),
            "2025-11-23T00:00:00+00:00"
        );
        assert_eq!(
            compaction_cut(now, 30).to_rfc3339(),
            "2026-10-24T00:00:00+00:00"
        );
    }
}
