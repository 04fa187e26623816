//! The OpenAPI document, generated from the handlers and wire types.

use std::sync::LazyLock;

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Object, Ref, RefOr, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi};

use crate::routes;
use selfmodel_wire::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Selfmodel vendor API",
        version = "1",
        description = "The local API through which vendors ask for, and use, purpose-bound grants to a person's self-model. Listens on loopback only. Every request except the grant request, the server proof and this document needs `Authorization: Bearer <token>`; every read names a purpose and is logged where the person sees it; revocation takes effect on the next request."
    ),
    paths(
        routes::openapi,
        routes::server_proof,
        routes::request_grant,
        routes::poll,
        routes::my_grant,
        routes::relinquish,
        routes::beliefs,
        routes::belief,
        routes::propose,
        routes::events,
        routes::checkpoint,
    ),
    components(schemas(
        VendorInfo, GrantRequest, GrantRequestReply, PollRequest, PollReply, Consent, Grant,
        Evidence, Belief, BeliefPage, EvidenceIn, Proposal, ProposalReceipt, Event, Events,
        ProofRequest, ProofReply, SignedCheckpoint, Problem, ProblemBody, ErrorCode
    )),
    modifiers(&Bearer, &Unavailable),
    tags(
        (name = "grants", description = "Asking for, holding and giving up a grant"),
        (name = "beliefs", description = "Reading beliefs for a purpose, and proposing new ones"),
        (name = "meta", description = "This document and the server's identity proof"),
    )
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// Every request may answer 429 (the gate's rate), and every operation that reaches the vault
/// 503 (it could not serve or log the request, and served nothing); a 429 and a 503 whose cause
/// passes carry `Retry-After`.
struct Unavailable;

impl Modify for Unavailable {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let retry_after = HeaderBuilder::new()
            .schema(Object::with_type(Type::Integer))
            .description(Some(
                "Seconds after which the same request may succeed: when the caller's rate or its \
                 grant's daily allowance allows it again (429), or when another process's lock \
                 or a failed log write has passed (503)",
            ))
            .build();
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        let unavailable = problem(
            "`unavailable`, `busy`: nothing was served; try again after `Retry-After`. \
             `storage`, `io`, `corrupted`, `invalid_data`, `internal`: the vault is failing or \
             damaged (no `Retry-After`)",
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for op in operations.into_iter().flatten() {
                let responses = &mut op.responses.responses;
                responses
                    .entry("429".into())
                    .or_insert_with(|| problem("`rate_limited`"));
                if path != "/v1/openapi.json" {
                    responses.insert("503".into(), unavailable.clone());
                }
                for status in ["429", "503"] {
                    if let Some(RefOr::T(r)) = responses.get_mut(status) {
                        r.headers.insert("Retry-After".into(), retry_after.clone());
                    }
                }
            }
        }
    }
}

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The OpenAPI document as compact JSON, as the API serves it: built once, since building it
/// takes most of a millisecond and anyone may ask for it.
pub fn document_bytes() -> axum::body::Bytes {
    static DOCUMENT: LazyLock<axum::body::Bytes> =
        LazyLock::new(|| serde_json::to_vec(&document()).unwrap_or_default().into());
    DOCUMENT.clone()
}

/// The OpenAPI document as pretty JSON, as committed in `docs/openapi.json`.
pub fn document_json() -> String {
    document().to_pretty_json().unwrap_or_default() + "\n"
}
