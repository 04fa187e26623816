//! Typed errors: what the server refused (with its stable code and HTTP status), and what went
//! wrong on the way.

use std::time::Duration;

/// An error response from the server: HTTP status, stable machine-readable `code` (e.g.
/// `purpose_not_granted`) and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// HTTP status.
    pub status: u16,
    /// Stable code.
    pub code: String,
    /// What went wrong, in plain words.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

/// Why a call failed. A later version may add variants (as it added [`Error::Unavailable`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server could not prove it holds the expected identity key (port squatting, a
    /// different vault, a tampered discovery file). Nothing secret was sent to it.
    #[error("the server at {url} is not the trusted Selfmodel server: {reason}")]
    ServerNotTrusted {
        /// The server's base URL.
        url: String,
        /// What did not match.
        reason: String,
    },
    /// The discovery file is missing, unreadable, malformed or not private.
    #[error("discovery: {0}")]
    Discovery(String),
    /// The client was set up wrongly (a non-loopback URL, a call that needs a token without one).
    #[error("client configuration: {0}")]
    Config(String),
    /// 401: the token or poll secret is missing, malformed or unknown.
    #[error("unauthorised: {0}")]
    Unauthorized(Problem),
    /// 401 `token_revoked`: the person (or the vendor) revoked the grant. Stop using the data
    /// and ask anew if needed.
    #[error("the grant was revoked: {0}")]
    Revoked(Problem),
    /// 401 `token_expired`: the grant ran out.
    #[error("the grant expired: {0}")]
    Expired(Problem),
    /// 403: the grant does not cover this (`purpose_not_granted`, `category_not_granted`,
    /// `operation_not_granted`, `origin_not_allowed`, ...).
    #[error("forbidden: {0}")]
    Forbidden(Problem),
    /// 404: no such belief under this grant and purpose, or no such endpoint.
    #[error("not found: {0}")]
    NotFound(Problem),
    /// 409: the request conflicts with the state of the vault (e.g. deciding twice).
    #[error("conflict: {0}")]
    Conflict(Problem),
    /// 410 `token_already_issued`: the token of this request was handed over already.
    #[error("gone: {0}")]
    Gone(Problem),
    /// 423: the person's vault is locked; try again later.
    #[error("the vault is locked: {0}")]
    Locked(Problem),
    /// 423 `paused`: the person paused all sharing; nothing was revoked, and the grant works
    /// again when they resume. Try again later.
    #[error("the person paused sharing: {0}")]
    Paused(Problem),
    /// 429: slow down (per grant), or too many grant requests are waiting.
    #[error("rate limited (retry after {retry_after:?}): {problem}")]
    RateLimited {
        /// The refusal.
        problem: Problem,
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// 503: the vault could not serve or log the request, and nothing was served. Safe to try
    /// again: after `retry_after` when the server says the cause passes (`unavailable`, `busy`).
    #[error("unavailable (retry after {retry_after:?}): {problem}")]
    Unavailable {
        /// The refusal.
        problem: Problem,
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// 400, 413, 415: the request was malformed (the message names the field).
    #[error("bad request: {0}")]
    BadRequest(Problem),
    /// 5xx other than 503, or any other unexpected status.
    #[error("server error: {0}")]
    Server(Problem),
    /// The person denied the grant request.
    #[error("the person denied the grant request")]
    Denied,
    /// Nobody decided on the grant request in time.
    #[error("the grant request expired before the person decided")]
    RequestExpired,
    /// The server could not be reached, or the connection failed.
    #[error("transport: {0}")]
    Transport(#[source] reqwest::Error),
    /// The server answered something this client does not understand.
    #[error("protocol: {0}")]
    Protocol(String),
    /// A signed checkpoint that is malformed, does not verify, or is signed by another key
    /// than the pinned one.
    #[error("invalid checkpoint: {0}")]
    InvalidCheckpoint(String),
}

impl Error {
    /// The server's stable error code, for errors the server returned.
    pub fn code(&self) -> Option<&str> {
        self.problem().map(|p| p.code.as_str())
    }

    /// The HTTP status, for errors the server returned.
    pub fn status(&self) -> Option<u16> {
        self.problem().map(|p| p.status)
    }

    /// The server's error response, if this error is one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Self::Unauthorized(p)
            | Self::Revoked(p)
            | Self::Expired(p)
            | Self::Forbidden(p)
            | Self::NotFound(p)
            | Self::Conflict(p)
            | Self::Gone(p)
            | Self::Locked(p)
            | Self::Paused(p)
            | Self::BadRequest(p)
            | Self::Server(p)
            | Self::RateLimited { problem: p, .. }
            | Self::Unavailable { problem: p, .. } => Some(p),
            _ => None,
        }
    }

    /// Sorts an error response into its variant.
    pub(crate) fn from_problem(p: Problem, retry_after: Option<Duration>) -> Self {
        match (p.status, p.code.as_str()) {
            (401, "token_revoked") => Self::Revoked(p),
            (401, "token_expired") => Self::Expired(p),
            (401, _) => Self::Unauthorized(p),
            (403, _) => Self::Forbidden(p),
            (404, _) => Self::NotFound(p),
            (409, _) => Self::Conflict(p),
            (410, _) => Self::Gone(p),
            (423, "paused") => Self::Paused(p),
            (423, _) => Self::Locked(p),
            (429, _) => Self::RateLimited {
                problem: p,
                retry_after,
            },
            (503, _) => Self::Unavailable {
                problem: p,
                retry_after,
            },
            (400 | 413 | 415, _) => Self::BadRequest(p),
            _ => Self::Server(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(status: u16, code: &str) -> Problem {
        Problem {
            status,
            code: code.into(),
            message: "m".into(),
        }
    }

    #[test]
    fn a_refusal_that_passes_keeps_when_to_try_again() {
        let wait = Some(Duration::from_secs(1));
        let e = Error::from_problem(problem(503, "busy"), wait);
        assert!(
            matches!(&e, Error::Unavailable { retry_after, .. } if *retry_after == wait),
            "{e:?}"
        );
        assert_eq!(e.problem().map(|p| p.code.as_str()), Some("busy"));
        let e = Error::from_problem(problem(429, "rate_limited"), wait);
        assert!(matches!(e, Error::RateLimited { retry_after, .. } if retry_after == wait));
        let e = Error::from_problem(problem(500, "internal"), None);
        assert!(matches!(e, Error::Server(_)), "{e:?}");
    }
}
