//! The integration tests of `selfmodel-client`, one binary: each module was a test
//! binary of its own; together they link once.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;
mod contract;
mod flow;
mod lifecycle;
mod receipts;
mod review;
mod trust;
