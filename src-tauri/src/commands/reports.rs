//! The transparency report and the data-subject packages, shown or saved.

use super::*;

/// The transparency report for the days `from` to `to` (`YYYY-MM-DD`, UTC, both included; open
/// when absent).
#[tauri::command]
pub async fn transparency_report(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
) -> Result<dto::ReportDocument> {
    let period = selfmodel::report::Period::parse(from.as_deref(), to.as_deref())?;
    state.call(move |m| m.report(period)).await
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
    let ext = format.extension();
    let name = dated_file_name(doc.name, ext);
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
    let period = selfmodel::report::Period::parse(from.as_deref(), to.as_deref())?;
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
