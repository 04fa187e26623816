//! The one list of error codes: the stable, machine-readable code every error of Selfmodel
//! carries, whichever boundary it crosses (the vendor API's problem answers, the access log's
//! refusals, the app's IPC errors, `--json` output). The vendor API's public subset is
//! `selfmodel_wire::ErrorCode`; a test holds every code it lists to this one.

/// Declares [`ErrorCode`] from one list: each variant with its name on the wire, and
/// [`ErrorCode::ALL`].
macro_rules! error_codes {
    ($($(#[$doc:meta])* $v:ident => $s:literal,)+) => {
        /// A stable, machine-readable error code (see the module's documentation).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($(#[$doc])* $v,)+
        }

        impl ErrorCode {
            /// Every code, in the order declared.
            pub const ALL: &[Self] = &[$(Self::$v),+];

            /// Its name on every boundary, in snake case.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$v => $s,)+
                }
            }
        }
    };
}

error_codes! {
    // What was sent.
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
    /// Memories to import could not be read (missing, binary, oversized or malformed).
    BadMemoryInput => "bad_memory_input",
    /// A new passphrase is too weak to protect the vault.
    WeakPassphrase => "weak_passphrase",
    /// A passphrase that cannot be used at all (empty, or not text).
    BadPassphrase => "bad_passphrase",
    // Who is asking.
    /// No token, or not one this vault issued.
    InvalidToken => "invalid_token",
    /// The grant was revoked: stop using what it disclosed.
    TokenRevoked => "token_revoked",
    /// The grant ran out.
    TokenExpired => "token_expired",
    /// Not the poll secret of a grant request.
    InvalidPollSecret => "invalid_poll_secret",
    /// The passphrase does not open the vault.
    WrongPassphrase => "wrong_passphrase",
    // What a grant or the person allows.
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
    /// An action that cannot be undone was asked for without typing its phrase.
    ConfirmationRequired => "confirmation_required",
    // What is there.
    /// No such belief, type or grant (under this grant, for a vendor).
    NotFound => "not_found",
    /// No such endpoint.
    NoRoute => "no_route",
    /// The grant request or proposal was already decided.
    NotPending => "not_pending",
    /// The person erased or rejected this before.
    Tombstoned => "tombstoned",
    /// The token was handed over already (once only).
    TokenAlreadyIssued => "token_already_issued",
    /// An import would overwrite beliefs that differ; choose a conflict policy.
    ImportConflict => "import_conflict",
    /// No import was being previewed, or it was cancelled.
    NoImport => "no_import",
    /// There is no vault at this location.
    NoVault => "no_vault",
    /// A vault or file already exists there.
    AlreadyExists => "already_exists",
    // Size and form.
    /// The body is too large.
    BodyTooLarge => "body_too_large",
    /// A header, the URL or a file is too large.
    TooLarge => "too_large",
    /// Send `Content-Type: application/json`.
    UnsupportedMediaType => "unsupported_media_type",
    // Export files.
    /// The file is not JSON.
    NotJson => "not_json",
    /// The file ends early.
    Truncated => "truncated",
    /// The file nests too deeply.
    TooDeep => "too_deep",
    /// The file is not a Selfmodel export.
    WrongFormat => "wrong_format",
    /// The export's format version is not one this version reads.
    UnsupportedVersion => "unsupported_version",
    /// The file breaks the export's JSON Schema.
    SchemaViolation => "schema_violation",
    /// The file's content breaks a rule of the vault.
    InvalidContent => "invalid_content",
    /// The file does not match its own manifest (hashes, counts).
    ManifestMismatch => "manifest_mismatch",
    /// The file's signature does not verify, or its signer is not trusted.
    BadSignature => "bad_signature",
    /// The file uses a feature this version does not support.
    Unsupported => "unsupported",
    /// The file is encrypted and no key was given.
    KeyRequired => "key_required",
    /// The key does not open the file.
    WrongKey => "wrong_key",
    /// Opening the file would take more work than allowed.
    ExcessiveWork => "excessive_work",
    /// The encrypted file is damaged.
    Damaged => "damaged",
    /// Not an age recipient.
    BadRecipient => "bad_recipient",
    /// Not an age identity.
    BadIdentity => "bad_identity",
    /// The file could not be encrypted.
    Encrypt => "encrypt",
    // The vault's state.
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
    /// The vault is busy (another program is writing); try again.
    Busy => "busy",
    /// The file is not a Selfmodel vault.
    NotAVault => "not_a_vault",
    /// The vault was written by a newer Selfmodel.
    TooNew => "too_new",
    /// The vault's data is damaged.
    Corrupted => "corrupted",
    /// Stored data is not as expected.
    InvalidData => "invalid_data",
    /// The vault's storage failed.
    Storage => "storage",
    /// A file could not be read or written.
    Io => "io",
    // Nothing was done.
    /// The request could not be logged, so nothing was served; try again.
    Unavailable => "unavailable",
    /// The person cancelled; nothing was changed.
    Cancelled => "cancelled",
    /// A fault in Selfmodel.
    Internal => "internal",
}

impl ErrorCode {
    /// The code named `code`, if there is one.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_code_is_one_snake_case_name_of_its_own() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        for (c, n) in ErrorCode::ALL.iter().zip(&names) {
            assert_eq!(ErrorCode::parse(n), Some(*c));
            assert!(
                n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{n}"
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        assert_eq!(ErrorCode::parse("locked"), None);
    }
}
