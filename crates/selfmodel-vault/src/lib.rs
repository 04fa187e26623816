//! The vault: one SQLCipher file holding a person's self-model. This is the only crate that
//! speaks SQL; everything above it goes through [`Vault`], [`Reader`] and [`Writer`].
//!
//! Every write happens in a [`Writer`] transaction that refuses to commit unless it appended an
//! audit event, so no change reaches the file unrecorded.

mod access_log;
mod audit;
mod audit_check;
mod carried;
mod codec;
mod compacted_days;
mod compaction;
mod daily_allowance;
mod disclosure_sets;
mod error;
mod grants;
mod log_codes;
pub mod migrations;
mod open;
mod packed_set;
mod page_check;
mod refusals;
mod store;
mod this_minute;
mod touched;

pub use access_log::{AccessFilter, MAX_LOGGED_CHARS, Recipient};
pub use compaction::{ACCESS_LOG_RETENTION_KEY, Compaction, DEFAULT_ACCESS_LOG_RETENTION_DAYS};
pub use daily_allowance::{MAX_ENTRIES_PER_DAY, MAX_NEW_SETS_PER_DAY};
pub use error::{Result, VaultError};
pub use open::{KDF_ITERATIONS, PAGE_SIZE, Vault};
pub use page_check::PageCheck;
pub use selfmodel_core::{AccessDay, DisclosureDay};
pub use store::{Reader, Writer};
