//! The vendor access log: every request with what it disclosed, in integer-coded columns (texts
//! numbered once in `log_texts`, times in microseconds, the disclosed beliefs a set stored once),
//! and the reads that answer "what did each vendor receive" and "who received this belief".

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, ToSql, params};
use selfmodel_core::{AccessEntry, BeliefId, NewAccess, Outcome};

use crate::MAX_ENTRIES_PER_DAY;
use crate::codec::{from_micros, micros};
use crate::disclosure_sets::{SetMembers, holds_belief, set_holds};
use crate::error::{Result, VaultError};
use crate::store::{Reader, Writer};
use crate::this_minute::{self, RowKey};

/// Which access-log entries to list.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    /// Only this grant.
    pub grant_id: Option<String>,
    /// Only this vendor id.
    pub vendor_id: Option<String>,
    /// Only this purpose.
    pub purpose: Option<String>,
    /// Only entries that disclosed this belief.
    pub belief_id: Option<BeliefId>,
    /// Only entries after this sequence number.
    pub after_seq: Option<u64>,
    /// Only entries before this sequence number.
    pub before_seq: Option<u64>,
    /// Only refused requests.
    pub denied_only: bool,
    /// At most this many: the oldest, or the newest with `newest_first`.
    pub limit: Option<u64>,
    /// Newest first (a page of the latest entries) instead of oldest first.
    pub newest_first: bool,
    /// Only entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Leave each entry's `disclosed` empty, for readers that need only who asked and when
    /// (alerts): the ids are then not read at all.
    pub without_disclosed: bool,
}

/// An access-log entry's columns as they are stored: every text through [`logged`].
struct LoggedRow {
    grant_id: Option<String>,
    vendor_id: Option<String>,
    purpose: Option<String>,
    operation: String,
    outcome: &'static str,
    reason: Option<String>,
}

impl LoggedRow {
    fn of(a: &NewAccess) -> Self {
        let text = |s: &Option<String>| s.as_deref().map(logged);
        let (outcome, reason) = match &a.outcome {
            Outcome::Allowed => ("allowed", None),
            Outcome::Denied(r) => ("denied", Some(logged(r))),
        };
        Self {
            grant_id: text(&a.grant_id),
            vendor_id: text(&a.vendor_id),
            purpose: text(&a.purpose),
            operation: logged(&a.operation),
            outcome,
            reason,
        }
    }
}

/// Longest text an access-log column keeps, in characters.
pub const MAX_LOGGED_CHARS: usize = 100;

/// Text as the access log keeps it: at most [`MAX_LOGGED_CHARS`] characters, hidden characters
/// ([`selfmodel_core::text::is_hidden`]) replaced. The use-case layer logs only validated text;
/// this is the backstop for every row.
pub(crate) fn logged(s: &str) -> String {
    s.chars()
        .take(MAX_LOGGED_CHARS)
        .map(|c| {
            if selfmodel_core::text::is_hidden(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// Who received one belief: per grant, how often and when last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The grant.
    pub grant_id: String,
    /// The vendor's id.
    pub vendor_id: String,
    /// How many requests disclosed it.
    pub times: u64,
    /// When it was last disclosed.
    pub last_at: DateTime<Utc>,
}

impl Reader<'_> {
    /// How many allowed requests each grant has made (claiming its token is not one): (grant id,
    /// count).
    pub fn access_counts(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT grant_id, sum(n) AS requests FROM ( \
               SELECT grant_id, sum(requests) AS n FROM access_log \
               WHERE grant_id IS NOT NULL AND outcome = 'allowed' AND operation <> 'grant.claim' \
               GROUP BY grant_id \
               UNION ALL \
               SELECT grant_id, sum(requests) FROM access_days \
               WHERE grant_id <> '' AND outcome = 'allowed' AND operation <> 'grant.claim' \
               GROUP BY grant_id) \
             GROUP BY grant_id",
        )?;
        Ok(stmt
            .query_map([], |r| Ok((r.get("grant_id")?, r.get("requests")?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Access-log entries matching the filter, oldest first unless it asks for the newest. Only
    /// the filters that are set are in the query, so that each can use its index (a time range
    /// reads only its days).
    pub fn access_log(&self, f: &AccessFilter) -> Result<Vec<AccessEntry>> {
        let mut entries = Vec::new();
        self.for_each_access(f, |e| {
            entries.push(e);
            Ok(())
        })?;
        Ok(entries)
    }

    /// Hands each entry [`Reader::access_log`] would list to `visit`, in the same order, without
    /// holding them: a year of entries can be written out as it is read.
    pub fn for_each_access(
        &self,
        f: &AccessFilter,
        mut visit: impl FnMut(AccessEntry) -> Result<()>,
    ) -> Result<()> {
        self.for_each_access_with_set(f, |e, _| visit(e))
    }

    /// [`Reader::for_each_access`], each entry handed over with the number of the stored set it
    /// disclosed.
    pub(crate) fn for_each_access_with_set(
        &self,
        f: &AccessFilter,
        mut visit: impl FnMut(AccessEntry, Option<i64>) -> Result<()>,
    ) -> Result<()> {
        use rusqlite::types::Value;
        let mut sql = String::from(
            "SELECT e.seq, e.at, g.text AS grant_id, v.text AS vendor_id, p.text AS purpose, \
                    o.text AS operation, e.denied, r.text AS reason, e.requests, \
                    e.disclosed_set \
             FROM access_entries e",
        );
        if f.since.is_some() && f.grant_id.is_none() {
            sql.push_str(" INDEXED BY access_entries_by_time");
        }
        sql.push_str(
            " LEFT JOIN log_texts g ON g.id = e.grant_id \
              LEFT JOIN log_texts v ON v.id = e.vendor_id \
              LEFT JOIN log_texts p ON p.id = e.purpose \
              LEFT JOIN log_texts o ON o.id = e.operation \
              LEFT JOIN log_texts r ON r.id = e.reason \
              WHERE e.seq > ?",
        );
        let mut values = vec![Value::Integer(
            f.after_seq
                .map_or(0, |a| i64::try_from(a).unwrap_or(i64::MAX)),
        )];
        if let Some(before) = f.before_seq {
            sql.push_str(" AND e.seq < ?");
            values.push(Value::Integer(i64::try_from(before).unwrap_or(i64::MAX)));
        }
        if f.denied_only {
            sql.push_str(" AND e.denied = 1");
        }
        let text = "(SELECT id FROM log_texts WHERE text = ?)";
        for (column, wanted) in [
            ("grant_id", &f.grant_id),
            ("vendor_id", &f.vendor_id),
            ("purpose", &f.purpose),
        ] {
            if let Some(wanted) = wanted {
                sql.push_str(&format!(" AND e.{column} = {text}"));
                values.push(Value::Text(wanted.clone()));
            }
        }
        if let Some(belief) = f.belief_id {
            sql.push_str(" AND ");
            sql.push_str(&holds_belief("e.disclosed_set", "?"));
            values.push(Value::Text(belief.to_string()));
        }
        if let Some(since) = &f.since {
            sql.push_str(" AND e.at >= ?");
            values.push(Value::Integer(micros(since)));
        }
        sql.push_str(if f.newest_first {
            " ORDER BY e.seq DESC LIMIT ?"
        } else {
            " ORDER BY e.seq LIMIT ?"
        });
        values.push(Value::Integer(
            f.limit
                .map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX)),
        ));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        // Looked up by name once, not on every row: the whole log may be read.
        let column = |name| stmt.column_index(name);
        let [
            seq,
            at,
            grant_id,
            vendor_id,
            purpose,
            operation,
            denied,
            reason,
            requests,
            disclosed_set,
        ] = [
            column("seq")?,
            column("at")?,
            column("grant_id")?,
            column("vendor_id")?,
            column("purpose")?,
            column("operation")?,
            column("denied")?,
            column("reason")?,
            column("requests")?,
            column("disclosed_set")?,
        ];
        // Entries that disclosed the same set read it once.
        let mut members = SetMembers::new(self.conn);
        let mut sets: HashMap<i64, Vec<BeliefId>> = HashMap::new();
        let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
        while let Some(r) = rows.next()? {
            let set = r.get::<_, Option<i64>>(disclosed_set)?;
            let disclosed = match set {
                Some(set) if !f.without_disclosed => match sets.get(&set) {
                    Some(ids) => ids.clone(),
                    None => {
                        let ids = members.of_set(set)?;
                        sets.insert(set, ids.clone());
                        ids
                    }
                },
                _ => Vec::new(),
            };
            visit(
                AccessEntry {
                    seq: r.get(seq)?,
                    at: from_micros(r.get(at)?)?,
                    grant_id: r.get(grant_id)?,
                    vendor_id: r.get(vendor_id)?,
                    purpose: r.get(purpose)?,
                    operation: r.get(operation)?,
                    outcome: if r.get::<_, bool>(denied)? {
                        Outcome::Denied(r.get::<_, Option<String>>(reason)?.unwrap_or_default())
                    } else {
                        Outcome::Allowed
                    },
                    disclosed,
                    requests: r.get(requests)?,
                },
                set,
            )?;
        }
        Ok(())
    }

    /// What each vendor received, from the detailed and the compacted log alike: per vendor id,
    /// the distinct beliefs disclosed to it, only under `grant_id` when given. Each stored set is
    /// read once per vendor however many requests disclosed it, so the cost follows the sets,
    /// not the requests.
    pub fn received(&self, grant_id: Option<&str>) -> Result<Vec<(String, Vec<BeliefId>)>> {
        // One grant's entries are found through its index; all of them, by one scan.
        let only_grant = if grant_id.is_some() {
            "AND grant_id = (SELECT id FROM log_texts WHERE text = ?1)"
        } else {
            "AND ?1 IS NULL"
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT v.text AS vendor_id, x.set_id AS set_id FROM ( \
               SELECT vendor_id, disclosed_set AS set_id FROM access_entries \
               WHERE disclosed_set IS NOT NULL AND denied = 0 {only_grant} \
               UNION \
               SELECT vendor_id, set_id FROM disclosed_days WHERE true {only_grant}) x \
             JOIN log_texts v ON v.id = x.vendor_id \
             ORDER BY v.text"
        ))?;
        let pairs = stmt
            .query_map([grant_id], |r| {
                Ok((r.get::<_, String>("vendor_id")?, r.get::<_, i64>("set_id")?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut members = SetMembers::new(self.conn);
        let mut received: Vec<(String, BTreeSet<BeliefId>)> = Vec::new();
        for (vendor, set) in pairs {
            let ids = members.of_set(set)?;
            match received.last_mut() {
                Some((v, beliefs)) if *v == vendor => beliefs.extend(ids),
                _ => received.push((vendor, ids.into_iter().collect())),
            }
        }
        Ok(received
            .into_iter()
            .map(|(vendor, beliefs)| (vendor, beliefs.into_iter().collect()))
            .collect())
    }

    /// Who received a belief: per grant, how often and when last (to the day for the compacted
    /// part of the log).
    pub fn recipients(&self, belief: BeliefId) -> Result<Vec<Recipient>> {
        // The sets holding the belief are found once (one scan) for both logs.
        let mut stmt = self.conn.prepare_cached(&format!(
            "WITH held (id) AS MATERIALIZED (SELECT id FROM disclosure_sets WHERE {}) \
             SELECT grant_id, vendor_id, sum(n) AS times, max(last) AS last_at FROM ( \
               SELECT g.text AS grant_id, v.text AS vendor_id, a.n AS n, a.last AS last \
               FROM (SELECT grant_id, vendor_id, sum(requests) AS n, max(at) AS last \
                     FROM access_entries WHERE disclosed_set IN (SELECT id FROM held) \
                     GROUP BY grant_id, vendor_id) a \
               LEFT JOIN log_texts g ON g.id = a.grant_id \
               LEFT JOIN log_texts v ON v.id = a.vendor_id \
               UNION ALL \
               SELECT coalesce(g.text, ''), coalesce(v.text, ''), sum(d.times), \
                      unixepoch(max(d.day)) * 1000000 \
               FROM disclosed_days d \
               LEFT JOIN log_texts g ON g.id = d.grant_id \
               LEFT JOIN log_texts v ON v.id = d.vendor_id \
               WHERE d.set_id IN (SELECT id FROM held) GROUP BY 1, 2) \
             GROUP BY 1, 2 ORDER BY max(last) DESC",
            set_holds("members", "?1")
        ))?;
        stmt.query_and_then([belief.to_string()], |r| {
            Ok(Recipient {
                grant_id: r.get("grant_id")?,
                vendor_id: r.get("vendor_id")?,
                times: r.get("times")?,
                last_at: from_micros(r.get("last_at")?)?,
            })
        })?
        .collect()
    }
}

/// The UTC day `at` falls in, as days since 1970-01-01.
fn day_number(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(86_400)
}

/// The meta key holding the last access-log entry an export carried (see
/// [`Writer::seal_access_log`]).
const SEALED_KEY: &str = "access_log_sealed_seq";

impl Writer<'_> {
    /// Appends an access-log entry with the beliefs it disclosed; this records the transaction.
    /// Every text column is kept bounded and free of control characters. The disclosed beliefs
    /// are stored as a set, once: a request that discloses a set already stored only refers to
    /// it.
    ///
    /// A request that repeats one already logged this minute (the same grant, vendor, purpose,
    /// operation, outcome and disclosed set) adds to that entry's count of requests instead
    /// (`this_minute`): a vendor polling or re-reading in a loop grows the log by one
    /// row a minute, and every request is still counted.
    ///
    /// A grant's new sets and new entries count against its allowance for the day
    /// (`daily_allowance`): past it, nothing is written and the answer is
    /// [`VaultError::TooManyNewSets`] or [`VaultError::TooManyEntries`]. The refusal that stands
    /// for such a request ([`NewAccess::over_allowance`]) is always logged.
    pub fn append_access(&mut self, a: &NewAccess, at: DateTime<Utc>) -> Result<u64> {
        let coded = self.coded(a)?;
        let spent = match coded.grant_id {
            Some(grant) if !a.goes_past_allowance() => !self.may_add_entry(grant, at)?,
            _ => false,
        };
        if spent && a.counts_every_request() {
            return Err(VaultError::TooManyEntries {
                day: at.date_naive(),
            });
        }
        // A grant past its entries for the day may still repeat what it did this minute.
        let set = if !spent {
            let allowance = a.grant_id.as_deref().map(|grant| (grant, at));
            self.set_disclosed(a, allowance)?
        } else if a.disclosed.is_empty() {
            None
        } else {
            Some(
                self.stored_set(&a.disclosed)?
                    .ok_or(VaultError::TooManyEntries {
                        day: at.date_naive(),
                    })?,
            )
        };
        let key = RowKey { set, ..coded };
        let repeated = match self.this_minute.row(&key, at) {
            Some(seq) => self.count_one_more(seq, &key, at)?.then_some(seq),
            None => None,
        };
        let (seq, counted) = match repeated {
            Some(seq) => (seq, a.counts_every_request()),
            None if spent => {
                return Err(VaultError::TooManyEntries {
                    day: at.date_naive(),
                });
            }
            None => {
                let seq = self.insert_coded(&key, at, 1)?;
                self.this_minute.remember(key, at, seq);
                (seq, true)
            }
        };
        if let Some(grant) = coded.grant_id.filter(|_| counted) {
            self.count_entry(grant, at)?;
        }
        self.recorded = true;
        Ok(seq)
    }

    /// Whether grant number `grant` may add another entry on the day of `at`
    /// ([`crate::daily_allowance`]). The count kept in the vault (`grant_day_entries`) is read
    /// when the grant first writes on a day and whenever this connection's count says it is
    /// spent: that one also holds entries of transactions rolled back since.
    fn may_add_entry(&mut self, grant: i64, at: DateTime<Utc>) -> Result<bool> {
        let day = day_number(at);
        match self.allowance.entries(grant, at) {
            Some(n) if n < MAX_ENTRIES_PER_DAY => return Ok(true),
            Some(_) => {}
            None => {
                self.tx
                    .prepare_cached(
                        "DELETE FROM grant_day_entries WHERE grant_id = ?1 AND day < ?2",
                    )?
                    .execute(params![grant, day])?;
            }
        }
        let n: u32 = self
            .tx
            .prepare_cached(
                "SELECT entries FROM grant_day_entries WHERE grant_id = ?1 AND day = ?2",
            )?
            .query_row(params![grant, day], |r| r.get("entries"))
            .optional()?
            .unwrap_or(0);
        self.allowance.set_entries(grant, at, n);
        Ok(n < MAX_ENTRIES_PER_DAY)
    }

    /// Counts an entry of grant number `grant` on the day of `at`, in this transaction.
    fn count_entry(&mut self, grant: i64, at: DateTime<Utc>) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO grant_day_entries (grant_id, day, entries) VALUES (?1, ?2, 1) \
                 ON CONFLICT (grant_id, day) DO UPDATE SET entries = entries + 1",
            )?
            .execute(params![grant, day_number(at)])?;
        self.allowance.add_entry(grant, at);
        Ok(())
    }

    /// Adds a request to entry `seq` if it still records `key` in the minute of `at` (a
    /// remembered entry may have been rolled back, and its number reused) and has not been
    /// exported since ([`Writer::seal_access_log`]); whether it did.
    fn count_one_more(&mut self, seq: u64, key: &RowKey, at: DateTime<Utc>) -> Result<bool> {
        let minute_start = this_minute::minute_of(at) * 60_000_000;
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE access_entries SET requests = requests + 1 \
                 WHERE seq = ?1 AND at >= ?2 AND at < ?2 + 60000000 AND grant_id IS ?3 \
                 AND vendor_id IS ?4 AND purpose IS ?5 AND operation IS ?6 AND denied = ?7 \
                 AND reason IS ?8 AND disclosed_set IS ?9 \
                 AND seq > coalesce((SELECT CAST(value AS INTEGER) FROM meta \
                                     WHERE key = ?10), 0)",
            )?
            .execute(rusqlite::params_from_iter(
                [&seq as &dyn ToSql, &minute_start]
                    .into_iter()
                    .chain(key.columns())
                    .chain([&SEALED_KEY as &dyn ToSql]),
            ))?;
        Ok(changed == 1)
    }

    /// Marks every entry logged so far as final: a request repeated later in the same minute
    /// starts an entry of its own instead of adding to one. For an export, whose file carries
    /// the entries as they are now and whose next export carries only those after them.
    pub fn seal_access_log(&mut self) -> Result<()> {
        self.tx.execute(
            "INSERT INTO meta (key, value) \
             SELECT ?1, CAST(coalesce(max(seq), 0) AS TEXT) FROM access_entries \
             WHERE true ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [SEALED_KEY],
        )?;
        Ok(())
    }

    /// Inserts an entry standing for `requests` requests, its disclosed beliefs stored as a set
    /// ([`Writer::disclosure_set`], which `allowance` passes on).
    pub(crate) fn insert_disclosing(
        &mut self,
        a: &NewAccess,
        at: DateTime<Utc>,
        requests: u64,
        allowance: Option<(&str, DateTime<Utc>)>,
    ) -> Result<u64> {
        let set = self.set_disclosed(a, allowance)?;
        self.insert_access(a, at, requests, set)
    }

    /// The stored set of what `a` disclosed, if anything ([`Writer::disclosure_set`], which
    /// `allowance` passes on).
    fn set_disclosed(
        &mut self,
        a: &NewAccess,
        allowance: Option<(&str, DateTime<Utc>)>,
    ) -> Result<Option<i64>> {
        if a.disclosed.is_empty() {
            return Ok(None);
        }
        self.disclosure_set(&a.disclosed, allowance).map(Some)
    }

    /// Appends one entry standing for `requests` refusals of callers without a valid token or
    /// poll secret in the minute starting at `minute`: no grant, vendor or purpose, only the
    /// operation and the reason. This records the transaction.
    pub fn append_refusals(
        &mut self,
        minute: DateTime<Utc>,
        operation: &str,
        reason: &str,
        requests: u64,
    ) -> Result<u64> {
        let refusal = NewAccess {
            grant_id: None,
            vendor_id: None,
            purpose: None,
            operation: operation.to_owned(),
            outcome: Outcome::Denied(reason.to_owned()),
            disclosed: Vec::new(),
        };
        let seq = self.insert_access(&refusal, minute, requests.max(1), None)?;
        self.recorded = true;
        Ok(seq)
    }

    /// Writes a row for `a`; every text goes through [`logged`].
    fn insert_access(
        &mut self,
        a: &NewAccess,
        at: DateTime<Utc>,
        requests: u64,
        set: Option<i64>,
    ) -> Result<u64> {
        let key = RowKey {
            set,
            ..self.coded(a)?
        };
        self.insert_coded(&key, at, requests)
    }

    /// The one place an access-log row is written.
    fn insert_coded(&mut self, key: &RowKey, at: DateTime<Utc>, requests: u64) -> Result<u64> {
        self.tx
            .prepare_cached(
                "INSERT INTO access_entries (at, requests, grant_id, vendor_id, purpose, \
                   operation, denied, reason, disclosed_set) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(rusqlite::params_from_iter(
                [&micros(&at) as &dyn ToSql, &requests]
                    .into_iter()
                    .chain(key.columns()),
            ))?;
        Ok(self.tx.last_insert_rowid() as u64)
    }

    /// The access-log row for `a`, its texts bounded ([`logged`]) and replaced by their numbers;
    /// no disclosed set.
    fn coded(&mut self, a: &NewAccess) -> Result<RowKey> {
        let row = LoggedRow::of(a);
        Ok(RowKey {
            grant_id: self.text_number(row.grant_id.as_deref())?,
            vendor_id: self.text_number(row.vendor_id.as_deref())?,
            purpose: self.text_number(row.purpose.as_deref())?,
            operation: self.text_number(Some(&row.operation))?,
            denied: row.outcome != "allowed",
            reason: self.text_number(row.reason.as_deref())?,
            set: None,
        })
    }

    /// The number of an access-log text, given it on its first use.
    pub(crate) fn text_number(&mut self, text: Option<&str>) -> Result<Option<i64>> {
        let Some(text) = text else { return Ok(None) };
        if let Some(number) = self.log_codes.text(text) {
            return Ok(Some(number));
        }
        let found = self
            .tx
            .prepare_cached("SELECT id FROM log_texts WHERE text = ?1")?
            .query_row([text], |r| r.get("id"))
            .optional()?;
        let number = match found {
            Some(number) => number,
            None => {
                self.tx
                    .prepare_cached("INSERT INTO log_texts (text) VALUES (?1)")?
                    .execute([text])?;
                self.tx.last_insert_rowid()
            }
        };
        self.log_codes.learn_text(text, number);
        Ok(Some(number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_text_is_bounded_and_free_of_control_characters() {
        let hostile = format!("a\u{1b}[2J\r\n{}", "z".repeat(300_000));
        let kept = logged(&hostile);
        assert_eq!(kept.chars().count(), MAX_LOGGED_CHARS);
        assert!(!kept.chars().any(char::is_control));
        assert!(kept.starts_with("a\u{FFFD}[2J\u{FFFD}\u{FFFD}z"));
        assert_eq!(logged("com.example.notes"), "com.example.notes");
    }
}
