//! Signed audit checkpoints as receipts: checking a signature, and comparing a receipt with the
//! vault's current statement.
//!
//! The signed message is `"selfmodel-checkpoint-v1\n"` followed by the RFC 8785 canonical JSON
//! of `{"head", "issued_at", "seq", "vault_key"}`. For these fields that is exactly
//! `serde_json`'s compact output of a struct declaring them in that (sorted) order: `seq` is an
//! integer below 2^53 (ECMAScript prints it as its digits), and `serde_json` escapes strings as
//! RFC 8785 does (`"` `\` and control characters only, `\u00xx` in lowercase).

use ed25519_dalek::{Signature, VerifyingKey};
use serde::Serialize;

use crate::discovery::ServerKey;
use crate::error::Error;
use crate::wire::SignedCheckpoint;

/// The domain separation prefix of a checkpoint's signed message.
pub const CHECKPOINT_CONTEXT: &[u8] = b"selfmodel-checkpoint-v1\n";

/// Sorted field order: what RFC 8785 sorts them into.
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

/// How a receipt compares with what the vault states now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consistency {
    /// The vault states the same hash for the receipt's event: its history still extends it.
    Consistent,
    /// The current checkpoint is of a later event, so it says nothing about the receipt's:
    /// ask for the receipt's event ([`crate::Client::checkpoint`] with its `seq`).
    Undecided,
    /// The vault has fewer events than the receipt: it was rolled back (restored from an older
    /// copy) since the receipt was issued.
    RolledBack {
        /// The receipt's event.
        receipt_seq: u64,
        /// The vault's latest event now.
        current_seq: u64,
    },
    /// The vault now states another hash for the receipt's event: its audit history was
    /// rewritten. The receipt and the current checkpoint, both validly signed by the same key,
    /// are the proof; keep both.
    Rewritten {
        /// The event.
        seq: u64,
        /// Its hash in the receipt.
        receipt_head: String,
        /// Its hash as the vault states it now.
        current_head: String,
    },
}

/// What a vendor does with a [`SignedCheckpoint`] it keeps as a receipt (the checkpoint type is
/// the shared wire type; bring this trait into scope to check one).
pub trait Receipt {
    /// The bytes the signature covers.
    fn message(&self) -> Vec<u8>;

    /// Checks that the checkpoint is signed by `key` — the vault's identity, which is the key
    /// the server proves and the vendor pinned: `vault_key` must name it and the signature must
    /// verify (strict Ed25519) over [`Receipt::message`].
    fn verify(&self, key: &ServerKey) -> Result<(), Error>;

    /// Compares this receipt with the vault's `current` checkpoint — its statement of this
    /// receipt's event, or its latest if it has no such event. Both must be validly signed by
    /// the same key (the receipt's), else [`Error::InvalidCheckpoint`].
    fn compare(&self, current: &SignedCheckpoint) -> Result<Consistency, Error>;
}

impl Receipt for SignedCheckpoint {
    fn message(&self) -> Vec<u8> {
        checkpoint_message(&self.vault_key, self.seq, &self.head, &self.issued_at)
    }

    fn verify(&self, key: &ServerKey) -> Result<(), Error> {
        let bad = |why: &str| Error::InvalidCheckpoint(why.to_owned());
        let named: ServerKey = self
            .vault_key
            .parse()
            .map_err(|_| bad("vault_key is not 32 bytes of hex"))?;
        if named != *key {
            return Err(Error::InvalidCheckpoint(format!(
                "signed by key {named}, not the pinned {key}"
            )));
        }
        let mut head = [0u8; 32];
        hex::decode_to_slice(&self.head, &mut head)
            .map_err(|_| bad("head is not 32 bytes of hex"))?;
        let mut sig = [0u8; 64];
        hex::decode_to_slice(&self.signature, &mut sig)
            .map_err(|_| bad("the signature is not 64 bytes of hex"))?;
        VerifyingKey::from_bytes(&key.0)
            .map_err(|_| bad("the key is not a valid Ed25519 key"))?
            .verify_strict(&self.message(), &Signature::from_bytes(&sig))
            .map_err(|_| bad("the signature does not verify"))
    }

    fn compare(&self, current: &SignedCheckpoint) -> Result<Consistency, Error> {
        let key: ServerKey = self.vault_key.parse().map_err(|_| {
            Error::InvalidCheckpoint("the receipt's vault_key is not 32 bytes of hex".into())
        })?;
        self.verify(&key)?;
        current.verify(&key)?;
        Ok(if current.seq < self.seq {
            Consistency::RolledBack {
                receipt_seq: self.seq,
                current_seq: current.seq,
            }
        } else if current.seq > self.seq {
            Consistency::Undecided
        } else if current.head.eq_ignore_ascii_case(&self.head) {
            Consistency::Consistent
        } else {
            Consistency::Rewritten {
                seq: self.seq,
                receipt_head: self.head.clone(),
                current_head: current.head.clone(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_rfc_8785_canonical() {
        let m = checkpoint_message("ab", 7, "cd", "2026-01-02T03:04:05.000006Z");
        assert_eq!(
            String::from_utf8(m).unwrap(),
            "selfmodel-checkpoint-v1\n{\"head\":\"cd\",\"issued_at\":\"2026-01-02T03:04:05.000006Z\",\"seq\":7,\"vault_key\":\"ab\"}"
        );
    }
}
