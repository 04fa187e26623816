//! Which beliefs this connection's writes touched, noted by SQLite itself: temporary triggers on
//! every table a belief is read from (its row, purposes, evidence and history) put its id in a
//! temporary table of the connection, held in memory and never in the file. No statement can
//! change a belief without its id being noted, whichever write makes it; a write that rolls back
//! takes its notes back with it. A bulk write notes everything at once instead ([`note_all`]).
//! Another process's commits are not noted (`data_version` tells of those).

use std::collections::BTreeSet;

use rusqlite::Connection;
use selfmodel_core::BeliefId;

use crate::codec::parse;
use crate::error::Result;

/// The tables a [`selfmodel_core::Belief`] is read from, with the column naming its belief.
const BELIEF_TABLES: [(&str, &str); 4] = [
    ("beliefs", "id"),
    ("belief_purposes", "belief_id"),
    ("evidence", "belief_id"),
    ("rectifications", "belief_id"),
];

/// The statements that change a row, with the rows whose belief they touch.
const STATEMENTS: [(&str, &[&str]); 3] = [
    ("INSERT", &["new"]),
    ("UPDATE", &["old", "new"]),
    ("DELETE", &["old"]),
];

/// The note that stands for every belief.
const ALL: &str = "*";

/// Each trigger: its name and its SQL.
fn triggers() -> impl Iterator<Item = (String, String)> {
    BELIEF_TABLES.into_iter().flat_map(|(table, column)| {
        STATEMENTS.into_iter().map(move |(op, rows)| {
            let name = format!("touched_{table}_{op}");
            let values = rows
                .iter()
                .map(|row| format!("({row}.{column})"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "CREATE TEMP TRIGGER IF NOT EXISTS {name} AFTER {op} ON main.{table} \
                 BEGIN INSERT OR IGNORE INTO touched_beliefs (id) VALUES {values}; END;"
            );
            (name, sql)
        })
    })
}

/// Starts noting the beliefs `conn`'s writes touch (again, after a bulk write).
pub(crate) fn watch(conn: &Connection) -> Result<()> {
    let mut sql = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS touched_beliefs (id TEXT PRIMARY KEY) WITHOUT ROWID;",
    );
    for (_, trigger) in triggers() {
        sql += &trigger;
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

/// Notes that every belief may have been touched.
pub(crate) fn note_every_belief(tx: &Connection) -> Result<()> {
    tx.prepare_cached(&format!(
        "INSERT OR IGNORE INTO touched_beliefs (id) VALUES ('{ALL}')"
    ))?
    .execute([])?;
    Ok(())
}

/// Notes every belief as touched and stops noting them one at a time until the transaction
/// ends: a rollback brings the triggers back itself, and [`watch`] after a commit.
pub(crate) fn note_all(tx: &Connection) -> Result<()> {
    note_every_belief(tx)?;
    let drops: String = triggers()
        .map(|(name, _)| format!("DROP TRIGGER IF EXISTS temp.{name};"))
        .collect();
    tx.execute_batch(&drops)?;
    Ok(())
}

/// The beliefs noted since the last call (`None`: every belief), forgotten once read. Outside
/// any transaction, so that they are gone whatever comes next. Whether the triggers are in place
/// needs no look: while they may be missing (a bulk write not yet ended), every write notes
/// every belief (`Vault::begin_write`).
pub(crate) fn take(conn: &Connection) -> Result<Option<BTreeSet<BeliefId>>> {
    let noted = conn
        .prepare_cached("DELETE FROM touched_beliefs RETURNING id")?
        .query_map([], |r| r.get::<_, String>("id"))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if noted.iter().any(|id| id == ALL) {
        return Ok(None);
    }
    noted
        .iter()
        .map(|id| parse("belief id", id))
        .collect::<Result<_>>()
        .map(Some)
}
