//! Vendor SDK for Selfmodel's local API.
//!
//! A person keeps their self-model in a vault on their own machine; vendors get scoped,
//! revocable, purpose-bound grants to it through a local HTTP API. This crate is the vendor's
//! side of that API (v1):
//!
//! 1. **Find and trust the server.** [`Discovery::load`] reads the discovery file the server
//!    writes; [`Client::pair`] checks that the server proves possession of the identity key named
//!    there (a signed challenge) and hands back that [`ServerKey`] to store. Later sessions use
//!    [`Client::connect`] with the stored key, and a server that cannot prove it holds that key —
//!    a process squatting on the port, say — is refused with [`Error::ServerNotTrusted`] before
//!    any token or poll secret is sent.
//! 2. **Ask for a grant** ([`Client::request_grant`]): show the person the user code, then
//!    [`Client::wait_for_approval`] (or [`Client::poll_once`]). The bearer [`Token`] is handed
//!    over exactly once, on approval; store it.
//! 3. **Use it**: [`Client::beliefs`] and [`Client::all_beliefs`] for a declared purpose,
//!    [`Client::belief`], [`Client::propose`], [`Client::events`] / [`EventFeed`] for notices of
//!    rectification, erasure and revocation (act on them: GDPR Art. 19), [`Client::grant`], and
//!    [`Client::give_up`] when done.
//! 4. **Keep receipts.** The approval carries the vault's signed audit checkpoint, and
//!    [`Client::checkpoint`] fetches more; [`Client::check_receipt`] later asks the vault for its
//!    current statement of a receipt's event. A rolled-back vault, or one whose audit history
//!    was rewritten, cannot answer consistently ([`Consistency`]), and two conflicting signed
//!    checkpoints are the proof.
//!
//! Every error the server returns arrives as a typed [`Error`] carrying its stable `code` and
//! HTTP status. The client talks to loopback addresses only, never through a proxy, and follows
//! no redirects.
//!
//! ```no_run
//! # async fn run() -> Result<(), selfmodel_client::Error> {
//! use selfmodel_client::{BeliefQuery, Client, Discovery, GrantRequest, Operation};
//!
//! let discovery = Discovery::load_default()?;
//! let (client, server_key) = Client::pair(&discovery).await?; // store server_key
//! let pending = client
//!     .request_grant(
//!         &GrantRequest::new("com.example.notes", "Example Notes", "Adapt answers to you")
//!             .purposes(["communication"])
//!             .categories(["communication-style"])
//!             .operations([Operation::Read]),
//!     )
//!     .await?;
//! println!("approve code {} in Selfmodel", pending.user_code);
//! let approval = client.wait_for_approval(&pending).await?; // store approval.token
//! let client = client.with_token(approval.token);
//! for belief in client.all_beliefs(&BeliefQuery::new("communication")).await? {
//!     println!("{}", belief.statement);
//! }
//! # let _ = server_key;
//! # Ok(()) }
//! ```

mod checkpoint;
mod client;
mod discovery;
mod error;
mod secret;
pub mod wire;

pub use checkpoint::{Consistency, Receipt};
pub use client::{BeliefPages, Client, ClientBuilder, EventFeed};
pub use discovery::{Discovery, ServerKey};
pub use error::{Error, Problem};
pub use secret::{PollSecret, Token};
pub use wire::{
    Approval, Belief, BeliefPage, BeliefQuery, CHECKPOINT_CONTEXT, Consent, Event, EventKind,
    Events, Evidence, EvidenceIn, EvidenceKind, Grant, GrantRequest, Operation, Origin,
    PendingGrant, PollStatus, Proposal, ProposalReceipt, ProposalStatus, Sensitivity,
    SignedCheckpoint, VendorInfo, checkpoint_message, proof_message,
};
