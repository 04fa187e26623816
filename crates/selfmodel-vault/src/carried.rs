//! The vendor record as an export carries it from one vault to another: the compacted access log
//! and the tombstones read as they are stored, and a record from another vault written in (the
//! grants and the detailed log use the reads and writes of `grants`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::params;
use selfmodel_core::{AccessDay, AccessEntry, BeliefId, DisclosureDay, NewAccess, Outcome};

use crate::access_log::AccessFilter;

use crate::codec::parse_time;
use crate::compaction::{access_days_of, disclosure_days_of};
use crate::disclosure_sets::SetMembers;
use crate::error::Result;
use crate::store::{Reader, Writer};

/// The detailed access log with its disclosed sets, as [`Reader::access_log_with_sets`] reads it.
pub struct CarriedLog {
    /// Entries, oldest first, with their set's number.
    pub entries: Vec<(AccessEntry, Option<i64>)>,
    /// The sets, by number.
    pub sets: BTreeMap<i64, Vec<BeliefId>>,
}

/// The compacted tables keep "none" as an empty text.
fn or_empty(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or_default()
}

impl Reader<'_> {
    /// The detailed access log, oldest first, each entry with the number of the set of beliefs
    /// it disclosed (its `disclosed` left empty), and those sets: each read once, however many
    /// entries disclosed it.
    pub fn access_log_with_sets(&self) -> Result<CarriedLog> {
        let mut entries = self.access_log(&AccessFilter {
            without_disclosed: true,
            ..AccessFilter::default()
        })?;
        let mut set_of: HashMap<u64, i64> = HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT seq, disclosed_set FROM access_entries WHERE disclosed_set IS NOT NULL",
        )?;
        for row in stmt.query_map([], |r| {
            Ok((r.get::<_, u64>("seq")?, r.get::<_, i64>("disclosed_set")?))
        })? {
            let (seq, set) = row?;
            set_of.insert(seq, set);
        }
        let mut members = SetMembers::new(self.conn);
        let mut sets: BTreeMap<i64, Vec<BeliefId>> = BTreeMap::new();
        for set in set_of.values() {
            if !sets.contains_key(set) {
                sets.insert(*set, members.of_set(*set)?);
            }
        }
        let entries = entries
            .drain(..)
            .map(|e| {
                let set = set_of.get(&e.seq).copied();
                (e, set)
            })
            .collect();
        Ok(CarriedLog { entries, sets })
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
        let mut stmt = self.conn.prepare(
            "SELECT belief_id, day, grant_id, vendor_id, purpose, times FROM disclosure_days \
             ORDER BY 2, 1, 3, 4, 5",
        )?;
        disclosure_days_of(&mut stmt, [])
    }

    /// Every tombstone digest and when it was laid, oldest first.
    pub fn tombstones(&self) -> Result<Vec<(Vec<u8>, DateTime<Utc>)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT digest, at FROM tombstones ORDER BY at, digest")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, Vec<u8>>("digest")?, r.get::<_, String>("at")?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(d, at)| Ok((d, parse_time(&at)?)))
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
        self.insert_disclosing(a, at, requests.max(1))
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

    /// Adds one belief's disclosures of one day from another vault's compacted log, as
    /// [`Writer::merge_access_day`] does.
    pub fn merge_disclosure_day(&mut self, d: &DisclosureDay) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO disclosure_days (belief_id, day, grant_id, vendor_id, purpose, times) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT DO UPDATE SET times = max(times, excluded.times)",
            )?
            .execute(params![
                d.belief_id.to_string(),
                d.day.to_string(),
                d.grant_id,
                d.vendor_id,
                or_empty(&d.purpose),
                d.times.max(1)
            ])?;
        Ok(())
    }
}
