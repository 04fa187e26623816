//! The vault's own Ed25519 identity: it signs exports and proves the local API server is the
//! person's own. The secret seed lives only inside the encrypted vault.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use rand::RngCore;
use selfmodel_core::AuditAction;
use selfmodel_core::audit::PendingEvent;
use selfmodel_vault::{VaultError, Writer};
use zeroize::Zeroizing;

/// Metadata key under which the 32-byte seed is kept (hex).
pub(crate) const SEED_KEY: &str = "identity.ed25519.seed";

/// The vault's signing identity. Not `Clone` or `Debug`; the key is zeroized on drop.
pub struct Identity {
    key: SigningKey,
}

impl Identity {
    pub(crate) fn generate() -> (Self, Zeroizing<String>) {
        let mut seed = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(seed.as_mut());
        let hex = Zeroizing::new(hex::encode(&seed[..]));
        (
            Self {
                key: SigningKey::from_bytes(&seed),
            },
            hex,
        )
    }

    pub(crate) fn from_hex(hex_seed: &str) -> Option<Self> {
        let mut seed = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(hex_seed, seed.as_mut()).ok()?;
        Some(Self {
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// The public key, 32 bytes.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The public key as lowercase hex.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.public_key())
    }

    /// Signs a message; the signature is 64 bytes.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// The vault's identity inside a write transaction: the stored one, or a new one created (and
/// audited) in this transaction.
pub(crate) fn load_or_create(w: &mut Writer<'_>, now: DateTime<Utc>) -> crate::Result<Identity> {
    if let Some(seed) = w.read().meta(SEED_KEY)?.map(Zeroizing::new) {
        return Identity::from_hex(&seed)
            .ok_or_else(|| VaultError::Data("the identity key does not parse".into()).into());
    }
    let (id, seed) = Identity::generate();
    w.set_meta(SEED_KEY, &seed)?;
    w.append_audit(
        PendingEvent::new(AuditAction::IdentityCreated, Some(id.public_key_hex())),
        now,
    )?;
    Ok(id)
}
