//! Verifying the audit chain on two cores: the connection's thread reads the rows (SQLCipher's
//! page MACs and decryption are most of the cost) and hands them over in batches to a second
//! thread, which checks each event against the one before ([`ChainVerifier`]) while the next
//! batch is read. The events are checked one by one in sequence order, as a single thread would
//! check them, so the verdict is the same; only the reading and the hashing overlap.

use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use chrono::DateTime;
use rusqlite::Row;
use selfmodel_core::Hash;
use selfmodel_core::audit::{
    ChainVerdict, ChainVerifier, EventView, canonical_time, is_canonical_time,
};

use crate::audit::EventColumns;
use crate::codec::parse_time;
use crate::error::{Result, VaultError};

/// Events handed over at a time.
const BATCH_EVENTS: usize = 2048;
/// Batches read ahead of the checker at most; a batch of typical events is about 0.7 MB.
const BATCHES_AHEAD: usize = 2;

/// Rows copied out of the scan: their texts one after another in `text`, each event's parts as
/// ranges of it.
#[derive(Default)]
struct Batch {
    text: String,
    events: Vec<CopiedEvent>,
    /// Why reading stopped after these events, if it failed.
    failed: Option<VaultError>,
}

struct CopiedEvent {
    seq: u64,
    at: Range<usize>,
    action: Range<usize>,
    subject: Option<Range<usize>>,
    detail: Option<Range<usize>>,
    prev: Hash,
    hash: Hash,
}

impl Batch {
    fn clear(&mut self) {
        self.text.clear();
        self.events.clear();
        self.failed = None;
    }

    fn push_text(&mut self, s: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(s);
        start..self.text.len()
    }

    /// Copies one row. A stored time not written canonically is copied as
    /// [`crate::Reader::audit_events`] reads it.
    fn push(&mut self, r: &Row<'_>, c: &EventColumns) -> rusqlite::Result<()> {
        let stored_at = text(r, c.at)?;
        let at = if is_canonical_time(stored_at) {
            self.push_text(stored_at)
        } else {
            let parsed = parse_time(stored_at).unwrap_or(DateTime::UNIX_EPOCH);
            self.push_text(&canonical_time(&parsed))
        };
        let event = CopiedEvent {
            seq: r.get(c.seq)?,
            at,
            action: self.push_text(text(r, c.action)?),
            subject: text_or_null(r, c.subject)?.map(|s| self.push_text(s)),
            detail: text_or_null(r, c.detail)?.map(|s| self.push_text(s)),
            prev: stored_hash(r, c.prev)?,
            hash: stored_hash(r, c.hash)?,
        };
        self.events.push(event);
        Ok(())
    }

    fn view(&self, e: &CopiedEvent) -> EventView<'_> {
        EventView {
            seq: e.seq,
            at: &self.text[e.at.clone()],
            action: &self.text[e.action.clone()],
            subject: e.subject.clone().map(|r| &self.text[r]),
            detail: e.detail.clone().map(|r| &self.text[r]),
            prev: e.prev,
            hash: e.hash,
        }
    }
}

/// Verifies the chain whose rows `rows` yields in sequence order, with `c` their columns.
pub(crate) fn verify_rows(mut rows: rusqlite::Rows<'_>, c: &EventColumns) -> Result<ChainVerdict> {
    let (full, to_check) = sync_channel::<Batch>(BATCHES_AHEAD);
    let (spent, to_refill) = sync_channel::<Batch>(BATCHES_AHEAD + 2);
    std::thread::scope(|s| {
        let checker = std::thread::Builder::new()
            .name("audit-verify".into())
            .spawn_scoped(s, move || check_batches(&to_check, &spent))?;
        read_batches(&mut rows, c, &full, &to_refill);
        // Hanging up tells the checker that every row has been handed over.
        drop(full);
        checker
            .join()
            .unwrap_or_else(|_| Err(VaultError::Data("the audit check stopped".into())))
    })
}

/// Reads every row into batches and hands them to the checker, reusing the batches it returns.
/// Stops early when the checker has hung up: it found the first broken event.
fn read_batches(
    rows: &mut rusqlite::Rows<'_>,
    c: &EventColumns,
    full: &SyncSender<Batch>,
    to_refill: &Receiver<Batch>,
) {
    loop {
        let mut batch = to_refill.try_recv().unwrap_or_default();
        batch.clear();
        let mut done = false;
        while batch.events.len() < BATCH_EVENTS {
            match rows.next() {
                Ok(Some(r)) => {
                    if let Err(e) = batch.push(r, c) {
                        batch.failed = Some(e.into());
                        done = true;
                        break;
                    }
                }
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    batch.failed = Some(e.into());
                    done = true;
                    break;
                }
            }
        }
        if full.send(batch).is_err() || done {
            return;
        }
    }
}

/// Checks the batches' events in order: the first broken one is the verdict, and a read that
/// failed is the error once every event before it has checked out.
fn check_batches(to_check: &Receiver<Batch>, spent: &SyncSender<Batch>) -> Result<ChainVerdict> {
    let mut chain = ChainVerifier::new();
    for mut batch in to_check {
        for e in &batch.events {
            if let Err(broken) = chain.check(&batch.view(e)) {
                return Ok(broken);
            }
        }
        if let Some(failed) = batch.failed.take() {
            return Err(failed);
        }
        // The reader may have stopped taking batches back; it then allocates new ones.
        let _ = spent.try_send(batch);
    }
    Ok(chain.finish())
}

/// A stored hash; a blob of another length reads as a hash no event has.
fn stored_hash(r: &Row<'_>, i: usize) -> rusqlite::Result<Hash> {
    let unreadable = Hash([0xff; 32]);
    match r.get_ref(i)?.as_blob() {
        Ok(b) => Ok(Hash::from_slice(b).unwrap_or(unreadable)),
        Err(_) => r
            .get::<_, Vec<u8>>(i)
            .map(|b| Hash::from_slice(&b).unwrap_or(unreadable)),
    }
}

/// A text column borrowed from the row; anything else is read owned, as
/// [`crate::Reader::audit_events`] reads it, so that it fails with the same error.
fn text_or_null<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    match r.get_ref(i)?.as_str_or_null() {
        Ok(s) => Ok(s),
        Err(_) => r.get::<_, Option<String>>(i).map(|_| None),
    }
}

/// [`text_or_null`] for a column that is never NULL.
fn text<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    match r.get_ref(i)?.as_str() {
        Ok(s) => Ok(s),
        Err(_) => r.get::<_, String>(i).map(|_| ""),
    }
}
