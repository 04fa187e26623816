//! Storage for vendor access: grant requests, grants, the access log, vendor notices and
//! tombstones.

use chrono::{DateTime, Timelike, Utc};
use rusqlite::{OptionalExtension, Row, params};
use selfmodel_core::{
    AccessEntry, BeliefId, ConsentRecord, Grant, GrantRequest, NewAccess, Operation, Outcome,
    Scope, Vendor, VendorEvent, VendorEventKind,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::codec::{from_micros, micros, parse, parse_time, time};
use crate::error::{Result, VaultError};
use crate::store::{Reader, Writer};

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
    /// At most this many, newest last.
    pub limit: Option<u64>,
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

/// A [`LoggedRow`] as stored: its texts by number.
struct CodedRow {
    grant_id: Option<i64>,
    vendor_id: Option<i64>,
    purpose: Option<i64>,
    operation: Option<i64>,
    denied: bool,
    reason: Option<i64>,
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

/// How long a grant request that expired unanswered is kept before it is deleted. Anyone may file
/// requests, so unanswered ones must not pile up.
pub const EXPIRED_REQUESTS_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// Longest text an access-log column keeps, in characters.
pub const MAX_LOGGED_CHARS: usize = 100;

/// Text as the access log keeps it: at most [`MAX_LOGGED_CHARS`] characters, hidden characters
/// ([`selfmodel_core::text::is_hidden`]) replaced. The use-case layer logs only validated text;
/// this is the backstop for every row.
fn logged(s: &str) -> String {
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

const REQUEST_COLUMNS: &str = "id, vendor_id, vendor_name, vendor_url, scope_json, duration_days, \
     vendor_retention_days, justification, user_code, status, created_at, expires_at, grant_id, web_origin";
const GRANT_COLUMNS: &str = "id, request_id, vendor_id, vendor_name, vendor_url, scope_json, \
     vendor_retention_days, created_at, expires_at, revoked_at, revoked_by, last_used_at, consent_json";

fn data(what: &str) -> VaultError {
    VaultError::Data(format!("stored {what} does not parse"))
}

fn strings(v: &Value, key: &str) -> Result<std::collections::BTreeSet<String>> {
    v[key]
        .as_array()
        .ok_or_else(|| data(key))?
        .iter()
        .map(|x| x.as_str().map(str::to_owned).ok_or_else(|| data(key)))
        .collect()
}

fn operations(v: &Value, key: &str) -> Result<std::collections::BTreeSet<Operation>> {
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

fn read_request<const N: usize>(r: &Row<'_>) -> rusqlite::Result<[Option<String>; N]> {
    let mut out: [Option<String>; N] = std::array::from_fn(|_| None);
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = match r.get_ref(i)? {
            rusqlite::types::ValueRef::Null => None,
            rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
            rusqlite::types::ValueRef::Real(f) => Some(f.to_string()),
            rusqlite::types::ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            rusqlite::types::ValueRef::Blob(_) => None,
        };
    }
    Ok(out)
}

fn req<const N: usize>(c: &[Option<String>; N], i: usize) -> Result<&str> {
    c[i].as_deref().ok_or_else(|| data("grant field"))
}

fn request_from(c: [Option<String>; 14]) -> Result<GrantRequest> {
    Ok(GrantRequest {
        id: req(&c, 0)?.to_owned(),
        vendor: Vendor {
            id: req(&c, 1)?.to_owned(),
            name: req(&c, 2)?.to_owned(),
            url: c[3].clone(),
        },
        scope: parse_scope(req(&c, 4)?)?,
        duration_days: parse("duration", req(&c, 5)?)?,
        vendor_retention_days: parse("retention", req(&c, 6)?)?,
        justification: req(&c, 7)?.to_owned(),
        user_code: req(&c, 8)?.to_owned(),
        status: parse("request status", req(&c, 9)?)?,
        created_at: parse_time(req(&c, 10)?)?,
        expires_at: parse_time(req(&c, 11)?)?,
        grant_id: c[12].clone(),
        web_origin: c[13].clone(),
    })
}

fn grant_from(c: [Option<String>; 13]) -> Result<Grant> {
    Ok(Grant {
        id: req(&c, 0)?.to_owned(),
        request_id: req(&c, 1)?.to_owned(),
        vendor: Vendor {
            id: req(&c, 2)?.to_owned(),
            name: req(&c, 3)?.to_owned(),
            url: c[4].clone(),
        },
        scope: parse_scope(req(&c, 5)?)?,
        vendor_retention_days: parse("retention", req(&c, 6)?)?,
        created_at: parse_time(req(&c, 7)?)?,
        expires_at: parse_time(req(&c, 8)?)?,
        revoked_at: opt_time(c[9].clone())?,
        revoked_by: c[10].clone(),
        last_used_at: opt_time(c[11].clone())?,
        consent: parse_consent(req(&c, 12)?)?,
    })
}

impl Reader<'_> {
    /// Grant requests, newest first; only `status` if given.
    pub fn grant_requests(&self, status: Option<&str>) -> Result<Vec<GrantRequest>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS} FROM grant_requests WHERE ?1 IS NULL OR status = ?1 ORDER BY created_at DESC"
        ))?;
        let rows = stmt
            .query_map([status], read_request)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(request_from).collect()
    }

    /// One grant request.
    pub fn grant_request(&self, id: &str) -> Result<Option<GrantRequest>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS} FROM grant_requests WHERE id = ?1"
        ))?;
        stmt.query_row([id], read_request)
            .optional()?
            .map(request_from)
            .transpose()
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
                |r| Ok((r.get(0)?, r.get(1)?)),
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
            "SELECT count(*) FROM grant_requests WHERE status = 'pending' AND expires_at > ?1",
            [time(&now)],
            |r| r.get(0),
        )?)
    }

    /// How many grant requests filed by web pages of `origin` (`None`: of any origin) wait for
    /// the person at `now`.
    pub fn pending_requests_from(&self, origin: Option<&str>, now: DateTime<Utc>) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM grant_requests WHERE web_origin IS NOT NULL \
             AND (?1 IS NULL OR web_origin = ?1) AND status = 'pending' AND expires_at > ?2",
            params![origin, time(&now)],
            |r| r.get(0),
        )?)
    }

    /// How many beliefs an actor (encoded) proposed that still wait for the person.
    pub fn pending_from(&self, actor: &str) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM beliefs WHERE status = 'pending' AND actor = ?1",
            [actor],
            |r| r.get(0),
        )?)
    }

    /// How many of a grant's dropped proposals (see [`Writer::drop_proposal`]) still hold a
    /// pending place at `now`.
    pub fn dropped_from(&self, grant_id: &str, now: DateTime<Utc>) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM dropped_proposals WHERE grant_id = ?1 AND until > ?2",
            params![grant_id, time(&now)],
            |r| r.get(0),
        )?)
    }

    /// Every grant, newest first.
    pub fn grants(&self) -> Result<Vec<Grant>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {GRANT_COLUMNS} FROM grants ORDER BY created_at DESC"
        ))?;
        let rows = stmt
            .query_map([], read_request)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(grant_from).collect()
    }

    /// One grant.
    pub fn grant(&self, id: &str) -> Result<Option<Grant>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {GRANT_COLUMNS} FROM grants WHERE id = ?1"))?;
        stmt.query_row([id], read_request)
            .optional()?
            .map(grant_from)
            .transpose()
    }

    /// A grant by its token's public id, with the token secret's stored hash.
    pub fn grant_by_token_id(&self, token_id: &str) -> Result<Option<(Grant, Vec<u8>)>> {
        let found: Option<(String, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT id, token_hash FROM grants WHERE token_id = ?1 AND token_hash IS NOT NULL",
            )?
            .query_row([token_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match found {
            None => Ok(None),
            Some((id, hash)) => Ok(self.grant(&id)?.map(|g| (g, hash))),
        }
    }

    /// How many allowed requests each grant has made (claiming its token is not one): (grant id,
    /// count).
    pub fn access_counts(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT grant_id, sum(n) FROM ( \
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
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Access-log entries matching the filter, oldest first. Only the filters that are set
    /// are in the query, so that each can use its index (a time range reads only its days).
    pub fn access_log(&self, f: &AccessFilter) -> Result<Vec<AccessEntry>> {
        use rusqlite::types::Value;
        let mut sql = String::from(
            "SELECT e.seq, e.at, g.text, v.text, p.text, o.text, e.denied, r.text, e.requests \
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
        let mut values = vec![Value::Integer(f.after_seq.unwrap_or(0) as i64)];
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
            sql.push_str(
                " AND e.disclosed_set IN (SELECT m.set_id FROM disclosure_set_members m \
                   JOIN belief_numbers b ON b.n = m.n WHERE b.belief_id = ?)",
            );
            values.push(Value::Text(belief.to_string()));
        }
        if let Some(since) = &f.since {
            sql.push_str(" AND e.at >= ?");
            values.push(Value::Integer(micros(since)));
        }
        sql.push_str(" ORDER BY e.seq LIMIT ?");
        values.push(Value::Integer(f.limit.map_or(i64::MAX, |l| l as i64)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values), |r| {
                Ok((
                    r.get::<_, u64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, bool>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, u64>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut ids = self.conn.prepare_cached(
            "SELECT belief_id FROM disclosures WHERE access_seq = ?1 ORDER BY belief_id",
        )?;
        rows.into_iter()
            .map(
                |(seq, at, grant_id, vendor_id, purpose, operation, denied, reason, requests)| {
                    let disclosed = if f.without_disclosed {
                        Vec::new()
                    } else {
                        ids.query_map([seq], |r| r.get::<_, String>(0))?
                            .collect::<rusqlite::Result<Vec<_>>>()?
                            .iter()
                            .map(|s| parse("belief id", s))
                            .collect::<Result<Vec<BeliefId>>>()?
                    };
                    Ok(AccessEntry {
                        seq,
                        at: from_micros(at)?,
                        grant_id,
                        vendor_id,
                        purpose,
                        operation,
                        outcome: if denied {
                            Outcome::Denied(reason.unwrap_or_default())
                        } else {
                            Outcome::Allowed
                        },
                        disclosed,
                        requests,
                    })
                },
            )
            .collect()
    }

    /// Who received a belief: per grant, how often and when last (to the day for the compacted
    /// part of the log).
    pub fn recipients(&self, belief: BeliefId) -> Result<Vec<Recipient>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT grant_id, vendor_id, sum(n), max(last) FROM ( \
               SELECT a.grant_id AS grant_id, a.vendor_id AS vendor_id, count(*) AS n, \
                      max(a.at) AS last \
               FROM disclosures d JOIN access_log a ON a.seq = d.access_seq \
               WHERE d.belief_id = ?1 GROUP BY 1, 2 \
               UNION ALL \
               SELECT grant_id, vendor_id, sum(times), unixepoch(max(day)) * 1000000 \
               FROM disclosure_days WHERE belief_id = ?1 GROUP BY 1, 2) \
             GROUP BY 1, 2 ORDER BY max(last) DESC",
        )?;
        let rows = stmt
            .query_map([belief.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(grant_id, vendor_id, times, last)| {
                Ok(Recipient {
                    grant_id,
                    vendor_id,
                    times,
                    last_at: from_micros(last)?,
                })
            })
            .collect()
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
        let rows = stmt
            .query_map(params![grant_id, after, limit], |r| {
                Ok((
                    r.get::<_, u64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(seq, at, kind, belief)| {
                Ok(VendorEvent {
                    seq,
                    at: parse_time(&at)?,
                    grant_id: grant_id.to_owned(),
                    kind: VendorEventKind::parse(&kind).ok_or_else(|| data("vendor event"))?,
                    belief_id: belief
                        .as_deref()
                        .map(|b| parse("belief id", b))
                        .transpose()?,
                })
            })
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
    /// unanswered more than [`EXPIRED_REQUESTS_KEPT`] ago (a vendor polling one in between is
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
        self.tx.execute(
            "UPDATE grants SET last_used_at = ?2 WHERE id = ?1",
            params![id, time(&at)],
        )?;
        Ok(())
    }

    /// Appends an access-log entry with the beliefs it disclosed; this records the transaction.
    /// Every text column is kept bounded and free of control characters. The disclosed beliefs
    /// are stored as a set, once: a request that discloses a set already stored only refers to
    /// it.
    pub fn append_access(&mut self, a: &NewAccess, at: DateTime<Utc>) -> Result<u64> {
        let set = if a.disclosed.is_empty() {
            None
        } else {
            Some(self.disclosure_set(&a.disclosed)?)
        };
        let seq = self.insert_access(a, at, 1, set)?;
        self.recorded = true;
        Ok(seq)
    }

    /// The stored set of exactly these beliefs, stored now if it is new.
    pub(crate) fn disclosure_set(&mut self, ids: &[BeliefId]) -> Result<i64> {
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut digest = Sha256::new();
        for id in &sorted {
            digest.update(id.as_uuid().as_bytes());
        }
        let digest = digest.finalize().to_vec();
        let found: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM disclosure_sets WHERE digest = ?1")?
            .query_row([&digest], |r| r.get(0))
            .optional()?;
        if let Some(set) = found {
            return Ok(set);
        }
        self.tx
            .prepare_cached("INSERT INTO disclosure_sets (digest) VALUES (?1)")?
            .execute([&digest])?;
        let set = self.tx.last_insert_rowid();
        for id in &sorted {
            let n = self.belief_number(*id)?;
            self.tx
                .prepare_cached("INSERT INTO disclosure_set_members (set_id, n) VALUES (?1, ?2)")?
                .execute(params![set, n])?;
        }
        Ok(set)
    }

    /// Records one more request like `a`, which discloses nothing: it is added to the count of
    /// this minute's entry with the same fields, or starts one. For requests that come often
    /// and say nothing new, such as polls of a pending grant request, so that their rows grow
    /// with time, not with the rate. This records the transaction.
    pub fn count_access(&mut self, a: &NewAccess, at: DateTime<Utc>) -> Result<u64> {
        debug_assert!(a.disclosed.is_empty(), "a counted entry discloses nothing");
        let row = self.coded(a)?;
        let minute = at
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(at);
        let found: Option<u64> = self
            .tx
            .prepare_cached(
                // Only this minute's rows are looked at, whatever else the log holds.
                "SELECT seq FROM access_entries INDEXED BY access_entries_by_time \
                 WHERE at >= ?1 AND disclosed_set IS NULL \
                 AND operation = ?2 AND denied = ?3 AND reason IS ?4 AND grant_id IS ?5 \
                 AND vendor_id IS ?6 AND purpose IS ?7 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row(
                params![
                    micros(&minute),
                    row.operation,
                    row.denied,
                    row.reason,
                    row.grant_id,
                    row.vendor_id,
                    row.purpose
                ],
                |r| r.get(0),
            )
            .optional()?;
        let seq = match found {
            Some(seq) => {
                self.tx
                    .prepare_cached(
                        "UPDATE access_entries SET requests = requests + 1 WHERE seq = ?1",
                    )?
                    .execute([seq])?;
                seq
            }
            None => self.insert_access(a, at, 1, None)?,
        };
        self.recorded = true;
        Ok(seq)
    }

    /// A belief's number in disclosure sets, given on its first disclosure.
    fn belief_number(&mut self, id: BeliefId) -> Result<i64> {
        let id = id.to_string();
        let found = self
            .tx
            .prepare_cached("SELECT n FROM belief_numbers WHERE belief_id = ?1")?
            .query_row([&id], |r| r.get(0))
            .optional()?;
        if let Some(n) = found {
            return Ok(n);
        }
        self.tx
            .prepare_cached("INSERT INTO belief_numbers (belief_id) VALUES (?1)")?
            .execute([&id])?;
        Ok(self.tx.last_insert_rowid())
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

    /// The one place an access-log row is written; every text goes through [`logged`].
    pub(crate) fn insert_access(
        &mut self,
        a: &NewAccess,
        at: DateTime<Utc>,
        requests: u64,
        set: Option<i64>,
    ) -> Result<u64> {
        let row = self.coded(a)?;
        self.tx
            .prepare_cached(
                "INSERT INTO access_entries (at, grant_id, vendor_id, purpose, operation, denied, \
                   reason, requests, disclosed_set) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                micros(&at),
                row.grant_id,
                row.vendor_id,
                row.purpose,
                row.operation,
                row.denied,
                row.reason,
                requests,
                set
            ])?;
        Ok(self.tx.last_insert_rowid() as u64)
    }

    /// The access-log row for `a`, its texts bounded ([`logged`]) and replaced by their numbers.
    fn coded(&mut self, a: &NewAccess) -> Result<CodedRow> {
        let row = LoggedRow::of(a);
        Ok(CodedRow {
            grant_id: self.text_number(row.grant_id.as_deref())?,
            vendor_id: self.text_number(row.vendor_id.as_deref())?,
            purpose: self.text_number(row.purpose.as_deref())?,
            operation: self.text_number(Some(&row.operation))?,
            denied: row.outcome != "allowed",
            reason: self.text_number(row.reason.as_deref())?,
        })
    }

    /// The number of an access-log text, given it on its first use.
    fn text_number(&mut self, text: Option<&str>) -> Result<Option<i64>> {
        let Some(text) = text else { return Ok(None) };
        let found = self
            .tx
            .prepare_cached("SELECT id FROM log_texts WHERE text = ?1")?
            .query_row([text], |r| r.get(0))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
        self.tx
            .prepare_cached("INSERT INTO log_texts (text) VALUES (?1)")?
            .execute([text])?;
        Ok(Some(self.tx.last_insert_rowid()))
    }

    /// Queues a notice for every grant that received `belief` (or for one grant).
    pub fn notify_recipients(
        &mut self,
        belief: BeliefId,
        kind: VendorEventKind,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        Ok(self.tx.execute(
            "INSERT INTO vendor_events (at, grant_id, kind, belief_id) \
             SELECT ?1, g, ?2, ?3 FROM ( \
               SELECT a.grant_id AS g FROM disclosures d JOIN access_log a ON a.seq = d.access_seq \
               WHERE d.belief_id = ?3 AND a.grant_id IS NOT NULL \
               UNION \
               SELECT grant_id FROM disclosure_days WHERE belief_id = ?3 AND grant_id <> '') \
             ORDER BY g",
            params![time(&at), kind.as_str(), belief.to_string()],
        )? as u64)
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
