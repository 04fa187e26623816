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
    /// The person confirmed a belief is still true (its review).
    BeliefConfirmed,
    /// A proposal saying the same as a belief was merged into it (its evidence added).
    BeliefMerged,
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
        Self::BeliefConfirmed,
        Self::BeliefMerged,
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
            Self::BeliefConfirmed => "belief.confirmed",
            Self::BeliefMerged => "belief.merged",
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

    /// Adds its detail (ids, counts, names and hashes only, as [`Detail`] keeps them).
    pub fn with_detail(mut self, detail: Detail) -> Self {
        self.detail = (!detail.is_empty()).then(|| detail.into());
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
        let mut input = Vec::new();
        hash_input(
            &mut input,
            prev,
            seq,
            &canonical_time(&at),
            &action,
            pending.subject.as_deref(),
            pending.detail.as_deref(),
        );
        let hash = Hash(Sha256::digest(&input).into());
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

/// `days` days after `at`, or the last microsecond of 9999 (the latest time
/// [`is_canonical_time`] takes) where that is later: a retention or review interval of
/// millions of days means "never" and must not overflow.
pub fn days_after(at: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let latest = DateTime::<Utc>::from_timestamp_micros(253_402_300_799_999_999)
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    at.checked_add_signed(chrono::Duration::days(i64::from(days)))
        .map_or(latest, |t| t.min(latest))
}

/// Whether `s` is a timestamp exactly as [`canonical_time`] writes it
/// (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, a real date from 1970 to 9999, seconds below 60), so that
/// parsing it and writing it again gives `s` back: a stored time that passes is hashed as stored.
pub fn is_canonical_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 27 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (26, b'Z'),
    ]
    .iter()
    .any(|&(i, c)| b[i] != c)
    {
        return false;
    }
    let (Some(year), Some(month), Some(day), Some(hour), Some(min), Some(sec), Some(_)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
        digits(20..26),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1970..=9999).contains(&year) && (1..=days).contains(&day) && hour < 24 && min < 60 && sec < 60
}

/// The bytes an event's hash covers, written into `out` (cleared first). `at` is the canonical
/// timestamp text.
fn hash_input(
    out: &mut Vec<u8>,
    prev: Hash,
    seq: u64,
    at: &str,
    action: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) {
    out.clear();
    out.extend_from_slice(b"selfmodel.audit.v1\0");
    out.extend_from_slice(&prev.0);
    out.extend_from_slice(&seq.to_be_bytes());
    for field in [Some(at), Some(action), subject, detail] {
        match field {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                out.extend_from_slice(&(s.len() as u64).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
    }
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

/// One stored event as read for verification, borrowed from where it is stored.
#[derive(Debug, Clone, Copy)]
pub struct EventView<'a> {
    /// Its sequence number.
    pub seq: u64,
    /// The canonical timestamp text its hash covers (see [`canonical_time`]).
    pub at: &'a str,
    /// The action's name as stored.
    pub action: &'a str,
    /// The id it changed.
    pub subject: Option<&'a str>,
    /// Further ids, counts or hashes.
    pub detail: Option<&'a str>,
    /// The previous event's hash as stored.
    pub prev: Hash,
    /// Its hash as stored.
    pub hash: Hash,
}

impl<'a> EventView<'a> {
    /// The view of an event in memory, with `at` its canonical timestamp text.
    pub fn of(e: &'a AuditEvent, at: &'a str) -> Self {
        Self {
            seq: e.seq,
            at,
            action: &e.action,
            subject: e.subject.as_deref(),
            detail: e.detail.as_deref(),
            prev: e.prev,
            hash: e.hash,
        }
    }
}

/// Recomputes a chain one event at a time, in sequence order, so that a stored chain can be
/// checked as it is read: [`verify`] is this over events in memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    head: Hash,
    count: u64,
    input: Vec<u8>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// A verifier expecting the first event.
    pub fn new() -> Self {
        Self {
            head: Hash::GENESIS,
            count: 0,
            input: Vec::with_capacity(256),
        }
    }

    /// Checks the next event: its sequence number, its link to the event before, its action and
    /// its hash. `Err` holds the verdict on the first event that does not check out.
    pub fn check(&mut self, e: &EventView<'_>) -> Result<(), ChainVerdict> {
        let expected_seq = self.count + 1;
        let broken = |reason: &str| ChainVerdict::Broken {
            first_bad_event: e.seq,
            reason: reason.into(),
        };
        if e.seq != expected_seq {
            return Err(ChainVerdict::Broken {
                first_bad_event: expected_seq,
                reason: format!("event {expected_seq} is missing (found {} next)", e.seq),
            });
        }
        if e.prev != self.head {
            return Err(broken("does not link to the event before it"));
        }
        if AuditAction::parse(e.action).is_none() {
            return Err(broken("has an unknown action"));
        }
        hash_input(
            &mut self.input,
            e.prev,
            e.seq,
            e.at,
            e.action,
            e.subject,
            e.detail,
        );
        if Sha256::digest(&self.input).as_slice() != e.hash.0 {
            return Err(broken("its content does not match its hash (altered)"));
        }
        self.head = e.hash;
        self.count = expected_seq;
        Ok(())
    }

    /// The verdict on a chain whose every event checked out.
    pub fn finish(self) -> ChainVerdict {
        ChainVerdict::Intact {
            events: self.count,
            head: self.head,
        }
    }
}

/// Recomputes a chain given in sequence order.
pub fn verify<'a>(events: impl IntoIterator<Item = &'a AuditEvent>) -> ChainVerdict {
    let mut chain = ChainVerifier::new();
    for e in events {
        let at = canonical_time(&e.at);
        if let Err(broken) = chain.check(&EventView::of(e, &at)) {
            return broken;
        }
    }
    chain.finish()
}

mod detail;
pub use detail::Detail;

#[cfg(test)]
mod tests;
