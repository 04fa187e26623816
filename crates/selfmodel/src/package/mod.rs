//! The data-subject packages, one call each:
//!
//! - [`AccessPackage`] (GDPR Art. 15): every belief with its evidence, provenance and history,
//!   who received it (which vendor, when, for which purpose), the purposes, each type's
//!   retention, the person's rights and the logic involved in forming beliefs.
//! - [`RightToKnow`] (CCPA §1798.100, §1798.110, §1798.115): for the preceding twelve months, the
//!   categories of personal information held, their sources, the purposes, the vendors they
//!   were disclosed to, and whether anything was sold or shared for cross-context behavioural
//!   advertising.
//!
//! Each is gathered in one transaction that also records its generation on the audit chain
//! (`package.generated`, with counts only). [`AccessPackage::render`] and
//! [`RightToKnow::render`] write them as self-contained HTML (inline CSS, no scripts), Markdown
//! or JSON. The access package holds belief text (it is the person's copy of their data); the
//! right-to-know disclosure holds categories and counts only.

pub(crate) mod document;
mod json;
mod right_to_know;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::{
    AuditAction, AuditEvent, Belief, BeliefFilter, BeliefId, Catalogue, Grant, Purpose,
    Sensitivity, Status,
};
use selfmodel_vault::{DisclosureDay, Reader};

use crate::render::{Format, rendered};
use crate::report::grant_state;
use crate::{Result, Selfmodel};
pub use right_to_know::{BusinessPurpose, InfoCategory, RightToKnow, SourceCategory, ThirdParty};

/// The audit subject of an access package's generation.
pub const ACCESS_SUBJECT: &str = "gdpr-art15-access";
/// The audit subject of a right-to-know disclosure's generation.
pub const RIGHT_TO_KNOW_SUBJECT: &str = "ccpa-right-to-know";
/// The months a right-to-know disclosure covers, back from its generation.
pub const RIGHT_TO_KNOW_MONTHS: u32 = 12;

/// The GDPR Art. 15 access package.
#[derive(Debug, Clone)]
pub struct AccessPackage {
    /// When it was made.
    pub generated_at: DateTime<Utc>,
    /// The vault's id.
    pub vault_id: Option<String>,
    /// Every belief held, whatever its status, with who received it; oldest first.
    pub beliefs: Vec<HeldBelief>,
    /// Every purpose a belief may be used for.
    pub purposes: Vec<PurposeInfo>,
    /// Each type's retention and sharing rules.
    pub types: Vec<TypeRules>,
    /// Every grant a vendor ever held, with what it received.
    pub recipients: Vec<GrantRecipient>,
    /// Disclosures of beliefs that have since been erased (their text is gone).
    pub erased_disclosures: u64,
    /// The person's rights and how to use them here.
    pub rights: &'static [Right],
    /// How beliefs are formed and used ("the logic involved").
    pub logic: &'static [Paragraph],
}

/// One belief, whole, with its recipients.
#[derive(Debug, Clone)]
pub struct HeldBelief {
    /// The belief: statement, type, confidence, purposes, sensitivity, status, evidence,
    /// provenance, history, dates.
    pub belief: Belief,
    /// Its type's display name.
    pub type_name: String,
    /// Who received it, per grant and purpose.
    pub recipients: Vec<BeliefRecipient>,
}

/// A vendor that received one belief under one grant for one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeliefRecipient {
    /// The grant.
    pub grant_id: String,
    /// The vendor's id.
    pub vendor_id: String,
    /// The vendor's display name.
    pub vendor_name: String,
    /// The purpose the requests named.
    pub purpose: Option<String>,
    /// How many requests disclosed it on each day (UTC), oldest first.
    pub days: Vec<(NaiveDate, u64)>,
}

impl BeliefRecipient {
    /// How many requests disclosed it.
    pub fn times(&self) -> u64 {
        self.days.iter().map(|d| d.1).sum()
    }

    /// The first day it was disclosed.
    pub fn first(&self) -> Option<NaiveDate> {
        self.days.first().map(|d| d.0)
    }

    /// The last day it was disclosed.
    pub fn last(&self) -> Option<NaiveDate> {
        self.days.last().map(|d| d.0)
    }
}

/// A purpose, with how it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeInfo {
    /// The purpose (id, name, description, DPV term, opt-in).
    pub purpose: Purpose,
    /// Active beliefs carrying it.
    pub beliefs: u64,
    /// Vendors that held a grant for it, by display name.
    pub vendors: Vec<String>,
}

/// A belief type's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeRules {
    /// The type's id.
    pub type_id: String,
    /// Its display name.
    pub name: String,
    /// What its beliefs are about.
    pub description: String,
    /// Days its beliefs are kept.
    pub retention_days: u32,
    /// Beliefs of the type held now.
    pub beliefs: u64,
    /// The earliest expiry among them.
    pub next_expiry: Option<DateTime<Utc>>,
    /// The confidence a belief needs before it may be shared.
    pub min_share_confidence: f64,
    /// Whether its beliefs need evidence.
    pub evidence_required: bool,
    /// Whether its beliefs are a special category (GDPR Art. 9) by default.
    pub special: bool,
}

/// A grant and what its vendor received under it.
#[derive(Debug, Clone)]
pub struct GrantRecipient {
    /// The grant (vendor, scope, dates, revocation).
    pub grant: Grant,
    /// `active`, `expired` or `revoked`.
    pub state: &'static str,
    /// Beliefs disclosed, counted once per belief per request.
    pub disclosures: u64,
    /// Distinct beliefs disclosed (including ones since erased).
    pub distinct_beliefs: u64,
    /// Disclosures per purpose.
    pub by_purpose: Vec<(String, u64)>,
}

/// A right of the data subject and how to use it here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Right {
    /// The right, e.g. `Rectification`.
    pub right: &'static str,
    /// Where the law gives it, e.g. `GDPR Art. 16`.
    pub basis: &'static str,
    /// How to use it with Selfmodel.
    pub how: &'static str,
}

/// A titled paragraph of plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paragraph {
    /// The heading.
    pub title: &'static str,
    /// The text.
    pub text: &'static str,
}

/// The rights an access package states (GDPR Art. 15(1)(e) and (f)).
pub const RIGHTS: &[Right] = &[
    Right {
        right: "Access",
        basis: "GDPR Art. 15",
        how: "This package. At any time: every belief with its evidence, provenance and history in the app's Beliefs screen or `selfmodel belief show`; who received what in the app's Activity screen or `selfmodel access-log`.",
    },
    Right {
        right: "Rectification",
        basis: "GDPR Art. 16",
        how: "Correct a belief's statement, confidence or purposes, with a reason that is kept in its history: Correct in the app, or `selfmodel belief edit`. Every vendor that received it is told (Art. 19).",
    },
    Right {
        right: "Erasure",
        basis: "GDPR Art. 17",
        how: "Delete one belief, erase every belief, or destroy the vault: the app, or `selfmodel belief delete`, `erase-all`, `destroy`. Every vendor that received an erased belief is told (Art. 19), and it cannot be proposed to you again.",
    },
    Right {
        right: "Restriction, objection and withdrawal of consent",
        basis: "GDPR Art. 7(3), 18 and 21",
        how: "Revoke a vendor's grant — it is refused from its very next request (Vendors in the app, or `selfmodel grant revoke`); take purposes off a belief; deny grant requests and reject proposed beliefs. Opt-in purposes (advertising, research) are never given to a belief by default.",
    },
    Right {
        right: "Data portability",
        basis: "GDPR Art. 20",
        how: "A signed JSON export of your whole model, optionally encrypted with age, that imports losslessly: Export in the app, or `selfmodel export`.",
    },
    Right {
        right: "Complaint to a supervisory authority",
        basis: "GDPR Art. 77",
        how: "If you think a vendor processes your data unlawfully, you may complain to a data protection authority, in particular in the EU member state where you live, work or where the infringement happened. The European Data Protection Board lists them at edpb.europa.eu.",
    },
];

/// How beliefs are formed and used (GDPR Art. 15(1)(h)).
pub const LOGIC: &[Paragraph] = &[
    Paragraph {
        title: "What a belief is",
        text: "A belief is one statement about you, of a type (such as communication style or health), with a confidence from 0 to 1 — how sure whoever stated it was — and the purposes it may be used for. Each type has a retention, a confidence a belief needs before it may be shared, and whether it needs evidence; health and accessibility are special categories of data (GDPR Art. 9).",
    },
    Paragraph {
        title: "Where beliefs come from",
        text: "You state them (in the app or on the command line); you import them from your own export files; or a vendor you granted access proposes them. A proposed belief waits in your inbox: it is never shared and counts for nothing until you accept it, and you may edit or reject it. Every belief records who created it and by which method (its provenance), and every correction keeps the before, the after and the reason.",
    },
    Paragraph {
        title: "Evidence",
        text: "Evidence says why a belief is held: stated (you said so), observed (seen in your behaviour by an app you use), inferred (derived by a system from other data) or imported. Evidence is a bounded summary with its source and date; raw data is never stored, at most its SHA-256 hash.",
    },
    Paragraph {
        title: "Confidence",
        text: "Whoever states a belief sets its confidence; Selfmodel does not compute, raise or lower it. A belief below its type's confidence for sharing is never disclosed, and a grant may require more.",
    },
    Paragraph {
        title: "Sharing",
        text: "A vendor receives a belief only under a grant you approved, and only if the belief is active, carries the purpose the request names, is of a type the grant covers, is within the grant's sensitivity (special categories only when granted explicitly) and reaches both minimum confidences. Each request is written to the access log before anything leaves; that log is where the recipients in this package come from.",
    },
    Paragraph {
        title: "No automated decisions",
        text: "Selfmodel makes no decision about you — automated or otherwise — and no profiling that has legal or similarly significant effects on you (GDPR Art. 22). It keeps what you and the vendors you allow state about you, and shares it only under your grants. What a vendor does with what it receives is described in that vendor's own notices.",
    },
];

impl AccessPackage {
    /// The package as one self-contained HTML page, Markdown, or JSON
    /// (`selfmodel-gdpr-access-v1`). Belief text is escaped in HTML and Markdown.
    pub fn render(&self, format: Format) -> String {
        rendered(format, || document::access(self), || json::access(self))
    }

    /// The ids of the vendors that received at least one belief.
    pub fn vendors(&self) -> BTreeSet<&str> {
        self.recipients
            .iter()
            .filter(|r| r.disclosures > 0)
            .map(|r| r.grant.vendor.id.as_str())
            .collect()
    }
}

impl Selfmodel {
    /// Gathers the GDPR Art. 15 access package and records its generation on the audit chain
    /// (`package.generated`, subject `gdpr-art15-access`, counts only), in one transaction.
    pub fn access_package(&mut self) -> Result<AccessPackage> {
        self.generate_package(ACCESS_SUBJECT, access, |package| {
            let evidence: usize = package
                .beliefs
                .iter()
                .map(|b| b.belief.evidence.len())
                .sum();
            let disclosures: u64 = package.recipients.iter().map(|r| r.disclosures).sum();
            Detail::new()
                .with("beliefs", package.beliefs.len())
                .with("evidence", evidence)
                .with("grants", package.recipients.len())
                .with("vendors", package.vendors().len())
                .with("disclosures", disclosures)
        })
    }

    /// Gathers a package and records its generation on the audit chain (`package.generated`,
    /// with `subject` and the counts `counts` gives), in one transaction.
    fn generate_package<P>(
        &mut self,
        subject: &str,
        gather: impl FnOnce(&Reader<'_>, DateTime<Utc>) -> Result<P>,
        counts: impl FnOnce(&P) -> Detail,
    ) -> Result<P> {
        self.change(|w, now| {
            let package = gather(&w.read(), now)?;
            w.append_audit(
                PendingEvent::new(AuditAction::PackageGenerated, Some(subject.to_owned()))
                    .with_detail(counts(&package)),
                now,
            )?;
            Ok(package)
        })
    }
}

/// How many of `beliefs` are active and carry `purpose`.
fn active_carrying<'a>(beliefs: impl IntoIterator<Item = &'a Belief>, purpose: &str) -> u64 {
    beliefs
        .into_iter()
        .filter(|b| b.status == Status::Active && b.purposes.contains(purpose))
        .count() as u64
}

fn count_by<'a>(items: impl IntoIterator<Item = (&'a str, u64)>) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for (k, n) in items {
        *counts.entry(k).or_insert(0) += n;
    }
    counts.into_iter().map(|(k, n)| (k.to_owned(), n)).collect()
}

pub(crate) fn access(r: &Reader<'_>, now: DateTime<Utc>) -> Result<AccessPackage> {
    let catalogue = r.catalogue()?;
    let beliefs = r.beliefs(&BeliefFilter::default())?;
    let grants = r.grants()?;
    let disclosed = r.disclosure_days(None, None)?;
    let by_grant: BTreeMap<&str, &Grant> = grants.iter().map(|g| (g.id.as_str(), g)).collect();
    let held: BTreeSet<BeliefId> = beliefs.iter().map(|b| b.id).collect();

    // Per belief, per grant and purpose, the days it was disclosed.
    type Key<'a> = (BeliefId, &'a str, &'a str, Option<&'a str>);
    let mut per_belief: BTreeMap<Key<'_>, Vec<(NaiveDate, u64)>> = BTreeMap::new();
    for d in &disclosed {
        per_belief
            .entry((
                d.belief_id,
                d.grant_id.as_str(),
                d.vendor_id.as_str(),
                d.purpose.as_deref(),
            ))
            .or_default()
            .push((d.day, d.times));
    }
    let mut recipients_of: BTreeMap<BeliefId, Vec<BeliefRecipient>> = BTreeMap::new();
    for ((belief, grant_id, vendor_id, purpose), mut days) in per_belief {
        days.sort();
        recipients_of
            .entry(belief)
            .or_default()
            .push(BeliefRecipient {
                grant_id: grant_id.to_owned(),
                vendor_id: vendor_id.to_owned(),
                vendor_name: by_grant
                    .get(grant_id)
                    .map_or_else(|| vendor_id.to_owned(), |g| g.vendor.name.clone()),
                purpose: purpose.map(str::to_owned),
                days,
            });
    }
    let type_name = |id: &str| {
        catalogue
            .belief_type(id)
            .map_or_else(|| id.to_owned(), |t| t.name.clone())
    };
    let purposes = catalogue
        .purposes
        .iter()
        .map(|p| PurposeInfo {
            purpose: p.clone(),
            beliefs: active_carrying(&beliefs, &p.id),
            vendors: grants
                .iter()
                .filter(|g| g.scope.purposes.contains(&p.id))
                .map(|g| g.vendor.name.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        })
        .collect();
    let recipients = grants
        .iter()
        .rev()
        .map(|g| {
            let mine: Vec<&DisclosureDay> =
                disclosed.iter().filter(|d| d.grant_id == g.id).collect();
            GrantRecipient {
                grant: g.clone(),
                state: grant_state(g, now),
                disclosures: mine.iter().map(|d| d.times).sum(),
                distinct_beliefs: mine
                    .iter()
                    .map(|d| d.belief_id)
                    .collect::<BTreeSet<_>>()
                    .len() as u64,
                by_purpose: count_by(
                    mine.iter()
                        .map(|d| (d.purpose.as_deref().unwrap_or("(none)"), d.times)),
                ),
            }
        })
        .collect();
    Ok(AccessPackage {
        generated_at: now,
        vault_id: r.meta("vault_id")?,
        erased_disclosures: disclosed
            .iter()
            .filter(|d| !held.contains(&d.belief_id))
            .map(|d| d.times)
            .sum(),
        types: type_rules(&catalogue, &beliefs),
        purposes,
        recipients,
        beliefs: beliefs
            .into_iter()
            .map(|b| HeldBelief {
                type_name: type_name(&b.category),
                recipients: recipients_of.remove(&b.id).unwrap_or_default(),
                belief: b,
            })
            .collect(),
        rights: RIGHTS,
        logic: LOGIC,
    })
}

fn type_rules(catalogue: &Catalogue, beliefs: &[Belief]) -> Vec<TypeRules> {
    catalogue
        .types
        .iter()
        .map(|t| {
            let of_type: Vec<&Belief> = beliefs.iter().filter(|b| b.category == t.id).collect();
            TypeRules {
                type_id: t.id.clone(),
                name: t.name.clone(),
                description: t.description.clone(),
                retention_days: t.retention_days,
                beliefs: of_type.len() as u64,
                next_expiry: of_type.iter().filter_map(|b| b.expires_at).min(),
                min_share_confidence: t.min_share_confidence,
                evidence_required: t.evidence_required,
                special: t.default_sensitivity == Sensitivity::Special,
            }
        })
        .collect()
}

/// The type of each belief the audit chain names with a `category=` detail — so that
/// disclosures of beliefs erased since can still be put in a category.
fn categories_from_chain(events: &[AuditEvent]) -> BTreeMap<BeliefId, String> {
    events
        .iter()
        .filter_map(|e| {
            let id = e.subject.as_deref()?.parse::<BeliefId>().ok()?;
            let category = e
                .detail
                .as_deref()?
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix("category="))?;
            Some((id, category.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_count_their_days() {
        let r = BeliefRecipient {
            grant_id: "g".into(),
            vendor_id: "v".into(),
            vendor_name: "V".into(),
            purpose: None,
            days: vec![
                ("2026-01-02".parse().unwrap(), 2),
                ("2026-01-05".parse().unwrap(), 1),
            ],
        };
        assert_eq!(r.times(), 3);
        assert_eq!(r.first(), Some("2026-01-02".parse().unwrap()));
        assert_eq!(r.last(), Some("2026-01-05".parse().unwrap()));
    }

    #[test]
    fn the_chain_names_the_types_of_erased_beliefs() {
        let id = BeliefId::new();
        let e = AuditEvent::seal(
            PendingEvent::new(AuditAction::BeliefDeleted, Some(id.to_string()))
                .with_detail(Detail::new().with("category", "health")),
            1,
            Utc::now(),
            selfmodel_core::audit::Hash::GENESIS,
        );
        assert_eq!(categories_from_chain(&[e]).get(&id).unwrap(), "health");
    }
}
