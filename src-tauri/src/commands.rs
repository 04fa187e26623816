//! The IPC commands: each is a one-line call into the `selfmodel` use-case layer, with its input
//! and output converted through [`crate::dto`]. Calls on the vault run in the vault actor (shared
//! with the in-process vendor API), never on the window's main thread; the commands are `async`.
//!
//! Passphrases arrive as `String`s and are moved straight into [`Passphrase`], which zeroizes them
//! on drop (the IPC layer's own buffers are outside our reach).

use std::path::PathBuf;

use selfmodel::render::{self, Format};
use selfmodel::{MIN_PASSPHRASE_CHARS, Selfmodel};
use selfmodel::{archive, memories};
use selfmodel_core::memories::MemorySource;
use selfmodel_core::{Actor, BeliefFilter, BeliefId, Passphrase, Provenance};
use tauri::{AppHandle, State};

use crate::confirm::{confirm, open_folder, open_path, save_path};
use crate::dto::{self, IpcError};
use crate::state::{AppState, PendingMemories};

type Result<T> = std::result::Result<T, IpcError>;

/// The passphrase of vaults made by "try the demo". It is public: the app shows it.
pub const DEMO_PASSPHRASE: &str = "demo passphrase";

/// The phrase the person types to erase everything.
pub const ERASE_PHRASE: &str = "erase everything";

/// The phrase the person types to destroy the vault.
pub const DESTROY_PHRASE: &str = "destroy this vault";

fn id(s: &str) -> Result<BeliefId> {
    Ok(s.parse::<BeliefId>()?)
}

fn by_person() -> Provenance {
    Provenance {
        actor: Actor::Person,
        method: "app".into(),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Runs blocking work (key derivation, file reads) off the async runtime's workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::new("internal", format!("a background task failed: {e}")))?
}

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
            return Err(IpcError::new("cancelled", "Sharing stays paused."));
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
    mark_demo(&state)?;
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

/// Records that the vault is the demo (its passphrase is public).
pub fn mark_demo(state: &AppState) -> Result<()> {
    state
        .update_settings(|s| {
            s.demo = true;
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

/// The belief types and purposes.
#[tauri::command]
pub async fn catalogue(state: State<'_, AppState>) -> Result<dto::Catalogue> {
    state.call(|m| m.catalogue()).await.map(Into::into)
}

/// Every belief, for the list (the UI filters, sorts and groups them).
#[tauri::command]
pub async fn list_beliefs(state: State<'_, AppState>) -> Result<Vec<dto::BeliefRow>> {
    state
        .call(|m| m.beliefs(&BeliefFilter::default()).map(dto::rows))
        .await
}

/// One belief with its evidence, provenance and history.
#[tauri::command]
pub async fn get_belief(state: State<'_, AppState>, id: String) -> Result<dto::BeliefDetail> {
    let id = self::id(&id)?;
    state.call(move |m| m.belief(id)).await.map(dto::detail)
}

/// Adds a belief stated by the person.
#[tauri::command]
pub async fn add_belief(
    state: State<'_, AppState>,
    belief: dto::NewBelief,
) -> Result<dto::BeliefDetail> {
    state
        .call(move |m| m.add_belief(belief.into(), by_person()))
        .await
        .map(dto::detail)
}

/// Rectifies a belief; the reason goes into its history.
#[tauri::command]
pub async fn rectify_belief(
    state: State<'_, AppState>,
    id: String,
    change: dto::RectifyRequest,
) -> Result<dto::BeliefDetail> {
    let id = self::id(&id)?;
    state
        .call(move |m| m.rectify(id, change.into(), Actor::Person))
        .await
        .map(dto::detail)
}

/// Deletes one belief with its evidence and history.
#[tauri::command]
pub async fn delete_belief(app: AppHandle, state: State<'_, AppState>, id: String) -> Result<()> {
    let id = self::id(&id)?;
    confirm_deletes(&app, 1).await?;
    state.call(move |m| m.delete_belief(id)).await
}

/// More beliefs than this, deleted within [`DELETE_WINDOW`], need a native confirmation.
const BULK_DELETE_CONFIRM: usize = 5;
/// The window in which deletions are added up.
const DELETE_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);
/// When each belief deleted without a native confirmation was deleted.
static RECENT_DELETES: std::sync::Mutex<Vec<std::time::Instant>> =
    std::sync::Mutex::new(Vec::new());

/// Asks natively before deleting `n` beliefs when, with those deleted in the last
/// [`DELETE_WINDOW`], they are more than [`BULK_DELETE_CONFIRM`]: a compromised page cannot
/// erase the model piecemeal, however it splits the deletions into calls.
async fn confirm_deletes(app: &AppHandle, n: usize) -> Result<()> {
    let recent = {
        let mut r = RECENT_DELETES.lock().unwrap_or_else(|e| e.into_inner());
        r.retain(|t| t.elapsed() < DELETE_WINDOW);
        r.len()
    };
    if recent + n <= BULK_DELETE_CONFIRM {
        let mut r = RECENT_DELETES.lock().unwrap_or_else(|e| e.into_inner());
        r.extend(std::iter::repeat_n(std::time::Instant::now(), n));
        return Ok(());
    }
    let asked = format!(
        "Delete {n} more belief{}, with evidence and history? {recent} were deleted in the last \
         few minutes. This cannot be undone.",
        if n == 1 { "" } else { "s" }
    );
    if !confirm(app, "Delete beliefs", &asked, "Delete").await {
        return Err(IpcError::new("cancelled", "Nothing was deleted."));
    }
    RECENT_DELETES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
    Ok(())
}

/// Deletes several beliefs in one transaction (all or none); returns how many. See
/// [`confirm_deletes`].
#[tauri::command]
pub async fn delete_beliefs(
    app: AppHandle,
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> Result<u32> {
    let ids = ids.iter().map(|s| id(s)).collect::<Result<Vec<_>>>()?;
    confirm_deletes(&app, ids.len()).await?;
    state.call(move |m| m.delete_beliefs(&ids)).await.map(count)
}

/// Erases every belief, after the typed phrase and a native confirmation. Returns how many.
#[tauri::command]
pub async fn erase_all(
    app: AppHandle,
    state: State<'_, AppState>,
    confirmation: String,
) -> Result<u32> {
    if confirmation.trim() != ERASE_PHRASE {
        return Err(IpcError::new(
            "confirmation_required",
            format!("type \"{ERASE_PHRASE}\" to confirm"),
        ));
    }
    let asked = "Erase every belief, with its evidence and history? This cannot be undone. \
                 The vault stays, empty, with its audit log.";
    if !confirm(&app, "Erase everything", asked, "Erase everything").await {
        return Err(IpcError::new("cancelled", "Nothing was erased."));
    }
    let n = state.call(|m| m.erase_all()).await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
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
    if confirmation.trim() != DESTROY_PHRASE {
        return Err(IpcError::new(
            "confirmation_required",
            format!("type \"{DESTROY_PHRASE}\" to confirm"),
        ));
    }
    let asked = "Delete the vault file itself, with its audit log? Nothing of it stays on this \
                 machine except in backups, snapshots and exports you made. This cannot be undone.";
    if !confirm(&app, "Destroy the vault", asked, "Destroy the vault").await {
        return Err(IpcError::new("cancelled", "Nothing was deleted."));
    }
    state.destroy().await.map(count)
}

/// Recomputes the audit chain.
#[tauri::command]
pub async fn verify_audit(state: State<'_, AppState>) -> Result<dto::AuditVerdict> {
    state.call(|m| m.verify_audit()).await.map(Into::into)
}

/// The audit log, oldest first.
#[tauri::command]
pub async fn audit_log(state: State<'_, AppState>) -> Result<Vec<dto::AuditEvent>> {
    state.call(|m| m.audit_log()).await.map(dto::audit_events)
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
        .call(move |m| {
            m.check_passphrase(&current)?;
            m.change_passphrase(&new)
        })
        .await?;
    state
        .update_settings(|s| {
            s.demo = false;
            Ok(())
        })
        .map(drop)
}

/// Sets how long beliefs of a type are kept.
#[tauri::command]
pub async fn set_retention(
    app: AppHandle,
    state: State<'_, AppState>,
    type_id: String,
    days: u32,
) -> Result<dto::BeliefType> {
    let asked_type = type_id.clone();
    let (erased, current) = state
        .call(move |m| {
            let current = m
                .catalogue()?
                .belief_type(&asked_type)
                .map_or(days, |t| t.retention_days);
            Ok((m.retention_would_erase(&asked_type, days)?, current))
        })
        .await?;
    // Any shortening is confirmed, not only one that erases now: a page could otherwise set a
    // retention just past the oldest belief and let time do the rest.
    if days < current {
        let asked = format!(
            "Keep beliefs of this type for {days} days instead of {current}? {erased} of them are \
             older than that and will be erased at the next retention run; the others will be \
             erased sooner. This cannot be undone."
        );
        if !confirm(&app, "Shorten retention", &asked, "Shorten and erase").await {
            return Err(IpcError::new("cancelled", "The retention was not changed."));
        }
    }
    state
        .call(move |m| m.set_retention(&type_id, days))
        .await
        .map(dto::belief_type)
}

/// Erases what is past its retention now; returns how many.
#[tauri::command]
pub async fn run_retention(state: State<'_, AppState>) -> Result<u32> {
    let purged = state.call(|m| m.run_retention()).await?;
    Ok(count(purged.len()))
}

/// How many days the access log keeps each vendor request in detail.
#[tauri::command]
pub async fn access_log_retention(state: State<'_, AppState>) -> Result<u32> {
    state.call(|m| m.access_log_retention()).await
}

/// Sets how many days the access log keeps requests in detail; older ones are folded into
/// per-day counts at once. Shortening is confirmed natively: the detail cannot be brought back.
/// Returns how many requests were folded.
#[tauri::command]
pub async fn set_access_log_retention(
    app: AppHandle,
    state: State<'_, AppState>,
    days: u32,
) -> Result<u64> {
    let current = state.call(|m| m.access_log_retention()).await?;
    if days < current {
        let asked = format!(
            "Keep vendor requests in detail for {days} days instead of {current}? Older requests \
             are folded into counts per day, vendor, purpose and belief now; which vendor \
             received which belief stays known to the day, but the exact requests cannot be \
             brought back."
        );
        if !confirm(&app, "Shorten the access log's detail", &asked, "Shorten").await {
            return Err(IpcError::new(
                "cancelled",
                "The access log's retention was not changed.",
            ));
        }
    }
    let done = state
        .call(move |m| m.set_access_log_retention(days))
        .await?;
    Ok(done.entries)
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
            return Err(IpcError::new("cancelled", "The vendor API stays off."));
        }
    }
    state.update_settings(|s| s.set_api(enabled, port))?;
    state.stop_api().await;
    state.start_api().await;
    Ok(state.api_status().await)
}

/// Exports after a native confirmation and a native save dialog, both opened here, so the page
/// can neither skip them nor choose the path. `None` if the person cancelled.
#[tauri::command]
pub async fn export_beliefs(
    app: AppHandle,
    state: State<'_, AppState>,
    request: dto::ExportRequest,
) -> Result<Option<dto::ExportDone>> {
    let plain = request.encryption == dto::ExportEncryption::None;
    let subset = !(request.categories.is_empty()
        && request.purposes.is_empty()
        && request.beliefs.is_empty());
    let options = request.into_options()?;
    let what = if subset {
        "the beliefs you chose"
    } else {
        "your whole self-model"
    };
    let how = if plain {
        "The file will NOT be encrypted: anyone who gets it can read it."
    } else {
        "The file will be encrypted with age."
    };
    let asked = format!("Export {what} to a file? {how}");
    if !confirm(&app, "Export", &asked, "Export…").await {
        return Ok(None);
    }
    let ext = if plain { "json" } else { "age" };
    let name = format!(
        "selfmodel-export-{}.{ext}",
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let Some(path) = save_path(
        &app,
        "Export your self-model",
        &name,
        "Selfmodel export",
        &[ext],
    )
    .await
    else {
        return Ok(None);
    };
    state
        .call(move |m| m.export(&path, &options, &()))
        .await
        .map(|s| Some(dto::export_done(s)))
}

/// Chooses a file to import with a native dialog and tells how it is protected. `None` if the
/// person cancelled.
#[tauri::command]
pub async fn import_choose(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<dto::ImportFile>> {
    state.call(|_| Ok(())).await?;
    let exts = ["json", "age", "txt"];
    let Some(path) = open_path(&app, "Import a Selfmodel export", "Selfmodel export", &exts).await
    else {
        return Ok(None);
    };
    let read = path.clone();
    let sealed =
        blocking(move || Ok(archive::SealedFile::read(&read).map_err(selfmodel::Error::from)?))
            .await?;
    let file = dto::ImportFile {
        path: path.display().to_string(),
        bytes: std::fs::metadata(&path).map_or(0, |m| m.len()),
        encryption: dto::encryption_of(&sealed.envelope()),
    };
    state.set_import(path);
    Ok(Some(file))
}

/// Opens the chosen file — with its passphrase, or an age identity file chosen in a native
/// dialog — checks all of it, and previews the import (a dry run: nothing changes).
#[tauri::command]
pub async fn import_preview(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: Option<String>,
    identity: bool,
) -> Result<dto::ImportOutcome> {
    let path = state.import_path().ok_or_else(no_import)?;
    let key = if identity {
        let id = open_path(
            &app,
            "Choose your age identity file",
            "age identity",
            &["txt", "key"],
        )
        .await
        .ok_or_else(|| IpcError::new("cancelled", "No identity file was chosen."))?;
        let ids = archive::Identities::from_file(&id).map_err(selfmodel::Error::from)?;
        Some(archive::Key::Identities(ids))
    } else {
        passphrase.map(|p| archive::Key::Passphrase(Passphrase::new(p)))
    };
    let file = blocking(move || {
        Ok(archive::SealedFile::read(&path)
            .and_then(|sealed| sealed.open(key.as_ref()))
            .map_err(selfmodel::Error::from)?)
    })
    .await?;
    let (file, outcome) = state
        .call(move |m| {
            let dry_run = archive::ImportOptions {
                dry_run: true,
                ..Default::default()
            };
            let report = m.import(&file, &dry_run, &())?;
            let outcome = dto::import_outcome(&file, report);
            Ok((file, outcome))
        })
        .await?;
    state.keep_import(file);
    Ok(outcome)
}

/// Imports the previewed file: all of it in one transaction, or nothing.
#[tauri::command]
pub async fn import_commit(
    app: AppHandle,
    state: State<'_, AppState>,
    on_conflict: Option<dto::ConflictChoice>,
    trust_signer: bool,
    restore_erased: bool,
) -> Result<dto::ImportOutcome> {
    let file = state.take_import_file().ok_or_else(no_import)?;
    // Trusting another key lets the file's beliefs land as they are, not as proposals: the
    // person confirms that natively, so a compromised page cannot.
    let mut trusted = None;
    if trust_signer {
        let key = file.parsed.public_key.clone();
        let asked = format!(
            "Treat the key {key} like this vault's own?\n\nThe file's beliefs will be added as they are, \
             not as proposals for your Inbox. Do this only for a file you exported yourself."
        );
        if !confirm(&app, "Trust the file's signer", &asked, "Trust and import").await {
            state.keep_import(file);
            return Err(IpcError::new("cancelled", "Nothing was imported."));
        }
        let mut raw = [0u8; 32];
        hex::decode_to_slice(&key, &mut raw)
            .map_err(|_| IpcError::new("invalid", "The file's signing key is not hex."))?;
        trusted = Some(raw);
    }
    if restore_erased {
        let asked = "Bring back the beliefs in this file that you erased or rejected before?";
        if !confirm(&app, "Restore erased beliefs", asked, "Bring them back").await {
            state.keep_import(file);
            return Err(IpcError::new("cancelled", "Nothing was imported."));
        }
    }
    let options = archive::ImportOptions {
        dry_run: false,
        on_conflict: on_conflict.map(Into::into),
        trust_signer: trusted,
        restore_erased,
    };
    let (file, result) = state
        .call(move |m| {
            let r = m.import(&file, &options, &());
            Ok((file, r))
        })
        .await?;
    match result {
        Ok(report) => {
            state.clear_import();
            Ok(dto::import_outcome(&file, report))
        }
        Err(e) => {
            state.keep_import(file);
            Err(e.into())
        }
    }
}

/// Forgets the import in progress.
#[tauri::command]
pub fn import_cancel(state: State<'_, AppState>) {
    state.clear_import();
}

fn no_import() -> IpcError {
    IpcError::new("no_import", "Choose a file to import first.")
}

/// Reads memories saved by another assistant — pasted text, or a file (a folder for me.md)
/// chosen in a native dialog — and previews their import: what would be proposed, and what is
/// a duplicate, erased before or refused. Nothing changes until [`import_memories_commit`];
/// `import_cancel` forgets them. `None` if the person cancelled the dialog.
#[tauri::command]
pub async fn import_memories_preview(
    app: AppHandle,
    state: State<'_, AppState>,
    source: String,
    pasted: Option<String>,
) -> Result<Option<dto::MemoryImport>> {
    state.call(|_| Ok(())).await?;
    let source: MemorySource = source.parse().map_err(selfmodel::Error::from)?;
    let memories = match pasted {
        Some(text) => blocking(move || Ok(memories::parse(source, text.as_bytes())?)).await?,
        None => {
            let title = format!("Import memories from {}", source.display_name());
            let chosen = if source == MemorySource::MeMd {
                open_folder(&app, &title).await
            } else {
                open_path(&app, &title, "Saved memories", &["txt", "md", "json"]).await
            };
            let Some(path) = chosen else {
                return Ok(None);
            };
            blocking(move || Ok(memories::read(source, &path)?)).await?
        }
    };
    let kept = memories.clone();
    let report = state
        .call(move |m| m.import_memories(source, &memories, true))
        .await?;
    state.keep_memories(PendingMemories {
        source,
        memories: kept,
    });
    Ok(Some(dto::memory_import(report)))
}

/// Proposes the memories previewed by [`import_memories_preview`]: each lands in the inbox,
/// all in one transaction.
#[tauri::command]
pub async fn import_memories_commit(state: State<'_, AppState>) -> Result<dto::MemoryImport> {
    let pending = state
        .take_memories()
        .ok_or_else(|| IpcError::new("no_import", "Read the memories to import first."))?;
    state
        .call(move |m| m.import_memories(pending.source, &pending.memories, false))
        .await
        .map(dto::memory_import)
}

/// The proposals that say the same as a belief in the model, with that belief.
#[tauri::command]
pub async fn inbox_matches(state: State<'_, AppState>) -> Result<Vec<dto::SameAs>> {
    state
        .call(|m| m.inbox_with_matches().map(dto::same_as))
        .await
}

/// Merges a proposal into the belief it says the same as: its evidence is added there.
#[tauri::command]
pub async fn merge_proposal(
    state: State<'_, AppState>,
    proposal: String,
    into: String,
) -> Result<dto::BeliefDetail> {
    let (proposal, into) = (id(&proposal)?, id(&into)?);
    state
        .call(move |m| m.merge_proposal(proposal, into))
        .await
        .map(dto::detail)
}

/// The active beliefs due for review, longest overdue first.
#[tauri::command]
pub async fn review_queue(state: State<'_, AppState>) -> Result<Vec<dto::DueBelief>> {
    state
        .call(|m| m.review_queue(chrono::Utc::now()).map(dto::due))
        .await
}

/// The person confirms these beliefs are still true (one transaction, all or none); returns
/// how many.
#[tauri::command]
pub async fn confirm_beliefs(state: State<'_, AppState>, ids: Vec<String>) -> Result<u32> {
    let ids = ids.iter().map(|s| id(s)).collect::<Result<Vec<_>>>()?;
    state
        .call(move |m| m.confirm_beliefs(&ids))
        .await
        .map(count)
}

/// Sets after how many days beliefs of a type are due for review.
#[tauri::command]
pub async fn set_review_days(
    state: State<'_, AppState>,
    type_id: String,
    days: u32,
) -> Result<dto::BeliefType> {
    state
        .call(move |m| m.set_review_days(&type_id, days))
        .await
        .map(dto::belief_type)
}

/// Grant requests, newest first: pending only, or all.
#[tauri::command]
pub async fn grant_requests(
    state: State<'_, AppState>,
    pending_only: bool,
) -> Result<Vec<dto::GrantRequest>> {
    state
        .call(move |m| m.grant_requests(pending_only).map(dto::grant_requests))
        .await
}

/// Exactly which beliefs a request, as narrowed, would disclose, per purpose.
#[tauri::command]
pub async fn preview_request(
    state: State<'_, AppState>,
    id: String,
    narrowing: dto::Narrowing,
) -> Result<Vec<dto::PreviewPurpose>> {
    let narrowing = narrowing.into_domain()?;
    state
        .call(move |m| m.preview_request(&id, &narrowing).map(dto::preview))
        .await
}

/// Approves a request (possibly narrowed) after a native confirmation that repeats the vendor's
/// user code. `false` if the person cancelled.
#[tauri::command]
pub async fn approve_request(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    narrowing: dto::Narrowing,
) -> Result<bool> {
    let narrowing = narrowing.into_domain()?;
    let asked_id = id.clone();
    let asked_narrowing = narrowing.clone();
    let (request, scope) = state
        .call(move |m| {
            let request = m.grant_request(&asked_id)?;
            let scope =
                selfmodel_core::grant::narrow(&request.scope, &asked_narrowing, &m.catalogue()?)?;
            Ok((request, scope))
        })
        .await?;
    let asked = approval_text(
        &request,
        &scope,
        narrowing.duration_days.unwrap_or(request.duration_days),
    );
    if !confirm(&app, "Approve a grant", &asked, "Approve").await {
        return Ok(false);
    }
    state
        .call(move |m| m.approve_request(&id, &narrowing, "app"))
        .await
        .map(|_| true)
}

/// What the native approval dialog says: the whole scope that will be granted, so a page cannot
/// show the person one thing and approve another.
fn approval_text(
    request: &selfmodel_core::GrantRequest,
    scope: &selfmodel_core::Scope,
    days: u32,
) -> String {
    let list =
        |v: &std::collections::BTreeSet<String>| v.iter().cloned().collect::<Vec<_>>().join(", ");
    let origins = if scope.origins.is_empty() {
        "none (apps on this computer only)".to_owned()
    } else {
        list(&scope.origins)
    };
    let operations = scope
        .operations
        .iter()
        .map(|o| o.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let special = if scope.max_sensitivity == selfmodel_core::Sensitivity::Special {
        "included"
    } else {
        "not included"
    };
    let web = request
        .web_origin
        .as_deref()
        .map(|o| format!("\n\nAsked by the web page {o}, not by an app on this computer."))
        .unwrap_or_default();
    format!(
        "Give {} access to your beliefs?\n\nCode: {} (check that the vendor shows it)\n\
         Purposes: {}\nTypes: {}\nOperations: {operations}\nSpecial categories (health, …): \
         {special}\nWeb pages: {origins}\nFor {days} days{web}",
        request.vendor.name,
        request.user_code,
        list(&scope.purposes),
        list(&scope.categories),
    )
}

/// Denies a request.
#[tauri::command]
pub async fn deny_request(state: State<'_, AppState>, id: String) -> Result<()> {
    state.call(move |m| m.deny_request(&id)).await
}

/// Every grant with its use, newest first.
#[tauri::command]
pub async fn list_grants(state: State<'_, AppState>) -> Result<Vec<dto::Grant>> {
    state.call(|m| m.grants().map(dto::grants)).await
}

/// Revokes a grant: refused from the vendor's next request.
#[tauri::command]
pub async fn revoke_grant(state: State<'_, AppState>, id: String) -> Result<()> {
    state.call(move |m| m.revoke_grant(&id)).await
}

/// The access log, oldest first, optionally for one grant.
#[tauri::command]
pub async fn access_log(
    state: State<'_, AppState>,
    grant_id: Option<String>,
) -> Result<Vec<dto::AccessEntry>> {
    let filter = selfmodel::AccessFilter {
        grant_id,
        ..Default::default()
    };
    state
        .call(move |m| m.access_log(&filter).map(dto::access_log))
        .await
}

/// Who received a belief.
#[tauri::command]
pub async fn belief_recipients(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<dto::Recipient>> {
    let id = self::id(&id)?;
    state
        .call(move |m| m.recipients(id).map(dto::recipients))
        .await
}

/// Beliefs vendors proposed, waiting for the person.
#[tauri::command]
pub async fn inbox(state: State<'_, AppState>) -> Result<Vec<dto::BeliefRow>> {
    state.call(|m| m.inbox().map(dto::rows)).await
}

/// Accepts a proposed belief, after the person's edit if they made one (kept in its history).
#[tauri::command]
pub async fn accept_proposal(
    state: State<'_, AppState>,
    id: String,
    edit: Option<dto::RectifyRequest>,
) -> Result<dto::BeliefDetail> {
    let id = self::id(&id)?;
    state
        .call(move |m| {
            if let Some(edit) = edit {
                m.rectify(id, edit.into(), Actor::Person)?;
            }
            m.accept_proposal(id)
        })
        .await
        .map(dto::detail)
}

/// Accepts these proposals in one transaction (all or none), as the person decided; returns
/// how many.
#[tauri::command]
pub async fn accept_proposals(
    state: State<'_, AppState>,
    ids: Vec<String>,
    how: dto::Acceptance,
) -> Result<u32> {
    let ids = ids.iter().map(|s| id(s)).collect::<Result<Vec<_>>>()?;
    state
        .call(move |m| m.accept_proposals(&ids, &how.into()).map(|a| a.len()))
        .await
        .map(count)
}

/// Rejects these proposals in one transaction (all or none); their vendors cannot propose them
/// again. Returns how many.
#[tauri::command]
pub async fn reject_proposals(state: State<'_, AppState>, ids: Vec<String>) -> Result<u32> {
    let ids = ids.iter().map(|s| id(s)).collect::<Result<Vec<_>>>()?;
    state
        .call(move |m| m.reject_proposals(&ids))
        .await
        .map(count)
}

/// The transparency report for the days `from` to `to` (`YYYY-MM-DD`, UTC, both included; open
/// when absent).
#[tauri::command]
pub async fn transparency_report(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
) -> Result<dto::Report> {
    let period = dto::period(from.as_deref(), to.as_deref())?;
    state.call(move |m| m.report(period)).await.map(dto::report)
}

/// Which document to save, and what the save dialog says about it.
struct Document {
    title: &'static str,
    name: &'static str,
    filter: &'static str,
}

/// Asks where to save with a native dialog opened here (the page never names a path), then has
/// the core write `make`'s document there (mode 0600, atomically). `None` if cancelled.
async fn save_document(
    app: &AppHandle,
    state: &AppState,
    doc: Document,
    format: dto::DocumentFormat,
    make: impl FnOnce(&mut Selfmodel, Format) -> selfmodel::Result<String> + Send + 'static,
) -> Result<Option<dto::SavedDocument>> {
    state.call(|_| Ok(())).await?;
    let format = Format::from(format);
    let ext = format.extension();
    let name = format!(
        "{}-{}.{ext}",
        doc.name,
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let Some(path) = save_path(app, doc.title, &name, doc.filter, &[ext]).await else {
        return Ok(None);
    };
    state
        .call(move |m| {
            let text = make(m, format)?;
            // The native dialog has asked before replacing a file.
            let bytes = render::write_private(&path, &text, true)?;
            Ok(dto::SavedDocument {
                path: path.display().to_string(),
                bytes,
            })
        })
        .await
        .map(Some)
}

/// Saves the transparency report for the days `from` to `to` where the person chooses.
#[tauri::command]
pub async fn save_report(
    app: AppHandle,
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
    format: dto::DocumentFormat,
) -> Result<Option<dto::SavedDocument>> {
    let period = dto::period(from.as_deref(), to.as_deref())?;
    let doc = Document {
        title: "Save the transparency report",
        name: "selfmodel-transparency-report",
        filter: "Transparency report",
    };
    save_document(&app, &state, doc, format, move |m, f| {
        Ok(m.report(period)?.render(f))
    })
    .await
}

/// Saves the GDPR Art. 15 access package (its generation is recorded on the audit chain) where
/// the person chooses.
#[tauri::command]
pub async fn save_access_package(
    app: AppHandle,
    state: State<'_, AppState>,
    format: dto::DocumentFormat,
) -> Result<Option<dto::SavedDocument>> {
    let doc = Document {
        title: "Save your access package (GDPR Art. 15)",
        name: "selfmodel-access-package",
        filter: "Access package",
    };
    save_document(&app, &state, doc, format, |m, f| {
        Ok(m.access_package()?.render(f))
    })
    .await
}

/// Saves the CCPA right-to-know disclosure (its generation is recorded on the audit chain)
/// where the person chooses.
#[tauri::command]
pub async fn save_right_to_know(
    app: AppHandle,
    state: State<'_, AppState>,
    format: dto::DocumentFormat,
) -> Result<Option<dto::SavedDocument>> {
    let doc = Document {
        title: "Save your right-to-know disclosure (CCPA)",
        name: "selfmodel-right-to-know",
        filter: "Right-to-know disclosure",
    };
    save_document(&app, &state, doc, format, |m, f| {
        Ok(m.right_to_know()?.render(f))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use selfmodel_core::{GrantRequest, Operation, RequestStatus, Scope, Sensitivity, Vendor};

    #[test]
    fn the_approval_dialog_repeats_the_whole_scope_and_who_asked() {
        let scope = Scope {
            purposes: ["communication".to_owned()].into(),
            categories: ["communication-style".to_owned(), "health".to_owned()].into(),
            operations: [Operation::Read, Operation::Propose].into(),
            max_sensitivity: Sensitivity::Special,
            min_confidence: 0.0,
            origins: ["https://notes-helper.example".to_owned()].into(),
        };
        let request = GrantRequest {
            id: "r".into(),
            vendor: Vendor {
                id: "com.example.writer".into(),
                name: "Writer".into(),
                url: None,
            },
            scope: scope.clone(),
            duration_days: 30,
            vendor_retention_days: 0,
            justification: "j".into(),
            user_code: "ABCD-EFGH".into(),
            status: RequestStatus::Pending,
            created_at: chrono::Utc::now(),
            expires_at: chrono::Utc::now(),
            grant_id: None,
            web_origin: Some("https://notes-helper.example".into()),
        };
        let text = approval_text(&request, &scope, 7);
        for part in [
            "Writer",
            "ABCD-EFGH",
            "Purposes: communication",
            "Types: communication-style, health",
            "Operations: read, propose",
            "Special categories (health, …): included",
            "Web pages: https://notes-helper.example",
            "For 7 days",
            "Asked by the web page https://notes-helper.example",
        ] {
            assert!(text.contains(part), "{part:?} missing from {text}");
        }
        let native = Scope {
            max_sensitivity: Sensitivity::Normal,
            origins: Default::default(),
            ..scope
        };
        let request = GrantRequest {
            web_origin: None,
            ..request
        };
        let text = approval_text(&request, &native, 30);
        assert!(text.contains("not included") && text.contains("apps on this computer only"));
        assert!(!text.contains("Asked by the web page"), "{text}");
    }
}
