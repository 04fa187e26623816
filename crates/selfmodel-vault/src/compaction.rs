//! The access log's retention: entries older than the person's retention are compacted into
//! per-day counts, and the reads that answer "what did each vendor receive" and "who received
//! this belief" cover the detailed and the compacted log alike.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use selfmodel_core::{AccessDay, BeliefId, DisclosureDay, Outcome};

use crate::codec::{from_micros, micros, parse};
use crate::compacted_days::CompactedDay;
use crate::disclosure_sets::SetMembers;
use crate::error::{Result, VaultError};
use crate::store::{Reader, Writer};

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

/// The days a query selects in the columns `day, grant_id, vendor_id, purpose, operation,
/// outcome, reason, requests, compacted`, with "none" stored as an empty text.
pub(crate) fn access_days_of(
    stmt: &mut rusqlite::Statement<'_>,
    params: impl rusqlite::Params,
) -> Result<Vec<AccessDay>> {
    stmt.query_and_then(params, |r| {
        let outcome: String = r.get("outcome")?;
        Ok(AccessDay {
            day: day(&r.get::<_, String>("day")?)?,
            grant_id: none_if_empty(r.get("grant_id")?),
            vendor_id: none_if_empty(r.get("vendor_id")?),
            purpose: none_if_empty(r.get("purpose")?),
            operation: r.get("operation")?,
            outcome: match outcome.as_str() {
                "allowed" => Outcome::Allowed,
                _ => Outcome::Denied(r.get("reason")?),
            },
            requests: r.get("requests")?,
            compacted: r.get("compacted")?,
        })
    })?
    .collect()
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

/// A query of the detailed log's requests per day, of the entries `at_condition` selects, in the
/// columns and form of the compacted days (`access_days`): `day, grant_id, vendor_id, purpose,
/// operation, outcome, reason, requests`. The entries are grouped by the stored numbers first,
/// then named, so that a range reads only its days (`access_entries_by_time`).
fn detailed_access_days(at_condition: &str) -> String {
    format!(
        "SELECT c.day AS day, coalesce(g.text, '') AS grant_id, \
                coalesce(v.text, '') AS vendor_id, coalesce(p.text, '') AS purpose, \
                o.text AS operation, CASE c.denied WHEN 0 THEN 'allowed' ELSE 'denied' END \
                AS outcome, coalesce(r.text, '') AS reason, c.requests AS requests \
         FROM ( \
           SELECT date(at / 1000000, 'unixepoch') AS day, grant_id, vendor_id, purpose, \
                  operation, denied, reason, sum(requests) AS requests \
           FROM access_entries INDEXED BY access_entries_by_time \
           WHERE {at_condition} GROUP BY 1, 2, 3, 4, 5, 6, 7) c \
         LEFT JOIN log_texts g ON g.id = c.grant_id \
         LEFT JOIN log_texts v ON v.id = c.vendor_id \
         LEFT JOIN log_texts p ON p.id = c.purpose \
         LEFT JOIN log_texts o ON o.id = c.operation \
         LEFT JOIN log_texts r ON r.id = c.reason"
    )
}

/// The parameters of a `[from, to)` range over both logs: instants for the detailed log (?1,
/// ?2), days for the compacted one (?3, ?4).
fn range(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> [Value; 4] {
    // An open end of the detailed log's range is the first or last instant there is.
    let instant =
        |t: Option<DateTime<Utc>>, open: i64| Value::Integer(t.map_or(open, |t| micros(&t)));
    let day = |t| day_text(t).map_or(Value::Null, Value::Text);
    // The compacted range's last day is the day of the last instant before `to`.
    let last = to.map(|t| {
        t.checked_sub_signed(chrono::Duration::microseconds(1))
            .unwrap_or(t)
    });
    [
        instant(from, i64::MIN),
        instant(to, i64::MAX),
        day(from),
        day(last),
    ]
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
                .query_row("SELECT min(at) AS oldest FROM access_entries", [], |r| {
                    r.get("oldest")
                })?;
        at.map(from_micros).transpose()
    }

    /// Requests per day in `[from, to)`, detailed and compacted together, in day order.
    /// Compacted days count when their day falls in the range.
    pub fn access_days(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<AccessDay>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT day, grant_id, vendor_id, purpose, operation, outcome, reason, \
                    sum(requests) AS requests, max(compacted) AS compacted FROM ( \
               SELECT *, 0 AS compacted FROM ({}) \
               UNION ALL \
               SELECT day, grant_id, vendor_id, purpose, operation, outcome, reason, requests, 1 \
               FROM access_days WHERE (?3 IS NULL OR day >= ?3) AND (?4 IS NULL OR day <= ?4)) \
             GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7",
            detailed_access_days("at >= ?1 AND at < ?2")
        ))?;
        access_days_of(&mut stmt, range(from, to))
    }

    /// Disclosures per belief and day in `[from, to)`, detailed and compacted together, in the
    /// order of day, belief, grant and purpose.
    pub fn disclosure_days(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<DisclosureDay>> {
        disclosures_per_day(self.conn, range(from, to))
    }
}

/// A disclosure day's key, in the order days are listed: day, belief, grant, purpose, vendor.
type DayKey = (NaiveDate, BeliefId, String, Option<String>, String);

/// Disclosures per belief and day in a [`range`] of both logs. Both count per set first: the
/// detailed log's requests per disclosed set and day, and the compacted days as stored; then each
/// set's members are listed. A range reads only its entries (`access_entries_by_time`).
pub(crate) fn disclosures_per_day(
    conn: &Connection,
    range: [Value; 4],
) -> Result<Vec<DisclosureDay>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.day AS day, coalesce(g.text, '') AS grant_id, \
                coalesce(v.text, '') AS vendor_id, coalesce(p.text, '') AS purpose, \
                s.times AS times, d.members AS members \
         FROM ( \
           SELECT disclosed_set AS set_id, date(at / 1000000, 'unixepoch') AS day, grant_id, \
                  vendor_id, purpose, sum(requests) AS times \
           FROM access_entries INDEXED BY access_entries_by_time \
           WHERE at >= ?1 AND at < ?2 AND disclosed_set IS NOT NULL \
           GROUP BY 1, 2, 3, 4, 5 \
           UNION ALL \
           SELECT set_id, day, grant_id, vendor_id, purpose, times FROM disclosed_days \
           WHERE (?3 IS NULL OR day >= ?3) AND (?4 IS NULL OR day <= ?4)) s \
         JOIN disclosure_sets d ON d.id = s.set_id \
         LEFT JOIN log_texts g ON g.id = s.grant_id \
         LEFT JOIN log_texts v ON v.id = s.vendor_id \
         LEFT JOIN log_texts p ON p.id = s.purpose",
    )?;
    let mut rows = stmt.query(range)?;
    let mut members = SetMembers::new(conn);
    let mut days: BTreeMap<DayKey, u64> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let on = day(&r.get::<_, String>("day")?)?;
        let grant: String = r.get("grant_id")?;
        let vendor: String = r.get("vendor_id")?;
        let purpose = none_if_empty(r.get("purpose")?);
        let times: u64 = r.get("times")?;
        let packed = r
            .get_ref("members")?
            .as_blob()
            .map_err(rusqlite::Error::from)?;
        for belief in members.of_packed(packed)? {
            *days
                .entry((on, belief, grant.clone(), purpose.clone(), vendor.clone()))
                .or_default() += times;
        }
    }
    Ok(days
        .into_iter()
        .map(
            |((day, belief_id, grant_id, purpose, vendor_id), times)| DisclosureDay {
                belief_id,
                day,
                grant_id,
                vendor_id,
                purpose,
                times,
            },
        )
        .collect())
}

impl Writer<'_> {
    /// Sets the access log's retention in days.
    pub fn set_access_log_retention_days(&mut self, days: u32) -> Result<()> {
        self.set_meta(ACCESS_LOG_RETENTION_KEY, &days.to_string())
    }

    /// Folds every access-log entry written before `before` into per-day counts and deletes
    /// it, with the sets nothing refers to any more. The caller records the compaction on the
    /// audit chain.
    pub fn compact_access_log(&mut self, before: DateTime<Utc>) -> Result<Compaction> {
        let cut = micros(&before);
        let empty: Option<i64> = self
            .tx
            .query_row("SELECT id FROM log_texts WHERE text = ''", [], |r| {
                r.get("id")
            })
            .optional()?;
        // Each day's disclosures per grant, vendor and purpose are added to that compacted day,
        // its beliefs grouped by count: a vendor that reads every page once a day leaves one set
        // a day. "None" is 0, whether the entry had no text or an empty one.
        let groups: Vec<(CompactedDay, i64, u64)> = self
            .tx
            .prepare_cached(
                "SELECT date(at / 1000000, 'unixepoch') AS day, \
                        coalesce(nullif(grant_id, ?2), 0) AS grant_id, \
                        coalesce(nullif(vendor_id, ?2), 0) AS vendor_id, \
                        coalesce(nullif(purpose, ?2), 0) AS purpose, \
                        disclosed_set, sum(requests) AS times \
                 FROM access_entries INDEXED BY access_entries_by_time \
                 WHERE at < ?1 AND disclosed_set IS NOT NULL \
                 GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4",
            )?
            .query_map(params![cut, empty], |r| {
                Ok((
                    CompactedDay {
                        day: r.get("day")?,
                        grant: r.get("grant_id")?,
                        vendor: r.get("vendor_id")?,
                        purpose: r.get("purpose")?,
                    },
                    r.get("disclosed_set")?,
                    r.get("times")?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut disclosures = 0;
        for same_day in groups.chunk_by(|a, b| a.0 == b.0) {
            let day = &same_day[0].0;
            let (mut counts, former) = self.compacted_counts(day)?;
            let mut members = SetMembers::new(&self.tx);
            let mut damaged = Vec::new();
            for &(_, set, times) in same_day {
                match members.of_set(set) {
                    Ok(beliefs) => {
                        disclosures += times * beliefs.len() as u64;
                        for belief in beliefs {
                            *counts.entry(belief).or_default() += times;
                        }
                    }
                    // A set that cannot be read is kept as it is, with its count.
                    Err(_) => damaged.push((set, times)),
                }
            }
            drop(members);
            self.rewrite_compacted_day(day, counts, &former)?;
            for (set, times) in damaged {
                tracing::warn!(set, "a damaged disclosure set is compacted as it is");
                self.add_to_compacted_day(day, set, times)?;
            }
        }
        self.tx.execute(
            &format!(
                "INSERT INTO access_days \
                   (day, grant_id, vendor_id, purpose, operation, outcome, reason, requests) \
                 {} WHERE true \
                 ON CONFLICT (day, grant_id, vendor_id, purpose, operation, outcome, reason) \
                 DO UPDATE SET requests = requests + excluded.requests",
                detailed_access_days("at < ?1")
            ),
            [&cut],
        )?;
        let entries =
            self.tx
                .execute("DELETE FROM access_entries WHERE at < ?1", [&cut])? as u64;
        // The sets only the folded entries referred to go.
        let folded: BTreeSet<i64> = groups.iter().map(|(_, set, _)| *set).collect();
        for set in folded {
            self.drop_set_if_unused(set)?;
        }
        Ok(Compaction {
            entries,
            disclosures,
        })
    }
}
