//! How many disclosure sets each grant added to the vault today (UTC). A read that would store a
//! new set past [`MAX_NEW_SETS_PER_DAY`] is refused, so that a vendor asking for ever different
//! pages (each shifted by one belief, or a new search every time) cannot grow the vault by more
//! than 1–2 MB a day, while every page it already received still reads. The counts are kept
//! in memory: they start again when the vault is unlocked again, which only the person does.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

/// New disclosure sets one grant may add to the vault in a UTC day: reading every page of a
/// 10,000-belief model ten at a time takes 1,000.
pub const MAX_NEW_SETS_PER_DAY: u32 = 2_000;

/// Today's new sets per grant.
#[derive(Debug, Default)]
pub(crate) struct NewSets {
    day: Option<NaiveDate>,
    counts: HashMap<String, u32>,
}

impl NewSets {
    /// Whether `grant` may add another set at `at`.
    pub(crate) fn allows(&mut self, grant: &str, at: DateTime<Utc>) -> bool {
        self.roll(at);
        self.counts.get(grant).copied().unwrap_or(0) < MAX_NEW_SETS_PER_DAY
    }

    /// Counts a set `grant` added at `at`.
    pub(crate) fn add(&mut self, grant: &str, at: DateTime<Utc>) {
        self.roll(at);
        *self.counts.entry(grant.to_owned()).or_default() += 1;
    }

    /// Forgets the counts of an earlier day.
    fn roll(&mut self, at: DateTime<Utc>) {
        let today = at.date_naive();
        if self.day != Some(today) {
            self.day = Some(today);
            self.counts.clear();
        }
    }
}
