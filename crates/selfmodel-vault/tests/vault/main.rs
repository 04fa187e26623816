//! The integration tests of `selfmodel-vault`, one binary: each module was a test
//! binary of its own; together they link once.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod at_rest;
mod audit_tamper;
mod bad_files;
mod common;
mod concurrency;
mod erasure;
mod growth;
mod migrations;
mod touched;
