//! The audit chain's table: reading it back (verifying each event against the one before) and
//! appending a sealed event, which is what lets a write transaction commit.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Statement, params};
use selfmodel_core::Hash;
use selfmodel_core::audit::{AuditAction, AuditEvent, ChainVerdict, PendingEvent};

use crate::audit_check::verify_rows;
use crate::codec::parse_time;
use crate::error::Result;
use crate::store::{Reader, Writer};

impl Reader<'_> {
    /// The whole audit chain, in order. A row altered so badly that it no longer parses is read
    /// in a form that fails verification at that event, rather than hiding the chain.
    pub fn audit_events(&self) -> Result<Vec<AuditEvent>> {
        let mut events = Vec::new();
        self.for_each_audit_event(|e| {
            events.push(e);
            Ok(())
        })?;
        Ok(events)
    }

    /// Hands each event of the chain to `f`, in order and read as [`Reader::audit_events`] reads
    /// them, without holding the chain in memory. An error from `f` stops the reading and is
    /// returned.
    pub fn for_each_audit_event(&self, mut f: impl FnMut(AuditEvent) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, action, subject, detail, prev, hash FROM audit_events ORDER BY seq",
        )?;
        let columns = EventColumns::of(&stmt)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            f(columns.event(r)?)?;
        }
        Ok(())
    }

    /// Up to `limit` events, newest first: those before event `before` when given, and only
    /// `action`'s when given. Pages through a chain of any length without reading all of it.
    pub fn audit_page(
        &self,
        before: Option<u64>,
        action: Option<AuditAction>,
        limit: u64,
    ) -> Result<Vec<AuditEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, action, subject, detail, prev, hash FROM audit_events \
             WHERE seq < ?1 AND (?2 IS NULL OR action = ?2) ORDER BY seq DESC LIMIT ?3",
        )?;
        let columns = EventColumns::of(&stmt)?;
        let before = before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let events = stmt
            .query_map(params![before, action.map(|a| a.as_str()), limit], |r| {
                columns.event(r)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(events)
    }

    /// Recomputes the audit chain as it is read: one scan of the table in sequence order, the
    /// events checked in that order on a second thread while the next rows are read
    /// (`audit_check`). The checks, their order and the verdict are those of
    /// [`selfmodel_core::audit::verify`] over [`Reader::audit_events`].
    pub fn verify_audit(&self) -> Result<ChainVerdict> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, action, subject, detail, prev, hash FROM audit_events ORDER BY seq",
        )?;
        let columns = EventColumns::of(&stmt)?;
        verify_rows(stmt.query([])?, &columns)
    }

    /// The last event's sequence number and hash (0 and [`Hash::GENESIS`] when empty).
    pub fn audit_head(&self) -> Result<(u64, Hash)> {
        let head: Option<(u64, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get("seq")?, r.get("hash")?)),
            )
            .optional()?;
        Ok(match head {
            None => (0, Hash::GENESIS),
            Some((seq, h)) => (seq, Hash::from_slice(&h).unwrap_or(Hash([0xff; 32]))),
        })
    }

    /// The event at position `seq` of the chain, if there is one (read like
    /// [`Reader::audit_events`]).
    pub fn audit_event(&self, seq: u64) -> Result<Option<AuditEvent>> {
        // Sequence numbers are SQLite integers: one past i64::MAX cannot exist.
        let Ok(seq) = i64::try_from(seq) else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, action, subject, detail, prev, hash FROM audit_events WHERE seq = ?1",
        )?;
        let columns = EventColumns::of(&stmt)?;
        Ok(stmt.query_row([seq], |r| columns.event(r)).optional()?)
    }
}

/// Where an event row's columns stand in a statement's result: looked up by name once per
/// statement, not on every row of a scan of the whole chain.
pub(crate) struct EventColumns {
    pub(crate) seq: usize,
    pub(crate) at: usize,
    pub(crate) action: usize,
    pub(crate) subject: usize,
    pub(crate) detail: usize,
    pub(crate) prev: usize,
    pub(crate) hash: usize,
}

impl EventColumns {
    fn of(stmt: &Statement<'_>) -> rusqlite::Result<Self> {
        let column = |name| stmt.column_index(name);
        Ok(Self {
            seq: column("seq")?,
            at: column("at")?,
            action: column("action")?,
            subject: column("subject")?,
            detail: column("detail")?,
            prev: column("prev")?,
            hash: column("hash")?,
        })
    }

    /// The event in a row as it reads back: a time or hash that no longer parses becomes one no
    /// event has, so verification fails at that event.
    fn event(&self, r: &Row<'_>) -> rusqlite::Result<AuditEvent> {
        let at: String = r.get(self.at)?;
        let prev: Vec<u8> = r.get(self.prev)?;
        let hash: Vec<u8> = r.get(self.hash)?;
        Ok(AuditEvent {
            seq: r.get(self.seq)?,
            at: parse_time(&at).unwrap_or(DateTime::UNIX_EPOCH),
            action: r.get(self.action)?,
            subject: r.get(self.subject)?,
            detail: r.get(self.detail)?,
            prev: Hash::from_slice(&prev).unwrap_or(Hash([0xff; 32])),
            hash: Hash::from_slice(&hash).unwrap_or(Hash([0xff; 32])),
        })
    }
}

impl Writer<'_> {
    /// Appends an event to the audit chain, sealed onto the current head.
    pub fn append_audit(&mut self, event: PendingEvent, at: DateTime<Utc>) -> Result<AuditEvent> {
        let (seq, head) = self.read().audit_head()?;
        let sealed = AuditEvent::seal(event, seq + 1, at, head);
        self.tx.execute(
            "INSERT INTO audit_events (seq, at, action, subject, detail, prev, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                sealed.seq,
                sealed.timestamp(),
                sealed.action,
                sealed.subject,
                sealed.detail,
                sealed.prev.0.as_slice(),
                sealed.hash.0.as_slice()
            ],
        )?;
        self.recorded = true;
        Ok(sealed)
    }
}
