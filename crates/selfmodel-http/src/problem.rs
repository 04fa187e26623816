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
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
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
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    "the request could not be logged, so nothing was served; try again",
                )
            }
            CallError::Model(e) => {
                let status = status_of(&e);
                Self::new(status, e.code(), e.to_string())
            }
        }
    }
}

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
    fn every_code_of_the_vendor_api_is_one_of_selfmodels_codes() {
        for c in wire::ErrorCode::ALL {
            assert!(ErrorCode::parse(c.as_str()).is_some(), "{c}");
        }
    }
}
