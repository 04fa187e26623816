//! The app's state: the vault path; the unlocked [`Selfmodel`] — owned by the vault actor
//! ([`VaultHandle`]) that the in-process vendor API shares, so the app and the API serve from one
//! open vault; the API server while unlocked; settings; and the time of the last activity (for
//! auto-lock). Locking drops the model (closing the file) and stops the API.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use selfmodel::Selfmodel;
use selfmodel::archive::ExportFile;
use selfmodel_core::ErrorCode;
use selfmodel_core::memories::{MemorySource, RawMemory};
use selfmodel_http::{CallError, RunningServer, ServerConfig, VaultHandle};

use crate::dto::{ApiStatus, IpcError, Settings};
use crate::settings::{self, StoredSettings};

/// Shared by every command.
pub struct AppState {
    vault_path: PathBuf,
    vault: VaultHandle,
    unlocked: AtomicBool,
    server: tokio::sync::Mutex<Option<RunningServer>>,
    api_error: Mutex<Option<String>>,
    last_activity: Mutex<Instant>,
    settings: Mutex<StoredSettings>,
    import: Mutex<Option<PendingImport>>,
    memories: Mutex<Option<PendingMemories>>,
}

/// Memories read for an import (previewed), which the commit then proposes.
pub struct PendingMemories {
    /// Where they come from.
    pub source: MemorySource,
    /// The memories, as read.
    pub memories: Vec<RawMemory>,
}

/// An import in progress: the file the person chose, and once it was opened (decrypted and
/// checked) for the preview, its contents, which the commit then writes.
struct PendingImport {
    path: PathBuf,
    file: Option<ExportFile>,
}

/// Locks a mutex; a panic in an earlier holder does not stop the app (vault writes are
/// transactions, so a half-done change was rolled back).
pub(crate) fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl From<CallError> for IpcError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Locked => IpcError::locked(),
            CallError::Model(e) => e.into(),
            CallError::Unavailable(why) => IpcError::new(ErrorCode::Unavailable, why),
        }
    }
}

impl AppState {
    /// State for the vault at `vault_path`, locked.
    pub fn new(vault_path: PathBuf) -> Self {
        let settings = settings::load(&vault_path);
        Self {
            vault_path,
            vault: VaultHandle::spawn(None),
            unlocked: AtomicBool::new(false),
            server: tokio::sync::Mutex::new(None),
            api_error: Mutex::new(None),
            last_activity: Mutex::new(Instant::now()),
            settings: Mutex::new(settings),
            import: Mutex::new(None),
            memories: Mutex::new(None),
        }
    }

    /// The vault file's path.
    pub fn vault_path(&self) -> &Path {
        &self.vault_path
    }

    /// Whether a model is unlocked.
    pub fn is_unlocked(&self) -> bool {
        self.unlocked.load(Ordering::SeqCst)
    }

    /// Erases beliefs past their retention hourly while unlocked, on the current runtime.
    pub fn enforce_retention(&self) {
        self.vault.enforce_retention();
    }

    /// Records activity now (postpones auto-lock).
    pub fn touch(&self) {
        *guard(&self.last_activity) = Instant::now();
    }

    /// Runs `f` on the unlocked model, in the vault actor; `locked` if there is none.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Selfmodel) -> selfmodel::Result<T> + Send + 'static,
    ) -> Result<T, IpcError> {
        self.touch();
        Ok(self.vault.call(f).await?)
    }

    /// Like [`AppState::call`], but not counted as the person's activity (the inbox watcher).
    pub async fn peek<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Selfmodel) -> selfmodel::Result<T> + Send + 'static,
    ) -> Result<T, IpcError> {
        Ok(self.vault.call(f).await?)
    }

    /// Makes `model` the unlocked model (closing any previous one) and starts the vendor API if
    /// it is on. An API that cannot start (its port taken) does not stop the unlock: its error
    /// is shown in Settings.
    pub async fn set_unlocked(&self, model: Selfmodel) -> Result<(), IpcError> {
        self.touch();
        if let Some(previous) = self.vault.lock().await {
            close(previous).await?;
        }
        self.vault.unlock(model);
        self.unlocked.store(true, Ordering::SeqCst);
        self.start_api().await;
        Ok(())
    }

    /// Starts the vendor API (if on in the settings and not running).
    pub async fn start_api(&self) {
        let s = guard(&self.settings).clone();
        let mut server = self.server.lock().await;
        if !s.api_enabled || server.is_some() || !self.is_unlocked() {
            return;
        }
        let dir = selfmodel_http::discovery::default_dir();
        let config = ServerConfig {
            port: s.api_port,
            socket_dir: dir.clone(),
            discovery_file: dir.map(|d| d.join("api.json")),
            ..ServerConfig::default()
        };
        match selfmodel_http::start(self.vault.clone(), config).await {
            Ok(running) => {
                tracing::info!(port = running.port, "vendor API listening");
                *guard(&self.api_error) = None;
                *server = Some(running);
            }
            Err(e) => {
                tracing::warn!("the vendor API did not start: {e}");
                *guard(&self.api_error) = Some(e.to_string());
            }
        }
    }

    /// Stops the vendor API if it runs.
    pub async fn stop_api(&self) {
        if let Some(running) = self.server.lock().await.take() {
            running.shutdown().await;
            tracing::info!("vendor API stopped");
        }
    }

    /// The vendor API's state.
    pub async fn api_status(&self) -> ApiStatus {
        let s = guard(&self.settings).clone();
        let port = self.server.lock().await.as_ref().map(|r| r.port);
        ApiStatus {
            enabled: s.api_enabled,
            port: s.api_port,
            listening: port,
            error: guard(&self.api_error).clone(),
        }
    }

    /// Locks: closes the vault file first (so no request still in flight can hold it open;
    /// vendors get 423 from then on), then stops the vendor API and forgets any import in
    /// progress. Returns whether it was unlocked.
    pub async fn lock(&self) -> Result<bool, IpcError> {
        self.clear_import();
        self.unlocked.store(false, Ordering::SeqCst);
        let closed = match self.vault.lock().await {
            Some(m) => close(m).await.map(|()| true),
            None => Ok(false),
        };
        self.stop_api().await;
        closed
    }

    /// At exit: locks, then stops the vault thread (joined), so no vault work is running when
    /// the process ends.
    pub async fn shutdown(&self) -> Result<(), IpcError> {
        let locked = self.lock().await;
        self.vault.close().await?;
        locked.map(drop)
    }

    /// Destroys the unlocked vault: stops the API, forgets any import, then deletes the vault
    /// file with its write-ahead log and shared-memory files and the app's settings for it.
    /// Returns how many files were deleted; `locked` if no vault is unlocked (destroying asks
    /// for the passphrase first, by way of the unlock).
    pub async fn destroy(&self) -> Result<usize, IpcError> {
        if !self.is_unlocked() {
            return Err(IpcError::locked());
        }
        self.clear_import();
        self.unlocked.store(false, Ordering::SeqCst);
        let model = self.vault.lock().await.ok_or_else(IpcError::locked);
        self.stop_api().await;
        let model = model?;
        let deleted = model.destroy()?.len();
        let settings = settings::path_for(&self.vault_path);
        if settings.exists() {
            std::fs::remove_file(&settings).map_err(|e| {
                IpcError::new(ErrorCode::Io, format!("cannot delete the settings: {e}"))
            })?;
        }
        *guard(&self.settings) = StoredSettings::default();
        Ok(deleted)
    }

    /// Whether the vault has been idle for longer than the auto-lock setting at `now`.
    pub fn idle_too_long(&self, now: Instant) -> bool {
        let idle = now.saturating_duration_since(*guard(&self.last_activity));
        let limit = Duration::from_secs(u64::from(self.settings().auto_lock_minutes) * 60);
        idle >= limit && self.is_unlocked()
    }

    /// Locks if unlocked and idle for longer than the auto-lock setting. Returns whether it locked.
    pub async fn lock_if_idle(&self, now: Instant) -> Result<bool, IpcError> {
        if self.idle_too_long(now) {
            tracing::info!("auto-lock after the idle time");
            return self.lock().await;
        }
        Ok(false)
    }

    /// Starts an import of the file at `path` (forgetting any other).
    pub fn set_import(&self, path: PathBuf) {
        *guard(&self.import) = Some(PendingImport { path, file: None });
    }

    /// The file being imported.
    pub fn import_path(&self) -> Option<PathBuf> {
        guard(&self.import).as_ref().map(|i| i.path.clone())
    }

    /// Keeps the opened file for the commit.
    pub fn keep_import(&self, file: ExportFile) {
        if let Some(i) = guard(&self.import).as_mut() {
            i.file = Some(file);
        }
    }

    /// Takes the opened file (previewed) for the commit.
    pub fn take_import_file(&self) -> Option<ExportFile> {
        guard(&self.import).as_mut().and_then(|i| i.file.take())
    }

    /// Forgets both imports in progress: a file's decrypted contents and memories read.
    pub fn clear_import(&self) {
        self.forget_file_import();
        self.forget_memories();
    }

    /// Forgets the file import in progress (its decrypted contents); memories read stay.
    pub fn forget_file_import(&self) {
        guard(&self.import).take();
    }

    /// Forgets the memories read for an import; a file import in progress stays.
    pub fn forget_memories(&self) {
        guard(&self.memories).take();
    }

    /// Keeps memories read (and previewed) for the commit, forgetting any earlier ones.
    pub fn keep_memories(&self, pending: PendingMemories) {
        *guard(&self.memories) = Some(pending);
    }

    /// Takes the memories previewed, for the commit.
    pub fn take_memories(&self) -> Option<PendingMemories> {
        guard(&self.memories).take()
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        guard(&self.settings).public()
    }

    /// Whether the vault was created as the demo.
    pub fn is_demo(&self) -> bool {
        guard(&self.settings).demo
    }

    /// Changes and saves the settings.
    pub fn update_settings(
        &self,
        f: impl FnOnce(&mut StoredSettings) -> Result<(), IpcError>,
    ) -> Result<Settings, IpcError> {
        let mut s = guard(&self.settings);
        let mut next = s.clone();
        f(&mut next)?;
        settings::save(&self.vault_path, &next)?;
        *s = next;
        Ok(s.public())
    }
}

/// Closes `model` off the async runtime: closing waits for the check of every page and keeps the
/// vault up (erasing what is past its retention, compacting the access log), which must not hold
/// one of the runtime's few workers meanwhile.
async fn close(model: Selfmodel) -> Result<(), IpcError> {
    tauri::async_runtime::spawn_blocking(move || model.close())
        .await
        .map_err(|e| {
            IpcError::new(
                ErrorCode::Internal,
                format!("closing the vault failed: {e}"),
            )
        })?
        .map_err(IpcError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use selfmodel_core::Passphrase;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    /// An unlocked state whose settings keep the vendor API off (tests must not bind ports).
    fn unlocked(rt: &tokio::runtime::Runtime) -> (tempfile::TempDir, AppState) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vault.db");
        let off = StoredSettings {
            api_enabled: false,
            ..StoredSettings::default()
        };
        settings::save(&path, &off).expect("settings");
        let state = AppState::new(path);
        let pass = Passphrase::new("a test passphrase".into());
        let model = Selfmodel::create(state.vault_path(), &pass).expect("create");
        rt.block_on(state.set_unlocked(model)).expect("unlock");
        (dir, state)
    }

    #[test]
    fn cancelling_one_import_keeps_the_other() {
        let state = AppState::new(PathBuf::from("vault.db"));
        let memories = || PendingMemories {
            source: MemorySource::Text,
            memories: Vec::new(),
        };
        state.set_import(PathBuf::from("export.json"));
        state.keep_memories(memories());
        state.forget_memories();
        assert!(state.take_memories().is_none());
        assert_eq!(state.import_path(), Some(PathBuf::from("export.json")));

        state.keep_memories(memories());
        state.forget_file_import();
        assert_eq!(state.import_path(), None);
        assert!(state.take_memories().is_some());
    }

    #[test]
    fn locked_state_refuses_with_a_stable_code() {
        let rt = rt();
        let dir = tempfile::tempdir().expect("tempdir");
        let state = AppState::new(dir.path().join("vault.db"));
        let err = rt
            .block_on(state.call(|m| m.catalogue()))
            .expect_err("locked");
        assert_eq!(err.code, ErrorCode::VaultLocked);
    }

    #[test]
    fn auto_lock_drops_the_model_only_after_the_idle_time() {
        let rt = rt();
        let (_dir, state) = unlocked(&rt);
        let minutes = u64::from(state.settings().auto_lock_minutes);
        let now = Instant::now();
        assert!(!rt.block_on(state.lock_if_idle(now)).expect("check"));
        assert!(state.is_unlocked());
        let later = now + Duration::from_secs(minutes * 60 + 1);
        assert!(rt.block_on(state.lock_if_idle(later)).expect("check"));
        assert!(!state.is_unlocked());
        let err = rt
            .block_on(state.call(|m| m.catalogue()))
            .map_err(|e| e.code);
        assert_eq!(err.err(), Some(ErrorCode::VaultLocked));
        assert!(
            !rt.block_on(state.lock_if_idle(later))
                .expect("already locked")
        );
    }

    #[test]
    fn activity_postpones_auto_lock() {
        let rt = rt();
        let (_dir, state) = unlocked(&rt);
        let minutes = u64::from(state.settings().auto_lock_minutes);
        std::thread::sleep(Duration::from_millis(20));
        state.touch();
        let just_under = Instant::now() + Duration::from_secs(minutes * 60 - 5);
        assert!(!state.idle_too_long(just_under));
    }

    #[test]
    fn settings_changes_are_saved_or_refused_whole() {
        let rt = rt();
        let (_dir, state) = unlocked(&rt);
        let err = state
            .update_settings(|s| s.set_auto_lock(0))
            .expect_err("refused");
        assert_eq!(err.code, ErrorCode::InvalidField);
        assert_eq!(state.settings().auto_lock_minutes, 10);
        let s = state
            .update_settings(|s| s.set_auto_lock(3))
            .expect("saved");
        assert_eq!(s.auto_lock_minutes, 3);
        let reloaded = AppState::new(state.vault_path().to_path_buf());
        assert_eq!(reloaded.settings().auto_lock_minutes, 3);
    }
}
