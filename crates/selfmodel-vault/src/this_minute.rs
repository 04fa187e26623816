//! This minute's access-log rows by what they record, so that a request repeating one already
//! logged in the same minute (the same grant, vendor, purpose, operation, outcome and disclosed
//! set) adds to that row's count instead of writing a row of its own. A vendor re-reading a page
//! in a loop then costs the vault one row a minute, not one row a request, and every request is
//! still counted. Kept in memory and forgotten when the minute turns; a remembered row is only
//! added to when it still records exactly the same thing (see `Writer::append_access`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::ToSql;

/// What an access-log row records, by the numbers it is stored with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RowKey {
    pub(crate) grant_id: Option<i64>,
    pub(crate) vendor_id: Option<i64>,
    pub(crate) purpose: Option<i64>,
    pub(crate) operation: Option<i64>,
    pub(crate) denied: bool,
    pub(crate) reason: Option<i64>,
    pub(crate) set: Option<i64>,
}

impl RowKey {
    /// Its values in the order `grant_id, vendor_id, purpose, operation, denied, reason,
    /// disclosed_set`.
    pub(crate) fn columns(&self) -> [&dyn ToSql; 7] {
        [
            &self.grant_id,
            &self.vendor_id,
            &self.purpose,
            &self.operation,
            &self.denied,
            &self.reason,
            &self.set,
        ]
    }
}

/// The rows written in the current minute.
#[derive(Debug, Default)]
pub(crate) struct ThisMinute {
    minute: i64,
    rows: HashMap<RowKey, u64>,
}

impl ThisMinute {
    /// The row written this minute for `key`, if any.
    pub(crate) fn row(&mut self, key: &RowKey, at: DateTime<Utc>) -> Option<u64> {
        self.roll(at);
        self.rows.get(key).copied()
    }

    /// Remembers the row `seq` written at `at` for `key`.
    pub(crate) fn remember(&mut self, key: RowKey, at: DateTime<Utc>, seq: u64) {
        self.roll(at);
        self.rows.insert(key, seq);
    }

    /// Forgets the rows of an earlier minute.
    fn roll(&mut self, at: DateTime<Utc>) {
        let minute = minute_of(at);
        if self.minute != minute {
            self.minute = minute;
            self.rows.clear();
        }
    }
}

/// The minute `at` falls in, as minutes since the Unix epoch.
pub(crate) fn minute_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(60)
}
