//! The vendor record as an export carries it from one vault to another: the compacted access log
//! and the tombstones read as they are stored, and a record from another vault written in (the
//! grants and the detailed log use the reads and writes of `grants`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::params;
use rusqlite::types::Value;
use selfmodel_core::{AccessDay, AccessEntry, BeliefId, DisclosureDay, NewAccess, Outcome};

use crate::access_log::{AccessFilter, logged};

use crate::codec::parse_time;
use crate::compacted_days::CompactedDay;
use crate::compaction::{access_days_of, disclosures_per_day};
use crate::disclosure_sets::SetMembers;
use crate::error::Result;
use crate::store::{Reader, Writer};

/// The compacted tables keep "none" as an empty text.
fn or_empty(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or_default()
}

impl Reader<'_> {
    /// Hands each entry of the detailed access log to `visit`, oldest first, with the number of
    /// the set of beliefs it disclosed (its `disclosed` left empty): a year of entries is written
    /// out as it is read.
    pub fn for_each_carried_access(
        &self,
        visit: impl FnMut(AccessEntry, Option<i64>) -> Result<()>,
    ) -> Result<()> {
        let all = AccessFilter {
            without_disclosed: true,
            ..AccessFilter::default()
        };
        self.for_each_access_with_set(&all, visit)
    }

    /// How many entries the detailed access log holds.
    pub fn count_carried_access(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) AS n FROM access_entries", [], |r| {
                r.get("n")
            })?)
    }

    /// The sets of beliefs the detailed access log disclosed, by number, each read once however
    /// many entries disclosed it.
    pub fn carried_sets(&self) -> Result<BTreeMap<i64, Vec<BeliefId>>> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT disclosed_set FROM access_entries WHERE disclosed_set IS NOT NULL",
        )?;
        let numbers = stmt
            .query_map([], |r| r.get::<_, i64>("disclosed_set"))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut members = SetMembers::new(self.conn);
        numbers
            .into_iter()
            .map(|set| Ok((set, members.of_set(set)?)))
            .collect()
    }

    /// The compacted access log's requests per day, as stored (without the detailed log).
    pub fn compacted_access_days(&self) -> Result<Vec<AccessDay>> {
        let mut stmt = self.conn.prepare(
            "SELECT day, grant_id, vendor_id, purpose, operation, outcome, reason, requests, \
                    1 AS compacted \
             FROM access_days ORDER BY 1, 2, 3, 4, 5, 6, 7",
        )?;
        access_days_of(&mut stmt, [])
    }

    /// The compacted access log's disclosures per belief and day, as stored.
    pub fn compacted_disclosure_days(&self) -> Result<Vec<DisclosureDay>> {
        // No instant is both at or after 0 and before it: the detailed log is left out.
        let compacted_only = [
            Value::Integer(0),
            Value::Integer(0),
            Value::Null,
            Value::Null,
        ];
        disclosures_per_day(self.conn, compacted_only)
    }

    /// Every tombstone digest and when it was laid, oldest first.
    pub fn tombstones(&self) -> Result<Vec<(Vec<u8>, DateTime<Utc>)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT digest, at FROM tombstones ORDER BY at, digest")?;
        stmt.query_and_then([], |r| {
            Ok((r.get("digest")?, parse_time(&r.get::<_, String>("at")?)?))
        })?
        .collect()
    }
}

impl Writer<'_> {
    /// Appends an entry of another vault's access log with its time and request count; its
    /// disclosed beliefs are stored as a set, as [`Writer::append_access`] does.
    pub fn append_carried_access(
        &mut self,
        a: &NewAccess,
        at: DateTime<Utc>,
        requests: u64,
    ) -> Result<u64> {
        self.insert_disclosing(a, at, requests.max(1), None)
    }

    /// Adds one day of another vault's compacted log. The same day imported again keeps the
    /// larger count, so a file read twice is counted once.
    pub fn merge_access_day(&mut self, d: &AccessDay) -> Result<()> {
        let (outcome, reason) = match &d.outcome {
            Outcome::Allowed => ("allowed", ""),
            Outcome::Denied(r) => ("denied", r.as_str()),
        };
        self.tx
            .prepare_cached(
                "INSERT INTO access_days (day, grant_id, vendor_id, purpose, operation, outcome, \
                   reason, requests) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT DO UPDATE SET requests = max(requests, excluded.requests)",
            )?
            .execute(params![
                d.day.to_string(),
                or_empty(&d.grant_id),
                or_empty(&d.vendor_id),
                or_empty(&d.purpose),
                d.operation,
                outcome,
                reason,
                d.requests.max(1)
            ])?;
        Ok(())
    }

    /// Adds another vault's compacted disclosures, as [`Writer::merge_access_day`] does: per
    /// belief, day, grant, vendor and purpose the larger count is kept, so a file read twice is
    /// counted once. A day's beliefs with the same count are stored as one set.
    pub fn merge_disclosure_days(&mut self, days: &[DisclosureDay]) -> Result<()> {
        let mut incoming: BTreeMap<[String; 4], BTreeMap<BeliefId, u64>> = BTreeMap::new();
        for d in days {
            // Texts from a file are kept as the access log keeps its own.
            let key = [
                d.day.to_string(),
                logged(&d.grant_id),
                logged(&d.vendor_id),
                logged(or_empty(&d.purpose)),
            ];
            let times = incoming
                .entry(key)
                .or_default()
                .entry(d.belief_id)
                .or_default();
            *times = (*times).max(d.times.max(1));
        }
        for ([day, grant, vendor, purpose], counts) in incoming {
            // A compacted day keeps "none" as 0.
            let mut number = |t: &str| -> Result<i64> {
                Ok(self
                    .text_number(Some(t).filter(|t| !t.is_empty()))?
                    .unwrap_or(0))
            };
            let day = CompactedDay {
                day,
                grant: number(&grant)?,
                vendor: number(&vendor)?,
                purpose: number(&purpose)?,
            };
            let (mut merged, former) = self.compacted_counts(&day)?;
            let mut grew = false;
            for (belief, times) in counts {
                let held = merged.entry(belief).or_default();
                if times > *held {
                    *held = times;
                    grew = true;
                }
            }
            if grew {
                self.rewrite_compacted_day(&day, merged, &former)?;
            }
        }
        Ok(())
    }
}
