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
use selfmodel_core::audit::canonical_time;
use selfmodel_core::{AccessOp, Hash};
use selfmodel_vault::{VaultError, Writer};

use crate::identity::{self, Identity};
use crate::vendor::Credential;
use crate::vendor_call::{Call, authenticate, unless_refused};
use crate::{Error, Result, Selfmodel};

pub use selfmodel_wire::{CHECKPOINT_CONTEXT, SignedCheckpoint, checkpoint_message};

/// The access-log operation of a vendor's checkpoint request.
pub const CHECKPOINT_OPERATION: &str = AccessOp::Checkpoint.as_str();

/// The vault's statement, signed with its identity `id` at `now`, that audit event `seq` has
/// hash `head`.
fn sign(id: &Identity, seq: u64, head: Hash, now: DateTime<Utc>) -> SignedCheckpoint {
    let vault_key = id.public_key_hex();
    let head = head.to_hex();
    let issued_at = canonical_time(&now);
    let signature = hex::encode(id.sign(&checkpoint_message(&vault_key, seq, &head, &issued_at)));
    SignedCheckpoint {
        vault_key,
        seq,
        head,
        issued_at,
        signature,
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
        .map(|e| sign(&id, e.seq, e.hash, now)))
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
        Ok(sign(&id, e.seq, e.hash, now))
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

    /// The message is built by serialising a struct (so that vendors need no canonicaliser):
    /// it must be exactly the RFC 8785 canonical form, for any text in the fields.
    #[test]
    fn the_signed_message_is_the_context_and_canonical_json() {
        for (key, seq, head, at) in [
            (
                "ab".repeat(32),
                1,
                "cd".repeat(32),
                "2026-01-02T03:04:05.000006Z",
            ),
            (
                "00".repeat(32),
                9_007_199_254_740_992,
                "ff".repeat(32),
                "2026-12-31T23:59:59Z",
            ),
            (
                "k".into(),
                0,
                "h\"\\\u{1}\n\u{7f}é€😀".into(),
                "odd \t time",
            ),
        ] {
            let fields = serde_json::json!({
                "vault_key": key, "seq": seq, "head": head, "issued_at": at,
            });
            let mut canonical = CHECKPOINT_CONTEXT.to_vec();
            canonical.extend_from_slice(&selfmodel_archive::canonical_json(&fields));
            assert_eq!(
                checkpoint_message(&key, seq, &head, at),
                canonical,
                "{key} {seq} {head:?} {at:?}"
            );
        }
        assert_eq!(
            checkpoint_message("ab", 7, "cd", "2026-01-02T03:04:05.000006Z"),
            b"selfmodel-checkpoint-v1\n{\"head\":\"cd\",\"issued_at\":\"2026-01-02T03:04:05.000006Z\",\"seq\":7,\"vault_key\":\"ab\"}"
        );
    }

    #[test]
    fn a_signature_covers_every_field() {
        let (id, _) = Identity::generate();
        let cp = sign(&id, 3, Hash([7; 32]), Utc::now());
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
