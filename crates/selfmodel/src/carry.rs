//! The vendor record a whole export carries beside the model: the grants (never a token), the
//! access log, detailed and compacted, and the tombstones (only into an encrypted file, since
//! their key travels with them). On import, a record from another vault is added once: grants
//! the vault does not hold come in ended (their tokens stayed behind), access-log entries past
//! the last one taken from that vault are appended, its compacted days are merged, and its
//! tombstones keep what the person erased from coming back. A file signed by a key the person
//! does not trust brings no record: it could otherwise write a vendor's reads into their log.
//! Every text of a record was screened when the file was read (`selfmodel_archive::parse`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use selfmodel_archive::{Access, Parsed, Protection, Record, Tombstones};
use selfmodel_core::NewAccess;
use selfmodel_vault::{Reader, Writer};

use crate::Result;
use crate::tombstone;

/// What of a file's record an import adds (or, on a dry run, would add).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Carried {
    /// Grants the vault did not hold, added ended.
    pub grants: u64,
    /// Detailed access-log entries appended.
    pub access_entries: u64,
    /// Compacted days merged (requests and disclosures).
    pub days: u64,
    /// Tombstones the vault did not hold.
    pub tombstones: u64,
    /// Why the file's record was left out, if it was.
    pub skipped: Option<Skipped>,
}

impl Carried {
    /// Whether the import adds nothing of the record.
    pub fn is_empty(&self) -> bool {
        self.grants == 0 && self.access_entries == 0 && self.days == 0 && self.tombstones == 0
    }
}

/// Why a file's record was not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// It came from this vault: everything in it is here already.
    SameVault,
    /// Signed by a key that is neither this vault's nor trusted.
    Foreign,
}

impl Skipped {
    /// Says why, for people.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::SameVault => "it came from this vault",
            Self::Foreign => "the file is signed by a key you have not trusted",
        }
    }
}

/// The number the file gives each disclosure set the vault stored, by the vault's number.
pub(crate) type SetNumbers = HashMap<i64, u64>;

/// The record of a whole export: tombstones only when the file is encrypted. Its detailed
/// access log is left to [`each_access`], which hands it over an entry at a time; the sets its
/// entries disclosed are here, numbered from 1 in the order the vault stored them, and those
/// numbers are returned for [`each_access`].
pub(crate) fn record(r: &Reader<'_>, protection: &Protection) -> Result<(Record, SetNumbers)> {
    let mut grants = r.grants()?;
    grants.reverse();
    let access_days = r.compacted_access_days()?;
    let disclosure_days = r.compacted_disclosure_days()?;
    let tombstones = match (protection, tombstone::key(r)?) {
        (Protection::Plain, _) | (_, None) => None,
        (_, Some(key)) => Some(Tombstones {
            key,
            digests: r.tombstones()?,
        }),
    };
    let mut numbers = SetNumbers::new();
    let mut disclosure_sets = BTreeMap::new();
    for (i, (set, ids)) in r.carried_sets()?.into_iter().enumerate() {
        numbers.insert(set, i as u64 + 1);
        disclosure_sets.insert(i as u64 + 1, ids);
    }
    let record = Record {
        grants,
        access: Vec::new(),
        disclosure_sets,
        access_days,
        disclosure_days,
        tombstones,
    };
    Ok((record, numbers))
}

/// Hands every entry of the detailed access log to `visit`, oldest first, as a whole export
/// carries it: its set by the number [`record`] gave it.
pub(crate) fn each_access(
    r: &Reader<'_>,
    numbers: &SetNumbers,
    mut visit: impl FnMut(Access) -> Result<()>,
) -> Result<()> {
    let mut failed = None;
    let read = r.for_each_carried_access(|e, set| {
        let entry = Access {
            seq: e.seq,
            at: e.at,
            grant_id: e.grant_id,
            vendor_id: e.vendor_id,
            purpose: e.purpose,
            operation: e.operation,
            outcome: e.outcome,
            requests: e.requests,
            disclosed_set: set.and_then(|s| numbers.get(&s).copied()),
        };
        visit(entry).map_err(|e| {
            failed = Some(e);
            selfmodel_vault::VaultError::Data("the export stopped".into())
        })
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(read?),
    }
}

/// The meta keys recording how much of another vault's record was taken: its last access-log
/// entry, and the export time of the compacted days merged.
fn marks(source: &str) -> (String, String) {
    (
        format!("carried.{source}.access_seq"),
        format!("carried.{source}.exported_at"),
    )
}

/// The last access-log entry taken from a source vault (0: none yet).
fn last_taken(r: &Reader<'_>, seq_key: &str) -> Result<u64> {
    Ok(r.meta(seq_key)?.and_then(|s| s.parse().ok()).unwrap_or(0))
}

/// What an import of `file` adds of its record to the vault as it is. Reads only.
pub(crate) fn plan(r: &Reader<'_>, file: &Parsed, foreign: bool) -> Result<Carried> {
    let c = &file.head;
    let record = &c.record;
    if record.is_empty() && file.counts.access_log == 0 {
        return Ok(Carried::default());
    }
    let skipped = if r.meta("vault_id")?.as_deref() == Some(c.vault_id.as_str()) {
        Some(Skipped::SameVault)
    } else if foreign {
        Some(Skipped::Foreign)
    } else {
        None
    };
    if skipped.is_some() {
        return Ok(Carried {
            skipped,
            ..Carried::default()
        });
    }
    let (seq_key, at_key) = marks(&c.vault_id);
    let last_seq = last_taken(r, &seq_key)?;
    let days_newer = r
        .meta(&at_key)?
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .is_none_or(|t| t < c.exported_at);
    let mut grants = 0;
    for g in &record.grants {
        if r.grant(&g.id)?.is_none() {
            grants += 1;
        }
    }
    let tombstones = match &record.tombstones {
        None => 0,
        Some(t) => {
            let mut new = 0;
            for (digest, _) in &t.digests {
                if !r.has_tombstone(digest)? {
                    new += 1;
                }
            }
            new
        }
    };
    Ok(Carried {
        grants,
        access_entries: file.access_after(last_seq),
        days: if days_newer {
            (record.access_days.len() + record.disclosure_days.len()) as u64
        } else {
            0
        },
        tombstones,
        skipped: None,
    })
}

/// Writes what `plan` found of `file`'s record.
pub(crate) fn write(
    w: &mut Writer<'_>,
    file: &Parsed,
    planned: &Carried,
    now: DateTime<Utc>,
) -> Result<()> {
    if planned.skipped.is_some() || planned.is_empty() {
        return Ok(());
    }
    let c = &file.head;
    let record = &c.record;
    for g in &record.grants {
        if w.read().grant(&g.id)?.is_some() {
            continue;
        }
        let mut g = g.clone();
        // Its token stayed in the vault it came from: here it is a record, never live.
        if g.is_live(now) {
            g.revoked_at = Some(now);
            g.revoked_by = Some("import".into());
        }
        w.insert_grant(&g)?;
    }
    let (seq_key, at_key) = marks(&c.vault_id);
    if planned.access_entries > 0 {
        let last_seq = last_taken(&w.read(), &seq_key)?;
        let mut newest = last_seq;
        crate::archive::each_prefetched(file.access(), |batch| {
            for a in batch?.into_iter().filter(|a| a.seq > last_seq) {
                let entry = NewAccess {
                    disclosed: a
                        .disclosed_set
                        .and_then(|s| record.disclosure_sets.get(&s))
                        .cloned()
                        .unwrap_or_default(),
                    grant_id: a.grant_id,
                    vendor_id: a.vendor_id,
                    purpose: a.purpose,
                    operation: a.operation,
                    outcome: a.outcome,
                };
                w.append_carried_access(&entry, a.at, a.requests)?;
                newest = newest.max(a.seq);
            }
            Ok(())
        })?;
        w.set_meta(&seq_key, &newest.to_string())?;
    }
    if planned.days > 0 {
        for d in &record.access_days {
            w.merge_access_day(d)?;
        }
        w.merge_disclosure_days(&record.disclosure_days)?;
        w.set_meta(
            &at_key,
            &selfmodel_core::audit::canonical_time(&c.exported_at),
        )?;
    }
    if let Some(t) = &record.tombstones {
        tombstone::adopt_key(w, &t.key)?;
        for (digest, at) in &t.digests {
            w.insert_tombstone(digest, *at)?;
        }
    }
    Ok(())
}
