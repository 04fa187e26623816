//! Asking for a grant (the device flow) and the grant a vendor holds.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who the vendor is (self-asserted; shown to the person as such).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VendorInfo {
    /// The vendor's own id for itself, e.g. `com.example.notes`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its web site (`http` or `https`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "uri"))]
    pub url: Option<String>,
}

/// What a grant allows besides reading for its purposes and categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Read beliefs.
    Read,
    /// Also receive the evidence behind them.
    ReadEvidence,
    /// Propose new beliefs to the person's inbox.
    Propose,
}

/// How sensitive data may be: `special` is GDPR Art. 9 data (health, ...), granted only
/// explicitly.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// Ordinary personal data.
    #[default]
    Normal,
    /// Special-category data.
    Special,
}

/// `POST /v1/grant-requests`: what a vendor asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = GrantRequestIn))]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    /// Who asks.
    pub vendor: VendorInfo,
    /// Purposes its reads will name (see the purpose catalogue).
    pub purposes: Vec<String>,
    /// Belief types it wants.
    pub categories: Vec<String>,
    /// Operations it wants.
    pub operations: Vec<Operation>,
    /// Highest sensitivity (default `normal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sensitivity: Option<Sensitivity>,
    /// Never disclose beliefs below this confidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 1.0))]
    pub min_confidence: Option<f64>,
    /// Browser origins that will call the API (exact, e.g. `https://app.example`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
    /// Only beliefs the person confirmed within their type's review interval, in every read
    /// (as `fresh=true` asks for one read).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fresh_only: bool,
    /// For how many days.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub duration_days: u32,
    /// How long the vendor keeps what it reads, in days (shown to the person, recorded).
    pub vendor_retention_days: u32,
    /// Why, in plain words for the person.
    pub justification: String,
}

impl GrantRequest {
    /// A request for `read` for 30 days with 0 days' retention; add purposes and categories
    /// with the builder methods.
    pub fn new(vendor_id: &str, vendor_name: &str, justification: &str) -> Self {
        Self {
            vendor: VendorInfo {
                id: vendor_id.to_owned(),
                name: vendor_name.to_owned(),
                url: None,
            },
            purposes: Vec::new(),
            categories: Vec::new(),
            operations: vec![Operation::Read],
            max_sensitivity: None,
            min_confidence: None,
            origins: Vec::new(),
            fresh_only: false,
            duration_days: 30,
            vendor_retention_days: 0,
            justification: justification.to_owned(),
        }
    }

    /// The vendor's web site.
    pub fn url(mut self, url: &str) -> Self {
        self.vendor.url = Some(url.to_owned());
        self
    }

    /// The purposes reads will name.
    pub fn purposes<S: Into<String>>(mut self, p: impl IntoIterator<Item = S>) -> Self {
        self.purposes = p.into_iter().map(Into::into).collect();
        self
    }

    /// The belief types wanted.
    pub fn categories<S: Into<String>>(mut self, c: impl IntoIterator<Item = S>) -> Self {
        self.categories = c.into_iter().map(Into::into).collect();
        self
    }

    /// The operations wanted.
    pub fn operations(mut self, ops: impl IntoIterator<Item = Operation>) -> Self {
        self.operations = ops.into_iter().collect();
        self
    }

    /// The highest sensitivity wanted.
    pub fn max_sensitivity(mut self, s: Sensitivity) -> Self {
        self.max_sensitivity = Some(s);
        self
    }

    /// The lowest confidence wanted.
    pub fn min_confidence(mut self, c: f64) -> Self {
        self.min_confidence = Some(c);
        self
    }

    /// Browser origins that will call the API.
    pub fn origins<S: Into<String>>(mut self, o: impl IntoIterator<Item = S>) -> Self {
        self.origins = o.into_iter().map(Into::into).collect();
        self
    }

    /// Only beliefs within their review interval, in every read.
    pub fn fresh_only(mut self) -> Self {
        self.fresh_only = true;
        self
    }

    /// How many days the grant should last.
    pub fn duration_days(mut self, days: u32) -> Self {
        self.duration_days = days;
        self
    }

    /// How many days the vendor keeps what it reads.
    pub fn vendor_retention_days(mut self, days: u32) -> Self {
        self.vendor_retention_days = days;
        self
    }
}

/// The answer to a grant request: show `user_code` to the person; poll with `poll_secret`.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = GrantRequestOut))]
pub struct GrantRequestReply {
    /// Request id.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub request_id: String,
    /// The code the person matches in Selfmodel.
    pub user_code: String,
    /// The secret to poll with (shown only here).
    pub poll_secret: String,
    /// When the request lapses.
    #[serde(with = "crate::time")]
    pub expires_at: DateTime<Utc>,
    /// Seconds between polls.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub interval: u64,
}

/// `POST /v1/grant-requests/poll`.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PollIn))]
#[serde(deny_unknown_fields)]
pub struct PollRequest {
    /// The poll secret from the grant request.
    pub poll_secret: String,
}

/// Where a grant request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PollState {
    /// The person has not decided yet.
    Pending,
    /// Approved: the token comes with this answer, once.
    Approved,
    /// The person denied it.
    Denied,
    /// Nobody decided in time.
    Expired,
}

/// The state of a grant request; on approval, the bearer token (exactly once).
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PollOut))]
pub struct PollReply {
    /// Where the request stands.
    pub status: PollState,
    /// The bearer token, on approval only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The grant as approved (possibly narrowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<Grant>,
    /// On approval: the vault's signed audit checkpoint, the vendor's first receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<crate::SignedCheckpoint>,
}

/// A consent record in the shape of ISO/IEC TS 27560.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ConsentOut))]
pub struct Consent {
    /// Record id.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub id: String,
    /// The data subject.
    pub subject: String,
    /// The recipient (the vendor).
    pub recipient: VendorInfo,
    /// Purposes consented to.
    pub purposes: Vec<String>,
    /// Data categories covered.
    pub data_categories: Vec<String>,
    /// Processing operations.
    pub operations: Vec<Operation>,
    /// Whether special-category data is included.
    pub special_categories: bool,
    /// The notice shown (the vendor's justification).
    pub notice: String,
    /// The recipient's stated retention, in days.
    pub recipient_retention_days: u32,
    /// When consent was given.
    #[serde(with = "crate::time")]
    pub given_at: DateTime<Utc>,
    /// When it ends.
    #[serde(with = "crate::time")]
    pub expires_at: DateTime<Utc>,
    /// How it was given.
    pub method: String,
}

/// A grant as its holder sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = GrantOut))]
pub struct Grant {
    /// Grant id.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub id: String,
    /// The holder.
    pub vendor: VendorInfo,
    /// Purposes reads may name.
    pub purposes: Vec<String>,
    /// Belief types that may be disclosed.
    pub categories: Vec<String>,
    /// Allowed operations.
    pub operations: Vec<Operation>,
    /// Highest sensitivity disclosed.
    pub max_sensitivity: Sensitivity,
    /// Lowest confidence disclosed.
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 1.0))]
    pub min_confidence: f64,
    /// Allowed browser origins.
    pub origins: Vec<String>,
    /// Only beliefs within their type's review interval are disclosed.
    pub fresh_only: bool,
    /// The vendor's stated retention, in days.
    pub vendor_retention_days: u32,
    /// When it was made.
    #[serde(with = "crate::time")]
    pub created_at: DateTime<Utc>,
    /// When it ends.
    #[serde(with = "crate::time")]
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    #[serde(default, with = "crate::time::option")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// The consent record.
    pub consent: Consent,
}

impl Grant {
    /// Whether the grant allows an operation.
    pub fn allows(&self, op: Operation) -> bool {
        self.operations.contains(&op)
    }
}
