//! Storage for vendor access: grant requests, grants, vendor notices and tombstones (the access
//! log is `access_log`'s).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Utc};
use rusqlite::{OptionalExtension, Row, params};
use selfmodel_core::{
    BeliefId, ConsentRecord, Grant, GrantRequest, Operation, Scope, Vendor, VendorEvent,
    VendorEventKind,
};
use serde_json::{Value, json};

use crate::codec::{parse, parse_time, time};
use crate::disclosure_sets::for_each_set_holding;
use crate::error::{Result, VaultError};
use crate::store::{Reader, Writer};

/// How long a grant request that expired unanswered is kept before it is deleted. Anyone may file
/// requests, so unanswered ones must not pile up.
pub const EXPIRED_REQUESTS_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(1);

const REQUEST_COLUMNS: &str = "id, vendor_id, vendor_name, vendor_url, scope_json, duration_days, \
     vendor_retention_days, justification, user_code, status, created_at, expires_at, grant_id, web_origin";
const GRANT_COLUMNS: &str = "id, request_id, vendor_id, vendor_name, vendor_url, scope_json, \
     vendor_retention_days, created_at, expires_at, revoked_at, revoked_by, last_used_at, consent_json";

fn data(what: &str) -> VaultError {
    VaultError::Data(format!("stored {what} does not parse"))
}

fn strings(v: &Value, key: &str) -> Result<BTreeSet<String>> {
    v[key]
        .as_array()
        .ok_or_else(|| data(key))?
        .iter()
        .map(|x| x.as_str().map(str::to_owned).ok_or_else(|| data(key)))
        .collect()
}

fn operations(v: &Value, key: &str) -> Result<BTreeSet<Operation>> {
    strings(v, key)?
        .iter()
        .map(|s| parse("operation", s))
        .collect()
}

fn scope_json(s: &Scope) -> String {
    json!({
        "purposes": s.purposes,
        "categories": s.categories,
        "operations": s.operations.iter().map(Operation::as_str).collect::<Vec<_>>(),
        "max_sensitivity": s.max_sensitivity.as_str(),
        "min_confidence": s.min_confidence,
        "origins": s.origins,
        "fresh_only": s.fresh_only,
    })
    .to_string()
}

fn parse_scope(text: &str) -> Result<Scope> {
    let v: Value = serde_json::from_str(text).map_err(|_| data("scope"))?;
    Ok(Scope {
        purposes: strings(&v, "purposes")?,
        categories: strings(&v, "categories")?,
        operations: operations(&v, "operations")?,
        max_sensitivity: parse(
            "sensitivity",
            v["max_sensitivity"].as_str().ok_or_else(|| data("scope"))?,
        )?,
        min_confidence: v["min_confidence"].as_f64().ok_or_else(|| data("scope"))?,
        origins: strings(&v, "origins")?,
        // Absent in grants made before the term existed.
        fresh_only: v["fresh_only"].as_bool().unwrap_or(false),
    })
}

fn consent_json(c: &ConsentRecord) -> String {
    json!({
        "id": c.id,
        "subject": c.subject,
        "recipient": {"id": c.recipient.id, "name": c.recipient.name, "url": c.recipient.url},
        "purposes": c.purposes,
        "data_categories": c.data_categories,
        "operations": c.operations.iter().map(Operation::as_str).collect::<Vec<_>>(),
        "special_categories": c.special_categories,
        "notice": c.notice,
        "recipient_retention_days": c.recipient_retention_days,
        "given_at": time(&c.given_at),
        "expires_at": time(&c.expires_at),
        "method": c.method,
    })
    .to_string()
}

fn parse_consent(text: &str) -> Result<ConsentRecord> {
    let v: Value = serde_json::from_str(text).map_err(|_| data("consent"))?;
    let s = |k: &str| {
        v[k].as_str()
            .map(str::to_owned)
            .ok_or_else(|| data("consent"))
    };
    let r = &v["recipient"];
    Ok(ConsentRecord {
        id: s("id")?,
        subject: s("subject")?,
        recipient: Vendor {
            id: r["id"].as_str().ok_or_else(|| data("consent"))?.to_owned(),
            name: r["name"]
                .as_str()
                .ok_or_else(|| data("consent"))?
                .to_owned(),
            url: r["url"].as_str().map(str::to_owned),
        },
        purposes: strings(&v, "purposes")?,
        data_categories: strings(&v, "data_categories")?,
        operations: operations(&v, "operations")?,
        special_categories: v["special_categories"]
            .as_bool()
            .ok_or_else(|| data("consent"))?,
        notice: s("notice")?,
        recipient_retention_days: v["recipient_retention_days"]
            .as_u64()
            .ok_or_else(|| data("consent"))? as u32,
        given_at: parse_time(&s("given_at")?)?,
        expires_at: parse_time(&s("expires_at")?)?,
        method: s("method")?,
    })
}

fn opt_time(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_time).transpose()
}

/// A column of the grant tables as text: a number as its text, a blob as nothing.
fn stored_text(r: &Row<'_>, column: &str) -> rusqlite::Result<Option<String>> {
    Ok(match r.get_ref(column)? {
        rusqlite::types::ValueRef::Null => None,
        rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
        rusqlite::types::ValueRef::Real(f) => Some(f.to_string()),
        rusqlite::types::ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        rusqlite::types::ValueRef::Blob(_) => None,
    })
}

/// A column of the grant tables that must hold text.
fn req(r: &Row<'_>, column: &str) -> Result<String> {
    stored_text(r, column)?.ok_or_else(|| data("grant field"))
}

/// The vendor named in a row of the grant tables.
fn vendor_from(r: &Row<'_>) -> Result<Vendor> {
    Ok(Vendor {
        id: req(r, "vendor_id")?,
        name: req(r, "vendor_name")?,
        url: stored_text(r, "vendor_url")?,
    })
}

/// A grant request from a row of its [`REQUEST_COLUMNS`].
fn request_from(r: &Row<'_>) -> Result<GrantRequest> {
    Ok(GrantRequest {
        id: req(r, "id")?,
        vendor: vendor_from(r)?,
        scope: parse_scope(&req(r, "scope_json")?)?,
        duration_days: parse("duration", &req(r, "duration_days")?)?,
        vendor_retention_days: parse("retention", &req(r, "vendor_retention_days")?)?,
        justification: req(r, "justification")?,
        user_code: req(r, "user_code")?,
        status: parse("request status", &req(r, "status")?)?,
        created_at: parse_time(&req(r, "created_at")?)?,
        expires_at: parse_time(&req(r, "expires_at")?)?,
        grant_id: stored_text(r, "grant_id")?,
        web_origin: stored_text(r, "web_origin")?,
    })
}

/// A grant from a row of its [`GRANT_COLUMNS`].
fn grant_from(r: &Row<'_>) -> Result<Grant> {
    Ok(Grant {
        id: req(r, "id")?,
        request_id: req(r, "request_id")?,
        vendor: vendor_from(r)?,
        scope: parse_scope(&req(r, "scope_json")?)?,
        vendor_retention_days: parse("retention", &req(r, "vendor_retention_days")?)?,
        created_at: parse_time(&req(r, "created_at")?)?,
        expires_at: parse_time(&req(r, "expires_at")?)?,
        revoked_at: opt_time(stored_text(r, "revoked_at")?)?,
        revoked_by: stored_text(r, "revoked_by")?,
        last_used_at: opt_time(stored_text(r, "last_used_at")?)?,
        consent: parse_consent(&req(r, "consent_json")?)?,
    })
}

impl Reader<'_> {
    /// Grant requests, newest first; only `status` if given.
    pub fn grant_requests(&self, status: Option<&str>) -> Result<Vec<GrantRequest>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS} FROM grant_requests WHERE ?1 IS NULL OR status = ?1 ORDER BY created_at DESC"
        ))?;
        stmt.query_and_then([status], request_from)?.collect()
    }

    /// One grant request.
    pub fn grant_request(&self, id: &str) -> Result<Option<GrantRequest>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS} FROM grant_requests WHERE id = ?1"
        ))?;
        stmt.query_and_then([id], request_from)?.next().transpose()
    }

    /// A grant request by its poll secret's public id, with the secret's stored hash.
    pub fn grant_request_by_poll_id(
        &self,
        poll_id: &str,
    ) -> Result<Option<(GrantRequest, Vec<u8>)>> {
        let found: Option<(String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT id, poll_hash FROM grant_requests WHERE poll_id = ?1",
                [poll_id],
                |r| Ok((r.get("id")?, r.get("poll_hash")?)),
            )
            .optional()?;
        match found {
            None => Ok(None),
            Some((id, hash)) => Ok(self.grant_request(&id)?.map(|r| (r, hash))),
        }
    }

    /// How many requests are pending and not yet lapsed at `now`.
    pub fn pending_requests(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) AS n FROM grant_requests WHERE status = 'pending' AND expires_at > ?1",
            [time(&now)],
            |r| r.get("n"),
        )?)
    }

    /// How many grant requests filed by web pages of `origin` (`None`: of any origin) wait for
    /// the person at `now`.
    pub fn pending_requests_from(&self, origin: Option<&str>, now: DateTime<Utc>) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) AS n FROM grant_requests WHERE web_origin IS NOT NULL \
             AND (?1 IS NULL OR web_origin = ?1) AND status = 'pending' AND expires_at > ?2",
            params![origin, time(&now)],
            |r| r.get("n"),
        )?)
    }

    /// How many beliefs an actor (encoded) proposed that still wait for the person.
    pub fn pending_from(&self, actor: &str) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) AS n FROM beliefs WHERE status = 'pending' AND actor = ?1",
            [actor],
            |r| r.get("n"),
        )?)
    }

    /// How many of a grant's dropped proposals (see [`Writer::drop_proposal`]) still hold a
    /// pending place at `now`.
    pub fn dropped_from(&self, grant_id: &str, now: DateTime<Utc>) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) AS n FROM dropped_proposals WHERE grant_id = ?1 AND until > ?2",
            params![grant_id, time(&now)],
            |r| r.get("n"),
        )?)
    }

    /// Every grant, newest first.
    pub fn grants(&self) -> Result<Vec<Grant>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {GRANT_COLUMNS} FROM grants ORDER BY created_at DESC"
        ))?;
        stmt.query_and_then([], grant_from)?.collect()
    }

    /// One grant.
    pub fn grant(&self, id: &str) -> Result<Option<Grant>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {GRANT_COLUMNS} FROM grants WHERE id = ?1"))?;
        stmt.query_and_then([id], grant_from)?.next().transpose()
    }

    /// A grant by its token's public id, with the token secret's stored hash.
    pub fn grant_by_token_id(&self, token_id: &str) -> Result<Option<(Grant, Vec<u8>)>> {
        let found: Option<(String, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT id, token_hash FROM grants WHERE token_id = ?1 AND token_hash IS NOT NULL",
            )?
            .query_row([token_id], |r| Ok((r.get("id")?, r.get("token_hash")?)))
            .optional()?;
        match found {
            None => Ok(None),
            Some((id, hash)) => Ok(self.grant(&id)?.map(|g| (g, hash))),
        }
    }

    /// How many notices of each kind one grant was sent from `from` (inclusive) to `to`
    /// (exclusive), counted in the vault: a report over a year of erasures holds no notices.
    pub fn notice_counts(
        &self,
        grant_id: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<(String, u64)>> {
        // Stored times are canonical (fixed-width RFC 3339 in UTC), so their text orders as time
        // within the years 0000–9999; a bound outside them is moved to their edge.
        let bound = |t: &DateTime<Utc>| match t.year() {
            ..0 => "0000-01-01T00:00:00.000000Z".to_owned(),
            10_000.. => "9999-12-31T23:59:59.999999Z".to_owned(),
            _ => time(t),
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, count(*) AS n FROM vendor_events WHERE grant_id = ?1 \
             AND (?2 IS NULL OR at >= ?2) AND (?3 IS NULL OR at < ?3) GROUP BY kind",
        )?;
        let counts = stmt
            .query_map(
                params![grant_id, from.as_ref().map(bound), to.as_ref().map(bound)],
                |r| Ok((r.get::<_, String>("kind")?, r.get::<_, u64>("n")?)),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(counts)
    }

    /// Notices for one grant after the cursor, oldest first.
    pub fn vendor_events(
        &self,
        grant_id: &str,
        after: u64,
        limit: u64,
    ) -> Result<Vec<VendorEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, kind, belief_id FROM vendor_events WHERE grant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        // A cursor past SQLite's integer range has nothing after it (and would not bind).
        let (after, limit) = (
            i64::try_from(after).unwrap_or(i64::MAX),
            i64::try_from(limit).unwrap_or(i64::MAX),
        );
        stmt.query_and_then(params![grant_id, after, limit], |r| {
            let kind: String = r.get("kind")?;
            let belief: Option<String> = r.get("belief_id")?;
            Ok(VendorEvent {
                seq: r.get("seq")?,
                at: parse_time(&r.get::<_, String>("at")?)?,
                grant_id: grant_id.to_owned(),
                kind: VendorEventKind::parse(&kind).ok_or_else(|| data("vendor event"))?,
                belief_id: belief
                    .as_deref()
                    .map(|b| parse("belief id", b))
                    .transpose()?,
            })
        })?
        .collect()
    }

    /// Whether a tombstone with this digest exists.
    pub fn has_tombstone(&self, digest: &[u8]) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM tombstones WHERE digest = ?1")?
            .query_row([digest], |_| Ok(()))
            .optional()?
            .is_some())
    }
}

impl Writer<'_> {
    /// Stores a new grant request with its poll secret's public id and hash.
    pub fn insert_grant_request(
        &mut self,
        r: &GrantRequest,
        poll_id: &str,
        poll_hash: &[u8],
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO grant_requests (id, vendor_id, vendor_name, vendor_url, scope_json, duration_days, \
             vendor_retention_days, justification, user_code, poll_id, poll_hash, status, created_at, expires_at, grant_id, web_origin) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                r.id,
                r.vendor.id,
                r.vendor.name,
                r.vendor.url,
                scope_json(&r.scope),
                r.duration_days,
                r.vendor_retention_days,
                r.justification,
                r.user_code,
                poll_id,
                poll_hash,
                r.status.as_str(),
                time(&r.created_at),
                time(&r.expires_at),
                r.grant_id,
                r.web_origin
            ],
        )?;
        Ok(())
    }

    /// Records a decision on a request.
    pub fn set_request_status(
        &mut self,
        id: &str,
        status: &str,
        at: DateTime<Utc>,
        grant_id: Option<&str>,
    ) -> Result<()> {
        self.tx.execute(
            "UPDATE grant_requests SET status = ?2, decided_at = coalesce(decided_at, ?3), grant_id = coalesce(?4, grant_id) WHERE id = ?1",
            params![id, status, time(&at), grant_id],
        )?;
        Ok(())
    }

    /// Records that a grant's proposal matched a tombstone and was dropped: it holds one of the
    /// grant's pending places until `until`, when the proposal would have expired.
    pub fn drop_proposal(&mut self, grant_id: &str, until: DateTime<Utc>) -> Result<()> {
        self.tx.execute(
            "INSERT INTO dropped_proposals (grant_id, until) VALUES (?1, ?2)",
            params![grant_id, time(&until)],
        )?;
        Ok(())
    }

    /// Marks pending requests past their expiry as expired, and deletes those that expired
    /// unanswered more than `EXPIRED_REQUESTS_KEPT` ago (a vendor polling one in between is
    /// told it expired), and lapsed dropped-proposal places; returns how many expired now.
    pub fn expire_requests(&mut self, now: DateTime<Utc>) -> Result<u64> {
        let expired = self.tx.execute(
            "UPDATE grant_requests SET status = 'expired' WHERE status = 'pending' AND expires_at <= ?1",
            [time(&now)],
        )? as u64;
        self.tx.execute(
            "DELETE FROM grant_requests WHERE status = 'expired' AND expires_at <= ?1",
            [time(&(now - EXPIRED_REQUESTS_KEPT))],
        )?;
        self.tx.execute(
            "DELETE FROM dropped_proposals WHERE until <= ?1",
            [time(&now)],
        )?;
        Ok(expired)
    }

    /// Stores a new grant (without a token until the vendor claims it).
    pub fn insert_grant(&mut self, g: &Grant) -> Result<()> {
        self.tx.execute(
            &format!("INSERT INTO grants ({GRANT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
            params![
                g.id,
                g.request_id,
                g.vendor.id,
                g.vendor.name,
                g.vendor.url,
                scope_json(&g.scope),
                g.vendor_retention_days,
                time(&g.created_at),
                time(&g.expires_at),
                g.revoked_at.as_ref().map(time),
                g.revoked_by,
                g.last_used_at.as_ref().map(time),
                consent_json(&g.consent)
            ],
        )?;
        Ok(())
    }

    /// Sets a grant's token (public id and secret hash).
    pub fn set_grant_token(
        &mut self,
        grant_id: &str,
        token_id: &str,
        token_hash: &[u8],
    ) -> Result<()> {
        self.tx.execute(
            "UPDATE grants SET token_id = ?2, token_hash = ?3 WHERE id = ?1",
            params![grant_id, token_id, token_hash],
        )?;
        Ok(())
    }

    /// Revokes a grant; returns false if it was already revoked.
    pub fn revoke_grant(&mut self, id: &str, at: DateTime<Utc>, by: &str) -> Result<bool> {
        Ok(self.tx.execute(
            "UPDATE grants SET revoked_at = ?2, revoked_by = ?3 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, time(&at), by],
        )? == 1)
    }

    /// Records that a grant was just used.
    pub fn touch_grant(&mut self, id: &str, at: DateTime<Utc>) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE grants SET last_used_at = ?2 WHERE id = ?1")?
            .execute(params![id, time(&at)])?;
        Ok(())
    }

    /// Queues a notice for every grant that received each of `beliefs`, in their order (per
    /// belief, in grant order); returns how many. The stored sets are scanned once for all of
    /// them, so erasing every belief costs one pass over the sets, not one per belief.
    pub fn notify_recipients(
        &mut self,
        beliefs: &[BeliefId],
        kind: VendorEventKind,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        // The grants a set went to, from the detailed log and the compacted days alike; each
        // set is read once, and what is kept is at most a grant list per belief. The detailed
        // log's grants are found by stepping from one to the next in the index by set and
        // grant (one lookup per grant, however often the set was sent).
        let mut grants_of_set = self.tx.prepare_cached(
            "WITH RECURSIVE detailed (id) AS ( \
               SELECT (SELECT min(grant_id) FROM access_entries WHERE disclosed_set = ?1) \
               UNION ALL \
               SELECT (SELECT min(grant_id) FROM access_entries \
                       WHERE disclosed_set = ?1 AND grant_id > detailed.id) \
               FROM detailed WHERE detailed.id IS NOT NULL) \
             SELECT g.text AS grant_id FROM detailed JOIN log_texts g ON g.id = detailed.id \
             WHERE g.text <> '' \
             UNION \
             SELECT g.text FROM disclosed_days d \
             JOIN log_texts g ON g.id = d.grant_id WHERE d.set_id = ?1 AND g.text <> ''",
        )?;
        let mut received: HashMap<BeliefId, BTreeSet<String>> = HashMap::new();
        for_each_set_holding(&self.tx, beliefs, |set, held| {
            let grants = grants_of_set
                .query_map([set], |r| r.get::<_, String>("grant_id"))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for belief in held {
                received
                    .entry(*belief)
                    .or_default()
                    .extend(grants.iter().cloned());
            }
            Ok(())
        })?;
        drop(grants_of_set);
        let mut notice = self.tx.prepare_cached(
            "INSERT INTO vendor_events (at, grant_id, kind, belief_id) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut queued = 0;
        for belief in beliefs {
            let id = belief.to_string();
            let grants = received.remove(belief).unwrap_or_default();
            for g in &grants {
                notice.execute(params![time(&at), g, kind.as_str(), id])?;
            }
            queued += grants.len() as u64;
        }
        Ok(queued)
    }

    /// Queues a notice for one grant.
    pub fn notify_grant(
        &mut self,
        grant_id: &str,
        kind: VendorEventKind,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO vendor_events (at, grant_id, kind, belief_id) VALUES (?1, ?2, ?3, NULL)",
            params![time(&at), grant_id, kind.as_str()],
        )?;
        Ok(())
    }

    /// Stores a tombstone digest (idempotent).
    pub fn insert_tombstone(&mut self, digest: &[u8], at: DateTime<Utc>) -> Result<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO tombstones (digest, at) VALUES (?1, ?2)",
            params![digest, time(&at)],
        )?;
        Ok(())
    }
}
