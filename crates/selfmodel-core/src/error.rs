//! The one error type of the domain crate.

/// A domain rule was broken. Each variant names the field or rule so front ends can say exactly
/// what to fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CoreError {
    /// A field's value is not acceptable; `field` is its dotted path, e.g. `evidence[0].summary`.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Dotted path of the offending field.
        field: String,
        /// What is wrong with it, in plain words.
        reason: String,
    },
    /// A belief type (category) that the catalogue does not know.
    #[error("unknown category '{0}' (see `selfmodel types`)")]
    UnknownCategory(String),
    /// A purpose that the catalogue does not know.
    #[error("unknown purpose '{0}' (see `selfmodel purposes`)")]
    UnknownPurpose(String),
    /// A purpose the belief's type does not allow (purpose limitation, GDPR Art. 5(1)(b)).
    #[error("purpose '{purpose}' is not allowed for category '{category}' (allowed: {allowed})")]
    PurposeNotAllowed {
        /// The refused purpose.
        purpose: String,
        /// The belief's category.
        category: String,
        /// The purposes the category allows, comma-separated.
        allowed: String,
    },
    /// A string that should be a belief id is not one.
    #[error("'{0}' is not a belief id")]
    BadId(String),
    /// A field carries a secret or identifier that has no place in a self-model (data
    /// minimisation, GDPR Art. 5(1)(c)). The kind is named; the text found is never echoed.
    #[error(
        "{field} contains what looks like {}; a self-model keeps no such data",
        kind.describe()
    )]
    Sensitive {
        /// Dotted path of the offending field.
        field: String,
        /// What was found.
        kind: crate::sensitive::SensitiveKind,
    },
}

impl CoreError {
    /// Shorthand for [`CoreError::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A stable, machine-readable code for this error, for errors that cross a boundary.
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            Self::Invalid { .. } => C::InvalidField,
            Self::UnknownCategory(_) => C::UnknownCategory,
            Self::UnknownPurpose(_) => C::UnknownPurpose,
            Self::PurposeNotAllowed { .. } => C::PurposeNotAllowed,
            Self::BadId(_) => C::BadId,
            Self::Sensitive { .. } => C::SensitiveData,
        }
    }
}

/// Result with [`CoreError`].
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
