//! The IPC commands: each calls the `selfmodel` use-case layer, with its input and output
//! converted through [`crate::dto`], adding only what belongs to the window: native dialogs and
//! confirmations, and the app's state and settings. Calls on the vault run in the vault actor
//! (shared with the in-process vendor API), never on the window's main thread; the commands are
//! `async`.
//!
//! Passphrases arrive as `String`s and are moved straight into [`Passphrase`], which zeroizes them
//! on drop (the IPC layer's own buffers are outside our reach).

use std::path::PathBuf;

use selfmodel::render::{self, Format};
use selfmodel::{Irreversible, MIN_PASSPHRASE_CHARS, Selfmodel};
use selfmodel::{archive, memories};
use selfmodel_core::ErrorCode;
use selfmodel_core::memories::MemorySource;
use selfmodel_core::{Actor, BeliefFilter, BeliefId, Passphrase, Provenance};
use tauri::{AppHandle, State};

use crate::confirm::{confirm, open_folder, open_path, save_path};
use crate::dto::{self, IpcError, count};
use crate::state::{AppState, PendingMemories, guard};

type Result<T> = std::result::Result<T, IpcError>;

pub mod beliefs;
pub mod living;
pub mod reports;
pub mod transfer;
pub mod vault;
pub mod vendors;

pub use vault::{DEMO_PASSPHRASE, demo_model, set_demo};

fn id(s: &str) -> Result<BeliefId> {
    Ok(s.parse::<BeliefId>()?)
}

/// Parses every id, or fails at the first malformed one.
fn belief_ids(ids: &[String]) -> Result<Vec<BeliefId>> {
    ids.iter().map(|s| id(s)).collect()
}

/// The name a save dialog suggests: `stem-YYYY-MM-DD.ext`, with today's date (UTC).
fn dated_file_name(stem: &str, ext: &str) -> String {
    format!("{stem}-{}.{ext}", chrono::Utc::now().format("%Y-%m-%d"))
}

fn by_person() -> Provenance {
    Provenance {
        actor: Actor::Person,
        method: "app".into(),
    }
}

/// Runs blocking work (key derivation, file reads) off the async runtime's workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            format!("a background task failed: {e}"),
        )
    })?
}
