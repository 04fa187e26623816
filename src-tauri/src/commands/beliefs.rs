//! The model itself: the catalogue, beliefs (list, read, add, rectify, delete), retention and the
//! audit chain.

use super::*;
use selfmodel_core::{AuditAction, ErrorCode};

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
        let mut r = guard(&RECENT_DELETES);
        r.retain(|t| t.elapsed() < DELETE_WINDOW);
        r.len()
    };
    if recent + n <= BULK_DELETE_CONFIRM {
        let mut r = guard(&RECENT_DELETES);
        r.extend(std::iter::repeat_n(std::time::Instant::now(), n));
        return Ok(());
    }
    let asked = format!(
        "Delete {n} more belief{}, with evidence and history? {recent} were deleted in the last \
         few minutes. This cannot be undone.",
        if n == 1 { "" } else { "s" }
    );
    if !confirm(app, "Delete beliefs", &asked, "Delete").await {
        return Err(IpcError::cancelled("Nothing was deleted."));
    }
    guard(&RECENT_DELETES).clear();
    Ok(())
}

/// Deletes several beliefs in one transaction (all or none); returns how many. See
/// `confirm_deletes`.
#[tauri::command]
pub async fn delete_beliefs(
    app: AppHandle,
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> Result<u32> {
    let ids = belief_ids(&ids)?;
    confirm_deletes(&app, ids.len()).await?;
    state.call(move |m| m.delete_beliefs(&ids)).await.map(count)
}

/// Recomputes the audit chain.
#[tauri::command]
pub async fn verify_audit(state: State<'_, AppState>) -> Result<dto::AuditVerdict> {
    state.call(|m| m.verify_audit()).await.map(Into::into)
}

/// A page of the audit log, newest first: the events before event `before` (the newest when
/// `None`), only `action`'s when given (see `selfmodel::AUDIT_PAGE_EVENTS`).
#[tauri::command]
pub async fn audit_log(
    state: State<'_, AppState>,
    before: Option<u64>,
    action: Option<String>,
) -> Result<dto::AuditPage> {
    let action = match action {
        None => None,
        Some(a) => Some(AuditAction::parse(&a).ok_or_else(|| {
            IpcError::new(ErrorCode::InvalidField, "there is no such audit action")
        })?),
    };
    state
        .call(move |m| m.audit_page(before, action))
        .await
        .map(|(events, more)| dto::AuditPage {
            events: dto::audit_events(events),
            more,
        })
}

/// The name of every action the audit log records, for filtering it.
#[tauri::command]
pub fn audit_actions() -> Vec<String> {
    AuditAction::ALL
        .iter()
        .map(|a| a.as_str().to_owned())
        .collect()
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
    let change = state
        .call(move |m| m.retention_change(&asked_type, days))
        .await?;
    let (current, erased) = (change.current_days, change.erased_at_once);
    // Any shortening is confirmed, not only one that erases now: a page could otherwise set a
    // retention just past the oldest belief and let time do the rest.
    if days < current {
        let asked = format!(
            "Keep beliefs of this type for {days} days instead of {current}? {erased} of them are \
             older than that and will be erased at the next retention run; the others will be \
             erased sooner. This cannot be undone."
        );
        if !confirm(&app, "Shorten retention", &asked, "Shorten and erase").await {
            return Err(IpcError::cancelled("The retention was not changed."));
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
/// Returns how many log entries were folded (an entry may stand for several requests).
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
            return Err(IpcError::cancelled(
                "The access log's retention was not changed.",
            ));
        }
    }
    let done = state
        .call(move |m| m.set_access_log_retention(days))
        .await?;
    Ok(done.entries)
}
