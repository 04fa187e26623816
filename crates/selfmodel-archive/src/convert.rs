//! Domain ↔ wire conversions, by hand: the file format changes only when this file does.
//! Reading back names the JSON Pointer of any value that does not convert.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use selfmodel_core::audit::canonical_time;
use selfmodel_core::catalogue::default_review_days;
use selfmodel_core::{
    Actor, Belief, BeliefId, BeliefType, Evidence, Provenance, Purpose, Rectification, Snapshot,
};

use crate::error::{ArchiveError, Result};
use crate::wire;

/// A belief type on the wire.
pub fn belief_type_out(t: &BeliefType) -> wire::BeliefType {
    wire::BeliefType {
        id: t.id.clone(),
        name: t.name.clone(),
        description: t.description.clone(),
        allowed_purposes: t.allowed_purposes.iter().cloned().collect(),
        retention_days: t.retention_days,
        min_share_confidence: t.min_share_confidence,
        evidence_required: t.evidence_required,
        default_sensitivity: t.default_sensitivity.as_str().to_owned(),
        review_days: Some(t.review_days),
    }
}

/// A purpose on the wire.
pub fn purpose_out(p: &Purpose) -> wire::Purpose {
    wire::Purpose {
        id: p.id.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        dpv_term: p.dpv_term.clone(),
        opt_in: p.opt_in,
    }
}

/// A belief on the wire, with everything it holds.
pub fn belief_out(b: &Belief) -> wire::Belief {
    wire::Belief {
        id: b.id.to_string(),
        statement: b.statement.clone(),
        category: b.category.clone(),
        confidence: b.confidence,
        purposes: b.purposes.iter().cloned().collect(),
        sensitivity: b.sensitivity.as_str().to_owned(),
        status: b.status.as_str().to_owned(),
        evidence: b
            .evidence
            .iter()
            .map(|e| wire::Evidence {
                kind: e.kind.as_str().to_owned(),
                source: e.source.clone(),
                summary: e.summary.clone(),
                observed_at: canonical_time(&e.observed_at),
                content_sha256: e.content_sha256.clone(),
            })
            .collect(),
        provenance: wire::Provenance {
            actor: actor_out(&b.provenance.actor),
            method: b.provenance.method.clone(),
        },
        created_at: canonical_time(&b.created_at),
        updated_at: canonical_time(&b.updated_at),
        expires_at: b.expires_at.as_ref().map(canonical_time),
        confirmed_at: b.confirmed_at.as_ref().map(canonical_time),
        history: b
            .history
            .iter()
            .map(|r| wire::Rectification {
                at: canonical_time(&r.at),
                actor: actor_out(&r.actor),
                reason: r.reason.clone(),
                before: snapshot_out(&r.before),
                after: snapshot_out(&r.after),
            })
            .collect(),
    }
}

fn actor_out(a: &Actor) -> wire::Actor {
    match a {
        Actor::Person => wire::Actor::Person,
        Actor::Vendor { grant_id, name } => wire::Actor::Vendor {
            grant_id: grant_id.clone(),
            name: name.clone(),
        },
        Actor::Import => wire::Actor::Import,
        Actor::System => wire::Actor::System,
    }
}

fn snapshot_out(s: &Snapshot) -> wire::Snapshot {
    wire::Snapshot {
        statement: s.statement.clone(),
        confidence: s.confidence,
        purposes: s.purposes.iter().cloned().collect(),
    }
}

/// A belief type read back; `path` is its JSON Pointer.
pub fn belief_type_in(t: wire::BeliefType, path: &str) -> Result<BeliefType> {
    Ok(BeliefType {
        default_sensitivity: enum_in(
            &t.default_sensitivity,
            &format!("{path}/default_sensitivity"),
        )?,
        name: t.name,
        description: t.description,
        allowed_purposes: t.allowed_purposes.into_iter().collect(),
        retention_days: t.retention_days,
        min_share_confidence: t.min_share_confidence,
        evidence_required: t.evidence_required,
        review_days: t.review_days.unwrap_or_else(|| default_review_days(&t.id)),
        id: t.id,
    })
}

/// A purpose read back.
pub fn purpose_in(p: wire::Purpose) -> Purpose {
    Purpose {
        id: p.id,
        name: p.name,
        description: p.description,
        dpv_term: p.dpv_term,
        opt_in: p.opt_in,
    }
}

/// A belief read back; `path` is its JSON Pointer, e.g. `/beliefs/3`.
pub fn belief_in(b: wire::Belief, path: &str) -> Result<Belief> {
    let evidence = b
        .evidence
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let p = format!("{path}/evidence/{i}");
            Ok(Evidence {
                kind: enum_in(&e.kind, &format!("{p}/kind"))?,
                source: e.source,
                summary: e.summary,
                observed_at: time_in(&e.observed_at, &format!("{p}/observed_at"))?,
                content_sha256: e.content_sha256,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let history = b
        .history
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let p = format!("{path}/history/{i}");
            Ok(Rectification {
                at: time_in(&r.at, &format!("{p}/at"))?,
                actor: actor_in(r.actor, &format!("{p}/actor"))?,
                reason: r.reason,
                before: snapshot_in(r.before),
                after: snapshot_in(r.after),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Belief {
        id: id_in(&b.id, &format!("{path}/id"))?,
        statement: b.statement,
        category: b.category,
        confidence: b.confidence,
        purposes: b.purposes.into_iter().collect(),
        sensitivity: enum_in(&b.sensitivity, &format!("{path}/sensitivity"))?,
        status: enum_in(&b.status, &format!("{path}/status"))?,
        evidence,
        provenance: Provenance {
            actor: actor_in(b.provenance.actor, &format!("{path}/provenance/actor"))?,
            method: b.provenance.method,
        },
        created_at: time_in(&b.created_at, &format!("{path}/created_at"))?,
        updated_at: time_in(&b.updated_at, &format!("{path}/updated_at"))?,
        expires_at: b
            .expires_at
            .as_deref()
            .map(|t| time_in(t, &format!("{path}/expires_at")))
            .transpose()?,
        confirmed_at: b
            .confirmed_at
            .as_deref()
            .map(|t| time_in(t, &format!("{path}/confirmed_at")))
            .transpose()?,
        history,
    })
}

fn actor_in(a: wire::Actor, path: &str) -> Result<Actor> {
    Ok(match a {
        wire::Actor::Person => Actor::Person,
        wire::Actor::Import => Actor::Import,
        wire::Actor::System => Actor::System,
        wire::Actor::Vendor { grant_id, name } => {
            if grant_id.is_empty() {
                return Err(ArchiveError::invalid(
                    format!("{path}/grant_id"),
                    "a vendor actor needs its grant id",
                ));
            }
            Actor::Vendor { grant_id, name }
        }
    })
}

fn snapshot_in(s: wire::Snapshot) -> Snapshot {
    Snapshot {
        statement: s.statement,
        confidence: s.confidence,
        purposes: s.purposes.into_iter().collect::<BTreeSet<_>>(),
    }
}

/// A timestamp read back: RFC 3339 in UTC with microseconds, exactly as the export writes it.
pub fn time_in(s: &str, path: &str) -> Result<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| ArchiveError::invalid(path, format!("'{s}' is not a valid time ({e})")))?;
    if canonical_time(&t) != s {
        return Err(ArchiveError::invalid(
            path,
            format!("'{s}' is not in the canonical form (UTC, six fractional digits)"),
        ));
    }
    Ok(t)
}

/// A belief id read back.
pub fn id_in(s: &str, path: &str) -> Result<BeliefId> {
    let id = BeliefId::from_str(s).map_err(|e| ArchiveError::invalid(path, e.to_string()))?;
    if id.to_string() != s {
        return Err(ArchiveError::invalid(
            path,
            format!("'{s}' is not a lowercase, hyphenated UUID"),
        ));
    }
    Ok(id)
}

pub fn enum_in<T: FromStr<Err = selfmodel_core::CoreError>>(s: &str, path: &str) -> Result<T> {
    s.parse()
        .map_err(|e: selfmodel_core::CoreError| ArchiveError::invalid(path, e.to_string()))
}
