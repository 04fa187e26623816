//! Reading and writing the vault's tables inside a transaction.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::{
    Actor, Belief, BeliefFilter, BeliefId, BeliefType, Catalogue, Evidence, Provenance, Purpose,
    Rectification,
};

use crate::codec::{parse, parse_snapshot, parse_time, snapshot_json, time};
use crate::daily_allowance::DailyAllowance;
use crate::error::{Result, VaultError};
use crate::log_codes::LogCodes;
use crate::refusals::Refusals;
use crate::this_minute::ThisMinute;

/// Read access to the vault inside one transaction.
pub struct Reader<'c> {
    pub(crate) conn: &'c Connection,
    /// Beliefs whose expiry is at or before this time (as stored) are withheld from every read
    /// ([`crate::Vault::withhold_expired`]).
    withheld: Option<&'c str>,
}

/// Write access inside one transaction; see [`crate::Vault::write`]. It commits only if the
/// transaction recorded itself: an audit event (changes) or an access-log entry (vendor requests).
pub struct Writer<'c> {
    pub(crate) tx: Transaction<'c>,
    pub(crate) recorded: bool,
    /// Whether ending without a record rolls back quietly instead of failing.
    nothing_to_record: bool,
    /// Whether ending without a record rolls back before anything else is written
    /// ([`Writer::found_nothing`]).
    found_nothing: bool,
    /// The vault's withheld expiry, for [`Writer::read`].
    withheld: Option<&'c str>,
    /// Whether this is a bulk write ([`Writer::bulk`]): the vault's flag, so that it ends it
    /// even after a panic.
    bulk: &'c mut bool,
    /// The vault's counted refusals (see `refusals`).
    pub(crate) refusals: &'c mut Refusals,
    /// What each grant added today (see [`crate::daily_allowance`]).
    pub(crate) allowance: &'c mut DailyAllowance,
    /// This minute's access-log rows (see [`crate::this_minute`]).
    pub(crate) this_minute: &'c mut ThisMinute,
    /// The access log's texts and sets by number (see [`crate::log_codes`]).
    pub(crate) log_codes: &'c mut LogCodes,
}

const BELIEF_COLUMNS: &str = "id, statement, category, confidence, sensitivity, status, actor, \
     actor_name, method, created_at, updated_at, expires_at, confirmed_at";

/// The condition that keeps a belief's row unless it is withheld, the withheld expiry bound to
/// parameter `n` (null: nothing withheld).
fn unwithheld(n: usize) -> String {
    format!("(?{n} IS NULL OR expires_at IS NULL OR expires_at > ?{n})")
}

impl<'c> Reader<'c> {
    pub(crate) fn new(conn: &'c Connection, withheld: Option<&'c str>) -> Self {
        Self { conn, withheld }
    }

    /// The belief types and purposes.
    pub fn catalogue(&self) -> Result<Catalogue> {
        let mut purposes_stmt = self.conn.prepare_cached(
            "SELECT id, name, description, dpv_term, opt_in FROM purposes ORDER BY id",
        )?;
        let purposes = purposes_stmt
            .query_map([], |r| {
                Ok(Purpose {
                    id: r.get("id")?,
                    name: r.get("name")?,
                    description: r.get("description")?,
                    dpv_term: r.get("dpv_term")?,
                    opt_in: r.get("opt_in")?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut types_stmt = self.conn.prepare_cached(
            "SELECT id, name, description, retention_days, min_share_confidence, \
             evidence_required, default_sensitivity, review_days FROM belief_types ORDER BY id",
        )?;
        let mut allowed = self.conn.prepare_cached(
            "SELECT purpose_id FROM type_purposes WHERE type_id = ?1 ORDER BY purpose_id",
        )?;
        let types = types_stmt
            .query_and_then([], |r| -> Result<BeliefType> {
                let id: String = r.get("id")?;
                let sensitivity: String = r.get("default_sensitivity")?;
                Ok(BeliefType {
                    allowed_purposes: allowed
                        .query_map([&id], |r| r.get("purpose_id"))?
                        .collect::<rusqlite::Result<_>>()?,
                    id,
                    name: r.get("name")?,
                    description: r.get("description")?,
                    retention_days: r.get("retention_days")?,
                    min_share_confidence: r.get("min_share_confidence")?,
                    evidence_required: r.get("evidence_required")?,
                    default_sensitivity: parse("sensitivity", &sensitivity)?,
                    review_days: r.get("review_days")?,
                })
            })?
            .collect::<Result<Vec<_>>>()?;
        Ok(Catalogue { types, purposes })
    }

    /// One belief, whole.
    pub fn belief(&self, id: BeliefId) -> Result<Option<Belief>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {BELIEF_COLUMNS} FROM beliefs WHERE id = ?1 AND {}",
            unwithheld(2)
        ))?;
        let columns = BeliefColumns::of(&stmt)?;
        let row = stmt
            .query_row(params![id.to_string(), self.withheld], |r| columns.read(r))
            .optional()?;
        Ok(self.complete(row.into_iter().collect())?.pop())
    }

    /// Beliefs matching the filter, oldest first.
    pub fn beliefs(&self, filter: &BeliefFilter) -> Result<Vec<Belief>> {
        let mut sql = format!(
            "SELECT {BELIEF_COLUMNS} FROM beliefs b WHERE {}",
            unwithheld(1)
        );
        let mut args: Vec<Box<dyn rusqlite::ToSql>> =
            vec![Box::new(self.withheld.map(str::to_owned))];
        if let Some(c) = &filter.category {
            args.push(Box::new(c.clone()));
            sql += &format!(" AND category = ?{}", args.len());
        }
        if let Some(p) = &filter.purpose {
            args.push(Box::new(p.clone()));
            sql += &format!(
                " AND EXISTS (SELECT 1 FROM belief_purposes bp WHERE bp.belief_id = b.id AND bp.purpose_id = ?{})",
                args.len()
            );
        }
        if let Some(c) = filter.min_confidence {
            args.push(Box::new(c));
            sql += &format!(" AND confidence >= ?{}", args.len());
        }
        if let Some(s) = filter.status {
            args.push(Box::new(s.as_str()));
            sql += &format!(" AND status = ?{}", args.len());
        }
        if let Some(s) = filter.sensitivity {
            args.push(Box::new(s.as_str()));
            sql += &format!(" AND sensitivity = ?{}", args.len());
        }
        if !filter.categories.is_empty() {
            let mut marks = Vec::new();
            for c in &filter.categories {
                args.push(Box::new(c.clone()));
                marks.push(format!("?{}", args.len()));
            }
            // A page (LIMIT) is read in id order: keep the planner from choosing the category
            // index, which would make it fetch and sort every match before taking the page.
            let unary = if filter.limit.is_some() { "+" } else { "" };
            sql += &format!(" AND {unary}category IN ({})", marks.join(", "));
        }
        if filter.max_sensitivity == Some(selfmodel_core::Sensitivity::Normal) {
            sql += " AND sensitivity = 'normal'";
        }
        if filter.shareable {
            sql += " AND confidence >= (SELECT t.min_share_confidence FROM belief_types t WHERE t.id = b.category)";
        }
        if let Some(after) = filter.after {
            args.push(Box::new(after.to_string()));
            sql += &format!(" AND id > ?{}", args.len());
        }
        if let Some(text) = filter.search.as_deref().filter(|t| !t.is_empty()) {
            let escaped = text
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            args.push(Box::new(format!("%{escaped}%")));
            sql += &format!(" AND statement LIKE ?{} ESCAPE '\\'", args.len());
        }
        sql += " ORDER BY id";
        if let Some(limit) = filter.limit {
            sql += &format!(" LIMIT {limit}");
        }
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let columns = BeliefColumns::of(&stmt)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| columns.read(r))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.complete(rows)
    }

    /// How many beliefs there are.
    pub fn count_beliefs(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) AS n FROM beliefs", [], |r| r.get("n"))?)
    }

    /// Ids of beliefs whose expiry is at or before `now`.
    pub fn expired(&self, now: DateTime<Utc>) -> Result<Vec<BeliefId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM beliefs WHERE expires_at IS NOT NULL AND expires_at <= ?1 ORDER BY id",
        )?;
        let ids = stmt
            .query_map([time(&now)], |r| r.get::<_, String>("id"))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        ids.iter().map(|s| parse("belief id", s)).collect()
    }

    /// How many beliefs of each type have an expiry at or before `now`, withheld ones included.
    pub fn expired_by_type(&self, now: DateTime<Utc>) -> Result<HashMap<String, u64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT category, count(*) AS n FROM beliefs \
             WHERE expires_at IS NOT NULL AND expires_at <= ?1 GROUP BY category",
        )?;
        let counts = stmt
            .query_map([time(&now)], |r| Ok((r.get("category")?, r.get("n")?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(counts)
    }

    /// SQLite's `data_version`: it changes when another connection (another process) commits
    /// to the file, and only then.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get("data_version"))?)
    }

    /// A value from the vault's metadata table.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get("value"))
            .optional()?)
    }

    /// Completes belief rows with their purposes, evidence and history: three queries for the
    /// whole set, whatever its size.
    fn complete(&self, rows: Vec<BeliefRow>) -> Result<Vec<Belief>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // One belief by its id; a page through a JSON array of ids (one statement per query
        // whatever the page size, so the statement cache keeps them).
        let (of, ids) = match rows.as_slice() {
            [one] => ("belief_id = ?1", one.id.clone()),
            _ => (
                "belief_id IN (SELECT value FROM json_each(?1))",
                serde_json::Value::from(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>())
                    .to_string(),
            ),
        };
        let mut purposes: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT belief_id, purpose_id FROM belief_purposes WHERE {of}"
        ))?;
        let mut found = stmt.query([&ids])?;
        while let Some(r) = found.next()? {
            purposes
                .entry(r.get("belief_id")?)
                .or_default()
                .insert(r.get("purpose_id")?);
        }

        let mut evidence: HashMap<String, Vec<Evidence>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT belief_id, kind, source, summary, observed_at, content_sha256 FROM evidence \
             WHERE {of} ORDER BY belief_id, position"
        ))?;
        let mut found = stmt.query([&ids])?;
        while let Some(r) = found.next()? {
            let kind: String = r.get("kind")?;
            let observed_at: String = r.get("observed_at")?;
            evidence
                .entry(r.get("belief_id")?)
                .or_default()
                .push(Evidence {
                    kind: parse("evidence kind", &kind)?,
                    source: r.get("source")?,
                    summary: r.get("summary")?,
                    observed_at: parse_time(&observed_at)?,
                    content_sha256: r.get("content_sha256")?,
                });
        }

        let mut history: HashMap<String, Vec<Rectification>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT belief_id, at, actor, actor_name, reason, before_json, after_json \
             FROM rectifications WHERE {of} ORDER BY belief_id, position"
        ))?;
        let mut found = stmt.query([&ids])?;
        while let Some(r) = found.next()? {
            let (at, actor, before, after): (String, String, String, String) = (
                r.get("at")?,
                r.get("actor")?,
                r.get("before_json")?,
                r.get("after_json")?,
            );
            history
                .entry(r.get("belief_id")?)
                .or_default()
                .push(Rectification {
                    at: parse_time(&at)?,
                    actor: Actor::decode(&actor, r.get("actor_name")?)
                        .map_err(|e| VaultError::Data(e.to_string()))?,
                    reason: r.get("reason")?,
                    before: parse_snapshot(&before)?,
                    after: parse_snapshot(&after)?,
                });
        }

        rows.into_iter()
            .map(|row| {
                Ok(Belief {
                    id: parse("belief id", &row.id)?,
                    purposes: purposes.remove(&row.id).unwrap_or_default(),
                    evidence: evidence.remove(&row.id).unwrap_or_default(),
                    history: history.remove(&row.id).unwrap_or_default(),
                    statement: row.statement,
                    category: row.category,
                    confidence: row.confidence,
                    sensitivity: parse("sensitivity", &row.sensitivity)?,
                    status: parse("status", &row.status)?,
                    provenance: Provenance {
                        actor: Actor::decode(&row.actor, row.actor_name)
                            .map_err(|e| VaultError::Data(e.to_string()))?,
                        method: row.method,
                    },
                    created_at: parse_time(&row.created_at)?,
                    updated_at: parse_time(&row.updated_at)?,
                    expires_at: row.expires_at.as_deref().map(parse_time).transpose()?,
                    confirmed_at: row.confirmed_at.as_deref().map(parse_time).transpose()?,
                })
            })
            .collect()
    }
}

struct BeliefRow {
    id: String,
    statement: String,
    category: String,
    confidence: f64,
    sensitivity: String,
    status: String,
    actor: String,
    actor_name: Option<String>,
    method: String,
    created_at: String,
    updated_at: String,
    expires_at: Option<String>,
    confirmed_at: Option<String>,
}

/// Where a statement selecting [`BELIEF_COLUMNS`] has each of them, looked up by name once per
/// statement rather than once per row.
struct BeliefColumns {
    id: usize,
    statement: usize,
    category: usize,
    confidence: usize,
    sensitivity: usize,
    status: usize,
    actor: usize,
    actor_name: usize,
    method: usize,
    created_at: usize,
    updated_at: usize,
    expires_at: usize,
    confirmed_at: usize,
}

impl BeliefColumns {
    fn of(stmt: &rusqlite::Statement<'_>) -> rusqlite::Result<Self> {
        let column = |name| stmt.column_index(name);
        Ok(Self {
            id: column("id")?,
            statement: column("statement")?,
            category: column("category")?,
            confidence: column("confidence")?,
            sensitivity: column("sensitivity")?,
            status: column("status")?,
            actor: column("actor")?,
            actor_name: column("actor_name")?,
            method: column("method")?,
            created_at: column("created_at")?,
            updated_at: column("updated_at")?,
            expires_at: column("expires_at")?,
            confirmed_at: column("confirmed_at")?,
        })
    }

    fn read(&self, r: &Row<'_>) -> rusqlite::Result<BeliefRow> {
        Ok(BeliefRow {
            id: r.get(self.id)?,
            statement: r.get(self.statement)?,
            category: r.get(self.category)?,
            confidence: r.get(self.confidence)?,
            sensitivity: r.get(self.sensitivity)?,
            status: r.get(self.status)?,
            actor: r.get(self.actor)?,
            actor_name: r.get(self.actor_name)?,
            method: r.get(self.method)?,
            created_at: r.get(self.created_at)?,
            updated_at: r.get(self.updated_at)?,
            expires_at: r.get(self.expires_at)?,
            confirmed_at: r.get(self.confirmed_at)?,
        })
    }
}

/// Runs `f` with a belief's row: its [`BELIEF_COLUMNS`] in order, as `?1` to `?13`.
fn with_belief_row<T>(
    b: &Belief,
    f: impl FnOnce(&[&dyn rusqlite::ToSql]) -> rusqlite::Result<T>,
) -> Result<T> {
    Ok(f(params![
        b.id.to_string(),
        b.statement,
        b.category,
        b.confidence,
        b.sensitivity.as_str(),
        b.status.as_str(),
        b.provenance.actor.encode(),
        actor_name(&b.provenance.actor),
        b.provenance.method,
        time(&b.created_at),
        time(&b.updated_at),
        b.expires_at.as_ref().map(time),
        b.confirmed_at.as_ref().map(time),
    ])?)
}

fn actor_name(actor: &Actor) -> Option<&str> {
    match actor {
        Actor::Vendor { name, .. } => Some(name),
        _ => None,
    }
}

/// The page cache's bound in KiB during a bulk write: an import's pages are written once, and a
/// cache the size of the vault's (`PAGE_CACHE_KIB`) would hold them until the transaction ends.
const BULK_CACHE_KIB: u32 = 8 * 1024;

impl<'c> Writer<'c> {
    pub(crate) fn new(
        tx: Transaction<'c>,
        refusals: &'c mut Refusals,
        allowance: &'c mut DailyAllowance,
        this_minute: &'c mut ThisMinute,
        log_codes: &'c mut LogCodes,
        bulk: &'c mut bool,
        withheld: Option<&'c str>,
    ) -> Self {
        Self {
            tx,
            withheld,
            recorded: false,
            nothing_to_record: false,
            found_nothing: false,
            bulk,
            refusals,
            allowance,
            this_minute,
            log_codes,
        }
    }

    /// Reads inside this write transaction (seeing its own writes).
    pub fn read(&self) -> Reader<'_> {
        Reader::new(&self.tx, self.withheld)
    }

    /// Makes the rest of the transaction a bulk write (an import): the page cache is bounded,
    /// as its pages would otherwise fill it and stay, and every belief counts as touched
    /// ([`crate::Vault::take_touched`]) instead of each being noted. Both end with the transaction,
    /// committed or not.
    pub fn bulk(&mut self) -> Result<()> {
        *self.bulk = true;
        self.tx
            .execute_batch(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB};"))?;
        crate::touched::note_all(&self.tx)
    }

    /// Says the transaction found nothing to change: unless it records an audit event or a log
    /// entry after all, it is rolled back at its end (everything it wrote is dropped, and
    /// refusals counted meanwhile wait for the next transaction) rather than failing.
    pub fn found_nothing(&mut self) {
        self.found_nothing = true;
    }

    /// Counts a refusal of a caller that presented no valid token or poll secret, instead of
    /// logging it: nothing the caller sent is kept, and the count is written with the others of
    /// its minute, operation and reason (see `refusals`). A transaction that records
    /// nothing else is rolled back (everything it wrote is dropped) rather than failing.
    pub fn count_refusal(
        &mut self,
        at: DateTime<Utc>,
        operation: &'static str,
        reason: &'static str,
    ) {
        self.refusals.count(at, operation, reason);
        self.nothing_to_record = true;
    }

    /// Commits, first writing the counted refusals once a minute boundary has passed. A
    /// transaction that recorded nothing is refused ([`VaultError::Unaudited`]), or rolled back
    /// if all it did was count refusals.
    pub(crate) fn commit(mut self, now: DateTime<Utc>) -> Result<()> {
        if self.found_nothing && !self.recorded {
            self.tx.rollback()?;
            return Ok(());
        }
        let written = if self.refusals.due(now) {
            self.append_counted()?
        } else {
            Vec::new()
        };
        self.finish(&written)
    }

    /// Commits a transaction that wrote the counted refusals `written` (or none), then forgets
    /// them.
    pub(crate) fn finish(self, written: &[crate::refusals::Counted]) -> Result<()> {
        if !self.recorded {
            if self.nothing_to_record {
                self.tx.rollback()?;
                return Ok(());
            }
            return Err(VaultError::Unaudited);
        }
        self.tx.commit()?;
        self.refusals.forget(written);
        self.log_codes.committed();
        Ok(())
    }

    /// Inserts a new belief with its purposes, evidence and history.
    pub fn insert_belief(&mut self, b: &Belief) -> Result<()> {
        let mut insert = self.tx.prepare_cached(&format!(
            "INSERT INTO beliefs ({BELIEF_COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        ))?;
        with_belief_row(b, |row| insert.execute(row))?;
        drop(insert);
        self.insert_children(b)
    }

    /// Replaces a stored belief with `b` (same id): fields, purposes, evidence and history.
    pub fn replace_belief(&mut self, b: &Belief) -> Result<()> {
        let id = b.id.to_string();
        let n = with_belief_row(b, |row| {
            self.tx.execute(
                "UPDATE beliefs SET statement = ?2, category = ?3, confidence = ?4, \
                 sensitivity = ?5, status = ?6, actor = ?7, actor_name = ?8, method = ?9, \
                 created_at = ?10, updated_at = ?11, expires_at = ?12, confirmed_at = ?13 \
                 WHERE id = ?1",
                row,
            )
        })?;
        if n == 0 {
            return Err(VaultError::BeliefNotFound(b.id));
        }
        for table in ["belief_purposes", "evidence", "rectifications"] {
            self.tx
                .execute(&format!("DELETE FROM {table} WHERE belief_id = ?1"), [&id])?;
        }
        self.insert_children(b)
    }

    fn insert_children(&mut self, b: &Belief) -> Result<()> {
        let id = b.id.to_string();
        let mut p = self.tx.prepare_cached(
            "INSERT INTO belief_purposes (belief_id, purpose_id) VALUES (?1, ?2)",
        )?;
        for purpose in &b.purposes {
            p.execute([&id, purpose])?;
        }
        let mut e = self.tx.prepare_cached(
            "INSERT INTO evidence (belief_id, position, kind, source, summary, observed_at, content_sha256) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (i, ev) in b.evidence.iter().enumerate() {
            e.execute(params![
                id,
                i,
                ev.kind.as_str(),
                ev.source,
                ev.summary,
                time(&ev.observed_at),
                ev.content_sha256
            ])?;
        }
        let mut h = self.tx.prepare_cached(
            "INSERT INTO rectifications (belief_id, position, at, actor, actor_name, reason, before_json, after_json) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (i, r) in b.history.iter().enumerate() {
            h.execute(params![
                id,
                i,
                time(&r.at),
                r.actor.encode(),
                actor_name(&r.actor),
                r.reason,
                snapshot_json(&r.before),
                snapshot_json(&r.after)
            ])?;
        }
        Ok(())
    }

    /// Deletes a belief with its purposes, evidence and history.
    pub fn delete_belief(&mut self, id: BeliefId) -> Result<()> {
        let n = self
            .tx
            .execute("DELETE FROM beliefs WHERE id = ?1", [id.to_string()])?;
        if n == 0 {
            return Err(VaultError::BeliefNotFound(id));
        }
        Ok(())
    }

    /// Deletes every belief; returns how many there were.
    pub fn delete_all_beliefs(&mut self) -> Result<u64> {
        Ok(self.tx.execute("DELETE FROM beliefs", [])? as u64)
    }

    /// Stores a belief type's rules (it must exist) and recomputes the expiry of its beliefs.
    pub fn update_type(&mut self, t: &BeliefType) -> Result<()> {
        let n = self.execute_type(
            "UPDATE belief_types SET name = ?2, description = ?3, retention_days = ?4, \
             min_share_confidence = ?5, evidence_required = ?6, default_sensitivity = ?7, \
             review_days = ?8 WHERE id = ?1",
            t,
        )?;
        if n == 0 {
            return Err(VaultError::TypeNotFound(t.id.clone()));
        }
        self.tx
            .execute("DELETE FROM type_purposes WHERE type_id = ?1", [&t.id])?;
        self.insert_type_purposes(t)?;
        let mut sel = self
            .tx
            .prepare_cached("SELECT id, created_at FROM beliefs WHERE category = ?1")?;
        let rows = sel
            .query_map([&t.id], |r| {
                Ok((r.get::<_, String>("id")?, r.get::<_, String>("created_at")?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(sel);
        let mut upd = self
            .tx
            .prepare_cached("UPDATE beliefs SET expires_at = ?2 WHERE id = ?1")?;
        for (id, created) in rows {
            let expires = selfmodel_core::validate::expiry(parse_time(&created)?, t.retention_days);
            upd.execute([id, time(&expires)])?;
        }
        Ok(())
    }

    /// Sets a value in the vault's metadata table.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            [key, value],
        )?;
        Ok(())
    }
}

/// Writes the catalogue into a new vault and records the vault's birth on the audit chain.
pub(crate) fn seed_catalogue(w: &mut Writer<'_>, catalogue: &Catalogue) -> Result<()> {
    for p in &catalogue.purposes {
        w.insert_purpose(p)?;
    }
    for t in &catalogue.types {
        w.insert_type(t)?;
    }
    let now = Utc::now();
    let vault_id = uuid_like();
    w.set_meta("vault_id", &vault_id)?;
    w.set_meta("created_at", &time(&now))?;
    w.append_audit(
        PendingEvent::new(selfmodel_core::AuditAction::VaultCreated, Some(vault_id))
            .with_detail(Detail::new().with("schema", crate::migrations::LATEST)),
        now,
    )?;
    Ok(())
}

fn uuid_like() -> String {
    BeliefId::new().to_string()
}

/// Storage for export and import (see `selfmodel::archive`).
impl Reader<'_> {
    /// Every belief's id, oldest first.
    pub fn belief_ids(&self) -> Result<Vec<BeliefId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM beliefs ORDER BY id")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>("id"))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        ids.iter().map(|s| parse("belief id", s)).collect()
    }
}

impl Writer<'_> {
    /// Adds a purpose the catalogue does not have yet.
    pub fn insert_purpose(&mut self, p: &Purpose) -> Result<()> {
        self.tx.execute(
            "INSERT INTO purposes (id, name, description, dpv_term, opt_in) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![p.id, p.name, p.description, p.dpv_term, p.opt_in],
        )?;
        Ok(())
    }

    /// Adds a belief type the catalogue does not have yet, with its allowed purposes (which
    /// must exist).
    pub fn insert_type(&mut self, t: &BeliefType) -> Result<()> {
        self.execute_type(
            "INSERT INTO belief_types (id, name, description, retention_days, min_share_confidence, \
             evidence_required, default_sensitivity, review_days) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            t,
        )?;
        self.insert_type_purposes(t)
    }

    /// Runs `sql` with a belief type's columns as ?1 to ?8 (id, name, description,
    /// retention_days, min_share_confidence, evidence_required, default_sensitivity,
    /// review_days); returns how many rows it changed.
    fn execute_type(&mut self, sql: &str, t: &BeliefType) -> Result<usize> {
        Ok(self.tx.execute(
            sql,
            params![
                t.id,
                t.name,
                t.description,
                t.retention_days,
                t.min_share_confidence,
                t.evidence_required,
                t.default_sensitivity.as_str(),
                t.review_days,
            ],
        )?)
    }

    /// Adds the purposes a belief type allows (which must exist).
    fn insert_type_purposes(&mut self, t: &BeliefType) -> Result<()> {
        let mut ins = self
            .tx
            .prepare_cached("INSERT INTO type_purposes (type_id, purpose_id) VALUES (?1, ?2)")?;
        for p in &t.allowed_purposes {
            ins.execute([&t.id, p])?;
        }
        Ok(())
    }
}
