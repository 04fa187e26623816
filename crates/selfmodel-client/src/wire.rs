//! The v1 wire format as a vendor sees it: the shared types of `selfmodel-wire` (the very types
//! the server serves), and what the SDK makes of the grant flow's answers.

use std::time::Duration;

use chrono::{DateTime, Utc};
pub use selfmodel_wire::*;

use crate::secret::{PollSecret, Token};

/// A filed grant request: show [`PendingGrant::user_code`] to the person, then poll.
pub struct PendingGrant {
    /// The request id (the person approves it as `selfmodel grant approve ID`).
    pub request_id: String,
    /// The code the person matches in Selfmodel.
    pub user_code: String,
    /// The secret to poll with.
    pub poll_secret: PollSecret,
    /// When the request lapses.
    pub expires_at: DateTime<Utc>,
    /// How long to wait between polls.
    pub interval: Duration,
}

impl std::fmt::Debug for PendingGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingGrant")
            .field("request_id", &self.request_id)
            .field("user_code", &self.user_code)
            .field("expires_at", &self.expires_at)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl From<GrantRequestReply> for PendingGrant {
    fn from(o: GrantRequestReply) -> Self {
        Self {
            request_id: o.request_id,
            user_code: o.user_code,
            poll_secret: PollSecret::new(o.poll_secret),
            expires_at: o.expires_at,
            interval: Duration::from_secs(o.interval.max(1)),
        }
    }
}

/// The state of a grant request.
pub enum PollStatus {
    /// The person has not decided yet.
    Pending,
    /// Approved: the token (handed over only this once) and the grant as approved.
    Approved(Box<Approval>),
    /// The person denied it.
    Denied,
    /// Nobody decided in time.
    Expired,
}

impl std::fmt::Debug for PollStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pending => f.write_str("Pending"),
            Self::Approved(a) => f.debug_tuple("Approved").field(a).finish(),
            Self::Denied => f.write_str("Denied"),
            Self::Expired => f.write_str("Expired"),
        }
    }
}

/// An approved grant: the bearer token and the grant (possibly narrowed by the person).
pub struct Approval {
    /// The bearer token; store it, it is shown only once.
    pub token: Token,
    /// The grant as approved.
    pub grant: Grant,
    /// The vault's signed audit checkpoint at approval, checked against the pinned key: the
    /// first receipt to keep (see [`SignedCheckpoint`]). `None` if the server sent none, or one
    /// that does not verify (the token is handed over once, so the approval is not refused).
    pub checkpoint: Option<SignedCheckpoint>,
}

impl std::fmt::Debug for Approval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Approval")
            .field("grant", &self.grant)
            .field("checkpoint", &self.checkpoint)
            .finish_non_exhaustive()
    }
}
