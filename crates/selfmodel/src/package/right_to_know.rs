//! The CCPA right-to-know disclosure (§1798.100, §1798.110, §1798.115): for the preceding twelve
//! months, the categories of personal information held, their sources, the purposes, the
//! vendors they were disclosed to, and whether anything was sold or shared for advertising.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Months, Utc};
use selfmodel_core::audit::Detail;
use selfmodel_core::{
    Actor, Belief, BeliefFilter, BeliefId, CoreError, DisclosureDay, EvidenceKind, Grant, Purpose,
    Sensitivity, Status,
};
use selfmodel_vault::Reader;

use super::{
    RIGHT_TO_KNOW_MONTHS, RIGHT_TO_KNOW_SUBJECT, active_carrying, categories_from_chain, count_by,
    document, json,
};
use crate::render::{Format, rendered};
use crate::report::Period;
use crate::{Error, Result, Selfmodel};

/// The CCPA right-to-know disclosure for the preceding twelve months.
#[derive(Debug, Clone)]
pub struct RightToKnow {
    /// When it was made.
    pub generated_at: DateTime<Utc>,
    /// The vault's id.
    pub vault_id: Option<String>,
    /// The twelve months covered, ending at generation.
    pub period: Period,
    /// Categories of personal information (belief types) held.
    pub categories: Vec<InfoCategory>,
    /// Categories of sources, by who created the beliefs.
    pub sources: Vec<SourceCategory>,
    /// Pieces of evidence held, per kind (`stated`, `observed`, `inferred`, `imported`).
    pub evidence_kinds: Vec<(String, u64)>,
    /// The business or commercial purposes beliefs may be used for.
    pub purposes: Vec<BusinessPurpose>,
    /// The vendors that received personal information in the period.
    pub third_parties: Vec<ThirdParty>,
    /// Grants in force in the period that included personalised advertising.
    pub advertising_grants: Vec<(String, String)>,
    /// Beliefs disclosed for personalised advertising in the period.
    pub advertising_disclosures: u64,
}

impl RightToKnow {
    /// Whether anything was shared for cross-context behavioural advertising in the period:
    /// only when a grant included personalised advertising. Selfmodel never sells.
    pub fn shared_for_advertising(&self) -> bool {
        !self.advertising_grants.is_empty() || self.advertising_disclosures > 0
    }

    /// The statement on selling and sharing, in plain words.
    pub fn sale_statement(&self) -> String {
        let mut s = String::from(
            "Nothing was sold: Selfmodel receives nothing in exchange for a disclosure, and every \
             disclosure went to a vendor you approved, for the purposes in its grant, at your \
             direction. ",
        );
        if self.shared_for_advertising() {
            let names: Vec<&str> = self
                .advertising_grants
                .iter()
                .map(|(_, name)| name.as_str())
                .collect();
            s.push_str(&format!(
                "{} grant(s) in force in the period included the purpose \"Personalised \
                 advertising\" ({}), and {} belief(s) were disclosed for it: count these as \
                 shared for cross-context behavioural advertising. Revoking those grants stops it.",
                self.advertising_grants.len(),
                if names.is_empty() {
                    "since ended".to_owned()
                } else {
                    names.join(", ")
                },
                self.advertising_disclosures
            ));
        } else {
            s.push_str(
                "Nothing was shared for cross-context behavioural advertising: no grant in force \
                 in the period included the purpose \"Personalised advertising\", the only one \
                 that allows it.",
            );
        }
        s
    }
}

/// One category of personal information: a belief type.
#[derive(Debug, Clone, PartialEq)]
pub struct InfoCategory {
    /// The type's id.
    pub type_id: String,
    /// Its display name.
    pub name: String,
    /// What its beliefs are about.
    pub description: String,
    /// The statutory category: inferences (§1798.140(v)(1)(K)), and sensitive personal
    /// information (§1798.140(ae)) for special categories.
    pub statutory: &'static str,
    /// Active beliefs of the type.
    pub active: u64,
    /// Proposals of the type waiting for the person.
    pub pending: u64,
    /// Of those held, how many were collected in the period.
    pub collected_in_period: u64,
    /// Beliefs of the type disclosed in the period, counted once per belief per request.
    pub disclosed_in_period: u64,
}

/// One category of sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCategory {
    /// `person`, `vendor`, `import` or `system`.
    pub kind: &'static str,
    /// The source in words.
    pub description: &'static str,
    /// Beliefs held from it.
    pub beliefs: u64,
    /// Of those, how many were collected in the period.
    pub collected_in_period: u64,
}

/// A business or commercial purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessPurpose {
    /// The purpose.
    pub purpose: Purpose,
    /// Active beliefs carrying it.
    pub beliefs: u64,
    /// Beliefs disclosed for it in the period.
    pub disclosed_in_period: u64,
}

/// A vendor that received personal information in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThirdParty {
    /// The vendor's id.
    pub vendor_id: String,
    /// Its display name.
    pub name: String,
    /// Its web site, if it gave one.
    pub url: Option<String>,
    /// The grants it received them under.
    pub grants: Vec<String>,
    /// Disclosures per purpose.
    pub purposes: Vec<(String, u64)>,
    /// Disclosures per category of personal information (`(erased)` when unknown).
    pub categories: Vec<(String, u64)>,
    /// Beliefs disclosed, counted once per belief per request.
    pub disclosures: u64,
}

impl RightToKnow {
    /// The disclosure as one self-contained HTML page, Markdown, or JSON
    /// (`selfmodel-ccpa-right-to-know-v1`).
    pub fn render(&self, format: Format) -> String {
        rendered(
            format,
            || document::right_to_know(self),
            || json::right_to_know(self),
        )
    }
}

impl Selfmodel {
    /// Gathers the CCPA right-to-know disclosure for the twelve months before now and records
    /// its generation on the audit chain (`package.generated`, subject `ccpa-right-to-know`,
    /// counts only), in one transaction.
    pub fn right_to_know(&mut self) -> Result<RightToKnow> {
        self.generate_package(RIGHT_TO_KNOW_SUBJECT, right_to_know, |disclosure| {
            let held = disclosure
                .categories
                .iter()
                .filter(|c| c.active + c.pending > 0);
            let disclosures: u64 = disclosure.third_parties.iter().map(|t| t.disclosures).sum();
            Detail::new()
                .with("months", RIGHT_TO_KNOW_MONTHS)
                .with("categories", held.count())
                .with("third_parties", disclosure.third_parties.len())
                .with("disclosures", disclosures)
                .with("advertising", disclosure.advertising_disclosures)
        })
    }
}

/// The sources, in the order they are listed.
const SOURCES: &[(&str, &str)] = &[
    (
        "person",
        "You, directly: stated in the app or on the command line",
    ),
    (
        "vendor",
        "Apps and services you granted access, as proposals you accepted (or that wait for you)",
    ),
    ("import", "Your own export files, imported"),
    ("system", "Selfmodel itself (demonstration data)"),
];

fn source_kind(actor: &Actor) -> &'static str {
    match actor {
        Actor::Person => "person",
        Actor::Vendor { .. } => "vendor",
        Actor::Import => "import",
        Actor::System => "system",
    }
}

fn right_to_know(r: &Reader<'_>, now: DateTime<Utc>) -> Result<RightToKnow> {
    let from = now
        .checked_sub_months(Months::new(RIGHT_TO_KNOW_MONTHS))
        .ok_or_else(|| Error::Invalid(CoreError::invalid("period", "out of range")))?;
    let period = Period {
        from: Some(from),
        to: None,
    };
    let catalogue = r.catalogue()?;
    let beliefs = r.beliefs(&BeliefFilter::default())?;
    let grants = r.grants()?;
    let disclosed = r.disclosure_days(period.from, None)?;
    let mut category: BTreeMap<BeliefId, String> = categories_from_chain(&r.audit_events()?);
    category.extend(beliefs.iter().map(|b| (b.id, b.category.clone())));
    let category_of = |id: &BeliefId| category.get(id).map_or("(erased)", String::as_str);
    let held: Vec<&Belief> = beliefs
        .iter()
        .filter(|b| b.status != Status::Rejected)
        .collect();
    let collected = |b: &&Belief| period.contains(b.created_at);

    let categories = catalogue
        .types
        .iter()
        .map(|t| {
            let of_type: Vec<&&Belief> = held.iter().filter(|b| b.category == t.id).collect();
            let special = of_type.iter().any(|b| b.sensitivity == Sensitivity::Special)
                || t.default_sensitivity == Sensitivity::Special;
            InfoCategory {
                type_id: t.id.clone(),
                name: t.name.clone(),
                description: t.description.clone(),
                statutory: if special {
                    "Inferences (§1798.140(v)(1)(K)); sensitive personal information (§1798.140(ae))"
                } else {
                    "Inferences (§1798.140(v)(1)(K))"
                },
                active: of_type
                    .iter()
                    .filter(|b| b.status == Status::Active)
                    .count() as u64,
                pending: of_type
                    .iter()
                    .filter(|b| b.status == Status::Pending)
                    .count() as u64,
                collected_in_period: of_type.iter().filter(|b| collected(b)).count() as u64,
                disclosed_in_period: disclosed
                    .iter()
                    .filter(|d| category_of(&d.belief_id) == t.id)
                    .map(|d| d.times)
                    .sum(),
            }
        })
        .collect();
    let sources = SOURCES
        .iter()
        .map(|(kind, description)| {
            let from_it: Vec<&&Belief> = held
                .iter()
                .filter(|b| source_kind(&b.provenance.actor) == *kind)
                .collect();
            SourceCategory {
                kind,
                description,
                beliefs: from_it.len() as u64,
                collected_in_period: from_it.iter().filter(|b| collected(b)).count() as u64,
            }
        })
        .collect();
    let evidence_kinds = EvidenceKind::ALL
        .iter()
        .map(|k| {
            let n = held
                .iter()
                .flat_map(|b| &b.evidence)
                .filter(|e| e.kind == *k)
                .count() as u64;
            (k.as_str().to_owned(), n)
        })
        .collect();
    let purposes = catalogue
        .purposes
        .iter()
        .map(|p| BusinessPurpose {
            purpose: p.clone(),
            beliefs: active_carrying(held.iter().copied(), &p.id),
            disclosed_in_period: disclosed
                .iter()
                .filter(|d| d.purpose.as_deref() == Some(p.id.as_str()))
                .map(|d| d.times)
                .sum(),
        })
        .collect();

    // Grants newest first: the latest names the vendor.
    let mut vendor_of: BTreeMap<&str, &Grant> = BTreeMap::new();
    for g in grants.iter().rev() {
        vendor_of.insert(g.vendor.id.as_str(), g);
    }
    let mut per_vendor: BTreeMap<&str, Vec<&DisclosureDay>> = BTreeMap::new();
    for d in &disclosed {
        per_vendor.entry(d.vendor_id.as_str()).or_default().push(d);
    }
    let third_parties = per_vendor
        .into_iter()
        .map(|(vendor_id, days)| {
            let grant = vendor_of.get(vendor_id);
            ThirdParty {
                vendor_id: vendor_id.to_owned(),
                name: grant.map_or_else(|| vendor_id.to_owned(), |g| g.vendor.name.clone()),
                url: grant.and_then(|g| g.vendor.url.clone()),
                grants: days
                    .iter()
                    .map(|d| d.grant_id.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                purposes: count_by(
                    days.iter()
                        .map(|d| (d.purpose.as_deref().unwrap_or("(none)"), d.times)),
                ),
                categories: count_by(days.iter().map(|d| (category_of(&d.belief_id), d.times))),
                disclosures: days.iter().map(|d| d.times).sum(),
            }
        })
        .collect();
    // A grant was in force in the period if it began before now and ended (by revocation or
    // expiry) after the period began.
    let advertising_grants = grants
        .iter()
        .rev()
        .filter(|g| g.scope.purposes.contains(ADVERTISING))
        .filter(|g| {
            g.created_at <= now && g.revoked_at.unwrap_or(g.expires_at).min(g.expires_at) > from
        })
        .map(|g| (g.id.clone(), g.vendor.name.clone()))
        .collect();
    Ok(RightToKnow {
        generated_at: now,
        vault_id: r.meta("vault_id")?,
        period,
        categories,
        sources,
        evidence_kinds,
        purposes,
        third_parties,
        advertising_grants,
        advertising_disclosures: disclosed
            .iter()
            .filter(|d| d.purpose.as_deref() == Some(ADVERTISING))
            .map(|d| d.times)
            .sum(),
    })
}

/// The purpose that is cross-context behavioural advertising under the CCPA.
const ADVERTISING: &str = "advertising";
