//! Native dialogs — confirmations, and choosing a file to save or open — opened from Rust so that
//! the webview cannot skip them or pick a path itself: a compromised page can call a command, but
//! it cannot click the dialog the command opens.
//!
//! WebDriver cannot drive native dialogs. A build with the `e2e` feature (made only by
//! `scripts/e2e`) answers them itself when `SELFMODEL_E2E_AUTO_CONFIRM=1`: confirmations are
//! accepted, the save dialog picks `SELFMODEL_E2E_SAVE_DIR/<suggested name>` and the open dialog
//! `SELFMODEL_E2E_OPEN_FILE`. Such a build shows a "test build" banner; other builds ignore all
//! of these variables.

use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::{
    DialogExt, FileDialogBuilder, FilePath, MessageDialogButtons, MessageDialogKind,
};

/// The environment variable that auto-accepts confirmations in an `e2e` build.
pub const AUTO_CONFIRM_ENV: &str = "SELFMODEL_E2E_AUTO_CONFIRM";

/// Whether confirmations are answered "yes" without asking: only in a build with the `e2e`
/// feature (which only `scripts/e2e` makes) *and* with `SELFMODEL_E2E_AUTO_CONFIRM=1`. WebDriver
/// cannot click a native GTK dialog; a normal build ignores the variable entirely.
pub fn auto_confirm() -> bool {
    cfg!(feature = "e2e") && std::env::var_os(AUTO_CONFIRM_ENV).is_some_and(|v| v == "1")
}

/// Asks the person to confirm with a native dialog; `true` only if they press `ok_label`.
pub async fn confirm<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    message: &str,
    ok_label: &str,
) -> bool {
    if auto_confirm() {
        tracing::warn!(
            title,
            "confirmation auto-accepted ({AUTO_CONFIRM_ENV}=1, e2e build)"
        );
        return true;
    }
    let dialog = app
        .dialog()
        .message(message)
        .title(title)
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            ok_label.to_owned(),
            "Cancel".to_owned(),
        ));
    let (tx, rx) = std::sync::mpsc::channel();
    dialog.show(move |ok| {
        let _ = tx.send(ok);
    });
    tauri::async_runtime::spawn_blocking(move || rx.recv().unwrap_or(false))
        .await
        .unwrap_or(false)
}

/// What a file dialog answers: the path chosen, or `None`.
type Chosen = Box<dyn FnOnce(Option<FilePath>) + Send>;

/// Shows a file dialog with `show` (`save_file`, `pick_file`, `pick_folder`) and waits for its
/// answer off the async runtime's workers; the chosen path, or `None` if the person cancels or
/// the dialog goes away unanswered.
async fn chosen_path<R: Runtime>(
    dialog: FileDialogBuilder<R>,
    show: fn(FileDialogBuilder<R>, Chosen),
) -> Option<std::path::PathBuf> {
    let (tx, rx) = std::sync::mpsc::channel();
    show(
        dialog,
        Box::new(move |p| {
            let _ = tx.send(p.and_then(|p| p.into_path().ok()));
        }),
    );
    tauri::async_runtime::spawn_blocking(move || rx.recv().ok().flatten())
        .await
        .ok()
        .flatten()
}

/// In an `e2e` build: the directory the save dialog "chooses" (`SELFMODEL_E2E_SAVE_DIR`).
pub const SAVE_DIR_ENV: &str = "SELFMODEL_E2E_SAVE_DIR";
/// In an `e2e` build: the file the open dialog "chooses" (`SELFMODEL_E2E_OPEN_FILE`).
pub const OPEN_FILE_ENV: &str = "SELFMODEL_E2E_OPEN_FILE";

fn e2e_path(var: &str) -> Option<std::path::PathBuf> {
    if !auto_confirm() {
        return None;
    }
    std::env::var_os(var).map(std::path::PathBuf::from)
}

/// Asks where to save a file with a native dialog, offering `suggested` as its name and
/// `filter` (e.g. "Selfmodel export") for files with these extensions; `None` if the person
/// cancels.
pub async fn save_path<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    suggested: &str,
    filter: &str,
    extensions: &[&str],
) -> Option<std::path::PathBuf> {
    if let Some(dir) = e2e_path(SAVE_DIR_ENV) {
        return Some(dir.join(suggested));
    }
    let dialog = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(suggested)
        .add_filter(filter, extensions);
    chosen_path(dialog, FileDialogBuilder::save_file::<Chosen>).await
}

/// Asks for a file to open with a native dialog; `None` if the person cancels.
pub async fn open_path<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    filter: &str,
    extensions: &[&str],
) -> Option<std::path::PathBuf> {
    if let Some(file) = e2e_path(OPEN_FILE_ENV) {
        return Some(file);
    }
    let dialog = app
        .dialog()
        .file()
        .set_title(title)
        .add_filter(filter, extensions);
    chosen_path(dialog, FileDialogBuilder::pick_file::<Chosen>).await
}

/// Asks for a folder to open with a native dialog; `None` if the person cancelled. An `e2e`
/// build takes the path from [`OPEN_FILE_ENV`] instead, as [`open_path`] does.
pub async fn open_folder<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
) -> Option<std::path::PathBuf> {
    if let Some(dir) = e2e_path(OPEN_FILE_ENV) {
        return Some(dir);
    }
    let dialog = app.dialog().file().set_title(title);
    chosen_path(dialog, FileDialogBuilder::pick_folder::<Chosen>).await
}
