//! Vendors: their grant requests (preview, approve with narrowing, deny), grants, the access log
//! and who received a belief.

use super::*;

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
    let (asked_id, asked_narrowing) = (id.clone(), narrowing.clone());
    let (request, scope) = state
        .call(move |m| m.narrowed_request(&asked_id, &asked_narrowing))
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
    let fresh = if scope.fresh_only {
        "\nOnly beliefs you confirmed within their type's review interval"
    } else {
        ""
    };
    let web = request
        .web_origin
        .as_deref()
        .map(|o| format!("\n\nAsked by the web page {o}, not by an app on this computer."))
        .unwrap_or_default();
    format!(
        "Give {} access to your beliefs?\n\nCode: {} (check that the vendor shows it)\n\
         Purposes: {}\nTypes: {}\nOperations: {operations}\nSpecial categories (health, …): \
         {special}\nWeb pages: {origins}\nFor {days} days{fresh}{web}",
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

/// A page of the access log, newest first: at most `ACTIVITY_PAGE_ENTRIES` entries before
/// entry `before` (the newest when `None`), narrowed to a vendor, a purpose or refusals.
#[tauri::command]
pub async fn access_log(
    state: State<'_, AppState>,
    before: Option<u64>,
    vendor_id: Option<String>,
    purpose: Option<String>,
    denied_only: bool,
) -> Result<dto::AccessPage> {
    let filter = selfmodel::AccessFilter {
        before_seq: before,
        vendor_id,
        purpose,
        denied_only,
        // One more than a page tells whether there are older entries.
        limit: Some(ACTIVITY_PAGE_ENTRIES + 1),
        newest_first: true,
        ..Default::default()
    };
    let mut entries = state.call(move |m| m.access_log(&filter)).await?;
    let more = entries.len() as u64 > ACTIVITY_PAGE_ENTRIES;
    entries.truncate(ACTIVITY_PAGE_ENTRIES as usize);
    Ok(dto::AccessPage {
        entries: dto::access_log(entries),
        more,
    })
}

/// Entries in one page of the Activity screen's timeline.
const ACTIVITY_PAGE_ENTRIES: u64 = 200;

/// What each vendor received over the whole log, optionally under one grant only.
#[tauri::command]
pub async fn received(
    state: State<'_, AppState>,
    grant_id: Option<String>,
) -> Result<Vec<dto::Received>> {
    state
        .call(move |m| m.received(grant_id.as_deref()).map(dto::received))
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
            fresh_only: false,
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
