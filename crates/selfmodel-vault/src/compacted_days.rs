//! The compacted access log's days: for each day, grant, vendor and purpose, how many times each
//! belief was disclosed, stored as sets of the beliefs disclosed the same number of times (a
//! vendor that reads every page once a day leaves one set a day, or the same set day after day).
//! Compaction adds to a day; an import keeps, per belief, the larger of two counts.

use std::collections::BTreeMap;

use rusqlite::params;
use selfmodel_core::BeliefId;

use crate::disclosure_sets::SetMembers;
use crate::error::Result;
use crate::store::Writer;

/// A compacted day: the day and the `log_texts` numbers of its grant, vendor and purpose (0:
/// none).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CompactedDay {
    pub(crate) day: String,
    pub(crate) grant: i64,
    pub(crate) vendor: i64,
    pub(crate) purpose: i64,
}

/// How many times a day disclosed each belief.
pub(crate) type Counts = BTreeMap<BeliefId, u64>;

impl Writer<'_> {
    /// What `day` holds, per belief (summed over its sets), and its sets.
    pub(crate) fn compacted_counts(&self, day: &CompactedDay) -> Result<(Counts, Vec<i64>)> {
        let stored: Vec<(i64, u64)> = self
            .tx
            .prepare_cached(
                "SELECT set_id, times FROM disclosed_days \
                 WHERE day = ?1 AND grant_id = ?2 AND vendor_id = ?3 AND purpose = ?4",
            )?
            .query_map(params![day.day, day.grant, day.vendor, day.purpose], |r| {
                Ok((r.get("set_id")?, r.get("times")?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut counts = Counts::new();
        let mut members = SetMembers::new(&self.tx);
        for &(set, times) in &stored {
            for belief in members.of_set(set)? {
                *counts.entry(belief).or_default() += times;
            }
        }
        Ok((counts, stored.into_iter().map(|(set, _)| set).collect()))
    }

    /// Writes `day` as `counts`, its beliefs grouped by count into sets. Its `former` sets go
    /// unless something else still refers to them.
    pub(crate) fn rewrite_compacted_day(
        &mut self,
        day: &CompactedDay,
        counts: Counts,
        former: &[i64],
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "DELETE FROM disclosed_days \
                 WHERE day = ?1 AND grant_id = ?2 AND vendor_id = ?3 AND purpose = ?4",
            )?
            .execute(params![day.day, day.grant, day.vendor, day.purpose])?;
        let mut by_count: BTreeMap<u64, Vec<BeliefId>> = BTreeMap::new();
        for (belief, times) in counts {
            by_count.entry(times).or_default().push(belief);
        }
        for (times, beliefs) in by_count {
            let set = self.disclosure_set(&beliefs, None)?;
            self.add_to_compacted_day(day, set, times)?;
        }
        for set in former {
            self.drop_set_if_unused(*set)?;
        }
        Ok(())
    }

    /// Adds `times` disclosures of stored set `set` to `day`.
    pub(crate) fn add_to_compacted_day(
        &mut self,
        day: &CompactedDay,
        set: i64,
        times: u64,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO disclosed_days (day, grant_id, vendor_id, purpose, set_id, times) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT DO UPDATE SET times = times + excluded.times",
            )?
            .execute(params![
                day.day,
                day.grant,
                day.vendor,
                day.purpose,
                set,
                times
            ])?;
        Ok(())
    }

    /// Deletes a set nothing refers to any more.
    pub(crate) fn drop_set_if_unused(&mut self, set: i64) -> Result<()> {
        self.log_codes.forget_sets();
        self.tx
            .prepare_cached(
                "DELETE FROM disclosure_sets WHERE id = ?1 \
                 AND NOT EXISTS (SELECT 1 FROM access_entries WHERE disclosed_set = ?1) \
                 AND NOT EXISTS (SELECT 1 FROM disclosed_days WHERE set_id = ?1)",
            )?
            .execute([set])?;
        Ok(())
    }
}
