//! Secrets that must never be copied, printed or kept longer than needed.

use zeroize::Zeroizing;

/// A vault passphrase. Not `Clone`, not `Debug`, not `Serialize`; its bytes are zeroized on drop.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps a passphrase; the caller's `String` moves in and is zeroized with this value.
    pub fn new(secret: String) -> Self {
        Self(Zeroizing::new(secret))
    }

    /// The passphrase text, for the one place that hands it to the cipher.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the passphrase is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
