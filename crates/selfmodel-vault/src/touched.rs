//! Which beliefs this connection's writes touched, noted by SQLite itself: temporary triggers on
//! every table a belief is read from (its row, purposes, evidence and history) put its id in a
//! temporary table of the connection, held in memory and never in the file. No statement can
//! change a belief without its id being noted, whichever write makes it; a write that rolls back
//! takes its notes back with it. Another process's commits are not noted (`data_version` tells
//! of those).

use std::collections::BTreeSet;

use rusqlite::Connection;
use selfmodel_core::BeliefId;

use crate::codec::parse;
use crate::error::Result;
use crate::store::Writer;

/// The tables a [`selfmodel_core::Belief`] is read from, with the column naming its belief.
const BELIEF_TABLES: [(&str, &str); 4] = [
    ("beliefs", "id"),
    ("belief_purposes", "belief_id"),
    ("evidence", "belief_id"),
    ("rectifications", "belief_id"),
];

/// Starts noting the beliefs `conn`'s writes touch.
pub(crate) fn watch(conn: &Connection) -> Result<()> {
    let mut sql = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS touched_beliefs (id TEXT PRIMARY KEY) WITHOUT ROWID;",
    );
    for (table, column) in BELIEF_TABLES {
        for (op, rows) in [
            ("INSERT", &["new"][..]),
            ("UPDATE", &["old", "new"]),
            ("DELETE", &["old"]),
        ] {
            let values = rows
                .iter()
                .map(|row| format!("({row}.{column})"))
                .collect::<Vec<_>>()
                .join(", ");
            sql += &format!(
                "CREATE TEMP TRIGGER IF NOT EXISTS touched_{table}_{op} AFTER {op} ON main.{table} \
                 BEGIN INSERT OR IGNORE INTO temp.touched_beliefs (id) VALUES {values}; END;"
            );
        }
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

/// Forgets what was noted.
pub(crate) fn forget(conn: &Connection) -> Result<()> {
    conn.prepare_cached("DELETE FROM temp.touched_beliefs")?
        .execute([])?;
    Ok(())
}

impl Writer<'_> {
    /// The beliefs this connection's writes touched (added, changed or erased) since the last
    /// call, or since [`crate::Vault::forget_touched`]; their notes go with this transaction.
    pub fn take_touched(&mut self) -> Result<BTreeSet<BeliefId>> {
        let ids = self
            .tx
            .prepare_cached("SELECT id FROM temp.touched_beliefs")?
            .query_map([], |r| r.get::<_, String>("id"))?
            .map(|id| parse("belief id", &id?))
            .collect::<Result<_>>()?;
        forget(&self.tx)?;
        Ok(ids)
    }
}
