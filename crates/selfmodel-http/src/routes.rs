//! The v1 handlers. Each one turns wire input into a use-case call on the vault actor and the
//! result back into wire output; grant checks and access logging happen in the use case.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use selfmodel::{Credential, GrantAsk, PollOutcome, VendorRead};
use selfmodel_core::{BeliefId, ErrorCode, NewBelief, NewEvidence, Scope, Vendor};
use zeroize::Zeroizing;

use crate::actor::VaultHandle;
use crate::defences::bearer;
use crate::page;
use crate::problem::ApiError;
use crate::wire::{self, *};

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The vault actor.
    pub vault: VaultHandle,
    /// With the benchmark baseline on: the last `GET /v1/beliefs` body, replayed from memory.
    pub replay: Option<Arc<Mutex<Bytes>>>,
}

/// JSON body extractor whose rejections are 400 naming the problem (unknown field, wrong type),
/// 413 for oversized bodies and 415 for a wrong content type.
pub struct StrictJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for StrictJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "send Content-Type: application/json",
            )),
            Err(JsonRejection::BytesRejection(_)) => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BodyTooLarge,
                format!("bodies are limited to {} bytes", crate::MAX_BODY),
            )),
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidJson,
                e.body_text(),
            )),
        }
    }
}

/// Query extractor whose rejections are 400 naming the problem.
pub struct StrictQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for StrictQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(e @ QueryRejection::FailedToDeserializeQueryString(_)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidQuery,
                e.body_text(),
            )),
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidQuery,
                e.body_text(),
            )),
        }
    }
}

fn credential(headers: &HeaderMap) -> Credential {
    Credential {
        secret: Zeroizing::new(bearer(headers).unwrap_or_default().to_owned()),
        origin: origin(headers),
    }
}

fn origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned)
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidField,
        format!("invalid {field}: {message}"),
    )
}

fn parse_id(s: &str) -> Result<BeliefId, ApiError> {
    s.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadId,
            format!("'{s}' is not a belief id"),
        )
    })
}

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "meta", responses((status = 200, description = "The OpenAPI 3.1 document")))]
pub async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document_bytes(),
    )
}

/// Proves the server holds the vault's identity key: sign a fresh nonce. Carries no token so that
/// a client can check the server before it sends one (port-squatting defence).
#[utoipa::path(post, path = "/v1/server-proof", tag = "meta", request_body = ProofRequest,
    responses((status = 200, body = ProofReply), (status = 400, body = Problem, description = "`invalid_json`, `invalid_field`"), (status = 423, body = Problem, description = "`vault_locked`")))]
pub async fn server_proof(
    State(s): State<AppState>,
    StrictJson(body): StrictJson<ProofRequest>,
) -> Result<Json<ProofReply>, ApiError> {
    let nonce = hex::decode(&body.nonce)
        .ok()
        .filter(|n| (16..=64).contains(&n.len()))
        .ok_or_else(|| bad("nonce", "must be 16 to 64 bytes of hex".into()))?;
    let (public_key, signature) = s
        .vault
        .call(move |m| {
            let id = m.identity()?;
            Ok((
                id.public_key_hex(),
                hex::encode(id.sign(&proof_message(&nonce))),
            ))
        })
        .await?;
    Ok(Json(ProofReply {
        public_key,
        signature,
    }))
}

/// Asks the person for a grant (OAuth device flow style): show the user code, then poll. A web
/// page may ask only when the person has turned web vendors on (else 403 `web_vendors_off`), and
/// one web origin may have only a few requests waiting (429 `too_many_pending`).
#[utoipa::path(post, path = "/v1/grant-requests", tag = "grants", request_body = GrantRequest,
    responses((status = 201, body = GrantRequestReply), (status = 400, body = Problem, description = "`invalid_json`, `invalid_field`, `unknown_category`, `unknown_purpose`, `sensitive_data`"), (status = 403, body = Problem, description = "`web_vendors_off`, `origin_not_allowed`"), (status = 413, body = Problem, description = "`body_too_large`"), (status = 423, body = Problem, description = "`vault_locked`"), (status = 429, body = Problem, description = "`rate_limited`, `too_many_pending`")))]
pub async fn request_grant(
    State(s): State<AppState>,
    headers: HeaderMap,
    StrictJson(body): StrictJson<GrantRequest>,
) -> Result<(StatusCode, Json<GrantRequestReply>), ApiError> {
    let operations: BTreeSet<_> = body.operations.into_iter().map(domain_operation).collect();
    let max_sensitivity = domain_sensitivity(body.max_sensitivity.unwrap_or_default());
    let ask = GrantAsk {
        vendor: Vendor {
            id: body.vendor.id,
            name: body.vendor.name,
            url: body.vendor.url,
        },
        scope: Scope {
            purposes: body.purposes.into_iter().collect(),
            categories: body.categories.into_iter().collect(),
            operations,
            max_sensitivity,
            min_confidence: body.min_confidence.unwrap_or(0.0),
            origins: body.origins.into_iter().collect(),
            fresh_only: body.fresh_only,
        },
        duration_days: body.duration_days,
        vendor_retention_days: body.vendor_retention_days,
        justification: body.justification,
    };
    let origin = origin(&headers);
    let issued = s
        .vault
        .call(move |m| m.request_grant(ask, origin.as_deref()))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(GrantRequestReply {
            request_id: issued.request.id.clone(),
            user_code: issued.request.user_code.clone(),
            poll_secret: issued.poll_secret.as_str().to_owned(),
            expires_at: issued.request.expires_at,
            interval: issued.interval_secs,
        }),
    ))
}

/// Polls a grant request; on approval the bearer token is returned this once.
#[utoipa::path(post, path = "/v1/grant-requests/poll", tag = "grants", request_body = PollRequest,
    responses((status = 200, body = PollReply), (status = 400, body = Problem, description = "`invalid_json`"), (status = 401, body = Problem, description = "`invalid_poll_secret`, `token_revoked`"), (status = 410, body = Problem, description = "`token_already_issued`"), (status = 423, body = Problem, description = "`vault_locked`"), (status = 429, body = Problem, description = "`rate_limited`")))]
pub async fn poll(
    State(s): State<AppState>,
    headers: HeaderMap,
    StrictJson(body): StrictJson<PollRequest>,
) -> Result<Json<PollReply>, ApiError> {
    let cred = Credential {
        secret: Zeroizing::new(body.poll_secret),
        origin: origin(&headers),
    };
    let outcome = s.vault.call(move |m| m.poll_grant(&cred)).await?;
    let undecided = |status| PollReply {
        status,
        token: None,
        grant: None,
        checkpoint: None,
    };
    let out = match outcome {
        PollOutcome::Pending => undecided(PollState::Pending),
        PollOutcome::Denied => undecided(PollState::Denied),
        PollOutcome::Expired => undecided(PollState::Expired),
        PollOutcome::Approved {
            token,
            grant,
            checkpoint,
        } => PollReply {
            status: PollState::Approved,
            token: Some(token.as_str().to_owned()),
            grant: Some(wire::grant(&grant)),
            checkpoint: Some(*checkpoint),
        },
    };
    Ok(Json(out))
}

/// The caller's own grant.
#[utoipa::path(get, path = "/v1/grant", tag = "grants", security(("bearer" = [])),
    responses((status = 200, body = Grant), (status = 401, body = Problem, description = "`invalid_token`, `token_revoked`, `token_expired`"), (status = 423, body = Problem, description = "`vault_locked`, `paused`"), (status = 429, body = Problem, description = "`rate_limited`")))]
pub async fn my_grant(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Grant>, ApiError> {
    let cred = credential(&headers);
    let grant = s.vault.call(move |m| m.vendor_grant(&cred)).await?;
    Ok(Json(wire::grant(&grant)))
}

/// Gives up the caller's grant: its token stops working at once.
#[utoipa::path(delete, path = "/v1/grant", tag = "grants", security(("bearer" = [])),
    responses((status = 204, description = "Given up"), (status = 401, body = Problem, description = "`invalid_token`, `token_revoked`, `token_expired`"), (status = 423, body = Problem, description = "`vault_locked`")))]
pub async fn relinquish(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let cred = credential(&headers);
    s.vault.call(move |m| m.vendor_relinquish(&cred)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Beliefs for a declared purpose: active, carrying the purpose, in granted categories and
/// sensitivity, at or above the type's and the grant's minimum confidence. Logged before sent.
#[utoipa::path(get, path = "/v1/beliefs", tag = "beliefs", params(BeliefQuery), security(("bearer" = [])),
    responses((status = 200, body = BeliefPage), (status = 400, body = Problem, description = "`invalid_query`, `bad_id`"), (status = 401, body = Problem, description = "`invalid_token`, `token_revoked`, `token_expired`"), (status = 403, body = Problem, description = "`operation_not_granted`, `purpose_not_granted`, `category_not_granted`, `origin_not_allowed`"), (status = 423, body = Problem, description = "`vault_locked`, `paused`"), (status = 429, body = Problem, description = "`rate_limited`")))]
pub async fn beliefs(
    State(s): State<AppState>,
    headers: HeaderMap,
    StrictQuery(q): StrictQuery<BeliefQuery>,
) -> Result<Response, ApiError> {
    let read = VendorRead {
        purpose: q.purpose,
        category: q.category,
        min_confidence: q.min_confidence,
        fresh: q.fresh.unwrap_or(false),
        q: q.q,
        belief: None,
        after: q.after.as_deref().map(parse_id).transpose()?,
        limit: q.limit.map(u64::from),
    };
    disclose(&s, &headers, read).await
}

/// One belief for a declared purpose, under the same rules.
#[utoipa::path(get, path = "/v1/beliefs/{id}", tag = "beliefs", params(("id" = String, Path, description = "Belief id"), PurposeQuery), security(("bearer" = [])),
    responses((status = 200, body = Belief), (status = 401, body = Problem, description = "`invalid_token`, `token_revoked`, `token_expired`"), (status = 403, body = Problem, description = "`operation_not_granted`, `purpose_not_granted`, `category_not_granted`, `origin_not_allowed`"), (status = 404, body = Problem, description = "`not_found`"), (status = 423, body = Problem, description = "`vault_locked`, `paused`"), (status = 429, body = Problem, description = "`rate_limited`")))]
pub async fn belief(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    StrictQuery(q): StrictQuery<PurposeQuery>,
) -> Result<Json<Belief>, ApiError> {
    let read = VendorRead {
        purpose: q.purpose,
        belief: Some(parse_id(&id)?),
        ..Default::default()
    };
    let d = s.vault.read(credential(&headers), read).await?;
    let b = d.beliefs.first().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no such belief under this grant",
        )
    })?;
    Ok(Json(wire::belief(b)))
}

async fn disclose(
    s: &AppState,
    headers: &HeaderMap,
    read: VendorRead,
) -> Result<Response, ApiError> {
    let page = s.vault.read(credential(headers), read).await?;
    let body = page::shared_body(&page)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, e))?;
    if let Some(mut r) = s.replay.as_ref().and_then(|r| r.lock().ok()) {
        *r = body.clone();
    }
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Benchmark baseline (only with `--bench-baseline`): the last beliefs response, from memory,
/// with no vault access and no logging.
pub async fn replay(State(s): State<AppState>) -> Response {
    let body = s
        .replay
        .as_ref()
        .and_then(|r| r.lock().ok().map(|b| b.clone()))
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Proposes a belief; it waits in the person's inbox. A belief the person erased or rejected
/// before gets the same answer and is dropped unseen: the answer never tells what was erased.
#[utoipa::path(post, path = "/v1/beliefs/proposals", tag = "beliefs", request_body = Proposal, security(("bearer" = [])),
    responses((status = 201, body = ProposalReceipt), (status = 400, body = Problem, description = "`invalid_json`, `invalid_field`, `unknown_category`, `unknown_purpose`, `purpose_not_allowed`, `sensitive_data`"), (status = 401, body = Problem, description = "`invalid_token`, `token_revoked`, `token_expired`"), (status = 403, body = Problem, description = "`operation_not_granted`, `purpose_not_granted`, `category_not_granted`, `origin_not_allowed`"), (status = 413, body = Problem, description = "`body_too_large`"), (status = 423, body = Problem, description = "`vault_locked`, `paused`"), (status = 429, body = Problem, description = "`rate_limited`, `too_many_proposals`")))]
pub async fn propose(
    State(s): State<AppState>,
    headers: HeaderMap,
    StrictJson(body): StrictJson<Proposal>,
) -> Result<(StatusCode, Json<ProposalReceipt>), ApiError> {
    let evidence = body
        .evidence
        .into_iter()
        .map(|e| NewEvidence {
            kind: domain_evidence_kind(e.kind),
            source: e.source,
            summary: e.summary,
            observed_at: e.observed_at,
            content_sha256: e.content_sha256,
        })
        .collect();
    let new = NewBelief {
        statement: body.statement,
        category: body.category,
        confidence: body.confidence,
        purposes: body.purposes.into_iter().collect(),
        sensitivity: None,
        evidence,
    };
    let cred = credential(&headers);
    let b = s.vault.call(move |m| m.vendor_propose(&cred, new)).await?;
    Ok((
        StatusCode::CREATED,
        Json(ProposalReceipt {
            id: b.id.to_string(),
            status: ProposalStatus::Pending,
        }),
    ))
}

/// Notices about beliefs the caller received and about its grant (GDPR Art. 19): rectified,
/// erased, revoked. Long-polls up to `wait` seconds.
#[utoipa::path(get, path = "/v1/events", tag = "grants", params(EventsQuery), security(("bearer" = [])),
    responses((status = 200, body = Events), (status = 401, body = Problem, description = "`invalid_token`, `token_revoked`, `token_expired`"), (status = 423, body = Problem, description = "`vault_locked`")))]
pub async fn events(
    State(s): State<AppState>,
    headers: HeaderMap,
    StrictQuery(q): StrictQuery<EventsQuery>,
) -> Result<Json<Events>, ApiError> {
    let after = q.after.unwrap_or(0);
    let cred = credential(&headers);
    let (grant_id, mut found) = s.vault.call(move |m| m.vendor_events(&cred, after)).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(q.wait.unwrap_or(0).min(25));
    while found.is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let g = grant_id.clone();
        found = s.vault.call(move |m| m.events_since(&g, after)).await?;
    }
    let cursor = found.last().map_or(after, |e| e.seq);
    Ok(Json(Events {
        events: found.iter().map(event).collect(),
        cursor,
    }))
}

/// The vault's signed audit checkpoint: the latest, or with `seq` the vault's current statement
/// of that event's hash. Keep them as receipts and compare later ones with earlier ones. Logged
/// as `audit.checkpoint`; needs a live grant but no purpose, and discloses no belief.
#[utoipa::path(get, path = "/v1/checkpoint", tag = "grants", params(CheckpointQuery), security(("bearer" = [])),
    responses((status = 200, body = SignedCheckpoint), (status = 400, body = Problem, description = "`invalid_query`"), (status = 401, body = Problem, description = "`invalid_token`, `token_revoked`, `token_expired`"), (status = 404, body = Problem, description = "`not_found`"), (status = 423, body = Problem, description = "`vault_locked`, `paused`"), (status = 429, body = Problem, description = "`rate_limited`")))]
pub async fn checkpoint(
    State(s): State<AppState>,
    headers: HeaderMap,
    StrictQuery(q): StrictQuery<CheckpointQuery>,
) -> Result<Json<SignedCheckpoint>, ApiError> {
    let cred = credential(&headers);
    let cp = s
        .vault
        .call(move |m| m.vendor_checkpoint(&cred, q.seq))
        .await?;
    Ok(Json(cp))
}

/// Unknown routes: a JSON 404.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NoRoute,
        "no such endpoint; see /v1/openapi.json",
    )
}
