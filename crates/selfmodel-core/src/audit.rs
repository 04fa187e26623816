//! The audit chain: an append-only, hash-chained record of every change to the vault.
//!
//! Events hold ids and hashes only — never belief text — so erasing a belief stays real while its
//! history of changes stays provable. Each event's hash covers the previous event's hash, so
//! altering, removing or reordering any stored event breaks every hash after it.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use std::fmt;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The `prev` of the first event.
    pub const GENESIS: Hash = Hash([0; 32]);

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads 32 bytes; `None` for any other length.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Hash)
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// What changed. The stable names are part of the audit format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// The vault was created.
    VaultCreated,
    /// The vault's schema was migrated to a newer version.
    VaultMigrated,
    /// The passphrase was changed (the file re-keyed).
    PassphraseChanged,
    /// A belief was created.
    BeliefCreated,
    /// A belief was rectified.
    BeliefRectified,
    /// A belief was deleted with its evidence and history.
    BeliefDeleted,
    /// Every belief was erased.
    ErasedAll,
    /// Beliefs past their retention were erased.
    RetentionPurged,
    /// A belief type's rules changed.
    TypeChanged,
    /// The vault's Ed25519 identity key was created.
    IdentityCreated,
    /// An export file was written.
    Exported,
    /// An export file was imported.
    Imported,
    /// A vendor proposed a belief (it waits in the inbox).
    BeliefProposed,
    /// A vendor proposed a belief the person had erased or rejected; it was dropped unseen.
    ProposalDropped,
    /// The person accepted a proposed belief.
    ProposalAccepted,
    /// The person rejected a proposed belief.
    ProposalRejected,
    /// The person approved a grant request.
    GrantApproved,
    /// The person denied a grant request.
    GrantDenied,
    /// A grant was revoked (by the person or given up by the vendor).
    GrantRevoked,
    /// Access-log entries past the log's retention were compacted into per-day counts.
    AccessLogCompacted,
    /// The access log's retention was changed.
    AccessLogRetentionChanged,
    /// A data-subject package (GDPR Art. 15 access, CCPA right to know) was generated.
    PackageGenerated,
    /// The person let web pages ask for grants, or stopped them.
    WebVendorsChanged,
    /// The person paused sharing: every vendor read and proposal is refused until resumed.
    SharingPaused,
    /// The person resumed sharing.
    SharingResumed,
    /// Memories from another assistant were imported as proposals (counts only).
    MemoriesImported,
}

impl AuditAction {
    /// Every action.
    pub const ALL: &'static [AuditAction] = &[
        Self::VaultCreated,
        Self::VaultMigrated,
        Self::PassphraseChanged,
        Self::BeliefCreated,
        Self::BeliefRectified,
        Self::BeliefDeleted,
        Self::ErasedAll,
        Self::RetentionPurged,
        Self::TypeChanged,
        Self::IdentityCreated,
        Self::Exported,
        Self::Imported,
        Self::BeliefProposed,
        Self::ProposalDropped,
        Self::ProposalAccepted,
        Self::ProposalRejected,
        Self::GrantApproved,
        Self::GrantDenied,
        Self::GrantRevoked,
        Self::AccessLogCompacted,
        Self::AccessLogRetentionChanged,
        Self::PackageGenerated,
        Self::WebVendorsChanged,
        Self::SharingPaused,
        Self::SharingResumed,
        Self::MemoriesImported,
    ];

    /// The stable name, e.g. `belief.created`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::VaultCreated => "vault.created",
            Self::VaultMigrated => "vault.migrated",
            Self::PassphraseChanged => "vault.passphrase_changed",
            Self::BeliefCreated => "belief.created",
            Self::BeliefRectified => "belief.rectified",
            Self::BeliefDeleted => "belief.deleted",
            Self::ErasedAll => "vault.erased_all",
            Self::RetentionPurged => "retention.purged",
            Self::TypeChanged => "catalogue.type_changed",
            Self::IdentityCreated => "vault.identity_created",
            Self::Exported => "archive.exported",
            Self::Imported => "archive.imported",
            Self::BeliefProposed => "belief.proposed",
            Self::ProposalDropped => "belief.proposal_dropped",
            Self::ProposalAccepted => "belief.proposal_accepted",
            Self::ProposalRejected => "belief.proposal_rejected",
            Self::GrantApproved => "grant.approved",
            Self::GrantDenied => "grant.denied",
            Self::GrantRevoked => "grant.revoked",
            Self::AccessLogCompacted => "access_log.compacted",
            Self::AccessLogRetentionChanged => "access_log.retention_changed",
            Self::PackageGenerated => "package.generated",
            Self::WebVendorsChanged => "api.web_vendors_changed",
            Self::SharingPaused => "api.sharing_paused",
            Self::SharingResumed => "api.sharing_resumed",
            Self::MemoriesImported => "memories.imported",
        }
    }

    /// Reads a stable name back.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An audit event about to be appended: what happened to which ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEvent {
    /// What changed.
    pub action: AuditAction,
    /// The id it changed, if one (a belief id, a type id).
    pub subject: Option<String>,
    /// Further ids, counts or hashes — never content.
    pub detail: Option<String>,
}

impl PendingEvent {
    /// An event about one subject.
    pub fn new(action: AuditAction, subject: impl Into<Option<String>>) -> Self {
        Self {
            action,
            subject: subject.into(),
            detail: None,
        }
    }

    /// Adds a detail (ids, counts or hashes only).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// One stored event of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// When it happened (stored with microsecond precision).
    pub at: DateTime<Utc>,
    /// What changed (its stable name; unknown names fail verification).
    pub action: String,
    /// The id it changed.
    pub subject: Option<String>,
    /// Further ids, counts or hashes.
    pub detail: Option<String>,
    /// The previous event's hash ([`Hash::GENESIS`] for the first).
    pub prev: Hash,
    /// This event's hash.
    pub hash: Hash,
}

impl AuditEvent {
    /// Seals a pending event onto the chain after `prev` (the head), at `seq`.
    pub fn seal(pending: PendingEvent, seq: u64, at: DateTime<Utc>, prev: Hash) -> Self {
        let action = pending.action.as_str().to_owned();
        let hash = event_hash(
            prev,
            seq,
            &at,
            &action,
            pending.subject.as_deref(),
            pending.detail.as_deref(),
        );
        Self {
            seq,
            at,
            action,
            subject: pending.subject,
            detail: pending.detail,
            prev,
            hash,
        }
    }

    /// The canonical timestamp text that the hash covers.
    pub fn timestamp(&self) -> String {
        canonical_time(&self.at)
    }
}

/// The canonical timestamp text: RFC 3339, UTC, microseconds.
pub fn canonical_time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn event_hash(
    prev: Hash,
    seq: u64,
    at: &DateTime<Utc>,
    action: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Hash {
    let mut h = Sha256::new();
    h.update(b"selfmodel.audit.v1\0");
    h.update(prev.0);
    h.update(seq.to_be_bytes());
    for field in [
        Some(canonical_time(at).as_str()),
        Some(action),
        subject,
        detail,
    ] {
        match field {
            None => h.update([0u8]),
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
        }
    }
    Hash(h.finalize().into())
}

/// The outcome of recomputing a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainVerdict {
    /// Every event links to the one before and hashes to its stored hash.
    Intact {
        /// Number of events.
        events: u64,
        /// The last event's hash ([`Hash::GENESIS`] when empty).
        head: Hash,
    },
    /// The first event that does not check out, and why.
    Broken {
        /// Its sequence number.
        first_bad_event: u64,
        /// What is wrong with it.
        reason: String,
    },
}

/// Recomputes a chain given in sequence order.
pub fn verify<'a>(events: impl IntoIterator<Item = &'a AuditEvent>) -> ChainVerdict {
    let mut head = Hash::GENESIS;
    let mut count = 0u64;
    for e in events {
        let expected_seq = count + 1;
        let broken = |reason: &str| ChainVerdict::Broken {
            first_bad_event: e.seq,
            reason: reason.into(),
        };
        if e.seq != expected_seq {
            return ChainVerdict::Broken {
                first_bad_event: expected_seq,
                reason: format!("event {expected_seq} is missing (found {} next)", e.seq),
            };
        }
        if e.prev != head {
            return broken("does not link to the event before it");
        }
        if AuditAction::parse(&e.action).is_none() {
            return broken("has an unknown action");
        }
        let recomputed = event_hash(
            e.prev,
            e.seq,
            &e.at,
            &e.action,
            e.subject.as_deref(),
            e.detail.as_deref(),
        );
        if recomputed != e.hash {
            return broken("its content does not match its hash (altered)");
        }
        head = e.hash;
        count = expected_seq;
    }
    ChainVerdict::Intact {
        events: count,
        head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<AuditEvent> {
        let mut out: Vec<AuditEvent> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map_or(Hash::GENESIS, |e| e.hash);
            let ev = PendingEvent::new(AuditAction::BeliefCreated, Some(format!("b{seq}")));
            out.push(AuditEvent::seal(ev, seq, Utc::now(), prev));
        }
        out
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(
            verify(&c),
            ChainVerdict::Intact {
                events: 5,
                head: c[4].hash
            }
        );
        assert_eq!(
            verify(&[]),
            ChainVerdict::Intact {
                events: 0,
                head: Hash::GENESIS
            }
        );
    }

    #[test]
    fn alteration_removal_and_reordering_are_named() {
        let mut c = chain(5);
        c[2].subject = Some("other".into());
        assert!(matches!(
            verify(&c),
            ChainVerdict::Broken {
                first_bad_event: 3,
                ..
            }
        ));

        let mut c = chain(5);
        c.remove(1);
        assert!(matches!(
            verify(&c),
            ChainVerdict::Broken {
                first_bad_event: 2,
                ..
            }
        ));

        let mut c = chain(5);
        c.swap(3, 4);
        assert!(matches!(
            verify(&c),
            ChainVerdict::Broken {
                first_bad_event: 4,
                ..
            }
        ));

        let mut c = chain(3);
        c[1].action = "belief.deleted".into();
        assert!(matches!(
            verify(&c),
            ChainVerdict::Broken {
                first_bad_event: 2,
                ..
            }
        ));
    }
}
