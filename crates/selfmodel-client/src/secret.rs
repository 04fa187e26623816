//! Secrets a vendor holds: wiped from memory on drop, never printed (no `Debug`, no `Display`).

use zeroize::Zeroizing;

/// A grant's bearer token (`smt_…`). Store it like a password; it is shown only once.
pub struct Token(Zeroizing<String>);

impl Token {
    /// A token read back from the vendor's own storage.
    pub fn new(token: impl Into<String>) -> Self {
        Self(Zeroizing::new(token.into()))
    }

    /// The token's text, to store it. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The public id part of the token (safe to log), if it has the usual shape.
    pub fn public_id(&self) -> Option<&str> {
        self.0.split('_').nth(1)
    }
}

/// The secret a grant request is polled with (`smp_…`).
pub struct PollSecret(Zeroizing<String>);

impl PollSecret {
    /// A poll secret read back from the vendor's own storage.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(Zeroizing::new(secret.into()))
    }

    /// The secret's text. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}
