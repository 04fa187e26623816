//! What each grant may add to the vault in a UTC day, so that no vendor, however it asks, grows
//! the person's vault by more than a few MB a day, while every page it already received in the
//! same minute still reads:
//! - new disclosure sets ([`MAX_NEW_SETS_PER_DAY`]): a vendor asking for ever different pages
//!   (each shifted by one belief, or a new search every time);
//! - new access-log entries disclosing beliefs ([`MAX_DISCLOSING_ENTRIES_PER_DAY`]): a vendor
//!   rotating through pages it already received, each read in a minute of its own a row.
//!
//! Past either, a read is refused. Entries are counted from the log when a grant first reads on
//! a day, so they hold across unlocks; new sets are counted in memory from the unlock on.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

/// New disclosure sets one grant may add to the vault in a UTC day: reading every page of a
/// 10,000-belief model ten at a time takes 1,000.
pub const MAX_NEW_SETS_PER_DAY: u32 = 2_000;

/// Access-log entries disclosing beliefs one grant may add in a UTC day (about 650 KB): a
/// vendor polling five pages every minute all day adds 7,200. Repeats of a page within its
/// minute add none ([`crate::this_minute`]).
pub const MAX_DISCLOSING_ENTRIES_PER_DAY: u32 = 10_000;

/// Today's counts per grant.
#[derive(Debug, Default)]
pub(crate) struct DailyAllowance {
    day: Option<NaiveDate>,
    /// New sets per grant id.
    sets: HashMap<String, u32>,
    /// Disclosing entries per grant, by the grant id's number in the log.
    entries: HashMap<i64, u32>,
}

impl DailyAllowance {
    /// Whether `grant` may add another set at `at`.
    pub(crate) fn allows_set(&mut self, grant: &str, at: DateTime<Utc>) -> bool {
        self.roll(at);
        self.sets.get(grant).copied().unwrap_or(0) < MAX_NEW_SETS_PER_DAY
    }

    /// Counts a set `grant` added at `at`.
    pub(crate) fn add_set(&mut self, grant: &str, at: DateTime<Utc>) {
        self.roll(at);
        *self.sets.entry(grant.to_owned()).or_default() += 1;
    }

    /// The disclosing entries grant number `grant` added on the day of `at`, if counted yet.
    pub(crate) fn entries(&mut self, grant: i64, at: DateTime<Utc>) -> Option<u32> {
        self.roll(at);
        self.entries.get(&grant).copied()
    }

    /// Sets the count of grant number `grant`'s disclosing entries on the day of `at`.
    pub(crate) fn set_entries(&mut self, grant: i64, at: DateTime<Utc>, n: u32) {
        self.roll(at);
        self.entries.insert(grant, n);
    }

    /// Counts a disclosing entry grant number `grant` added at `at`.
    pub(crate) fn add_entry(&mut self, grant: i64, at: DateTime<Utc>) {
        self.roll(at);
        *self.entries.entry(grant).or_default() += 1;
    }

    /// Forgets the counts of an earlier day.
    fn roll(&mut self, at: DateTime<Utc>) {
        let today = at.date_naive();
        if self.day != Some(today) {
            self.day = Some(today);
            self.sets.clear();
            self.entries.clear();
        }
    }
}
