//! Export and import: the signed file, and memories saved by other assistants.

use super::*;
use selfmodel_core::ErrorCode;

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
    let name = dated_file_name("selfmodel-export", ext);
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
        .ok_or_else(|| IpcError::cancelled("No identity file was chosen."))?;
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
            // Beliefs the secrets screen refuses are left out, and the preview lists them.
            let dry_run = archive::ImportOptions {
                dry_run: true,
                leave_out_sensitive: true,
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
            return Err(IpcError::cancelled("Nothing was imported."));
        }
        let mut raw = [0u8; 32];
        hex::decode_to_slice(&key, &mut raw).map_err(|_| {
            IpcError::new(
                ErrorCode::InvalidField,
                "The file's signing key is not hex.",
            )
        })?;
        trusted = Some(raw);
    }
    if restore_erased {
        let asked = "Bring back the beliefs in this file that you erased or rejected before?";
        if !confirm(&app, "Restore erased beliefs", asked, "Bring them back").await {
            state.keep_import(file);
            return Err(IpcError::cancelled("Nothing was imported."));
        }
    }
    let options = archive::ImportOptions {
        dry_run: false,
        on_conflict: on_conflict.map(Into::into),
        trust_signer: trusted,
        restore_erased,
        leave_out_sensitive: true,
    };
    let (file, result) = state
        .call(move |m| {
            let r = m.import(&file, &options, &());
            Ok((file, r))
        })
        .await?;
    match result {
        Ok(report) => {
            state.forget_file_import();
            Ok(dto::import_outcome(&file, report))
        }
        Err(e) => {
            state.keep_import(file);
            Err(e.into())
        }
    }
}

/// Forgets the file import in progress; memories being imported stay.
#[tauri::command]
pub fn import_cancel(state: State<'_, AppState>) {
    state.forget_file_import();
}

/// Forgets the memories read for an import; a file import in progress stays.
#[tauri::command]
pub fn import_memories_cancel(state: State<'_, AppState>) {
    state.forget_memories();
}

fn no_import() -> IpcError {
    IpcError::new(ErrorCode::NoImport, "Choose a file to import first.")
}

/// Reads memories saved by another assistant — pasted text, or a file (a folder for me.md)
/// chosen in a native dialog — and previews their import: what would be proposed, and what is
/// a duplicate, erased before or refused. Nothing changes until [`import_memories_commit`];
/// `import_memories_cancel` forgets them. `None` if the person cancelled the dialog.
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
    // The memories go to the vault actor for the preview and come back for the commit.
    let (report, memories) = state
        .call(move |m| Ok((m.import_memories(source, &memories, true)?, memories)))
        .await?;
    state.keep_memories(PendingMemories { source, memories });
    Ok(Some(dto::memory_import(report)))
}

/// Proposes the memories previewed by [`import_memories_preview`]: each lands in the inbox,
/// all in one transaction.
#[tauri::command]
pub async fn import_memories_commit(state: State<'_, AppState>) -> Result<dto::MemoryImport> {
    let pending = state
        .take_memories()
        .ok_or_else(|| IpcError::new(ErrorCode::NoImport, "Read the memories to import first."))?;
    state
        .call(move |m| m.import_memories(pending.source, &pending.memories, false))
        .await
        .map(dto::memory_import)
}
