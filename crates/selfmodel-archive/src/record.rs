//! The vendor record a whole export carries beside the model (version 2): the grants (never a
//! token), the access log (detailed and compacted, ids only) and the tombstones. With it, "who
//! received this belief" and the Art. 19 notices stay exact on the machine the file moves to.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use selfmodel_core::audit::canonical_time;
use selfmodel_core::text::{self, Lines};
use selfmodel_core::{
    AccessDay, BeliefId, ConsentRecord, CoreError, DisclosureDay, Grant, Outcome, Scope, Vendor,
};
use zeroize::Zeroizing;

use crate::convert::{enum_in, id_in, time_in};
use crate::error::{ArchiveError, Result};
use crate::wire;

/// Grants, access log and tombstones: empty in a subset export and in version 1 files.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// Every grant, oldest first.
    pub grants: Vec<Grant>,
    /// The detailed access log, oldest first.
    pub access: Vec<Access>,
    /// The sets of beliefs its entries disclosed, by number: a set is held once however many
    /// entries disclosed it.
    pub disclosure_sets: BTreeMap<u64, Vec<BeliefId>>,
    /// The compacted access log's requests per day.
    pub access_days: Vec<AccessDay>,
    /// The compacted access log's disclosures per belief and day.
    pub disclosure_days: Vec<DisclosureDay>,
    /// What the person erased or rejected.
    pub tombstones: Option<Tombstones>,
}

impl Record {
    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
            && self.access.is_empty()
            && self.disclosure_sets.is_empty()
            && self.access_days.is_empty()
            && self.disclosure_days.is_empty()
            && self.tombstones.is_none()
    }
}

/// One entry of the detailed access log, its disclosed beliefs a set of [`Record`]'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Position in the exporting vault's log.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// The grant, if a token was valid.
    pub grant_id: Option<String>,
    /// The vendor's id, if known.
    pub vendor_id: Option<String>,
    /// The purpose named.
    pub purpose: Option<String>,
    /// What was asked.
    pub operation: String,
    /// Served or refused.
    pub outcome: Outcome,
    /// How many requests the entry stands for.
    pub requests: u64,
    /// The set of beliefs it disclosed, if any.
    pub disclosed_set: Option<u64>,
}

/// Tombstones with the HMAC key that made them (a secret: zeroized, never printed).
#[derive(Clone, PartialEq)]
pub struct Tombstones {
    /// The key, as the vault keeps it.
    pub key: Zeroizing<String>,
    /// Digests and when each was laid.
    pub digests: Vec<(Vec<u8>, DateTime<Utc>)>,
}

impl std::fmt::Debug for Tombstones {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tombstones")
            .field("digests", &self.digests.len())
            .finish_non_exhaustive()
    }
}

/// The record's members of the document.
pub(crate) struct Out {
    pub grants: Vec<wire::Grant>,
    pub disclosure_sets: Vec<wire::DisclosureSet>,
    pub access_days: Vec<wire::AccessDay>,
    pub disclosure_days: Vec<wire::DisclosureDay>,
    pub tombstones: Option<wire::Tombstones>,
}

/// One access-log entry on the wire.
pub(crate) fn access_out(a: &Access) -> wire::Access {
    let (outcome, reason) = outcome_out(a.outcome.clone());
    wire::Access {
        seq: a.seq,
        at: canonical_time(&a.at),
        grant_id: a.grant_id.clone(),
        vendor_id: a.vendor_id.clone(),
        purpose: a.purpose.clone(),
        operation: a.operation.clone(),
        outcome,
        reason,
        requests: a.requests,
        disclosed_set: a.disclosed_set,
    }
}

/// The record on the wire, but for its access log, which [`access_out`] gives an entry at a time.
pub(crate) fn out(r: Record) -> Out {
    let disclosure_sets = r
        .disclosure_sets
        .iter()
        .map(|(id, beliefs)| {
            let sorted: BTreeSet<String> = beliefs.iter().map(ToString::to_string).collect();
            wire::DisclosureSet {
                id: *id,
                beliefs: sorted.into_iter().collect(),
            }
        })
        .collect();
    Out {
        grants: r.grants.iter().map(grant_out).collect(),
        disclosure_sets,
        access_days: r
            .access_days
            .iter()
            .map(|d| {
                let (outcome, reason) = outcome_out(d.outcome.clone());
                wire::AccessDay {
                    day: d.day.to_string(),
                    grant_id: d.grant_id.clone(),
                    vendor_id: d.vendor_id.clone(),
                    purpose: d.purpose.clone(),
                    operation: d.operation.clone(),
                    outcome,
                    reason,
                    requests: d.requests,
                }
            })
            .collect(),
        disclosure_days: r
            .disclosure_days
            .iter()
            .map(|d| wire::DisclosureDay {
                belief_id: d.belief_id.to_string(),
                day: d.day.to_string(),
                grant_id: d.grant_id.clone(),
                vendor_id: d.vendor_id.clone(),
                purpose: d.purpose.clone(),
                times: d.times,
            })
            .collect(),
        tombstones: r.tombstones.as_ref().map(|t| wire::Tombstones {
            key: t.key.to_string(),
            digests: t
                .digests
                .iter()
                .map(|(d, at)| wire::Tombstone {
                    digest: hex::encode(d),
                    at: canonical_time(at),
                })
                .collect(),
        }),
    }
}

fn outcome_out(o: Outcome) -> (String, Option<String>) {
    match o {
        Outcome::Allowed => ("allowed".into(), None),
        Outcome::Denied(r) => ("denied".into(), Some(r)),
    }
}

fn grant_out(g: &Grant) -> wire::Grant {
    let names = |ops: &BTreeSet<selfmodel_core::Operation>| {
        ops.iter().map(|o| o.as_str().to_owned()).collect()
    };
    wire::Grant {
        id: g.id.clone(),
        request_id: g.request_id.clone(),
        vendor: wire::Vendor {
            id: g.vendor.id.clone(),
            name: g.vendor.name.clone(),
            url: g.vendor.url.clone(),
        },
        purposes: g.scope.purposes.iter().cloned().collect(),
        categories: g.scope.categories.iter().cloned().collect(),
        operations: names(&g.scope.operations),
        max_sensitivity: g.scope.max_sensitivity.as_str().to_owned(),
        min_confidence: g.scope.min_confidence,
        origins: g.scope.origins.iter().cloned().collect(),
        fresh_only: g.scope.fresh_only,
        vendor_retention_days: g.vendor_retention_days,
        created_at: canonical_time(&g.created_at),
        expires_at: canonical_time(&g.expires_at),
        revoked_at: g.revoked_at.as_ref().map(canonical_time),
        revoked_by: g.revoked_by.clone(),
        last_used_at: g.last_used_at.as_ref().map(canonical_time),
        consent: wire::Consent {
            subject: g.consent.subject.clone(),
            purposes: g.consent.purposes.iter().cloned().collect(),
            data_categories: g.consent.data_categories.iter().cloned().collect(),
            operations: names(&g.consent.operations),
            special_categories: g.consent.special_categories,
            notice: g.consent.notice.clone(),
            recipient_retention_days: g.consent.recipient_retention_days,
            given_at: canonical_time(&g.consent.given_at),
            expires_at: canonical_time(&g.consent.expires_at),
            method: g.consent.method.clone(),
        },
    }
}

/// The record read back but for its detailed access log, which is read an entry at a time
/// ([`access_in`]); grant and set ids are checked unique, every text is screened
/// ([`screened`]), and errors name the JSON Pointer.
pub(crate) fn read(d: &mut wire::Document) -> Result<Record> {
    let mut grants = Vec::with_capacity(d.grants.len());
    let mut seen = BTreeSet::new();
    for (i, g) in std::mem::take(&mut d.grants).into_iter().enumerate() {
        let path = format!("/grants/{i}");
        screen_grant(&g, &path)?;
        if !seen.insert(g.id.clone()) {
            return Err(ArchiveError::invalid(
                format!("{path}/id"),
                format!("grant '{}' appears twice", g.id),
            ));
        }
        grants.push(grant_in(g, &path)?);
    }
    let mut sets: BTreeMap<u64, Vec<BeliefId>> = BTreeMap::new();
    for (i, s) in std::mem::take(&mut d.disclosure_sets)
        .into_iter()
        .enumerate()
    {
        let path = format!("/disclosure_sets/{i}");
        let ids = s
            .beliefs
            .iter()
            .enumerate()
            .map(|(j, id)| id_in(id, &format!("{path}/beliefs/{j}")))
            .collect::<Result<Vec<_>>>()?;
        if sets.insert(s.id, ids).is_some() {
            return Err(ArchiveError::invalid(
                format!("{path}/id"),
                format!("disclosure set {} appears twice", s.id),
            ));
        }
    }
    let access_days = std::mem::take(&mut d.access_days)
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let path = format!("/access_days/{i}");
            Ok(AccessDay {
                day: day_in(&a.day, &format!("{path}/day"))?,
                grant_id: a.grant_id,
                vendor_id: a.vendor_id,
                purpose: a.purpose,
                operation: a.operation,
                outcome: outcome_in(a.outcome, a.reason, &path)?,
                requests: a.requests,
                compacted: true,
            })
        })
        .collect::<Result<_>>()?;
    let disclosure_days = std::mem::take(&mut d.disclosure_days)
        .into_iter()
        .enumerate()
        .map(|(i, x)| {
            let path = format!("/disclosure_days/{i}");
            Ok(DisclosureDay {
                belief_id: id_in(&x.belief_id, &format!("{path}/belief_id"))?,
                day: day_in(&x.day, &format!("{path}/day"))?,
                grant_id: x.grant_id,
                vendor_id: x.vendor_id,
                purpose: x.purpose,
                times: x.times,
            })
        })
        .collect::<Result<_>>()?;
    let tombstones = d
        .tombstones
        .take()
        .map(|mut t| {
            let digests = t
                .digests
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let path = format!("/tombstones/digests/{i}");
                    let digest = hex::decode(&x.digest)
                        .ok()
                        .filter(|d| d.len() == 32)
                        .ok_or_else(|| {
                            ArchiveError::invalid(format!("{path}/digest"), "not 32 bytes of hex")
                        })?;
                    Ok((digest, time_in(&x.at, &format!("{path}/at"))?))
                })
                .collect::<Result<_>>()?;
            Ok::<_, ArchiveError>(Tombstones {
                key: Zeroizing::new(std::mem::take(&mut t.key)),
                digests,
            })
        })
        .transpose()?;
    let record = Record {
        grants,
        access: Vec::new(),
        disclosure_sets: sets,
        access_days,
        disclosure_days,
        tombstones,
    };
    screen(&record)?;
    Ok(record)
}

/// A text of the record passes the checks a vendor's own calls pass (no control or invisible
/// characters, one line unless `lines` says otherwise, bounded), so that nothing a file
/// carries reaches the person's screens unscreened, even from a trusted signer.
fn screened(at: String, s: &str, lines: Lines, max: usize) -> Result<()> {
    text::check(&at, s, lines, max).map_err(|e| match e {
        CoreError::Invalid { reason, .. } => ArchiveError::invalid(at, reason),
        other => ArchiveError::invalid(at, other.to_string()),
    })
}

/// Screens the texts of one access-log entry, or of one of its compacted days: the same
/// fields, at `path`.
fn screen_logged(
    path: &str,
    ids: [(&str, Option<&str>); 3],
    operation: Option<&str>,
    outcome: &Outcome,
) -> Result<()> {
    let at = |field: &str| format!("{path}/{field}");
    if let Some(op) = operation {
        screened(at("operation"), op, Lines::One, 100)?;
    }
    for (field, s) in ids {
        if let Some(s) = s {
            screened(at(field), s, Lines::One, 200)?;
        }
    }
    if let Outcome::Denied(reason) = outcome {
        screened(at("reason"), reason, Lines::One, 100)?;
    }
    Ok(())
}

/// A detailed access-log entry's texts, screened ([`screened`]).
pub(crate) fn screen_access(a: &Access, path: &str) -> Result<()> {
    let ids = [
        ("grant_id", a.grant_id.as_deref()),
        ("vendor_id", a.vendor_id.as_deref()),
        ("purpose", a.purpose.as_deref()),
    ];
    screen_logged(path, ids, Some(&a.operation), &a.outcome)
}

/// Every text of a grant as the file holds it, screened ([`screened`]) before anything else
/// reads it. The bounds are above what a vault takes in (an origin's host may be 253
/// characters), so that a vault's own export always reads back.
fn screen_grant(g: &wire::Grant, path: &str) -> Result<()> {
    let at = |f: &str| format!("{path}/{f}");
    let one = [
        ("id", Some(g.id.as_str())),
        ("request_id", Some(&g.request_id)),
        ("vendor/id", Some(&g.vendor.id)),
        ("vendor/name", Some(&g.vendor.name)),
        ("vendor/url", g.vendor.url.as_deref()),
        ("revoked_by", g.revoked_by.as_deref()),
        ("consent/subject", Some(&g.consent.subject)),
        ("consent/method", Some(&g.consent.method)),
    ];
    for (field, s) in one {
        if let Some(s) = s {
            screened(at(field), s, Lines::One, 200)?;
        }
    }
    let lists = [
        ("purposes", &g.purposes, 200),
        ("categories", &g.categories, 200),
        ("origins", &g.origins, 300),
        ("consent/purposes", &g.consent.purposes, 200),
        ("consent/data_categories", &g.consent.data_categories, 200),
    ];
    for (field, list, max) in lists {
        for (j, s) in list.iter().enumerate() {
            screened(at(&format!("{field}/{j}")), s, Lines::One, max)?;
        }
    }
    screened(at("consent/notice"), &g.consent.notice, Lines::Many, 10_000)
}

/// The texts of the compacted log, screened ([`screened`]).
fn screen(r: &Record) -> Result<()> {
    for (i, d) in r.access_days.iter().enumerate() {
        let ids = [
            ("grant_id", d.grant_id.as_deref()),
            ("vendor_id", d.vendor_id.as_deref()),
            ("purpose", d.purpose.as_deref()),
        ];
        screen_logged(
            &format!("/access_days/{i}"),
            ids,
            Some(&d.operation),
            &d.outcome,
        )?;
    }
    for (i, d) in r.disclosure_days.iter().enumerate() {
        let ids = [
            ("grant_id", Some(d.grant_id.as_str())),
            ("vendor_id", Some(d.vendor_id.as_str())),
            ("purpose", d.purpose.as_deref()),
        ];
        screen_logged(
            &format!("/disclosure_days/{i}"),
            ids,
            None,
            &Outcome::Allowed,
        )?;
    }
    Ok(())
}

/// One detailed access-log entry in domain terms (the set it names is the caller's to check).
pub(crate) fn access_in(a: wire::Access, path: &str) -> Result<Access> {
    Ok(Access {
        seq: a.seq,
        at: time_in(&a.at, &format!("{path}/at"))?,
        grant_id: a.grant_id,
        vendor_id: a.vendor_id,
        purpose: a.purpose,
        operation: a.operation,
        outcome: outcome_in(a.outcome, a.reason, path)?,
        requests: a.requests,
        disclosed_set: a.disclosed_set,
    })
}

fn outcome_in(outcome: String, reason: Option<String>, path: &str) -> Result<Outcome> {
    match (outcome.as_str(), reason) {
        ("allowed", None) => Ok(Outcome::Allowed),
        ("denied", Some(r)) => Ok(Outcome::Denied(r)),
        _ => Err(ArchiveError::invalid(
            format!("{path}/outcome"),
            "an allowed entry has no reason and a denied one has one",
        )),
    }
}

fn day_in(s: &str, path: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| ArchiveError::invalid(path, format!("'{s}' is not a YYYY-MM-DD day")))
}

fn grant_in(g: wire::Grant, path: &str) -> Result<Grant> {
    let ops = |names: &[String], at: &str| -> Result<BTreeSet<selfmodel_core::Operation>> {
        names
            .iter()
            .enumerate()
            .map(|(i, o)| enum_in(o, &format!("{path}/{at}/{i}")))
            .collect()
    };
    let vendor = Vendor {
        id: g.vendor.id,
        name: g.vendor.name,
        url: g.vendor.url,
    };
    let consent = ConsentRecord {
        id: g.id.clone(),
        subject: g.consent.subject,
        recipient: vendor.clone(),
        purposes: g.consent.purposes.into_iter().collect(),
        data_categories: g.consent.data_categories.into_iter().collect(),
        operations: ops(&g.consent.operations, "consent/operations")?,
        special_categories: g.consent.special_categories,
        notice: g.consent.notice,
        recipient_retention_days: g.consent.recipient_retention_days,
        given_at: time_in(&g.consent.given_at, &format!("{path}/consent/given_at"))?,
        expires_at: time_in(&g.consent.expires_at, &format!("{path}/consent/expires_at"))?,
        method: g.consent.method,
    };
    let time = |t: &Option<String>, at: &str| {
        t.as_deref()
            .map(|t| time_in(t, &format!("{path}/{at}")))
            .transpose()
    };
    Ok(Grant {
        scope: Scope {
            purposes: g.purposes.into_iter().collect(),
            categories: g.categories.into_iter().collect(),
            operations: ops(&g.operations, "operations")?,
            max_sensitivity: enum_in(&g.max_sensitivity, &format!("{path}/max_sensitivity"))?,
            min_confidence: g.min_confidence,
            origins: g.origins.into_iter().collect(),
            fresh_only: g.fresh_only,
        },
        created_at: time_in(&g.created_at, &format!("{path}/created_at"))?,
        expires_at: time_in(&g.expires_at, &format!("{path}/expires_at"))?,
        revoked_at: time(&g.revoked_at, "revoked_at")?,
        last_used_at: time(&g.last_used_at, "last_used_at")?,
        id: g.id,
        request_id: g.request_id,
        vendor,
        vendor_retention_days: g.vendor_retention_days,
        revoked_by: g.revoked_by,
        consent,
    })
}
