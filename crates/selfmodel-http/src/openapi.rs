//! The OpenAPI document, generated from the handlers and wire types.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
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
    modifiers(&Bearer),
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

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The OpenAPI document as pretty JSON, as committed in `docs/openapi.json`.
pub fn document_json() -> String {
    document().to_pretty_json().unwrap_or_default() + "\n"
}
