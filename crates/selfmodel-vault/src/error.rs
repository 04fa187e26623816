//! The one error type of the vault crate.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use selfmodel_core::BeliefId;

/// What can go wrong with the vault file or its contents.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// A read would add a disclosure set past the grant's allowance for the day.
    #[error(
        "this grant was sent {} pages it had not received before today, the most in a day; \
         pages it has received still read, and new ones do again tomorrow (UTC)",
        crate::MAX_NEW_SETS_PER_DAY
    )]
    TooManyNewSets {
        /// The UTC day whose allowance is spent.
        day: NaiveDate,
    },
    /// A read would add an access-log entry past the grant's allowance for the day.
    #[error(
        "this grant made {} requests today that each added an entry to the person's access log, \
         the most in a day; what it did this minute it can do again, the rest again tomorrow (UTC)",
        crate::MAX_ENTRIES_PER_DAY
    )]
    TooManyEntries {
        /// The UTC day whose allowance is spent.
        day: NaiveDate,
    },
    /// No file at the path.
    #[error("no vault at {0}")]
    NoVault(PathBuf),
    /// Creating over an existing file.
    #[error("a file already exists at {0}; refusing to overwrite it")]
    AlreadyExists(PathBuf),
    /// The passphrase does not decrypt the file.
    #[error("wrong passphrase (or the file is not a Selfmodel vault)")]
    WrongPassphrase,
    /// A passphrase that cannot be used as a key (the reason never quotes it).
    #[error("unusable passphrase: {0}")]
    BadPassphrase(String),
    /// The file is something other than a vault.
    #[error("not a Selfmodel vault: {0}")]
    NotAVault(String),
    /// The file is damaged: truncated, or pages that fail their integrity check.
    #[error("the vault is damaged: {0}")]
    Corrupted(String),
    /// The file was written by a newer Selfmodel.
    #[error(
        "the vault has schema version {found}; this Selfmodel understands up to {supported} — upgrade Selfmodel"
    )]
    TooNew {
        /// The file's version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// Another process holds the vault's write lock for too long.
    #[error("the vault is busy: another Selfmodel process is writing to it; try again")]
    Busy,
    /// No belief with this id.
    #[error("no belief with id {0}")]
    BeliefNotFound(BeliefId),
    /// No belief type with this id.
    #[error("no belief type '{0}'")]
    TypeNotFound(String),
    /// A write transaction tried to commit without an audit event (a bug, never data).
    #[error(
        "internal error: a write was about to be committed without an audit event or access-log entry"
    )]
    Unaudited,
    /// Stored data that does not parse (damage or tampering through SQL).
    #[error("stored data is invalid: {0}")]
    Data(String),
    /// Any other SQLite error.
    #[error("storage error: {0}")]
    Storage(rusqlite::Error),
    /// A filesystem error.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl VaultError {
    /// Whether this is a grant's daily allowance running out: it renews at midnight UTC.
    pub fn is_daily_allowance(&self) -> bool {
        matches!(
            self,
            Self::TooManyNewSets { .. } | Self::TooManyEntries { .. }
        )
    }

    /// When a grant's spent daily allowance renews: the midnight (UTC) after the day it was
    /// spent on, as the vault counted it.
    pub fn renews_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::TooManyNewSets { day } | Self::TooManyEntries { day } => day
                .succ_opt()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc()),
            _ => None,
        }
    }

    /// A stable, machine-readable code.
    pub fn code(&self) -> selfmodel_core::ErrorCode {
        use selfmodel_core::ErrorCode as C;
        match self {
            Self::TooManyNewSets { .. } | Self::TooManyEntries { .. } => C::RateLimited,
            Self::NoVault(_) => C::NoVault,
            Self::AlreadyExists(_) => C::AlreadyExists,
            Self::WrongPassphrase => C::WrongPassphrase,
            Self::BadPassphrase(_) => C::BadPassphrase,
            Self::NotAVault(_) => C::NotAVault,
            Self::Corrupted(_) => C::Corrupted,
            Self::TooNew { .. } => C::TooNew,
            Self::Busy => C::Busy,
            Self::BeliefNotFound(_) => C::NotFound,
            Self::TypeNotFound(_) => C::NotFound,
            Self::Unaudited => C::Internal,
            Self::Data(_) => C::InvalidData,
            Self::Storage(_) => C::Storage,
            Self::Io(_) => C::Io,
        }
    }
}

impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseCorrupt, DatabaseLocked, NotADatabase};
        match e.sqlite_error_code() {
            Some(DatabaseBusy | DatabaseLocked) => Self::Busy,
            Some(DatabaseCorrupt | NotADatabase) => Self::Corrupted(e.to_string()),
            _ => Self::Storage(e),
        }
    }
}

/// Result with [`VaultError`].
pub type Result<T, E = VaultError> = std::result::Result<T, E>;
