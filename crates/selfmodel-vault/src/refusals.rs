//! Refusals of callers without a valid token or poll secret: counted in memory and written to
//! the access log as one row per UTC minute, operation and reason, never one row per request.
//! Nobody authenticated made them, so nothing they sent (ids, purposes) is kept, and guessing
//! tokens or flooding the grant flow adds at most a few rows a minute to the vault.

use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use crate::error::Result;
use crate::store::Writer;

/// The UTC minute `at` falls in.
fn minute(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at)
}

type Key = (DateTime<Utc>, &'static str, &'static str);
/// Refusals of one minute, operation and reason, and how many.
pub(crate) type Counted = (Key, u64);

/// Counted refusals not yet written: per (minute, operation, reason code).
#[derive(Debug, Default)]
pub(crate) struct Refusals {
    counts: BTreeMap<Key, u64>,
}

impl Refusals {
    pub(crate) fn count(
        &mut self,
        at: DateTime<Utc>,
        operation: &'static str,
        reason: &'static str,
    ) {
        *self
            .counts
            .entry((minute(at), operation, reason))
            .or_default() += 1;
    }

    /// Whether anything is counted for a minute before `now`'s.
    pub(crate) fn due(&self, now: DateTime<Utc>) -> bool {
        self.counts
            .keys()
            .next()
            .is_some_and(|(m, _, _)| *m < minute(now))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The counts, to be written; [`Refusals::forget`] them once committed.
    pub(crate) fn snapshot(&self) -> Vec<Counted> {
        self.counts.iter().map(|(k, n)| (*k, *n)).collect()
    }

    /// Takes written counts off (refusals counted meanwhile stay).
    pub(crate) fn forget(&mut self, written: &[Counted]) {
        for (key, n) in written {
            if let Some(left) = self.counts.get_mut(key) {
                *left = left.saturating_sub(*n);
                if *left == 0 {
                    self.counts.remove(key);
                }
            }
        }
    }
}

impl Writer<'_> {
    /// Appends the counted refusals as access-log rows (which records this transaction) and
    /// returns what was written, for [`Refusals::forget`] after the commit.
    pub(crate) fn append_counted(&mut self) -> Result<Vec<Counted>> {
        let counts = self.refusals.snapshot();
        for ((minute, operation, reason), n) in &counts {
            self.append_refusals(*minute, operation, reason, *n)?;
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32, second: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(9, minute, second))
            .map(|t| t.and_utc())
            .unwrap_or_default()
    }

    #[test]
    fn refusals_are_counted_per_minute_and_due_once_it_has_passed() {
        let mut r = Refusals::default();
        for s in 0..30 {
            r.count(at(1, s), "beliefs.read", "invalid_token");
        }
        r.count(at(1, 59), "grant.poll", "invalid_poll_secret");
        assert!(!r.due(at(1, 59)));
        assert!(r.due(at(2, 0)));
        let written = r.snapshot();
        assert_eq!(
            written,
            [
                ((at(1, 0), "beliefs.read", "invalid_token"), 30),
                ((at(1, 0), "grant.poll", "invalid_poll_secret"), 1),
            ]
        );
        // Counted while the rows were being written: kept for the next time.
        r.count(at(1, 59), "beliefs.read", "invalid_token");
        r.forget(&written);
        assert_eq!(
            r.snapshot(),
            [((at(1, 0), "beliefs.read", "invalid_token"), 1)]
        );
    }
}
