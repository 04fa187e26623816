//! The integration tests of `selfmodel`, one binary: each module was a test
//! binary of its own; together they link once.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod access_retention;
mod archive_merge;
mod archive_props;
mod archive_record;
mod common;
mod decisions;
mod packages;
mod report;
mod rollback;
mod security_doc;
mod use_cases;
