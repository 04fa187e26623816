//! The v1 wire types of Selfmodel's local vendor API: the one declaration of the contract, used
//! by the server (`selfmodel-http`, which derives its OpenAPI document from them with the
//! `openapi` feature), by the Rust SDK (`selfmodel-client`) and by the vault's use cases, which
//! sign the checkpoints. Serde types and the signed messages only: no HTTP stack.
//!
//! Requests reject unknown fields; responses accept them, so a client keeps working when a later
//! server adds a field. Times are UTC and written as RFC 3339 with microseconds, the form the
//! audit log signs. The OpenAPI component names (`BeliefOut`, `GrantRequestIn`, ...) are part of
//! the published contract and stay as they were.

mod belief;
mod events;
mod grant;
mod problem;
mod proof;
mod time;

pub use belief::{
    Belief, BeliefPage, BeliefQuery, Evidence, EvidenceIn, EvidenceKind, Origin, Proposal,
    ProposalReceipt, ProposalStatus, PurposeQuery,
};
pub use events::{Event, EventKind, Events, EventsQuery};
pub use grant::{
    Consent, Grant, GrantRequest, GrantRequestReply, Operation, PollReply, PollRequest, PollState,
    Sensitivity, VendorInfo,
};
pub use problem::{ErrorCode, Problem, ProblemBody};
pub use proof::{
    CHECKPOINT_CONTEXT, CheckpointQuery, ProofReply, ProofRequest, SignedCheckpoint,
    checkpoint_message, proof_message,
};

/// `as_str` and `Display` for a wire enum: the same names its serde attributes give it (a test
/// holds the two together).
macro_rules! names {
    ($($t:ty { $($v:ident => $s:literal),+ $(,)? })+) => {$(
        impl $t {
            /// Every variant, for the test that holds the names to serde's.
            #[cfg(test)]
            const VARIANTS: &[Self] = &[$(Self::$v),+];

            /// The name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$v => $s),+
                }
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

names! {
    Operation { Read => "read", ReadEvidence => "read_evidence", Propose => "propose" }
    Sensitivity { Normal => "normal", Special => "special" }
    PollState { Pending => "pending", Approved => "approved", Denied => "denied", Expired => "expired" }
    EvidenceKind { Stated => "stated", Observed => "observed", Inferred => "inferred", Imported => "imported" }
    ProposalStatus { Pending => "pending" }
    Origin { Person => "person", Vendor => "vendor", Import => "import", System => "system" }
    EventKind {
        BeliefRectified => "belief.rectified",
        BeliefErased => "belief.erased",
        GrantRevoked => "grant.revoked",
        Other => "other",
    }
}

#[cfg(test)]
mod tests;
