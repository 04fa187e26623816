//! The server's identity proof and signed audit checkpoints.

use serde::{Deserialize, Serialize};

/// `POST /v1/server-proof`: a challenge to the server's identity key.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ProofIn))]
#[serde(deny_unknown_fields)]
pub struct ProofRequest {
    /// 16 to 64 random bytes, hex.
    #[cfg_attr(feature = "openapi", schema(pattern = "^([0-9a-f]{2}){16,64}$"))]
    pub nonce: String,
}

/// The server's answer: its public key and an Ed25519 signature over
/// `"selfmodel-server-proof-v1\0" || nonce bytes`.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ProofOut))]
pub struct ProofReply {
    /// The vault's public identity key, hex.
    pub public_key: String,
    /// The signature, hex.
    pub signature: String,
}

/// The message a server signs to prove its identity: `"selfmodel-server-proof-v1\0" || nonce`.
pub fn proof_message(nonce: &[u8]) -> Vec<u8> {
    let mut m = b"selfmodel-server-proof-v1\0".to_vec();
    m.extend_from_slice(nonce);
    m
}

/// A signed audit checkpoint: the vault's statement that its audit event `seq` has hash `head`.
/// The Ed25519 signature, by the vault's identity key (the key `POST /v1/server-proof` proves),
/// covers `"selfmodel-checkpoint-v1\n"` followed by the RFC 8785 canonical JSON of
/// `{"head", "issued_at", "seq", "vault_key"}`. Keep it as a receipt: two valid checkpoints with
/// the same key and `seq` but different heads prove the history was rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CheckpointOut))]
pub struct SignedCheckpoint {
    /// The vault's public identity key, hex.
    pub vault_key: String,
    /// The audit event's sequence number (the event count, for the latest).
    pub seq: u64,
    /// The event's SHA-256 chain hash, hex.
    pub head: String,
    /// When it was signed (RFC 3339, UTC), exactly as signed: kept as text so the signature
    /// checks against the very bytes.
    pub issued_at: String,
    /// The Ed25519 signature, hex.
    pub signature: String,
}

/// The domain separation prefix of a checkpoint's signed message.
pub const CHECKPOINT_CONTEXT: &[u8] = b"selfmodel-checkpoint-v1\n";

/// The signed fields in RFC 8785's (sorted) order. For strings and an integer below 2^53, RFC
/// 8785 canonical JSON is exactly `serde_json`'s compact output of this struct: ECMAScript
/// prints the integer as its digits, and `serde_json` escapes strings as RFC 8785 does (`"`, `\`
/// and control characters only, `\u00xx` in lowercase).
#[derive(Serialize)]
struct Signed<'a> {
    head: &'a str,
    issued_at: &'a str,
    seq: u64,
    vault_key: &'a str,
}

/// The bytes a checkpoint's signature covers.
pub fn checkpoint_message(vault_key: &str, seq: u64, head: &str, issued_at: &str) -> Vec<u8> {
    let mut m = CHECKPOINT_CONTEXT.to_vec();
    // Serialising a struct of strings and an integer into a Vec cannot fail.
    let _ = serde_json::to_writer(
        &mut m,
        &Signed {
            head,
            issued_at,
            seq,
            vault_key,
        },
    );
    m
}

impl SignedCheckpoint {
    /// The bytes the signature covers.
    pub fn message(&self) -> Vec<u8> {
        checkpoint_message(&self.vault_key, self.seq, &self.head, &self.issued_at)
    }

    /// Whether the signature is valid under the checkpoint's own `vault_key` (strict Ed25519).
    /// Who that key belongs to is a separate question: compare it with the vault's.
    pub fn signature_valid(&self) -> bool {
        let mut key = [0u8; 32];
        let mut sig = [0u8; 64];
        if hex::decode_to_slice(&self.vault_key, &mut key).is_err()
            || hex::decode_to_slice(&self.signature, &mut sig).is_err()
        {
            return false;
        }
        ed25519_dalek::VerifyingKey::from_bytes(&key).is_ok_and(|k| {
            k.verify_strict(&self.message(), &ed25519_dalek::Signature::from_bytes(&sig))
                .is_ok()
        })
    }
}

/// Query of `GET /v1/checkpoint`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct CheckpointQuery {
    /// The event whose hash the vault states now (default: the latest event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}
