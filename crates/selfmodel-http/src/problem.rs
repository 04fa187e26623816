//! Errors as HTTP responses: a status, a stable `code` and a plain message.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::actor::CallError;
use selfmodel_wire::{ErrorCode, Problem, ProblemBody};

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: String,
    /// Message for people.
    pub message: String,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        debug_assert!(
            ErrorCode::parse(&self.code) != ErrorCode::Other,
            "error code '{}' is not in selfmodel_wire::ErrorCode",
            self.code
        );
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let body = Problem {
            error: ProblemBody {
                code: self.code,
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
                "vault_locked",
                "the person's vault is locked; try again when it is unlocked",
            ),
            CallError::Unavailable(why) => {
                tracing::error!("vault unavailable: {why}");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
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
        Error::Vault(v) if v.code() == "not_found" => StatusCode::NOT_FOUND,
        Error::Vault(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Archive(_) | Error::ImportConflicts(_) | Error::MemoryInput(_) => {
            StatusCode::BAD_REQUEST
        }
    }
}
