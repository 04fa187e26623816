//! Beliefs: what an AI system believes about the person, as discrete, explainable records.

use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

use crate::error::CoreError;

/// A belief's identity: a UUIDv7, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BeliefId(Uuid);

impl BeliefId {
    /// A fresh id for a belief created now.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// The underlying UUID.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for BeliefId {
    fn default() -> Self {
        Self::new()
    }
}

impl From<Uuid> for BeliefId {
    fn from(id: Uuid) -> Self {
        Self(id)
    }
}

impl fmt::Display for BeliefId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for BeliefId {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim())
            .map(Self)
            .map_err(|_| CoreError::BadId(s.to_owned()))
    }
}

/// Whether a belief falls under a special category of personal data (GDPR Art. 9: health,
/// beliefs, sexuality, ...). Special beliefs are shared only when a grant names them explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sensitivity {
    /// Ordinary personal data.
    Normal,
    /// A special category of personal data.
    Special,
}

/// Where a belief stands in the person's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Confirmed or created by the person; may be shared under a grant.
    Active,
    /// Proposed by a vendor and waiting in the person's inbox; never shared.
    Pending,
    /// Proposed and refused by the person; never shared.
    Rejected,
}

/// How a piece of evidence came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvidenceKind {
    /// The person said so.
    Stated,
    /// Seen in the person's behaviour.
    Observed,
    /// Derived by a system from other data.
    Inferred,
    /// Brought in from an export file.
    Imported,
}

/// Who did something: the actor recorded in provenance and in rectification history.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The person who owns the vault.
    Person,
    /// A vendor acting under a grant.
    Vendor {
        /// The grant's id.
        grant_id: String,
        /// The vendor's display name, as it asked for the grant.
        name: String,
    },
    /// An import from an export file.
    Import,
    /// Selfmodel itself (demo data, retention).
    System,
}

/// Who created a belief, and by what method (e.g. `cli`, `app`, `api`, `import`, `demo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Who created it.
    pub actor: Actor,
    /// By what channel or method.
    pub method: String,
}

/// One piece of evidence behind a belief. The raw source is never kept: only a bounded summary
/// and, optionally, the SHA-256 of the discarded source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// How the evidence came to be.
    pub kind: EvidenceKind,
    /// Where it came from, e.g. an application or conversation name.
    pub source: String,
    /// A short summary (bounded: data minimisation).
    pub summary: String,
    /// When it was observed.
    pub observed_at: DateTime<Utc>,
    /// Hex SHA-256 of the raw source, if there was one and it was discarded.
    pub content_sha256: Option<String>,
}

/// The parts of a belief that a rectification can change; history keeps one before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The statement at that time.
    pub statement: String,
    /// The confidence at that time.
    pub confidence: f64,
    /// The purposes at that time.
    pub purposes: BTreeSet<String>,
}

/// One entry of a belief's rectification history (GDPR Art. 16).
#[derive(Debug, Clone, PartialEq)]
pub struct Rectification {
    /// When it was made.
    pub at: DateTime<Utc>,
    /// Who made it.
    pub actor: Actor,
    /// Why, in the actor's words.
    pub reason: String,
    /// The belief before.
    pub before: Snapshot,
    /// The belief after.
    pub after: Snapshot,
}

/// A belief, whole: the record the person inspects, rectifies, exports and erases.
#[derive(Debug, Clone, PartialEq)]
pub struct Belief {
    /// Identity.
    pub id: BeliefId,
    /// What is believed, in one sentence.
    pub statement: String,
    /// The belief type's id.
    pub category: String,
    /// How sure the believer is, in `[0, 1]`.
    pub confidence: f64,
    /// The purposes this belief may be used for.
    pub purposes: BTreeSet<String>,
    /// Normal or special-category data.
    pub sensitivity: Sensitivity,
    /// Review status.
    pub status: Status,
    /// Evidence, oldest first.
    pub evidence: Vec<Evidence>,
    /// Who created it and how.
    pub provenance: Provenance,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When retention erases it.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the person last confirmed it: added, accepted, rectified or confirmed on review.
    /// `None` for a proposal the person has not accepted yet.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Rectifications, oldest first.
    pub history: Vec<Rectification>,
}

impl Belief {
    /// When it is due for review, given its type's interval: that many days after the person
    /// last confirmed it (or, never confirmed, after it was created).
    pub fn review_due_at(&self, review_days: u32) -> DateTime<Utc> {
        crate::audit::days_after(self.confirmed_at.unwrap_or(self.created_at), review_days)
    }

    /// The rectifiable parts of this belief as they are now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            statement: self.statement.clone(),
            confidence: self.confidence,
            purposes: self.purposes.clone(),
        }
    }
}

/// Evidence as a caller supplies it, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    /// How the evidence came to be.
    pub kind: EvidenceKind,
    /// Where it came from.
    pub source: String,
    /// A short summary.
    pub summary: String,
    /// When it was observed; defaults to now.
    pub observed_at: Option<DateTime<Utc>>,
    /// Hex SHA-256 of a discarded raw source.
    pub content_sha256: Option<String>,
}

/// A belief as a caller supplies it, before validation. Sensitivity defaults to the type's.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBelief {
    /// What is believed.
    pub statement: String,
    /// The belief type's id.
    pub category: String,
    /// Confidence in `[0, 1]`.
    pub confidence: f64,
    /// Purposes; empty means the type's allowed purposes.
    pub purposes: BTreeSet<String>,
    /// `None` takes the type's default; `Some(Special)` marks it special.
    pub sensitivity: Option<Sensitivity>,
    /// Evidence.
    pub evidence: Vec<NewEvidence>,
}

/// What the person decides for proposals as they accept them. Unset fields keep what was
/// proposed; a new type without purposes keeps the proposed purposes the type allows (or, if
/// none, the type's default ones).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Acceptance {
    /// Another belief type.
    pub category: Option<String>,
    /// Another purpose set.
    pub purposes: Option<BTreeSet<String>>,
}

/// A rectification request: the fields to change and why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rectify {
    /// A new statement.
    pub statement: Option<String>,
    /// A new confidence.
    pub confidence: Option<f64>,
    /// A new purpose set.
    pub purposes: Option<BTreeSet<String>>,
    /// Why (required, non-empty).
    pub reason: String,
}

str_enum!(Sensitivity, "sensitivity" { Normal => "normal", Special => "special" });
str_enum!(Status, "status" { Active => "active", Pending => "pending", Rejected => "rejected" });
str_enum!(EvidenceKind, "evidence_kind" {
    Stated => "stated",
    Observed => "observed",
    Inferred => "inferred",
    Imported => "imported",
});

impl Actor {
    /// The actor's stable encoding: `person`, `import`, `system` or `vendor:<grant id>`.
    pub fn encode(&self) -> String {
        match self {
            Self::Person => "person".into(),
            Self::Import => "import".into(),
            Self::System => "system".into(),
            Self::Vendor { grant_id, .. } => format!("vendor:{grant_id}"),
        }
    }

    /// Reads an encoded actor back; `name` is the vendor's display name, if any.
    pub fn decode(code: &str, name: Option<String>) -> Result<Self, CoreError> {
        match code {
            "person" => Ok(Self::Person),
            "import" => Ok(Self::Import),
            "system" => Ok(Self::System),
            other => match other.strip_prefix("vendor:") {
                Some(grant_id) if !grant_id.is_empty() => Ok(Self::Vendor {
                    grant_id: grant_id.to_owned(),
                    name: name.unwrap_or_default(),
                }),
                _ => Err(CoreError::invalid(
                    "actor",
                    format!("'{other}' is not an actor"),
                )),
            },
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Vendor { name, grant_id } if !name.is_empty() => {
                write!(f, "{name} (grant {grant_id})")
            }
            other => f.write_str(&other.encode()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_sort_by_creation() {
        let a = BeliefId::new();
        let b = BeliefId::new();
        assert!(a < b);
        assert_eq!(a.to_string().parse::<BeliefId>(), Ok(a));
        assert!(matches!(
            "nope".parse::<BeliefId>(),
            Err(CoreError::BadId(_))
        ));
    }

    #[test]
    fn enums_round_trip_through_their_names() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(*s));
        }
        let err = "sure".parse::<EvidenceKind>().unwrap_err();
        assert!(
            err.to_string()
                .contains("stated, observed, inferred, imported"),
            "{err}"
        );
    }

    #[test]
    fn actors_round_trip() {
        let v = Actor::Vendor {
            grant_id: "g1".into(),
            name: "Acme".into(),
        };
        assert_eq!(Actor::decode(&v.encode(), Some("Acme".into())), Ok(v));
        assert_eq!(Actor::decode("person", None), Ok(Actor::Person));
        assert!(Actor::decode("vendor:", None).is_err());
    }
}
