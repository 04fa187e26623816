//! Errors as HTTP responses: a status, a stable `code` and a plain message.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::actor::CallError;
use selfmodel_core::ErrorCode;
use selfmodel_wire::{self as wire, Problem, ProblemBody};

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: ErrorCode,
    /// Message for people.
    pub message: String,
    /// Seconds after which the same request may succeed (`Retry-After`), if the server knows.
    pub retry_after: Option<i64>,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
}

/// Whole seconds from `now` until `then`, at least one (`Retry-After`).
fn seconds_until(then: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> i64 {
    (then - now).num_seconds().max(1)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        debug_assert!(
            wire::ErrorCode::parse(self.code.as_str()) != wire::ErrorCode::Other,
            "error code '{}' is not in selfmodel_wire::ErrorCode",
            self.code
        );
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let body = Problem {
            error: ProblemBody {
                code: self.code.as_str().to_owned(),
                message: self.message,
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if unauthorized {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        resp
    }
}

impl From<CallError> for ApiError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Locked => Self::new(
                StatusCode::LOCKED,
                ErrorCode::VaultLocked,
                "the person's vault is locked; try again when it is unlocked",
            ),
            CallError::Unavailable(why) => {
                tracing::error!("vault unavailable: {why}");
                Self {
                    retry_after: Some(RETRY_UNAVAILABLE),
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        ErrorCode::Unavailable,
                        "the request could not be logged, so nothing was served; try again",
                    )
                }
            }
            CallError::Model(e) => {
                let status = status_of(&e);
                let renews = match &e {
                    selfmodel::Error::Vault(v) => v.renews_at(),
                    _ => None,
                };
                let busy = matches!(&e, selfmodel::Error::Vault(selfmodel::VaultError::Busy));
                let retry_after = match renews {
                    Some(t) => Some(seconds_until(t, chrono::Utc::now())),
                    None => busy.then_some(RETRY_UNAVAILABLE),
                };
                Self {
                    retry_after,
                    ..Self::new(status, e.code(), e.to_string())
                }
            }
        }
    }
}

/// Seconds a caller is asked to wait (`Retry-After`) before trying again a request the vault
/// could not serve or log (503) for a reason that passes: another process holding the write lock,
/// or a batch of reads whose log entry could not be written. A damaged vault gets no such hint.
const RETRY_UNAVAILABLE: i64 = 1;

/// The status for a use-case error.
fn status_of(e: &selfmodel::Error) -> StatusCode {
    use selfmodel::Error;
    match e {
        Error::Invalid(_) | Error::WeakPassphrase(_) | Error::Unconfirmed(_) => {
            StatusCode::BAD_REQUEST
        }
        Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        Error::Forbidden(..) | Error::WebVendorsOff => StatusCode::FORBIDDEN,
        Error::Paused => StatusCode::LOCKED,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::TooManyPending | Error::TooManyProposals => StatusCode::TOO_MANY_REQUESTS,
        Error::AlreadyClaimed => StatusCode::GONE,
        Error::Tombstoned | Error::NotPending(_) => StatusCode::CONFLICT,
        Error::Vault(v) if v.code() == ErrorCode::NotFound => StatusCode::NOT_FOUND,
        Error::Vault(v) if v.code() == ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Error::Vault(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Archive(_) | Error::ImportConflicts(_) | Error::MemoryInput(_) => {
            StatusCode::BAD_REQUEST
        }
    }
}

#[cfg(test)]
mod tests {
    use selfmodel_core::ErrorCode;
    use selfmodel_wire as wire;

    #[test]
    fn a_grant_out_of_its_daily_allowance_is_told_when_it_renews() {
        use axum::response::IntoResponse;
        use selfmodel::VaultError;
        let day = chrono::Utc::now().date_naive();
        for spent in [
            VaultError::TooManyNewSets { day },
            VaultError::TooManyEntries { day },
        ] {
            let refused = super::ApiError::from(crate::actor::CallError::Model(
                selfmodel::Error::Vault(spent),
            ))
            .into_response();
            assert_eq!(refused.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
            let after: i64 = refused.headers()[axum::http::header::RETRY_AFTER]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=86_400).contains(&after), "{after}");
        }
        // Counted against the 1st of March: it renews at the next midnight, wherever the clock
        // that answers stands.
        let at = |t: &str| {
            chrono::DateTime::parse_from_rfc3339(t)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let spent = VaultError::TooManyEntries {
            day: at("2026-03-01T23:59:59Z").date_naive(),
        };
        let renews = spent.renews_at().unwrap();
        assert_eq!(renews, at("2026-03-02T00:00:00Z"));
        assert_eq!(
            super::seconds_until(renews, at("2026-03-01T12:00:00Z")),
            12 * 3600
        );
        // Answered just after midnight: the allowance has renewed, so wait a second, not a day.
        assert_eq!(
            super::seconds_until(renews, at("2026-03-02T00:00:00.2Z")),
            1
        );
    }

    #[test]
    fn every_code_of_the_vendor_api_is_one_of_selfmodels_codes() {
        for c in wire::ErrorCode::ALL {
            assert!(ErrorCode::parse(c.as_str()).is_some(), "{c}");
        }
    }
}
