//! Embedded, forward-only schema migrations, recorded in `PRAGMA user_version`.

use rusqlite::Connection;

use crate::error::{Result, VaultError};

/// Every migration, in order; migration `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_opt_in_purposes.sql"),
    include_str!("migrations/0003_vendor_access.sql"),
    include_str!("migrations/0004_access_log_retention.sql"),
    include_str!("migrations/0005_aggregated_refusals.sql"),
    include_str!("migrations/0006_disclosure_sets.sql"),
    include_str!("migrations/0007_dropped_proposals_and_web_requests.sql"),
    include_str!("migrations/0008_integer_access_log.sql"),
    include_str!("migrations/0009_review.sql"),
    include_str!("migrations/0010_packed_disclosure_sets.sql"),
    include_str!("migrations/0011_compacted_disclosure_sets.sql"),
    include_str!("migrations/0012_grant_day_entries.sql"),
    include_str!("migrations/0013_entries_by_set_and_grant.sql"),
];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// The schema version recorded in the file.
pub fn version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get("user_version"))?)
}

/// Brings the schema to `target` in one transaction; returns the version it started from.
/// A file newer than this build is refused rather than touched.
pub fn migrate(conn: &mut Connection, target: u32) -> Result<u32> {
    let from = version(conn)?;
    if from > LATEST {
        return Err(VaultError::TooNew {
            found: from,
            supported: LATEST,
        });
    }
    if from >= target {
        return Ok(from);
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(from as usize)
    {
        tx.execute_batch(sql)?;
        tracing::info!(version = i + 1, "vault schema migrated");
    }
    tx.pragma_update(None, "user_version", target)?;
    tx.commit()?;
    Ok(from)
}
