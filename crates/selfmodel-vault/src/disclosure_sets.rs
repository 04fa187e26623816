//! What a request disclosed, stored once as a set and referred to by every request that
//! disclosed exactly that set. Beliefs are numbered on their first disclosure (numbers are never
//! reused) and a set's members are those numbers, packed ([`crate::packed_set`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use selfmodel_core::BeliefId;
use sha2::{Digest, Sha256};

use crate::codec::parse;
use crate::error::{Result, VaultError};
use crate::packed_set::{pack, unpack};
use crate::store::Writer;

/// The SQL condition "the set in `column` holds the belief whose id is bound to `param`": a
/// scan of the sets, not of the log.
pub(crate) fn holds_belief(column: &str, param: &str) -> String {
    format!(
        "{column} IN (SELECT id FROM disclosure_sets WHERE {})",
        set_holds("members", param)
    )
}

/// The SQL condition "the packed set in `members` holds the belief whose id is bound to `param`".
pub(crate) fn set_holds(members: &str, param: &str) -> String {
    format!("set_has({members}, (SELECT n FROM belief_numbers WHERE belief_id = {param}))")
}

/// Calls `f` with each stored set that holds any of `beliefs` and which of them it holds, in one
/// pass over every set. A set whose blob is damaged is taken to hold all of them: for notices,
/// telling a vendor too much is the safe side.
pub(crate) fn for_each_set_holding(
    conn: &Connection,
    beliefs: &[BeliefId],
    mut f: impl FnMut(i64, &[BeliefId]) -> Result<()>,
) -> Result<()> {
    let mut number = conn.prepare_cached("SELECT n FROM belief_numbers WHERE belief_id = ?1")?;
    let mut wanted = HashMap::new();
    for belief in beliefs {
        if let Some(n) = number
            .query_row([belief.to_string()], |r| r.get::<_, i64>("n"))
            .optional()?
        {
            wanted.insert(n, *belief);
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let mut sets = conn.prepare_cached("SELECT id, members FROM disclosure_sets")?;
    let mut rows = sets.query([])?;
    let mut held = Vec::new();
    while let Some(r) = rows.next()? {
        let set: i64 = r.get("id")?;
        let members = r
            .get_ref("members")?
            .as_blob()
            .map_err(rusqlite::Error::from)?;
        held.clear();
        match unpack(members) {
            Ok(numbers) => held.extend(numbers.iter().filter_map(|n| wanted.get(n))),
            Err(_) => {
                tracing::warn!(
                    set,
                    "a damaged disclosure set is taken to hold every belief asked about"
                );
                held.extend(wanted.values());
            }
        }
        if !held.is_empty() {
            f(set, &held)?;
        }
    }
    Ok(())
}

/// The beliefs in id order, without repeats, and the SHA-256 of their ids: a set's key.
fn sorted_with_digest(ids: &[BeliefId]) -> (Vec<BeliefId>, Vec<u8>) {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut digest = Sha256::new();
    for id in &sorted {
        digest.update(id.as_uuid().as_bytes());
    }
    (sorted, digest.finalize().to_vec())
}

impl Writer<'_> {
    /// The stored set of exactly these beliefs, stored now if it is new. A new set stored for a
    /// grant (`allowance`: its id and the time) counts against the grant's allowance for the day;
    /// past it, nothing is stored ([`VaultError::TooManyNewSets`]).
    pub(crate) fn disclosure_set(
        &mut self,
        ids: &[BeliefId],
        allowance: Option<(&str, DateTime<Utc>)>,
    ) -> Result<i64> {
        if let Some(set) = self.log_codes.set(ids) {
            return Ok(set);
        }
        let (sorted, digest) = sorted_with_digest(ids);
        if let Some(set) = self.set_by_digest(&digest)? {
            self.log_codes.learn_set(ids, set);
            return Ok(set);
        }
        if let Some((grant, at)) = allowance
            && !self.allowance.allows_set(grant, at)
        {
            return Err(VaultError::TooManyNewSets {
                day: at.date_naive(),
            });
        }
        let mut numbers = sorted
            .iter()
            .map(|id| self.belief_number(*id))
            .collect::<Result<Vec<_>>>()?;
        self.tx
            .prepare_cached("INSERT INTO disclosure_sets (digest, members) VALUES (?1, ?2)")?
            .execute(params![digest, pack(&mut numbers)])?;
        if let Some((grant, at)) = allowance {
            self.allowance.add_set(grant, at);
        }
        let set = self.tx.last_insert_rowid();
        self.log_codes.learn_set(ids, set);
        Ok(set)
    }

    /// The stored set of exactly these beliefs, if there is one. Stores nothing.
    pub(crate) fn stored_set(&mut self, ids: &[BeliefId]) -> Result<Option<i64>> {
        if let Some(set) = self.log_codes.set(ids) {
            return Ok(Some(set));
        }
        self.set_by_digest(&sorted_with_digest(ids).1)
    }

    fn set_by_digest(&mut self, digest: &[u8]) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id FROM disclosure_sets WHERE digest = ?1")?
            .query_row([digest], |r| r.get("id"))
            .optional()?)
    }

    /// A belief's number in disclosure sets, given on its first disclosure.
    fn belief_number(&mut self, id: BeliefId) -> Result<i64> {
        let id = id.to_string();
        let found = self
            .tx
            .prepare_cached("SELECT n FROM belief_numbers WHERE belief_id = ?1")?
            .query_row([&id], |r| r.get("n"))
            .optional()?;
        if let Some(n) = found {
            return Ok(n);
        }
        self.tx
            .prepare_cached("INSERT INTO belief_numbers (belief_id) VALUES (?1)")?
            .execute([&id])?;
        Ok(self.tx.last_insert_rowid())
    }
}

/// Reads sets as belief ids, each belief number looked up once however many sets hold it.
pub(crate) struct SetMembers<'c> {
    conn: &'c Connection,
    ids: HashMap<i64, BeliefId>,
}

impl<'c> SetMembers<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self {
            conn,
            ids: HashMap::new(),
        }
    }

    /// The beliefs of stored set `set`, in id order.
    pub(crate) fn of_set(&mut self, set: i64) -> Result<Vec<BeliefId>> {
        let members: Vec<u8> = self
            .conn
            .prepare_cached("SELECT members FROM disclosure_sets WHERE id = ?1")?
            .query_row([set], |r| r.get("members"))?;
        self.of_packed(&members)
    }

    /// The beliefs of a packed set, in id order.
    pub(crate) fn of_packed(&mut self, members: &[u8]) -> Result<Vec<BeliefId>> {
        let mut ids = unpack(members)?
            .into_iter()
            .map(|n| self.belief(n))
            .collect::<Result<Vec<_>>>()?;
        ids.sort_unstable();
        Ok(ids)
    }

    fn belief(&mut self, n: i64) -> Result<BeliefId> {
        if let Some(id) = self.ids.get(&n) {
            return Ok(*id);
        }
        let text: String = self
            .conn
            .prepare_cached("SELECT belief_id FROM belief_numbers WHERE n = ?1")?
            .query_row([n], |r| r.get("belief_id"))?;
        let id: BeliefId = parse("disclosed belief id", &text)?;
        self.ids.insert(n, id);
        Ok(id)
    }
}
