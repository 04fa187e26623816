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
}

impl Error {
    /// A stable, machine-readable code for front ends (`--json`, HTTP, IPC).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(e) => e.code(),
            Self::Vault(e) => e.code(),
            Self::WeakPassphrase(_) => "weak_passphrase",
        }
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
