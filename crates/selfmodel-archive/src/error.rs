//! The one error type of the archive crate.

use std::path::PathBuf;

/// What can go wrong reading, checking, decrypting, encrypting or writing an export file. Each
/// variant prints as one line and has a stable [`ArchiveError::code`].
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The file is larger than [`crate::MAX_FILE_BYTES`].
    #[error("the file is too large: {size} bytes; the limit is {limit} bytes (512 MiB)")]
    TooLarge {
        /// Its size, or the bytes read before giving up.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not JSON at all.
    #[error("not a JSON document: {0}")]
    NotJson(String),
    /// JSON that ends early.
    #[error("the file is truncated: {0}")]
    Truncated(String),
    /// JSON nested deeper than the parser allows (128 levels).
    #[error("the JSON is nested too deeply: {0}")]
    TooDeep(String),
    /// JSON, but not a Selfmodel export.
    #[error("not a Selfmodel export: {0}")]
    WrongFormat(String),
    /// A Selfmodel export of a version this build does not read.
    #[error("unsupported export version {found}: this Selfmodel reads versions 1 to {supported}")]
    UnsupportedVersion {
        /// The file's version, as written.
        found: String,
        /// The version this build reads.
        supported: u64,
    },
    /// The document breaks the JSON Schema; `path` is a JSON Pointer, e.g. `/beliefs/3/confidence`.
    #[error("schema violation {} {message}{}", at(path), more_text(*more))]
    Schema {
        /// Where, as a JSON Pointer.
        path: String,
        /// What is wrong.
        message: String,
        /// How many further violations there are.
        more: usize,
    },
    /// The document is well-formed but a value is not acceptable (a date that does not exist, a
    /// duplicate id, a broken domain rule).
    #[error("invalid value {} {message}", at(path))]
    Invalid {
        /// Where, as a JSON Pointer.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The manifest does not match the content: the file was edited or damaged.
    #[error("the manifest does not match the content: {0}")]
    ManifestMismatch(String),
    /// The signature does not verify: the file was edited, or signed by another key.
    #[error("the signature does not verify: {0}")]
    BadSignature(String),
    /// Something this version cannot import yet.
    #[error("{0}")]
    Unsupported(String),
    /// An age-encrypted file and no key to open it.
    #[error("{0}")]
    KeyRequired(String),
    /// The passphrase or identities do not open this age file.
    #[error("{0}")]
    WrongKey(String),
    /// The age file asks for more scrypt work than is accepted.
    #[error(
        "the age file's passphrase work factor (2^{required}) is above the accepted limit; refusing to spend that much memory and time"
    )]
    ExcessiveWork {
        /// The file's log2(N).
        required: u8,
    },
    /// A damaged or truncated age file.
    #[error("the age-encrypted file is damaged or truncated: {0}")]
    Damaged(String),
    /// Not an age X25519 recipient (`age1...`).
    #[error("not an age recipient: '{0}' (expected age1...; make one with age-keygen)")]
    BadRecipient(String),
    /// An identity file that cannot be used.
    #[error("cannot use the identity file: {0}")]
    BadIdentity(String),
    /// Encryption failed.
    #[error("cannot encrypt: {0}")]
    Encrypt(String),
    /// The destination exists and overwriting was not asked for.
    #[error("{} exists; refusing to overwrite it", .0.display())]
    Exists(PathBuf),
    /// A filesystem error.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

fn at(path: &str) -> String {
    if path.is_empty() {
        "at the document root:".into()
    } else {
        format!("at {path}:")
    }
}

fn more_text(more: usize) -> String {
    match more {
        0 => String::new(),
        1 => " (and 1 more problem)".into(),
        n => format!(" (and {n} more problems)"),
    }
}

impl ArchiveError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> selfmodel_core::ErrorCode {
        use selfmodel_core::ErrorCode as C;
        match self {
            Self::TooLarge { .. } => C::TooLarge,
            Self::NotJson(_) => C::NotJson,
            Self::Truncated(_) => C::Truncated,
            Self::TooDeep(_) => C::TooDeep,
            Self::WrongFormat(_) => C::WrongFormat,
            Self::UnsupportedVersion { .. } => C::UnsupportedVersion,
            Self::Schema { .. } => C::SchemaViolation,
            Self::Invalid { .. } => C::InvalidContent,
            Self::ManifestMismatch(_) => C::ManifestMismatch,
            Self::BadSignature(_) => C::BadSignature,
            Self::Unsupported(_) => C::Unsupported,
            Self::KeyRequired(_) => C::KeyRequired,
            Self::WrongKey(_) => C::WrongKey,
            Self::ExcessiveWork { .. } => C::ExcessiveWork,
            Self::Damaged(_) => C::Damaged,
            Self::BadRecipient(_) => C::BadRecipient,
            Self::BadIdentity(_) => C::BadIdentity,
            Self::Encrypt(_) => C::Encrypt,
            Self::Exists(_) => C::AlreadyExists,
            Self::Io(_) => C::Io,
        }
    }

    /// Shorthand for [`ArchiveError::Invalid`].
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Result with [`ArchiveError`].
pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;
