//! The access log's retention: entries older than the person's retention are compacted into
//! per-day counts, and the reads that answer "what did each vendor receive" and "who received
//! this belief" cover the detailed and the compacted log alike.

use chrono::{DateTime, NaiveDate, Utc};
use selfmodel_core::{BeliefId, Outcome};

use crate::codec::{from_micros, micros, parse};
use crate::error::{Result, VaultError};
use crate::store::{Reader, Writer};
use rusqlite::types::Value;

/// The meta key holding the access log's retention in days.
pub const ACCESS_LOG_RETENTION_KEY: &str = "access_log_retention_days";

/// The access log's retention when the person has not chosen one: a year.
pub const DEFAULT_ACCESS_LOG_RETENTION_DAYS: u32 = 365;

/// What one compaction did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compaction {
    /// Detailed entries folded into per-day counts (and deleted).
    pub entries: u64,
    /// Disclosures (entry × belief) folded into per-day counts.
    pub disclosures: u64,
}

/// Requests of one day with the same grant, vendor, purpose, operation and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessDay {
    /// The day (UTC).
    pub day: NaiveDate,
    /// The grant, if a token was valid.
    pub grant_id: Option<String>,
    /// The vendor, if known.
    pub vendor_id: Option<String>,
    /// The purpose named, if any.
    pub purpose: Option<String>,
    /// What was asked.
    pub operation: String,
    /// Served or refused (with the reason's code).
    pub outcome: Outcome,
    /// How many requests.
    pub requests: u64,
    /// Whether some of them come from the compacted log (day precision only).
    pub compacted: bool,
}

/// How often one belief was disclosed on one day under one grant for one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureDay {
    /// The belief (which may since have been erased).
    pub belief_id: BeliefId,
    /// The day (UTC).
    pub day: NaiveDate,
    /// The grant it was disclosed under.
    pub grant_id: String,
    /// The vendor.
    pub vendor_id: String,
    /// The purpose named.
    pub purpose: Option<String>,
    /// How many requests disclosed it.
    pub times: u64,
}

fn none_if_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| VaultError::Data(format!("'{s}' is not a day")))
}

fn day_text(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(|t| t.date_naive().format("%Y-%m-%d").to_string())
}

/// The parameters of a `[from, to)` range over both logs: instants for the detailed log (?1,
/// ?2), days for the compacted one (?3, ?4).
fn range(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> [Value; 4] {
    let instant = |t: Option<DateTime<Utc>>| t.map_or(Value::Null, |t| Value::Integer(micros(&t)));
    let day = |t| day_text(t).map_or(Value::Null, Value::Text);
    [instant(from), instant(to), day(from), day(to)]
}

impl Reader<'_> {
    /// The access log's retention in days.
    pub fn access_log_retention_days(&self) -> Result<u32> {
        match self.meta(ACCESS_LOG_RETENTION_KEY)? {
            None => Ok(DEFAULT_ACCESS_LOG_RETENTION_DAYS),
            Some(v) => parse("retention", &v),
        }
    }

    /// When the oldest detailed (not compacted) access-log entry was written.
    pub fn oldest_access(&self) -> Result<Option<DateTime<Utc>>> {
        let at: Option<i64> =
            self.conn
                .query_row("SELECT min(at) FROM access_entries", [], |r| r.get(0))?;
        at.map(from_micros).transpose()
    }

    /// Requests per day in `[from, to)`, detailed and compacted together, in day order.
    /// Compacted days count when their day falls in the range.
    pub fn access_days(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<AccessDay>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT day, grant_id, vendor_id, purpose, operation, outcome, reason, sum(requests), \
                    max(compacted) FROM ( \
               SELECT date(at / 1000000, 'unixepoch') AS day, coalesce(grant_id, '') AS grant_id, \
                      coalesce(vendor_id, '') AS vendor_id, coalesce(purpose, '') AS purpose, \
                      operation, outcome, coalesce(reason, '') AS reason, sum(requests) AS requests, \
                      0 AS compacted \
               FROM access_log WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2) \
               GROUP BY 1, 2, 3, 4, 5, 6, 7 \
               UNION ALL \
               SELECT day, grant_id, vendor_id, purpose, operation, outcome, reason, requests, 1 \
               FROM access_days WHERE (?3 IS NULL OR day >= ?3) AND (?4 IS NULL OR day <= ?4)) \
             GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7",
        )?;
        let rows = stmt
            .query_map(range(from, to), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, u64>(7)?,
                    r.get::<_, bool>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(d, grant, vendor, purpose, operation, outcome, reason, requests, compacted)| {
                    Ok(AccessDay {
                        day: day(&d)?,
                        grant_id: none_if_empty(grant),
                        vendor_id: none_if_empty(vendor),
                        purpose: none_if_empty(purpose),
                        operation,
                        outcome: match outcome.as_str() {
                            "allowed" => Outcome::Allowed,
                            _ => Outcome::Denied(reason),
                        },
                        requests,
                        compacted,
                    })
                },
            )
            .collect()
    }

    /// Disclosures per belief and day in `[from, to)`, detailed and compacted together.
    pub fn disclosure_days(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<DisclosureDay>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT belief_id, day, grant_id, vendor_id, purpose, sum(times) FROM ( \
               SELECT d.belief_id AS belief_id, date(a.at / 1000000, 'unixepoch') AS day, \
                      coalesce(a.grant_id, '') AS grant_id, coalesce(a.vendor_id, '') AS vendor_id, \
                      coalesce(a.purpose, '') AS purpose, count(*) AS times \
               FROM disclosures d JOIN access_log a ON a.seq = d.access_seq \
               WHERE (?1 IS NULL OR a.at >= ?1) AND (?2 IS NULL OR a.at < ?2) \
               GROUP BY 1, 2, 3, 4, 5 \
               UNION ALL \
               SELECT belief_id, day, grant_id, vendor_id, purpose, times FROM disclosure_days \
               WHERE (?3 IS NULL OR day >= ?3) AND (?4 IS NULL OR day <= ?4)) \
             GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 1, 3, 5",
        )?;
        let rows = stmt
            .query_map(range(from, to), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, u64>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(belief, d, grant_id, vendor_id, purpose, times)| {
                Ok(DisclosureDay {
                    belief_id: parse("belief id", &belief)?,
                    day: day(&d)?,
                    grant_id,
                    vendor_id,
                    purpose: none_if_empty(purpose),
                    times,
                })
            })
            .collect()
    }
}

impl Writer<'_> {
    /// Sets the access log's retention in days.
    pub fn set_access_log_retention_days(&mut self, days: u32) -> Result<()> {
        self.set_meta(ACCESS_LOG_RETENTION_KEY, &days.to_string())
    }

    /// Folds every access-log entry written before `before` into per-day counts and deletes
    /// it, with the disclosure sets no entry refers to any more. The caller records the
    /// compaction on the audit chain.
    pub fn compact_access_log(&mut self, before: DateTime<Utc>) -> Result<Compaction> {
        let cut = micros(&before);
        let disclosures: u64 = self.tx.query_row(
            "SELECT count(*) FROM disclosures d JOIN access_log a ON a.seq = d.access_seq \
             WHERE a.at < ?1",
            [&cut],
            |r| r.get(0),
        )?;
        self.tx.execute(
            "INSERT INTO disclosure_days (belief_id, day, grant_id, vendor_id, purpose, times) \
             SELECT d.belief_id, date(a.at / 1000000, 'unixepoch'), coalesce(a.grant_id, ''), \
                    coalesce(a.vendor_id, ''), coalesce(a.purpose, ''), count(*) \
             FROM disclosures d JOIN access_log a ON a.seq = d.access_seq WHERE a.at < ?1 \
             GROUP BY 1, 2, 3, 4, 5 \
             ON CONFLICT (belief_id, day, grant_id, vendor_id, purpose) \
             DO UPDATE SET times = times + excluded.times",
            [&cut],
        )?;
        self.tx.execute(
            "INSERT INTO access_days \
               (day, grant_id, vendor_id, purpose, operation, outcome, reason, requests) \
             SELECT date(at / 1000000, 'unixepoch'), coalesce(grant_id, ''), coalesce(vendor_id, ''), \
                    coalesce(purpose, ''), operation, outcome, coalesce(reason, ''), sum(requests) \
             FROM access_log WHERE at < ?1 GROUP BY 1, 2, 3, 4, 5, 6, 7 \
             ON CONFLICT (day, grant_id, vendor_id, purpose, operation, outcome, reason) \
             DO UPDATE SET requests = requests + excluded.requests",
            [&cut],
        )?;
        let entries =
            self.tx
                .execute("DELETE FROM access_entries WHERE at < ?1", [&cut])? as u64;
        // Sets no remaining entry refers to go with their members.
        self.tx.execute(
            "DELETE FROM disclosure_sets WHERE id NOT IN \
               (SELECT disclosed_set FROM access_entries WHERE disclosed_set IS NOT NULL)",
            [],
        )?;
        Ok(Compaction {
            entries,
            disclosures,
        })
    }
}
