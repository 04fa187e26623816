//! The integration tests of `selfmodel-http`, one binary: each module was a test
//! binary of its own; together they link once.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod checkpoints;
mod common;
mod defences;
mod floods;
mod minimisation;
mod pages;
mod reads_after_changes;
mod secrets_at_rest;
mod web;
