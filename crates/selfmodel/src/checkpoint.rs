//! Signed audit checkpoints: the vault's statement "my audit event `seq` has hash `head`",
//! signed with the vault's Ed25519 identity — the same key the API server proves itself with,
//! so a vendor checks them against the key it pinned at pairing.
//!
//! Vendors get one with their token and may ask for more (`GET /v1/checkpoint`, `?seq=N` for
//! the vault's *current* statement of event N). Kept as receipts, they are external witnesses in
//! the spirit of Certificate Transparency: two validly signed checkpoints with the same key and
//! `seq` but different heads prove that the history was rewritten, and a vault that cannot
//! produce an event it once signed was rolled back. That reaches what the local witness cannot:
//! a key holder who rewrites the audit log and recomputes the chain, or who also rolls back this
//! machine's state directory.
//!
//! The signature covers `"selfmodel-checkpoint-v1\n"` followed by the RFC 8785 canonical JSON
//! of `{"head", "issued_at", "seq", "vault_key"}` (all strings but `seq`, an integer). A
//! checkpoint holds hashes and a count only.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use selfmodel_core::audit::canonical_time;
use selfmodel_core::{AccessOp, Hash};
use selfmodel_vault::{VaultError, Writer};

use crate::identity::{self, Identity};
use crate::vendor::Credential;
use crate::vendor_call::{Call, authenticate, unless_refused};
use crate::{Error, Result, Selfmodel};

/// The domain separation prefix of a checkpoint's signed message.
pub const CHECKPOINT_CONTEXT: &[u8] = b"selfmodel-checkpoint-v1\n";
/// The access-log operation of a vendor's checkpoint request.
pub const CHECKPOINT_OPERATION: &str = AccessOp::Checkpoint.as_str();

/// A vault's signed statement of one audit event's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The vault's public identity key (Ed25519), lowercase hex.
    pub vault_key: String,
    /// The audit event's sequence number (the event count, for the latest).
    pub seq: u64,
    /// The event's hash, lowercase hex.
    pub head: String,
    /// When the statement was signed (RFC 3339, UTC, as signed).
    pub issued_at: String,
    /// The Ed25519 signature over [`SignedCheckpoint::message`], hex.
    pub signature: String,
}

/// The bytes a checkpoint's signature covers.
pub fn checkpoint_message(vault_key: &str, seq: u64, head: &str, issued_at: &str) -> Vec<u8> {
    let fields = serde_json::json!({
        "vault_key": vault_key,
        "seq": seq,
        "head": head,
        "issued_at": issued_at,
    });
    let mut m = CHECKPOINT_CONTEXT.to_vec();
    m.extend_from_slice(&selfmodel_archive::canonical_json(&fields));
    m
}

impl SignedCheckpoint {
    fn sign(id: &Identity, seq: u64, head: Hash, now: DateTime<Utc>) -> Self {
        let vault_key = id.public_key_hex();
        let head = head.to_hex();
        let issued_at = canonical_time(&now);
        let signature =
            hex::encode(id.sign(&checkpoint_message(&vault_key, seq, &head, &issued_at)));
        Self {
            vault_key,
            seq,
            head,
            issued_at,
            signature,
        }
    }

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
        VerifyingKey::from_bytes(&key).is_ok_and(|k| {
            k.verify_strict(&self.message(), &Signature::from_bytes(&sig))
                .is_ok()
        })
    }
}

/// How a receipt (a checkpoint this vault signed earlier) compares with the vault now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptVerdict {
    /// The vault still holds event `seq` with the receipt's hash.
    Consistent,
    /// The receipt's signature does not verify under its own key: it is not a checkpoint at all.
    BadSignature,
    /// Signed by another key: a receipt from another vault (or this vault's identity changed).
    OtherVault {
        /// The key that signed the receipt.
        receipt_key: String,
        /// This vault's key.
        vault_key: String,
    },
    /// The vault has fewer events than the receipt: an older copy, or events removed.
    Older {
        /// The receipt's event.
        receipt_seq: u64,
        /// How many events the vault has.
        events: u64,
    },
    /// The vault now states a different hash for the receipt's event: the history was
    /// rewritten (the receipt and [`Selfmodel::checkpoint`] at `seq` together prove it).
    Rewritten {
        /// The event.
        seq: u64,
        /// Its hash in the receipt.
        receipt_head: String,
        /// Its hash in the vault now.
        current_head: String,
    },
}

impl ReceiptVerdict {
    /// Whether the receipt is consistent with the vault.
    pub fn is_consistent(&self) -> bool {
        matches!(self, Self::Consistent)
    }
}

impl std::fmt::Display for ReceiptVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Consistent => f.write_str("the receipt is consistent with this vault"),
            Self::BadSignature => f.write_str("the receipt's signature does not verify"),
            Self::OtherVault {
                receipt_key,
                vault_key,
            } => write!(
                f,
                "the receipt was signed by key {receipt_key}, not this vault's {vault_key}"
            ),
            Self::Older {
                receipt_seq,
                events,
            } => write!(
                f,
                "the receipt covers audit event {receipt_seq}, but this vault has only {events}: \
                 it is older than when the receipt was issued (restored or rolled back)"
            ),
            Self::Rewritten {
                seq,
                receipt_head,
                current_head,
            } => write!(
                f,
                "audit event {seq} had hash {receipt_head} when the receipt was issued and has \
                 {current_head} now: the audit history was rewritten"
            ),
        }
    }
}

/// Signs the vault's statement of event `seq` (the head when `None`) inside a transaction,
/// creating the identity if the vault has none yet. `None` if there is no such event.
pub(crate) fn sign_in(
    w: &mut Writer<'_>,
    now: DateTime<Utc>,
    seq: Option<u64>,
) -> Result<Option<SignedCheckpoint>> {
    let id = identity::load_or_create(w, now)?;
    let seq = match seq {
        Some(s) => s,
        None => w.read().audit_head()?.0,
    };
    Ok(w.read()
        .audit_event(seq)?
        .map(|e| SignedCheckpoint::sign(&id, e.seq, e.hash, now)))
}

fn no_event(seq: Option<u64>) -> Error {
    match seq {
        Some(s) => Error::NotFound(format!("the audit chain has no event {s}")),
        None => VaultError::Data("the audit chain is empty".into()).into(),
    }
}

impl Selfmodel {
    /// This vault's signed statement of audit event `seq` (the latest when `None`), for the
    /// person (`selfmodel audit checkpoint`). Not logged: nothing leaves through a vendor.
    pub fn checkpoint(&mut self, seq: Option<u64>) -> Result<SignedCheckpoint> {
        let id = self.identity()?;
        let now = Utc::now();
        let event = self.vault.read(|r| {
            let seq = match seq {
                Some(s) => s,
                None => r.audit_head()?.0,
            };
            Ok::<_, Error>(r.audit_event(seq)?)
        })?;
        let e = event.ok_or_else(|| no_event(seq))?;
        Ok(SignedCheckpoint::sign(&id, e.seq, e.hash, now))
    }

    /// A vendor's checkpoint request (`GET /v1/checkpoint`): authenticated by its token, logged
    /// as `audit.checkpoint` with no purpose and nothing disclosed, in one transaction.
    pub fn vendor_checkpoint(
        &mut self,
        cred: &Credential,
        seq: Option<u64>,
    ) -> Result<SignedCheckpoint> {
        self.vendor_tx(|w, now| {
            let call = Call::new(AccessOp::Checkpoint, now);
            let grant = unless_refused!(authenticate(w, call, cred));
            let call = call.under(&grant);
            match sign_in(w, now, seq)? {
                Some(cp) => Ok(call.allowed(w, &[])?.map(|()| cp)),
                None => call.deny(w, no_event(seq)),
            }
        })
    }

    /// Checks a receipt against this vault: signed by this vault's key, and event `seq` still
    /// has the receipt's hash. Reads only (the identity is created if the vault has none).
    pub fn check_receipt(&mut self, receipt: &SignedCheckpoint) -> Result<ReceiptVerdict> {
        if !receipt.signature_valid() {
            return Ok(ReceiptVerdict::BadSignature);
        }
        let vault_key = self.identity()?.public_key_hex();
        if !receipt.vault_key.eq_ignore_ascii_case(&vault_key) {
            return Ok(ReceiptVerdict::OtherVault {
                receipt_key: receipt.vault_key.clone(),
                vault_key,
            });
        }
        let (events, event) = self
            .vault
            .read(|r| Ok::<_, Error>((r.audit_head()?.0, r.audit_event(receipt.seq)?)))?;
        Ok(match event {
            Some(e) if e.hash.to_hex().eq_ignore_ascii_case(&receipt.head) => {
                ReceiptVerdict::Consistent
            }
            Some(e) => ReceiptVerdict::Rewritten {
                seq: receipt.seq,
                receipt_head: receipt.head.clone(),
                current_head: e.hash.to_hex(),
            },
            None if events < receipt.seq => ReceiptVerdict::Older {
                receipt_seq: receipt.seq,
                events,
            },
            None => ReceiptVerdict::Rewritten {
                seq: receipt.seq,
                receipt_head: receipt.head.clone(),
                current_head: "(missing)".into(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_message_is_the_context_and_canonical_json() {
        let m = checkpoint_message("ab", 7, "cd", "2026-01-02T03:04:05.000006Z");
        assert_eq!(
            String::from_utf8(m).unwrap(),
            "selfmodel-checkpoint-v1\n{\"head\":\"cd\",\"issued_at\":\"2026-01-02T03:04:05.000006Z\",\"seq\":7,\"vault_key\":\"ab\"}"
        );
    }

    #[test]
    fn a_signature_covers_every_field() {
        let (id, _) = Identity::generate();
        let cp = SignedCheckpoint::sign(&id, 3, Hash([7; 32]), Utc::now());
        assert!(cp.signature_valid());
        let mut other = cp.clone();
        other.seq = 4;
        assert!(!other.signature_valid());
        let mut other = cp.clone();
        other.head = Hash([8; 32]).to_hex();
        assert!(!other.signature_valid());
        let mut other = cp.clone();
        other.issued_at.push(' ');
        assert!(!other.signature_valid());
        let (stranger, _) = Identity::generate();
        let mut other = cp;
        other.vault_key = stranger.public_key_hex();
        assert!(!other.signature_valid());
    }
}
