//! The export file's wire types, versions 1 and 2: exactly the shape `docs/export.schema.json`
//! describes. They are this crate's own, converted from the domain by hand (see `convert`), so a
//! change to a domain type cannot silently change the file format. Every struct refuses unknown
//! fields.

use serde::{Deserialize, Serialize};

/// The whole export document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Always [`crate::FORMAT`].
    pub format: String,
    /// [`crate::VERSION`] when written; 1 or 2 when read.
    pub version: u64,
    /// When the export was made (RFC 3339, UTC, microseconds).
    pub exported_at: String,
    /// The id of the vault it came from.
    pub vault: String,
    /// Belief types.
    pub belief_types: Vec<BeliefType>,
    /// Purposes.
    pub purposes: Vec<Purpose>,
    /// Beliefs, oldest first.
    pub beliefs: Vec<Belief>,
    /// Vendor grants, never their tokens (always empty in version 1).
    pub grants: Vec<Grant>,
    /// The detailed vendor access log, oldest first (always empty in version 1).
    pub access_log: Vec<Access>,
    /// The sets of beliefs the access log's entries disclosed, each written once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disclosure_sets: Vec<DisclosureSet>,
    /// The compacted access log: requests per day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_days: Vec<AccessDay>,
    /// The compacted access log: disclosures of each belief per day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disclosure_days: Vec<DisclosureDay>,
    /// What the person erased or rejected, as keyed fingerprints (encrypted exports only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tombstones: Option<Tombstones>,
    /// The audit chain's head at export time.
    pub audit_head: AuditHead,
    /// Counts, the beliefs hash and the filter.
    pub manifest: Manifest,
    /// The exporting vault's signature.
    pub signature: Signature,
}

/// A vendor grant as the person made it, without its token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// Grant id.
    pub id: String,
    /// The request it came from.
    pub request_id: String,
    /// Who held it.
    pub vendor: Vendor,
    /// Purposes reads could name.
    pub purposes: Vec<String>,
    /// Belief types that could be disclosed.
    pub categories: Vec<String>,
    /// Operations allowed.
    pub operations: Vec<String>,
    /// `normal` or `special`.
    pub max_sensitivity: String,
    /// Lowest confidence disclosed.
    pub min_confidence: f64,
    /// Browser origins allowed.
    pub origins: Vec<String>,
    /// Whether only beliefs within their review interval were disclosed.
    pub fresh_only: bool,
    /// The vendor's stated retention of what it read, in days.
    pub vendor_retention_days: u32,
    /// Timestamp.
    pub created_at: String,
    /// Timestamp.
    pub expires_at: String,
    /// Timestamp or null.
    pub revoked_at: Option<String>,
    /// `person` or `vendor`, or null.
    pub revoked_by: Option<String>,
    /// Timestamp or null.
    pub last_used_at: Option<String>,
    /// The consent record (ISO/IEC TS 27560); its id is the grant's, its recipient the vendor.
    pub consent: Consent,
}

/// A vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    /// The vendor's id for itself.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Web site, or null.
    pub url: Option<String>,
}

/// A grant's consent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// The data subject.
    pub subject: String,
    /// Purposes consented to.
    pub purposes: Vec<String>,
    /// Belief types covered.
    pub data_categories: Vec<String>,
    /// Operations allowed.
    pub operations: Vec<String>,
    /// Whether special-category data was included.
    pub special_categories: bool,
    /// The notice the person saw.
    pub notice: String,
    /// The recipient's stated retention, in days.
    pub recipient_retention_days: u32,
    /// Timestamp.
    pub given_at: String,
    /// Timestamp.
    pub expires_at: String,
    /// How it was given.
    pub method: String,
}

/// One entry of the detailed access log. Ids only, never belief content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// Position in the exporting vault's log.
    pub seq: u64,
    /// Timestamp.
    pub at: String,
    /// The grant, if a token was valid.
    pub grant_id: Option<String>,
    /// The vendor's id, if known.
    pub vendor_id: Option<String>,
    /// The purpose named.
    pub purpose: Option<String>,
    /// What was asked, e.g. `beliefs.read`.
    pub operation: String,
    /// `allowed` or `denied`.
    pub outcome: String,
    /// Why it was denied.
    pub reason: Option<String>,
    /// How many requests the entry stands for.
    pub requests: u64,
    /// The [`DisclosureSet`] it disclosed, or null.
    pub disclosed_set: Option<u64>,
}

/// Beliefs disclosed together, referred to by access-log entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureSet {
    /// Number, unique in the file.
    pub id: u64,
    /// Belief ids, sorted.
    pub beliefs: Vec<String>,
}

/// Requests of one day with the same grant, vendor, purpose, operation and outcome, from the
/// compacted log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessDay {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// The grant, or null.
    pub grant_id: Option<String>,
    /// The vendor, or null.
    pub vendor_id: Option<String>,
    /// The purpose, or null.
    pub purpose: Option<String>,
    /// What was asked.
    pub operation: String,
    /// `allowed` or `denied`.
    pub outcome: String,
    /// Why it was denied.
    pub reason: Option<String>,
    /// How many requests.
    pub requests: u64,
}

/// How often one belief was disclosed on one day under one grant, from the compacted log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureDay {
    /// The belief (which may since have been erased).
    pub belief_id: String,
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// The grant.
    pub grant_id: String,
    /// The vendor.
    pub vendor_id: String,
    /// The purpose, or null.
    pub purpose: Option<String>,
    /// How many requests disclosed it.
    pub times: u64,
}

/// What the person erased or rejected: keyed hashes, never text, with the key that made them,
/// so that the vault it is imported into recognises those beliefs too.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tombstones {
    /// The HMAC key, as the vault keeps it.
    pub key: String,
    /// The digests.
    pub digests: Vec<Tombstone>,
}

impl Drop for Tombstones {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.key);
    }
}

impl std::fmt::Debug for Tombstones {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tombstones")
            .field("digests", &self.digests.len())
            .finish_non_exhaustive()
    }
}

/// One tombstone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tombstone {
    /// HMAC-SHA-256, hex.
    pub digest: String,
    /// When it was laid.
    pub at: String,
}

/// A belief type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeliefType {
    /// Stable id (a belief's `category`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// What beliefs of this type are about.
    pub description: String,
    /// Purposes its beliefs may carry.
    pub allowed_purposes: Vec<String>,
    /// Days its beliefs are kept.
    pub retention_days: u32,
    /// Confidence needed before sharing.
    pub min_share_confidence: f64,
    /// Whether evidence is required.
    pub evidence_required: bool,
    /// `normal` or `special`.
    pub default_sensitivity: String,
    /// Days after the person last confirmed a belief before it is due for review (absent in
    /// files from before reviews: the type's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_days: Option<u32>,
}

/// A purpose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Plain-language description.
    pub description: String,
    /// The W3C DPV term.
    pub dpv_term: String,
    /// Never given by default.
    pub opt_in: bool,
}

/// A belief with its evidence, provenance and history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Belief {
    /// UUID.
    pub id: String,
    /// What is believed.
    pub statement: String,
    /// Belief type id.
    pub category: String,
    /// In `[0, 1]`.
    pub confidence: f64,
    /// Purpose ids, sorted.
    pub purposes: Vec<String>,
    /// `normal` or `special`.
    pub sensitivity: String,
    /// `active`, `pending` or `rejected`.
    pub status: String,
    /// Evidence, oldest first.
    pub evidence: Vec<Evidence>,
    /// Who created it and how.
    pub provenance: Provenance,
    /// Timestamp.
    pub created_at: String,
    /// Timestamp.
    pub updated_at: String,
    /// Timestamp or null.
    pub expires_at: Option<String>,
    /// When the person last confirmed it; absent for a proposal not yet accepted (and in files
    /// from before reviews).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<String>,
    /// Rectifications, oldest first.
    pub history: Vec<Rectification>,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// `stated`, `observed`, `inferred` or `imported`.
    pub kind: String,
    /// Where it came from.
    pub source: String,
    /// Bounded summary.
    pub summary: String,
    /// Timestamp.
    pub observed_at: String,
    /// Hex SHA-256 of the discarded raw source, or null.
    pub content_sha256: Option<String>,
}

/// Who created a belief and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Who.
    pub actor: Actor,
    /// By what method.
    pub method: String,
}

/// Who did something.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Actor {
    /// The person.
    Person,
    /// A vendor under a grant.
    Vendor {
        /// The grant's id.
        grant_id: String,
        /// The vendor's display name.
        name: String,
    },
    /// An import.
    Import,
    /// Selfmodel itself.
    System,
}

/// One rectification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rectification {
    /// Timestamp.
    pub at: String,
    /// Who.
    pub actor: Actor,
    /// Why.
    pub reason: String,
    /// Before.
    pub before: Snapshot,
    /// After.
    pub after: Snapshot,
}

/// The rectifiable parts of a belief at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Statement.
    pub statement: String,
    /// Confidence.
    pub confidence: f64,
    /// Purpose ids, sorted.
    pub purposes: Vec<String>,
}

/// The audit chain's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    /// Number of events.
    pub events: u64,
    /// Last event's hash, hex.
    pub hash: String,
}

/// What the document holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Items per section.
    pub counts: Counts,
    /// Hex SHA-256 of the canonical `beliefs` array.
    pub beliefs_sha256: String,
    /// What was exported.
    pub filter: Filter,
}

/// Items per section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Belief types.
    pub belief_types: u64,
    /// Purposes.
    pub purposes: u64,
    /// Beliefs.
    pub beliefs: u64,
    /// Evidence over all beliefs.
    pub evidence: u64,
    /// History entries over all beliefs.
    pub history: u64,
    /// Grants.
    pub grants: u64,
    /// Access-log entries.
    pub access_log: u64,
}

/// `"all"`, or the subset that was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Filter {
    /// Everything.
    All(AllTag),
    /// A subset.
    Subset(Subset),
}

/// The string `"all"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllTag {
    /// `"all"`.
    #[serde(rename = "all")]
    All,
}

/// A subset: beliefs matching every non-empty list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subset {
    /// Category ids, sorted.
    pub categories: Vec<String>,
    /// Purpose ids, sorted.
    pub purposes: Vec<String>,
    /// Belief ids, sorted.
    pub beliefs: Vec<String>,
}

/// The exporting vault's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Always `ed25519`.
    pub algorithm: String,
    /// 32 bytes, hex.
    pub public_key: String,
    /// 64 bytes, hex.
    pub signature: String,
}
