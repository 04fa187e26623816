//! The catalogue: belief types (the schema of the self-model) and purposes (what a belief may be
//! used for, aligned with the W3C Data Privacy Vocabulary). Sensible defaults ship; the person
//! can edit them.

use std::collections::BTreeSet;

use crate::belief::Sensitivity;

/// A purpose a belief may be used for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    /// Stable id, e.g. `personalisation`.
    pub id: String,
    /// Short display name.
    pub name: String,
    /// What it means, in plain language, as the person sees it.
    pub description: String,
    /// The matching W3C DPV term, e.g. `dpv:ServicePersonalisation`.
    pub dpv_term: String,
    /// An opt-in purpose is never given to a belief by default, only when asked for.
    pub opt_in: bool,
}

/// A belief type: what kind of thing a belief says, and the rules for it.
#[derive(Debug, Clone, PartialEq)]
pub struct BeliefType {
    /// Stable id, used as a belief's `category`.
    pub id: String,
    /// Short display name.
    pub name: String,
    /// What beliefs of this type are about.
    pub description: String,
    /// Purposes beliefs of this type may carry.
    pub allowed_purposes: BTreeSet<String>,
    /// Days after which beliefs of this type are erased.
    pub retention_days: u32,
    /// The confidence a belief must reach before it may be shared with a vendor.
    pub min_share_confidence: f64,
    /// Whether a belief of this type needs at least one piece of evidence.
    pub evidence_required: bool,
    /// Sensitivity given to new beliefs of this type.
    pub default_sensitivity: Sensitivity,
    /// Days after the person last confirmed a belief of this type before it is due for review.
    pub review_days: u32,
}

/// The belief types and purposes of one vault.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalogue {
    /// Belief types.
    pub types: Vec<BeliefType>,
    /// Purposes.
    pub purposes: Vec<Purpose>,
}

impl Catalogue {
    /// The belief type with this id.
    pub fn belief_type(&self, id: &str) -> Option<&BeliefType> {
        self.types.iter().find(|t| t.id == id)
    }

    /// The purpose with this id.
    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    /// The catalogue a new vault starts with.
    pub fn defaults() -> Self {
        Self {
            types: default_types(),
            purposes: default_purposes(),
        }
    }
}

fn purpose(id: &str, name: &str, dpv: &str, description: &str) -> Purpose {
    Purpose {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        dpv_term: format!("dpv:{dpv}"),
        opt_in: matches!(id, "advertising" | "research"),
    }
}

/// The default purposes.
pub fn default_purposes() -> Vec<Purpose> {
    vec![
        purpose(
            "personalisation",
            "Service personalisation",
            "ServicePersonalisation",
            "Tailor what a service does for you: its defaults, suggestions and features.",
        ),
        purpose(
            "ui-personalisation",
            "Interface personalisation",
            "UserInterfacePersonalisation",
            "Adapt how an app looks and behaves for you: layout, density, accessibility.",
        ),
        purpose(
            "communication",
            "Communication style",
            "CommunicationManagement",
            "Adjust how an assistant or service talks to you: tone, length, level of detail.",
        ),
        purpose(
            "recommendations",
            "Recommendations",
            "ProvidePersonalisedRecommendations",
            "Suggest things you may like: articles, products, courses, music.",
        ),
        purpose(
            "customer-care",
            "Customer care",
            "CustomerCare",
            "Help you faster when you ask a service for support.",
        ),
        purpose(
            "advertising",
            "Personalised advertising",
            "PersonalisedAdvertising",
            "Choose which advertisements you see. Off for most belief types by default.",
        ),
        purpose(
            "research",
            "Research and development",
            "ResearchAndDevelopment",
            "Improve a product using your data. Only for types you explicitly allow.",
        ),
    ]
}

#[allow(clippy::too_many_arguments)]
fn belief_type(
    id: &str,
    name: &str,
    description: &str,
    purposes: &[&str],
    retention_days: u32,
    min_share_confidence: f64,
    evidence_required: bool,
    default_sensitivity: Sensitivity,
) -> BeliefType {
    BeliefType {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        allowed_purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
        retention_days,
        min_share_confidence,
        evidence_required,
        default_sensitivity,
        review_days: default_review_days(id),
    }
}

/// Days before a belief of this type is due for review, unless the person sets otherwise: a
/// month for the present situation, a quarter for what changes with the season (goals,
/// routines, health), half a year for tastes, a year for what changes slowly. (Migration 9
/// writes the same days into existing vaults; a test holds them equal.)
pub fn default_review_days(type_id: &str) -> u32 {
    match type_id {
        "context" => 30,
        "goals" | "routines" | "health" => 90,
        "communication-style" | "expertise" | "values" | "accessibility" => 365,
        _ => 180,
    }
}

/// The default belief types.
pub fn default_types() -> Vec<BeliefType> {
    use Sensitivity::{Normal, Special};
    vec![
        belief_type(
            "communication-style",
            "Communication style",
            "How you like to be addressed: tone, length, formality, language.",
            &[
                "communication",
                "personalisation",
                "ui-personalisation",
                "customer-care",
            ],
            730,
            0.5,
            false,
            Normal,
        ),
        belief_type(
            "expertise",
            "Expertise",
            "What you know well, and what you are new to.",
            &[
                "communication",
                "personalisation",
                "recommendations",
                "customer-care",
            ],
            730,
            0.6,
            false,
            Normal,
        ),
        belief_type(
            "interests",
            "Interests",
            "Topics, hobbies and media you care about.",
            &[
                "personalisation",
                "recommendations",
                "advertising",
                "research",
            ],
            365,
            0.5,
            false,
            Normal,
        ),
        belief_type(
            "goals",
            "Goals",
            "What you are working towards, now or in the long run.",
            &["personalisation", "recommendations", "communication"],
            365,
            0.6,
            false,
            Normal,
        ),
        belief_type(
            "values",
            "Values",
            "What matters to you when you decide.",
            &["personalisation", "communication", "recommendations"],
            730,
            0.7,
            true,
            Normal,
        ),
        belief_type(
            "routines",
            "Routines",
            "When and how you usually do things.",
            &["personalisation", "ui-personalisation", "recommendations"],
            180,
            0.6,
            false,
            Normal,
        ),
        belief_type(
            "preferences",
            "Preferences",
            "Concrete likes and dislikes: tools, formats, food, places.",
            &[
                "personalisation",
                "ui-personalisation",
                "recommendations",
                "advertising",
            ],
            365,
            0.5,
            false,
            Normal,
        ),
        belief_type(
            "context",
            "Life context",
            "Circumstances that shape what helps you: work, family, location granularity.",
            &["personalisation", "communication", "customer-care"],
            365,
            0.7,
            true,
            Normal,
        ),
        belief_type(
            "accessibility",
            "Accessibility needs",
            "Adjustments that make things usable for you. May reveal health: special category.",
            &["ui-personalisation", "communication"],
            730,
            0.8,
            true,
            Special,
        ),
        belief_type(
            "health",
            "Health",
            "Physical or mental health. A special category of data (GDPR Art. 9).",
            &["personalisation", "communication"],
            90,
            0.8,
            true,
            Special,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_consistent() {
        let c = Catalogue::defaults();
        assert!(c.types.len() >= 8);
        assert!(c.purposes.len() >= 6);
        for t in &c.types {
            for p in &t.allowed_purposes {
                assert!(
                    c.purpose(p).is_some(),
                    "type {} allows unknown purpose {p}",
                    t.id
                );
            }
            assert!((0.0..=1.0).contains(&t.min_share_confidence));
        }
        assert_eq!(
            c.belief_type("health").map(|t| t.default_sensitivity),
            Some(Sensitivity::Special)
        );
        assert!(c.purposes.iter().all(|p| p.dpv_term.starts_with("dpv:")));
    }
}
