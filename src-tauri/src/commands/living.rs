//! Keeping the model true: the inbox of proposals (accept, reject, merge duplicates) and reviews.

use super::*;

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
    let ids = belief_ids(&ids)?;
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
        .call(move |m| m.accept_proposal(id, edit.map(Into::into)))
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
    let ids = belief_ids(&ids)?;
    state
        .call(move |m| m.accept_proposals(&ids, &how.into()).map(|a| a.len()))
        .await
        .map(count)
}

/// Rejects these proposals in one transaction (all or none); their vendors cannot propose them
/// again. Returns how many.
#[tauri::command]
pub async fn reject_proposals(state: State<'_, AppState>, ids: Vec<String>) -> Result<u32> {
    let ids = belief_ids(&ids)?;
    state
        .call(move |m| m.reject_proposals(&ids))
        .await
        .map(count)
}
