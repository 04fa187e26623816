//! Signed audit checkpoints as receipts: checking a signature against the pinned key, and
//! comparing a receipt with the vault's current statement. The signed message is the wire
//! crate's ([`SignedCheckpoint::message`]), the same the vault signs.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::discovery::ServerKey;
use crate::error::Error;
use crate::wire::SignedCheckpoint;

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
    /// Checks that the checkpoint is signed by `key` — the vault's identity, which is the key
    /// the server proves and the vendor pinned: `vault_key` must name it and the signature must
    /// verify (strict Ed25519) over [`SignedCheckpoint::message`].
    fn verify(&self, key: &ServerKey) -> Result<(), Error>;

    /// Compares this receipt with the vault's `current` checkpoint — its statement of this
    /// receipt's event, or its latest if it has no such event. Both must be validly signed by
    /// the same key (the receipt's), else [`Error::InvalidCheckpoint`].
    fn compare(&self, current: &SignedCheckpoint) -> Result<Consistency, Error>;
}

impl Receipt for SignedCheckpoint {
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
