//! Selfmodel's domain: beliefs, their evidence and history, the catalogue of belief types and
//! purposes, the audit chain's hashing rules, and the validation that guards all of them.
//!
//! This crate is pure: no IO, no SQL, no wire formats. Its types are not `Serialize` on purpose —
//! each boundary (the vault schema, the export file, the HTTP API, the desktop IPC) converts them
//! by hand, so a refactor here cannot silently change a file format or a public API.

/// `as_str`, `ALL`, `Display` and `FromStr` for an enum of unit variants, each with a stable
/// name; `FromStr` refuses any other name as an invalid `$field`, listing the names.
macro_rules! str_enum {
    ($ty:ty, $field:literal { $($variant:ident => $s:literal),+ $(,)? }) => {
        impl $ty {
            /// The stable name used in storage, wire formats and on the command line.
            pub fn as_str(&self) -> &'static str {
                match self { $(Self::$variant => $s),+ }
            }
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$(Self::$variant),+];
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for $ty {
            type Err = $crate::error::CoreError;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($s => Ok(Self::$variant),)+
                    _ => Err($crate::error::CoreError::invalid(
                        $field,
                        format!("'{s}' is not one of: {}", [$($s),+].join(", ")),
                    )),
                }
            }
        }
    };
}

pub mod access;
pub mod audit;
pub mod belief;
pub mod catalogue;
pub mod error;
pub mod error_code;
pub mod filter;
pub mod grant;
pub mod memories;
pub mod monitor;
pub mod secret;
pub mod sensitive;
pub mod similar;
pub mod text;
pub mod validate;

pub use access::{
    AccessDay, AccessEntry, AccessOp, DisclosureDay, NewAccess, Outcome, VendorEvent,
    VendorEventKind,
};
pub use audit::{AuditAction, AuditEvent, ChainVerdict, Hash, PendingEvent};
pub use belief::{
    Acceptance, Actor, Belief, BeliefId, Evidence, EvidenceKind, NewBelief, NewEvidence,
    Provenance, Rectification, Rectify, Sensitivity, Snapshot, Status,
};
pub use catalogue::{BeliefType, Catalogue, Purpose};
pub use error::{CoreError, Result};
pub use error_code::ErrorCode;
pub use filter::BeliefFilter;
pub use grant::{
    ConsentRecord, Grant, GrantRequest, Narrowing, Operation, RequestStatus, Scope, Vendor,
};
pub use monitor::{Alert, AlertKind, Thresholds};
pub use secret::Passphrase;
pub use sensitive::SensitiveKind;
