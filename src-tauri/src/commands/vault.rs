//! Creating, unlocking and locking the vault, the passphrase, the settings, the vendor API,
//! pausing sharing, and erasing or destroying everything.

use super::*;

/// The passphrase of vaults made by "try the demo". It is public: the app shows it.
pub const DEMO_PASSPHRASE: &str = "demo passphrase";

/// Where the vault is, whether it is unlocked, and whether sharing is paused.
#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> Result<dto::VaultStatus> {
    let unlocked = state.is_unlocked();
    let sharing_paused = unlocked && state.peek(|m| m.paused()).await.unwrap_or(false);
    Ok(dto::VaultStatus {
        path: state.vault_path().display().to_string(),
        exists: state.vault_path().exists(),
        unlocked,
        sharing_paused,
        demo: state.is_demo(),
        demo_passphrase: DEMO_PASSPHRASE.into(),
        min_passphrase_chars: count(MIN_PASSPHRASE_CHARS),
        confirmations_auto_accepted: crate::confirm::auto_confirm(),
    })
}

/// Pauses all sharing (every vendor read and proposal refused, nothing revoked), or resumes it
/// after a native confirmation: resuming lets every grant read again, so a page cannot do it
/// on its own.
#[tauri::command]
pub async fn set_sharing_paused(
    app: AppHandle,
    state: State<'_, AppState>,
    paused: bool,
) -> Result<()> {
    if !paused {
        let asked = "Resume sharing? Every vendor you granted access can read again, as before \
                     the pause.";
        if !confirm(&app, "Resume sharing", asked, "Resume").await {
            return Err(IpcError::cancelled("Sharing stays paused."));
        }
    }
    state.call(move |m| m.set_paused(paused)).await
}

/// Creates the vault with this passphrase and unlocks it.
#[tauri::command]
pub async fn create_vault(state: State<'_, AppState>, passphrase: String) -> Result<()> {
    let path = state.vault_path().to_path_buf();
    let model =
        blocking(move || Ok(Selfmodel::create(&path, &Passphrase::new(passphrase))?)).await?;
    state.set_unlocked(model).await
}

/// Creates the vault with the public demo passphrase, fills it with demo beliefs and unlocks it.
#[tauri::command]
pub async fn create_demo_vault(state: State<'_, AppState>) -> Result<u32> {
    let (model, n) = demo_model(state.vault_path().to_path_buf()).await?;
    set_demo(&state, true)?;
    state.set_unlocked(model).await?;
    Ok(n)
}

/// What "try the demo" makes: a vault with the demo passphrase and demo beliefs.
pub async fn demo_model(path: PathBuf) -> Result<(Selfmodel, u32)> {
    blocking(move || {
        let mut model = Selfmodel::create(&path, &Passphrase::new(DEMO_PASSPHRASE.into()))?;
        let n = model.fill_demo()?;
        Ok((model, count(n)))
    })
    .await
}

/// Records whether the vault is the demo (its passphrase is public).
pub fn set_demo(state: &AppState, demo: bool) -> Result<()> {
    state
        .update_settings(|s| {
            s.demo = demo;
            Ok(())
        })
        .map(drop)
}

/// Unlocks the vault.
#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, passphrase: String) -> Result<dto::Unlocked> {
    let path = state.vault_path().to_path_buf();
    let model = blocking(move || Ok(Selfmodel::open(&path, &Passphrase::new(passphrase))?)).await?;
    let purged_at_open = count(model.purged_at_open().len());
    let integrity_warning = model.integrity_warning().map(ToString::to_string);
    state.set_unlocked(model).await?;
    Ok(dto::Unlocked {
        purged_at_open,
        integrity_warning,
    })
}

/// Locks the vault: the vendor API stops and the model is dropped, closing the file.
#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> Result<()> {
    state.lock().await.map(drop)
}

/// Records the person's activity, postponing auto-lock.
#[tauri::command]
pub fn touch(state: State<'_, AppState>) {
    state.touch();
}

/// Erases every belief, after the typed phrase and a native confirmation. Returns how many.
#[tauri::command]
pub async fn erase_all(
    app: AppHandle,
    state: State<'_, AppState>,
    confirmation: String,
) -> Result<u32> {
    Irreversible::EraseAll.confirm(&confirmation)?;
    let asked = "Erase every belief, with its evidence and history? This cannot be undone. \
                 The vault stays, empty, with its audit log.";
    if !confirm(&app, "Erase everything", asked, "Erase everything").await {
        return Err(IpcError::cancelled("Nothing was erased."));
    }
    state.call(|m| m.erase_all()).await.map(count)
}

/// Destroys the vault: deletes the file with its write-ahead log and shared-memory files, after
/// the typed phrase and a native confirmation. Returns how many files were deleted. What this
/// can and cannot promise is in the README ("What erasure can and cannot promise").
#[tauri::command]
pub async fn destroy_vault(
    app: AppHandle,
    state: State<'_, AppState>,
    confirmation: String,
) -> Result<u32> {
    Irreversible::DestroyVault.confirm(&confirmation)?;
    let asked = "Delete the vault file itself, with its audit log? Nothing of it stays on this \
                 machine except in backups, snapshots and exports you made. This cannot be undone.";
    if !confirm(&app, "Destroy the vault", asked, "Destroy the vault").await {
        return Err(IpcError::cancelled("Nothing was deleted."));
    }
    state.destroy().await.map(count)
}

/// Changes the passphrase after checking the current one; the file is re-encrypted.
#[tauri::command]
pub async fn change_passphrase(
    state: State<'_, AppState>,
    current: String,
    new: String,
) -> Result<()> {
    let (current, new) = (Passphrase::new(current), Passphrase::new(new));
    state
        .call(move |m| m.change_passphrase(&current, &new))
        .await?;
    set_demo(&state, false)
}

/// The app's settings.
#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> dto::Settings {
    state.settings()
}

/// Sets the auto-lock time in minutes.
#[tauri::command]
pub fn set_auto_lock(state: State<'_, AppState>, minutes: u32) -> Result<dto::Settings> {
    state.update_settings(|s| s.set_auto_lock(minutes))
}

/// The vendor API: on or off, its port, whether it listens.
#[tauri::command]
pub async fn api_status(state: State<'_, AppState>) -> Result<dto::ApiStatus> {
    Ok(state.api_status().await)
}

/// Turns the vendor API on or off and sets its port; restarts it if the vault is unlocked.
#[tauri::command]
pub async fn set_api(
    app: AppHandle,
    state: State<'_, AppState>,
    enabled: bool,
    port: u16,
) -> Result<dto::ApiStatus> {
    if enabled && !state.api_status().await.enabled {
        let asked = format!(
            "Turn on the vendor API on port {port}? Apps on this computer can then ask you for \
             access; each request still needs your approval."
        );
        if !confirm(&app, "Turn on the vendor API", &asked, "Turn on").await {
            return Err(IpcError::cancelled("The vendor API stays off."));
        }
    }
    state.update_settings(|s| s.set_api(enabled, port))?;
    state.stop_api().await;
    state.start_api().await;
    Ok(state.api_status().await)
}
