//! Validation: the rules every belief obeys, whoever writes it (the person, a vendor, an import).

use chrono::{DateTime, Datelike, Utc};
use std::collections::BTreeSet;

use crate::belief::{
    Acceptance, Actor, Belief, BeliefId, Evidence, NewBelief, NewEvidence, Provenance,
    Rectification, Rectify, Sensitivity, Status,
};
use crate::catalogue::{BeliefType, Catalogue, Purpose};
use crate::error::{CoreError, Result};
use crate::sensitive;
use crate::text::{self, Lines};

/// Longest statement, in characters.
pub const MAX_STATEMENT_CHARS: usize = 500;
/// Longest evidence summary, in characters (data minimisation: summaries, not raw data).
pub const MAX_EVIDENCE_SUMMARY_CHARS: usize = 280;
/// Longest evidence source, in characters.
pub const MAX_SOURCE_CHARS: usize = 200;
/// Most pieces of evidence on one belief.
pub const MAX_EVIDENCE_PER_BELIEF: usize = 20;
/// Longest review interval, in days (about 27 years).
pub const MAX_REVIEW_DAYS: u32 = 10_000;
/// Longest rectification reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Checks a new belief against the catalogue and builds it, with defaults filled in.
///
/// Purposes default to the type's allowed purposes that are not opt-in; sensitivity is the
/// stricter of the type's default and the one asked for.
pub fn build_belief(
    new: NewBelief,
    catalogue: &Catalogue,
    provenance: Provenance,
    status: Status,
    now: DateTime<Utc>,
) -> Result<Belief> {
    let ty = belief_type(catalogue, &new.category)?;
    let statement = statement(&new.statement)?;
    confidence("confidence", new.confidence)?;
    let purposes = if new.purposes.is_empty() {
        default_purposes(catalogue, ty)
    } else {
        purposes(catalogue, ty, &new.purposes)?;
        new.purposes
    };
    if new.evidence.len() > MAX_EVIDENCE_PER_BELIEF {
        return Err(CoreError::invalid(
            "evidence",
            format!("at most {MAX_EVIDENCE_PER_BELIEF} pieces of evidence per belief"),
        ));
    }
    if ty.evidence_required && new.evidence.is_empty() {
        return Err(CoreError::invalid(
            "evidence",
            format!(
                "beliefs of type '{}' need at least one piece of evidence",
                ty.id
            ),
        ));
    }
    let evidence = new
        .evidence
        .into_iter()
        .enumerate()
        .map(|(i, e)| evidence(i, e, now))
        .collect::<Result<Vec<_>>>()?;
    let sensitivity = new
        .sensitivity
        .unwrap_or(ty.default_sensitivity)
        .max(ty.default_sensitivity);
    Ok(Belief {
        id: BeliefId::new(),
        statement,
        category: ty.id.clone(),
        confidence: new.confidence,
        purposes,
        sensitivity,
        status,
        evidence,
        provenance,
        created_at: now,
        updated_at: now,
        expires_at: Some(expiry(now, ty.retention_days)),
        confirmed_at: (status == Status::Active).then_some(now),
        history: Vec::new(),
    })
}

/// Accepts a proposal as the person decided ([`Acceptance`]): it becomes active. A change of
/// purposes is kept in its history; a new type raises its sensitivity to the type's default at
/// least and takes the type's retention from the day it was proposed.
pub fn accept(
    proposal: &Belief,
    how: &Acceptance,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> Result<Belief> {
    let retyped = how.category.as_deref().filter(|c| *c != proposal.category);
    let ty = belief_type(catalogue, retyped.unwrap_or(&proposal.category))?;
    let mut next = proposal.clone();
    if retyped.is_some() {
        if ty.evidence_required && next.evidence.is_empty() {
            return Err(CoreError::invalid(
                "category",
                format!(
                    "beliefs of type '{}' need at least one piece of evidence, and this one has none",
                    ty.id
                ),
            ));
        }
        next.category = ty.id.clone();
        next.sensitivity = next.sensitivity.max(ty.default_sensitivity);
        next.expires_at = Some(expiry(proposal.created_at, ty.retention_days));
    }
    match &how.purposes {
        Some(p) => {
            purposes(catalogue, ty, p)?;
            next.purposes = p.clone();
        }
        None if retyped.is_some() => {
            next.purposes.retain(|p| ty.allowed_purposes.contains(p));
            if next.purposes.is_empty() {
                next.purposes = default_purposes(catalogue, ty);
            }
        }
        None => {}
    }
    next.status = Status::Active;
    next.updated_at = now;
    next.confirmed_at = Some(now);
    if next.purposes != proposal.purposes {
        next.history.push(Rectification {
            at: now,
            actor: Actor::Person,
            reason: "purposes chosen when accepted".to_owned(),
            before: proposal.snapshot(),
            after: next.snapshot(),
        });
    }
    Ok(next)
}

/// A type's purposes that need no opt-in.
fn default_purposes(catalogue: &Catalogue, ty: &BeliefType) -> BTreeSet<String> {
    ty.allowed_purposes
        .iter()
        .filter(|p| catalogue.purpose(p).is_some_and(|p| !p.opt_in))
        .cloned()
        .collect()
}

/// Applies a rectification to a belief, checking the new values and recording the change.
pub fn rectify(
    belief: &Belief,
    change: Rectify,
    catalogue: &Catalogue,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Belief> {
    let ty = belief_type(catalogue, &belief.category)?;
    let reason = change.reason.trim();
    if reason.is_empty() {
        return Err(CoreError::invalid(
            "reason",
            "say why the belief is rectified",
        ));
    }
    text::check("reason", reason, Lines::Many, MAX_REASON_CHARS)?;
    sensitive::check("reason", reason)?;
    if change.statement.is_none() && change.confidence.is_none() && change.purposes.is_none() {
        return Err(CoreError::invalid(
            "belief",
            "nothing to change: give a statement, confidence or purposes",
        ));
    }
    let mut next = belief.clone();
    if let Some(s) = &change.statement {
        next.statement = statement(s)?;
    }
    if let Some(c) = change.confidence {
        confidence("confidence", c)?;
        next.confidence = c;
    }
    if let Some(p) = change.purposes {
        purposes(catalogue, ty, &p)?;
        next.purposes = p;
    }
    next.updated_at = now;
    if actor == Actor::Person {
        next.confirmed_at = Some(now);
    }
    next.history.push(Rectification {
        at: now,
        actor,
        reason: reason.to_owned(),
        before: belief.snapshot(),
        after: next.snapshot(),
    });
    Ok(next)
}

/// Checks a whole belief, e.g. one read from an import file: its structure against the
/// catalogue and limits ([`check_belief_structure`]), then every text of it against the secrets
/// screen ([`screen_belief`]).
pub fn check_belief(belief: &Belief, catalogue: &Catalogue) -> Result<()> {
    check_belief_structure(belief, catalogue)?;
    screen_belief(belief)
}

/// Everything [`check_belief`] checks but the secrets screen: the type and purposes, limits,
/// plain text everywhere.
pub fn check_belief_structure(belief: &Belief, catalogue: &Catalogue) -> Result<()> {
    let ty = belief_type(catalogue, &belief.category)?;
    if belief.statement.trim().is_empty() {
        return Err(CoreError::invalid("statement", "must not be empty"));
    }
    if belief.statement.trim() != belief.statement {
        return Err(CoreError::invalid(
            "statement",
            "has leading or trailing whitespace",
        ));
    }
    text::check(
        "statement",
        &belief.statement,
        Lines::One,
        MAX_STATEMENT_CHARS,
    )?;
    confidence("confidence", belief.confidence)?;
    purposes(catalogue, ty, &belief.purposes)?;
    if belief.sensitivity < ty.default_sensitivity {
        return Err(CoreError::invalid(
            "sensitivity",
            format!("beliefs of type '{}' are always special", ty.id),
        ));
    }
    if belief.evidence.len() > MAX_EVIDENCE_PER_BELIEF {
        return Err(CoreError::invalid(
            "evidence",
            "too many pieces of evidence",
        ));
    }
    for (i, e) in belief.evidence.iter().enumerate() {
        evidence_structure(i, e)?;
    }
    actor("provenance.actor", &belief.provenance.actor)?;
    text::check(
        "provenance.method",
        &belief.provenance.method,
        Lines::One,
        MAX_NAME_CHARS,
    )?;
    for (i, r) in belief.history.iter().enumerate() {
        let field = |f: &str| format!("history[{i}].{f}");
        actor(&field("actor"), &r.actor)?;
        text::check(&field("reason"), &r.reason, Lines::Many, MAX_REASON_CHARS)?;
        for (side, snapshot) in [("before", &r.before), ("after", &r.after)] {
            let field = field(&format!("{side}.statement"));
            text::check(&field, &snapshot.statement, Lines::One, MAX_STATEMENT_CHARS)?;
        }
    }
    Ok(())
}

/// The secrets screen ([`sensitive::check`]) over every text of a belief that says something:
/// its statement, each piece of evidence's summary and source, and each change's reason and
/// statements.
pub fn screen_belief(belief: &Belief) -> Result<()> {
    sensitive::check("statement", &belief.statement)?;
    for (i, e) in belief.evidence.iter().enumerate() {
        screen_evidence(i, e)?;
    }
    for (i, r) in belief.history.iter().enumerate() {
        let field = |f: &str| format!("history[{i}].{f}");
        sensitive::check(&field("reason"), &r.reason)?;
        for (side, snapshot) in [("before", &r.before), ("after", &r.after)] {
            sensitive::check(&field(&format!("{side}.statement")), &snapshot.statement)?;
        }
    }
    Ok(())
}

/// The most characters of a vendor's name or grant id, or a provenance's method, in a belief.
const MAX_NAME_CHARS: usize = 200;

/// Checks the texts an actor carries (a vendor's grant id and name): plain, one line.
fn actor(field: &str, a: &Actor) -> Result<()> {
    if let Actor::Vendor { grant_id, name } = a {
        text::check(
            &format!("{field}.grant_id"),
            grant_id,
            Lines::One,
            MAX_NAME_CHARS,
        )?;
        text::check(&format!("{field}.name"), name, Lines::One, MAX_NAME_CHARS)?;
    }
    Ok(())
}

/// Longest catalogue id, in characters.
pub const MAX_CATALOGUE_ID_CHARS: usize = 64;
/// Longest catalogue name, in characters.
pub const MAX_CATALOGUE_NAME_CHARS: usize = 100;
/// Longest catalogue description, in characters.
pub const MAX_CATALOGUE_DESCRIPTION_CHARS: usize = 1000;

/// Checks the text of a purpose, e.g. one an import file adds.
pub fn check_purpose(p: &Purpose) -> Result<()> {
    catalogue_entry(&p.id, &p.name, &p.description)?;
    text::check(
        "dpv_term",
        &p.dpv_term,
        Lines::One,
        MAX_CATALOGUE_NAME_CHARS,
    )
}

/// Checks the text and limits of a belief type, e.g. one an import file adds.
pub fn check_type(t: &BeliefType) -> Result<()> {
    catalogue_entry(&t.id, &t.name, &t.description)?;
    review_days(t.review_days)?;
    confidence("min_share_confidence", t.min_share_confidence)
}

/// Checks what every catalogue entry (purpose or belief type) has: an id, a name and a
/// description.
fn catalogue_entry(id: &str, name: &str, description: &str) -> Result<()> {
    text::required("id", id, Lines::One, MAX_CATALOGUE_ID_CHARS)?;
    text::required("name", name, Lines::One, MAX_CATALOGUE_NAME_CHARS)?;
    text::check(
        "description",
        description,
        Lines::Many,
        MAX_CATALOGUE_DESCRIPTION_CHARS,
    )
}

/// Checks a review interval: 1 to [`MAX_REVIEW_DAYS`] days.
pub fn review_days(days: u32) -> Result<()> {
    if (1..=MAX_REVIEW_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(CoreError::invalid(
            "review_days",
            format!("must be from 1 to {MAX_REVIEW_DAYS} days, not {days}"),
        ))
    }
}

/// When a belief created at `from` under a retention of `days` expires.
pub fn expiry(from: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    crate::audit::days_after(from, days)
}

fn belief_type<'c>(catalogue: &'c Catalogue, id: &str) -> Result<&'c BeliefType> {
    catalogue
        .belief_type(id)
        .ok_or_else(|| CoreError::UnknownCategory(id.to_owned()))
}

fn statement(s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(CoreError::invalid("statement", "must not be empty"));
    }
    text::check("statement", s, Lines::One, MAX_STATEMENT_CHARS)?;
    sensitive::check("statement", s)?;
    Ok(s.to_owned())
}

fn confidence(field: &str, c: f64) -> Result<()> {
    if c.is_finite() && (0.0..=1.0).contains(&c) {
        Ok(())
    } else {
        Err(CoreError::invalid(
            field,
            format!("must be a number from 0 to 1, not {c}"),
        ))
    }
}

fn purposes(catalogue: &Catalogue, ty: &BeliefType, purposes: &BTreeSet<String>) -> Result<()> {
    for p in purposes {
        if catalogue.purpose(p).is_none() {
            return Err(CoreError::UnknownPurpose(p.clone()));
        }
        if !ty.allowed_purposes.contains(p) {
            return Err(CoreError::PurposeNotAllowed {
                purpose: p.clone(),
                category: ty.id.clone(),
                allowed: ty
                    .allowed_purposes
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    Ok(())
}

fn evidence(i: usize, e: NewEvidence, now: DateTime<Utc>) -> Result<Evidence> {
    let ev = Evidence {
        kind: e.kind,
        source: e.source.trim().to_owned(),
        summary: e.summary.trim().to_owned(),
        observed_at: e.observed_at.unwrap_or(now),
        content_sha256: e.content_sha256.map(|h| h.to_ascii_lowercase()),
    };
    check_evidence(i, &ev)?;
    Ok(ev)
}

fn check_evidence(i: usize, e: &Evidence) -> Result<()> {
    evidence_structure(i, e)?;
    screen_evidence(i, e)
}

fn evidence_structure(i: usize, e: &Evidence) -> Result<()> {
    let field = |f: &str| format!("evidence[{i}].{f}");
    if e.summary.trim().is_empty() {
        return Err(CoreError::invalid(field("summary"), "must not be empty"));
    }
    text::check(
        &field("summary"),
        &e.summary,
        Lines::Many,
        MAX_EVIDENCE_SUMMARY_CHARS,
    )?;
    text::check(&field("source"), &e.source, Lines::One, MAX_SOURCE_CHARS)?;
    // Stored times have four-digit years (UTC): one sent with an offset that carries it past the
    // end of 9999 would be written as `+10000-…`, which exports and other tools do not read.
    if !(0..=9999).contains(&e.observed_at.year()) {
        return Err(CoreError::invalid(
            field("observed_at"),
            "must be a time in the years 0000 to 9999 (UTC)",
        ));
    }
    if let Some(h) = &e.content_sha256
        && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(CoreError::invalid(
            field("content_sha256"),
            "must be 64 hex digits",
        ));
    }
    Ok(())
}

fn screen_evidence(i: usize, e: &Evidence) -> Result<()> {
    sensitive::check(&format!("evidence[{i}].summary"), &e.summary)?;
    sensitive::check(&format!("evidence[{i}].source"), &e.source)
}

/// A sensitivity is within a ceiling when it is no more sensitive than it.
pub fn within(sensitivity: Sensitivity, ceiling: Sensitivity) -> bool {
    sensitivity <= ceiling
}

#[cfg(test)]
mod tests;
