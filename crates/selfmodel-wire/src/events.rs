//! Notices to a recipient (GDPR Art. 19).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventKind {
    /// A belief the vendor received was rectified: read it again.
    #[serde(rename = "belief.rectified")]
    BeliefRectified,
    /// A belief the vendor received was erased: erase your copy.
    #[serde(rename = "belief.erased")]
    BeliefErased,
    /// The grant was revoked: stop using what it disclosed.
    #[serde(rename = "grant.revoked")]
    GrantRevoked,
    /// A kind this version does not know (read only; never sent).
    #[serde(other, skip_serializing)]
    Other,
}

/// A notice to a recipient (GDPR Art. 19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EventOut))]
pub struct Event {
    /// Cursor position.
    pub seq: u64,
    /// When.
    #[serde(with = "crate::time")]
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
    /// The belief concerned, if any.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub belief_id: Option<String>,
}

/// `GET /v1/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EventsOut))]
pub struct Events {
    /// Notices, oldest first.
    pub events: Vec<Event>,
    /// Pass as `after` next time.
    pub cursor: u64,
}

/// Query of `GET /v1/events`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Only notices after this cursor (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// Wait up to this many seconds for a notice (long poll; at most 25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 25))]
    pub wait: Option<u64>,
}
