//! The integration tests of `selfmodel-http`, one binary: each module was a test
//! binary of its own; together they link once.
#![allow(missing_docs)]

mod checkpoints;
mod defences;
mod floods;
mod minimisation;
mod secrets_at_rest;
