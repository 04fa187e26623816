//! Selfmodel's local vendor API: an axum server on loopback (and a private Unix socket) through
//! which vendors ask for purpose-bound grants, read beliefs for a declared purpose, propose new
//! ones and hear about rectification, erasure and revocation.
//!
//! The server is thin: every decision — token, grant, purpose, sensitivity, confidence — and
//! every access-log entry is made by the `selfmodel` use-case layer, inside the transaction that
//! reads the data. What lives here are the transport's own defences: the Host allow-list, CORS,
//! secrets never in URLs, body and rate limits, strict JSON, and panic isolation.

mod actor;
mod defences;
pub mod discovery;
pub mod listen;
pub mod openapi;
mod page;
mod problem;
mod routes;
mod server;
pub mod wire;

pub use actor::{CallError, RETENTION_PERIOD, VaultHandle};
pub use defences::{Via, host_allowed};
pub use server::{
    DEFAULT_PORT, MAX_BODY, RunningServer, ServerConfig, defend, is_private, router, start,
};
