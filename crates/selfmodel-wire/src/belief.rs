//! Reading beliefs for a purpose, and proposing new ones.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Sensitivity;

/// How a piece of evidence came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// The person said it.
    Stated,
    /// Seen in what the person did.
    Observed,
    /// Concluded from other evidence.
    Inferred,
    /// Brought in from another system.
    Imported,
}

/// Evidence behind a belief (only under a grant with `read_evidence`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EvidenceOut))]
pub struct Evidence {
    /// How it came about.
    pub kind: EvidenceKind,
    /// Where it came from.
    pub source: String,
    /// A short summary.
    pub summary: String,
    /// When observed.
    #[serde(with = "crate::time")]
    pub observed_at: DateTime<Utc>,
}

/// Who brought a belief into the vault. Which vendor proposed one is never said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The person wrote it.
    Person,
    /// A vendor proposed it and the person accepted it.
    Vendor,
    /// It came from an import (an export file, or memories saved by another assistant).
    Import,
    /// Selfmodel itself.
    System,
}

/// A disclosed belief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = BeliefOut))]
pub struct Belief {
    /// Belief id.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub id: String,
    /// What is believed.
    pub statement: String,
    /// Its type.
    pub category: String,
    /// How sure the holder is.
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 1.0))]
    pub confidence: f64,
    /// Purposes it may be used for.
    pub purposes: Vec<String>,
    /// Normal or special.
    pub sensitivity: Sensitivity,
    /// Who brought it into the vault.
    pub origin: Origin,
    /// Last change.
    #[serde(with = "crate::time")]
    pub updated_at: DateTime<Utc>,
    /// When the person last confirmed it is true (added, accepted, rectified or confirmed on
    /// review); absent if never.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time::option"
    )]
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Whether its type's review interval has passed since the person last confirmed it: it
    /// may no longer be true. Ask with `fresh=true` to leave such beliefs out.
    pub review_overdue: bool,
    /// Evidence: present only under a grant with `read_evidence`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<Evidence>>,
}

/// One page of `GET /v1/beliefs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = BeliefsOut))]
pub struct BeliefPage {
    /// The grant the read was made under.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub grant_id: String,
    /// The purpose it named.
    pub purpose: String,
    /// The beliefs disclosed.
    pub beliefs: Vec<Belief>,
    /// The cursor of the next page (pass it as `after`); absent on the last page. A page may be
    /// short, even empty, and still have a next one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Query of `GET /v1/beliefs`: a purpose (required) and optional filters and paging.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct BeliefQuery {
    /// The purpose the beliefs will be used for (required).
    pub purpose: String,
    /// Only this belief type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Only at or above this confidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 0.0, maximum = 1.0))]
    pub min_confidence: Option<f64>,
    /// Only beliefs whose statement contains this text, ignoring case (at most 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub q: Option<String>,
    /// Only beliefs the person confirmed within their type's review interval (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fresh: Option<bool>,
    /// Page cursor (`next` of the previous page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(format = "uuid"))]
    pub after: Option<String>,
    /// Page size (default 100, at most 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub limit: Option<u32>,
}

impl BeliefQuery {
    /// Beliefs for a purpose.
    pub fn new(purpose: &str) -> Self {
        Self {
            purpose: purpose.to_owned(),
            ..Self::default()
        }
    }

    /// Only this belief type.
    pub fn category(mut self, c: &str) -> Self {
        self.category = Some(c.to_owned());
        self
    }

    /// Only at or above this confidence.
    pub fn min_confidence(mut self, c: f64) -> Self {
        self.min_confidence = Some(c);
        self
    }

    /// Only beliefs whose statement contains this text, ignoring case.
    pub fn search(mut self, text: &str) -> Self {
        self.q = Some(text.to_owned());
        self
    }

    /// Only beliefs not overdue for review.
    pub fn fresh(mut self) -> Self {
        self.fresh = Some(true);
        self
    }

    /// Start after this cursor.
    pub fn after(mut self, cursor: &str) -> Self {
        self.after = Some(cursor.to_owned());
        self
    }

    /// Page size.
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }
}

/// Query of `GET /v1/beliefs/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    /// The purpose the belief will be used for (required).
    pub purpose: String,
}

/// Evidence a vendor offers with a proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceIn {
    /// How it came about.
    pub kind: EvidenceKind,
    /// Where it came from.
    pub source: String,
    /// A short summary (at most 280 characters; no raw data).
    pub summary: String,
    /// When observed (default: now).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::time::option"
    )]
    pub observed_at: Option<DateTime<Utc>>,
    /// SHA-256 (hex) of the raw source the summary was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{64}$"))]
    pub content_sha256: Option<String>,
}

impl EvidenceIn {
    /// Evidence of a kind, from a source, with a summary.
    pub fn new(kind: EvidenceKind, source: &str, summary: &str) -> Self {
        Self {
            kind,
            source: source.to_owned(),
            summary: summary.to_owned(),
            observed_at: None,
            content_sha256: None,
        }
    }
}

/// `POST /v1/beliefs/proposals`: a belief for the person's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ProposalIn))]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// What the vendor believes, in one sentence.
    pub statement: String,
    /// Its type (must be granted).
    pub category: String,
    /// How sure the vendor is.
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 1.0))]
    pub confidence: f64,
    /// Purposes (must be granted; none means the grant's).
    #[serde(default)]
    pub purposes: Vec<String>,
    /// Evidence.
    #[serde(default)]
    pub evidence: Vec<EvidenceIn>,
}

impl Proposal {
    /// A proposal with no purposes (the grant's) and no evidence yet.
    pub fn new(statement: &str, category: &str, confidence: f64) -> Self {
        Self {
            statement: statement.to_owned(),
            category: category.to_owned(),
            confidence,
            purposes: Vec::new(),
            evidence: Vec::new(),
        }
    }

    /// The purposes it may be used for.
    pub fn purposes<S: Into<String>>(mut self, p: impl IntoIterator<Item = S>) -> Self {
        self.purposes = p.into_iter().map(Into::into).collect();
        self
    }

    /// Adds evidence.
    pub fn evidence(mut self, e: EvidenceIn) -> Self {
        self.evidence.push(e);
        self
    }
}

/// Where a filed proposal stands: it waits until the person decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// In the person's inbox.
    Pending,
}

/// A filed proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ProposalOut))]
pub struct ProposalReceipt {
    /// The new belief's id.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub id: String,
    /// `pending` until the person decides.
    pub status: ProposalStatus,
}
