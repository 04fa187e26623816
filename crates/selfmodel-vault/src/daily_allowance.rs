//! What each grant may add to the vault in a UTC day, so that no vendor, however it asks, grows
//! the person's vault by more than about 2 MB a day, while what it did in the same minute can
//! still be done again (and is counted on its entry):
//! - new disclosure sets ([`MAX_NEW_SETS_PER_DAY`]): a vendor asking for ever different pages
//!   (each shifted by one belief, or a new search every time);
//! - new access-log entries ([`MAX_ENTRIES_PER_DAY`]): a vendor rotating through pages it
//!   already received, or through purposes, operations and refusals, each in a minute of its
//!   own a row.
//!
//! Past either, a request is refused and the refusal is logged as one entry a minute per
//! operation (`NewAccess::over_allowance`). Every proposal counts, repeated within its minute
//! or not, so that what it costs cannot show whether it was dropped. Entries are counted in the
//! vault, in the transaction that adds them (migration 12), and read from it before a grant is
//! refused, so the count holds across unlocks, connections and rolled-back transactions; new
//! sets are counted in memory from the unlock on.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

/// New disclosure sets one grant may add to the vault in a UTC day: reading every page of a
/// 10,000-belief model ten at a time takes 1,000.
pub const MAX_NEW_SETS_PER_DAY: u32 = 2_000;

/// Access-log entries one grant may add in a UTC day (about 650 KB): a vendor polling five
/// pages every minute all day adds 7,200. Repeats within their minute add none
/// (`this_minute`), but every proposal counts. Past it, only entries that
/// `NewAccess::goes_past_allowance` are written: its refusals, one a minute per operation, its
/// giving up the grant, its reading of notices.
pub const MAX_ENTRIES_PER_DAY: u32 = 10_000;

/// Today's counts per grant.
#[derive(Debug, Default)]
pub(crate) struct DailyAllowance {
    day: Option<NaiveDate>,
    /// New sets per grant id.
    sets: HashMap<String, u32>,
    /// Entries per grant, by the grant id's number in the log.
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

    /// The entries grant number `grant` added on the day of `at`, if counted yet.
    pub(crate) fn entries(&mut self, grant: i64, at: DateTime<Utc>) -> Option<u32> {
        self.roll(at);
        self.entries.get(&grant).copied()
    }

    /// Sets the count of grant number `grant`'s entries on the day of `at`, as the vault has it.
    pub(crate) fn set_entries(&mut self, grant: i64, at: DateTime<Utc>, n: u32) {
        self.roll(at);
        self.entries.insert(grant, n);
    }

    /// Counts an entry grant number `grant` added at `at`.
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
