//! Errors: a stable `code` for programs and a `message` for people.

use serde::{Deserialize, Serialize};

/// An error answer.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// The error.
    pub error: ProblemBody,
}

/// The body of [`Problem`].
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemBody {
    /// Stable machine-readable code (one of [`ErrorCode`]), e.g. `purpose_not_granted`. Kept as
    /// text so that a code a later server adds still reaches the caller.
    #[cfg_attr(feature = "openapi", schema(value_type = ErrorCode))]
    pub code: String,
    /// What went wrong, in plain words.
    pub message: String,
}

/// Declares [`ErrorCode`] from one list: the variants, their names on the wire (the snake case
/// of the variant, as serde writes it; a test holds the two together) and [`ErrorCode::ALL`].
macro_rules! error_codes {
    ($($(#[$doc:meta])* $v:ident => $s:literal,)+) => {
        /// Every code the vendor API answers errors with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $v,)+
            /// A code this version does not know (read only; never sent).
            #[serde(other, skip_serializing)]
            Other,
        }

        impl ErrorCode {
            /// Every code the server sends.
            pub const ALL: &[Self] = &[$(Self::$v),+];

            /// The name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$v => $s,)+
                    Self::Other => "other",
                }
            }
        }
    };
}

error_codes! {
    // 400: the request itself.
    /// The body is not the JSON the operation takes (unknown field, wrong type or value).
    InvalidJson => "invalid_json",
    /// The query string is not what the operation takes.
    InvalidQuery => "invalid_query",
    /// A field breaks a rule (length, characters, range); the message names it.
    InvalidField => "invalid_field",
    /// Not a belief id.
    BadId => "bad_id",
    /// The type is not in the person's catalogue.
    UnknownCategory => "unknown_category",
    /// The purpose is not in the person's catalogue.
    UnknownPurpose => "unknown_purpose",
    /// The type does not allow that purpose.
    PurposeNotAllowed => "purpose_not_allowed",
    /// The text holds a secret or an identifier (a key, card, e-mail address, ...).
    SensitiveData => "sensitive_data",
    // 401: who is asking.
    /// No token, or not one this vault issued.
    InvalidToken => "invalid_token",
    /// The grant was revoked: stop using what it disclosed.
    TokenRevoked => "token_revoked",
    /// The grant ran out.
    TokenExpired => "token_expired",
    /// Not the poll secret of a grant request.
    InvalidPollSecret => "invalid_poll_secret",
    // 403: what the grant allows.
    /// The grant does not allow the operation.
    OperationNotGranted => "operation_not_granted",
    /// The grant does not name the purpose.
    PurposeNotGranted => "purpose_not_granted",
    /// The grant does not cover the type.
    CategoryNotGranted => "category_not_granted",
    /// The grant does not list the calling web origin.
    OriginNotAllowed => "origin_not_allowed",
    /// The person has not let web pages ask for grants.
    WebVendorsOff => "web_vendors_off",
    /// The request is addressed to another host (DNS rebinding defence).
    HostNotAllowed => "host_not_allowed",
    /// A secret was put in the URL; it is refused and should be considered leaked.
    TokenInUrl => "token_in_url",
    // 404, 409, 410.
    /// No such belief under this grant.
    NotFound => "not_found",
    /// No such endpoint.
    NoRoute => "no_route",
    /// The grant request was already decided.
    NotPending => "not_pending",
    /// The person erased or rejected this before.
    Tombstoned => "tombstoned",
    /// The token was handed over already (once only).
    TokenAlreadyIssued => "token_already_issued",
    // 413, 415.
    /// The body is too large.
    BodyTooLarge => "body_too_large",
    /// A header or the URL is too large.
    TooLarge => "too_large",
    /// Send `Content-Type: application/json`.
    UnsupportedMediaType => "unsupported_media_type",
    // 423, 429.
    /// The person's vault is locked; try again when it is unlocked.
    VaultLocked => "vault_locked",
    /// The person paused sharing: nothing is read or proposed until they resume it (nothing
    /// was revoked).
    Paused => "paused",
    /// Too many requests: wait as `Retry-After` says.
    RateLimited => "rate_limited",
    /// Too many grant requests wait for the person.
    TooManyPending => "too_many_pending",
    /// Too many proposals wait in the person's inbox.
    TooManyProposals => "too_many_proposals",
    // 5xx: nothing was served.
    /// The request could not be logged, so nothing was served; try again.
    Unavailable => "unavailable",
    /// The vault is busy; try again.
    Busy => "busy",
    /// The vault's storage failed.
    Storage => "storage",
    /// The vault's file could not be read or written.
    Io => "io",
    /// The vault's data is damaged.
    Corrupted => "corrupted",
    /// Stored data is not as expected.
    InvalidData => "invalid_data",
    /// A fault in the server.
    Internal => "internal",
}

impl ErrorCode {
    /// The code a server's text names ([`ErrorCode::Other`] if none).
    pub fn parse(code: &str) -> Self {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == code)
            .unwrap_or(Self::Other)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
