//! The one error type of the use-case layer.

use selfmodel_core::CoreError;
use selfmodel_vault::VaultError;

/// Why a use case could not be carried out. Every variant has a stable [`Error::code`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input broke a domain rule.
    #[error(transparent)]
    Invalid(#[from] CoreError),
    /// The vault refused or failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A new passphrase is too weak to protect the vault.
    #[error("passphrase too weak: {0}")]
    WeakPassphrase(String),
    /// A vendor's token or poll secret is missing, malformed, unknown, revoked or expired; the
    /// code says which.
    #[error("not authorised: {0}")]
    Unauthorized(selfmodel_core::ErrorCode),
    /// The grant does not cover what was asked; the code says what.
    #[error("{1}")]
    Forbidden(selfmodel_core::ErrorCode, String),
    /// Something asked for does not exist (or is not visible under the grant).
    #[error("{0}")]
    NotFound(String),
    /// Too many grant requests are waiting for the person.
    #[error("too many grant requests are waiting for the person; try again later")]
    TooManyPending,
    /// A web page asked for a grant, and the person has not turned web vendors on.
    #[error(
        "this person does not accept grant requests from web pages; they can turn web vendors on in Selfmodel"
    )]
    WebVendorsOff,
    /// The person paused sharing: no vendor reads or proposes until they resume it.
    #[error("the person has paused sharing; nothing is read or proposed until they resume it")]
    Paused,
    /// The vendor's proposals already waiting for the person reached the cap.
    #[error("too many of this vendor's proposals are waiting for the person; try again later")]
    TooManyProposals,
    /// The token of an approved request was already handed over.
    #[error("the token for this request was already handed over; it is shown only once")]
    AlreadyClaimed,
    /// The person erased or rejected this belief before; it cannot be proposed again.
    #[error("refused: the person erased or rejected this belief before, and it stays erased")]
    Tombstoned,
    /// An action that cannot be undone was asked for without typing its phrase (the phrase).
    #[error("type \"{0}\" to confirm")]
    Unconfirmed(&'static str),
    /// A decision on something no longer waiting for one (what it is now, in words).
    #[error("not pending: {0}")]
    NotPending(String),
    /// An export file could not be read, checked, decrypted or written.
    #[error(transparent)]
    Archive(#[from] selfmodel_archive::ArchiveError),
    /// An import would overwrite beliefs whose content differs, and no conflict policy was given.
    #[error(
        "{} of the file's beliefs differ from the vault's ({}); choose a conflict policy: keep the vault's or take the file's",
        .0.len(),
        crate::archive::conflict_list(.0)
    )]
    ImportConflicts(Vec<selfmodel_core::BeliefId>),
    /// Memories to import could not be read: a missing, binary, oversized or malformed input.
    #[error("{0}")]
    MemoryInput(String),
}

impl Error {
    /// A stable, machine-readable code for front ends (`--json`, HTTP, IPC).
    pub fn code(&self) -> selfmodel_core::ErrorCode {
        use selfmodel_core::ErrorCode as C;
        match self {
            Self::Invalid(e) => e.code(),
            Self::Vault(e) => e.code(),
            Self::WeakPassphrase(_) => C::WeakPassphrase,
            Self::Unauthorized(code) | Self::Forbidden(code, _) => *code,
            Self::NotFound(_) => C::NotFound,
            Self::TooManyPending => C::TooManyPending,
            Self::WebVendorsOff => C::WebVendorsOff,
            Self::Paused => C::Paused,
            Self::TooManyProposals => C::TooManyProposals,
            Self::AlreadyClaimed => C::TokenAlreadyIssued,
            Self::Tombstoned => C::Tombstoned,
            Self::Unconfirmed(_) => C::ConfirmationRequired,
            Self::NotPending(_) => C::NotPending,
            Self::Archive(e) => e.code(),
            Self::ImportConflicts(_) => C::ImportConflict,
            Self::MemoryInput(_) => C::BadMemoryInput,
        }
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
