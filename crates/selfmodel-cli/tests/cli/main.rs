//! The integration tests of `selfmodel-cli`, one binary: each module was a test
//! binary of its own; together they link once.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod archive;
mod audit;
mod bad_vaults;
mod beliefs;
mod common;
mod crash;
mod destroy;
mod exports;
mod memories;
mod passwd;
mod processes;
mod report;
mod retention;
mod review;
mod rollback;
mod validation;
mod vault_lifecycle;
