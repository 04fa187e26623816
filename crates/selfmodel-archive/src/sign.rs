//! Ed25519 signatures over the canonical document.

use ed25519_dalek::{Signature, StreamVerifier, VerifyingKey};

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

/// A signature check fed the message piece by piece, as strict as `verify_strict` (no
/// malleable or small-order forms).
pub struct Verifier(StreamVerifier);

impl Verifier {
    /// Starts checking a hex signature by a hex public key.
    pub fn new(public_key_hex: &str, signature_hex: &str) -> Result<Self> {
        let (key, sig) = decode(public_key_hex, signature_hex)?;
        // What `verify_strict` refuses besides a wrong equation: a small-order key or R.
        let r = sig.r_bytes();
        let small_r = VerifyingKey::from_bytes(r).map_or(true, |r| r.is_weak());
        if key.is_weak() || small_r {
            return Err(changed());
        }
        key.verify_stream(&sig).map(Self).map_err(|_| changed())
    }

    /// Feeds the next piece of the message.
    pub fn update(&mut self, piece: &[u8]) {
        self.0.update(piece);
    }

    /// Whether the signature holds for everything fed.
    pub fn finish(self) -> Result<()> {
        self.0.finalize_and_verify().map_err(|_| changed())
    }
}

fn decode(public_key_hex: &str, signature_hex: &str) -> Result<(VerifyingKey, Signature)> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(public_key_hex, &mut key)
        .map_err(|_| ArchiveError::BadSignature("the public key is not 32 bytes of hex".into()))?;
    let mut sig = [0u8; 64];
    hex::decode_to_slice(signature_hex, &mut sig)
        .map_err(|_| ArchiveError::BadSignature("the signature is not 64 bytes of hex".into()))?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| {
        ArchiveError::BadSignature("the public key is not a valid Ed25519 key".into())
    })?;
    Ok((key, Signature::from_bytes(&sig)))
}

fn changed() -> ArchiveError {
    ArchiveError::BadSignature(
        "the document was changed after it was signed, or the key or signature was replaced".into(),
    )
}
