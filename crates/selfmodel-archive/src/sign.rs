//! Ed25519 signatures over the canonical document.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::error::{ArchiveError, Result};

/// What the signature covers is this context string followed by the canonical document (without
/// its `signature` member). The context keeps an export signature from being mistaken for any
/// other signature the same key makes; other uses of the key must use their own context.
pub const CONTEXT: &[u8] = b"selfmodel-export-v1\n";

/// The only algorithm of version 1.
pub const ALGORITHM: &str = "ed25519";

/// Something that signs exports: the vault's identity key.
pub trait Signer {
    /// The Ed25519 public key.
    fn public_key(&self) -> [u8; 32];
    /// An Ed25519 signature of `msg`.
    fn sign(&self, msg: &[u8]) -> [u8; 64];
}

/// Checks a hex signature by a hex public key over `msg` (strict verification: no malleable or
/// small-order forms).
pub fn verify(public_key_hex: &str, signature_hex: &str, msg: &[u8]) -> Result<()> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(public_key_hex, &mut key)
        .map_err(|_| ArchiveError::BadSignature("the public key is not 32 bytes of hex".into()))?;
    let mut sig = [0u8; 64];
    hex::decode_to_slice(signature_hex, &mut sig)
        .map_err(|_| ArchiveError::BadSignature("the signature is not 64 bytes of hex".into()))?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| {
        ArchiveError::BadSignature("the public key is not a valid Ed25519 key".into())
    })?;
    key.verify_strict(msg, &Signature::from_bytes(&sig))
        .map_err(|_| {
            ArchiveError::BadSignature(
            "the document was changed after it was signed, or the key or signature was replaced"
                .into(),
        )
        })
}
