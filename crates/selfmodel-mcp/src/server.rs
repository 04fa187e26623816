//! The MCP surface: four tools and one resource, each call an ordinary vendor request.

use std::future::Future;
use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CacheScope, CallToolResult, ContentBlock, Implementation, ListResourceTemplatesResult,
    ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, Resource, ResourceContents, ResourceTemplate, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use selfmodel_client::{BeliefQuery, Client, EvidenceIn, Proposal};
use serde::Deserialize;

use crate::Error;
use crate::config::{ClientIdentity, Config};
use crate::render;
use crate::session::{Access, Session};

/// The resource with the granted slice of the model.
pub const BELIEFS_URI: &str = "selfmodel://beliefs";
/// The same for a named purpose: `selfmodel://beliefs/{purpose}`.
const BELIEFS_TEMPLATE: &str = "selfmodel://beliefs/{purpose}";

/// Most beliefs one `read_beliefs` call returns.
const MAX_LIMIT: u32 = 200;
/// Beliefs returned when the caller names no limit.
const DEFAULT_LIMIT: u32 = 50;

const READ_BELIEFS: &str = "Read what the person's Selfmodel lets you know about them: beliefs \
(one-sentence statements with a type and a confidence) that their grant to you discloses. Use it \
before answering when knowing the person helps: how they like to be addressed, what they already \
know, their goals, interests and preferences. Name the purpose you will use the answer for: \
'communication' to adapt tone, length and level of detail; 'personalisation' to tailor \
suggestions and defaults; another purpose only if your grant has it (see my_grant). Use what you \
read only for that purpose: every read is recorded in the person's access log under it. If the \
answer says it is waiting for approval, tell the person the user code and how to approve, and do \
not keep calling until they have.";

const EXPLAIN_BELIEF: &str = "Explain one belief: its evidence (kind, source, summary, when \
observed), type, confidence and the purposes it may be used for, as far as the person's grant \
lets you see them (evidence needs the read_evidence operation). Use it before relying on a \
belief that matters for your answer, or when the person asks why you think something about them. \
Pass the id from read_beliefs and the same purpose you read it for.";

const PROPOSE_BELIEF: &str = "Propose a new belief about the person to their Selfmodel inbox; \
they accept or reject it, and it is not part of their model until they accept. Use it when the \
person tells you or clearly shows something lasting about themselves that would help future \
answers (a preference, their expertise, a goal, how they like to be addressed). Write one plain \
sentence in the third person (e.g. 'Prefers short answers with code first'), pick its type, give \
your honest confidence from 0 to 1, and summarise the evidence in a few words. Never propose \
secrets, passwords, contact details, identification numbers or health information: Selfmodel \
refuses them. Propose each belief once; a belief the person rejected or erased cannot be proposed \
again.";

const MY_GRANT: &str = "Show what this assistant may do with the person's Selfmodel: the \
purposes it may read for, the belief types it may see, its operations (read, read_evidence, \
propose), the highest sensitivity, and when the grant expires. Call it to find which purpose to \
name, or after a read is refused.";

/// `read_beliefs` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadBeliefsArgs {
    /// The purpose you will use the beliefs for, from your grant: e.g. "communication" (adapt
    /// tone, length, detail) or "personalisation" (tailor suggestions). Required.
    pub purpose: String,
    /// Only this belief type, e.g. "communication-style", "expertise", "goals", "interests",
    /// "preferences".
    #[serde(default)]
    pub category: Option<String>,
    /// Only beliefs whose statement contains this text (case-insensitive).
    #[serde(default)]
    pub query: Option<String>,
    /// Only beliefs at or above this confidence, from 0 to 1.
    #[serde(default)]
    pub min_confidence: Option<f64>,
    /// At most this many beliefs (default 50, at most 200).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `explain_belief` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExplainBeliefArgs {
    /// The belief's id, as read_beliefs returned it.
    pub id: String,
    /// The purpose you read it for (from your grant).
    pub purpose: String,
}

/// How the assistant came to know what it proposes.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// The person said it about themselves.
    Stated,
    /// You saw it in what the person did or asked for.
    #[default]
    Observed,
    /// You concluded it from other things.
    Inferred,
}

impl EvidenceKind {
    fn wire(self) -> selfmodel_client::EvidenceKind {
        match self {
            Self::Stated => selfmodel_client::EvidenceKind::Stated,
            Self::Observed => selfmodel_client::EvidenceKind::Observed,
            Self::Inferred => selfmodel_client::EvidenceKind::Inferred,
        }
    }
}

/// `propose_belief` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ProposeBeliefArgs {
    /// The belief type (category), one your grant covers: e.g. "communication-style",
    /// "expertise", "goals", "interests", "preferences".
    pub category: String,
    /// One plain sentence about the person, in the third person.
    pub statement: String,
    /// Your confidence that it is true, from 0 to 1.
    pub confidence: f64,
    /// A short summary of the evidence (at most 280 characters; no quotes of raw conversation).
    pub evidence_summary: String,
    /// How you know it: "stated" (the person said so), "observed" (default) or "inferred".
    #[serde(default)]
    pub evidence_kind: Option<EvidenceKind>,
    /// Purposes it may be used for (from your grant); default: the belief type's defaults.
    #[serde(default)]
    pub purposes: Option<Vec<String>>,
}

/// The MCP server: a vendor of the person's running Selfmodel, identified by the MCP client's
/// self-asserted name.
#[derive(Clone)]
pub struct SelfmodelMcp {
    session: Arc<Session>,
    tool_router: ToolRouter<Self>,
}

impl std::fmt::Debug for SelfmodelMcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfmodelMcp")
            .field("config", self.session.config())
            .finish_non_exhaustive()
    }
}

impl SelfmodelMcp {
    /// A server that will ask for what `config` names on first use.
    pub fn new(config: Config) -> Self {
        Self {
            session: Arc::new(Session::new(config)),
            tool_router: Self::tool_router(),
        }
    }

    /// Runs `call` with a client holding the grant's token; answers with the waiting message
    /// while there is no grant, and turns refusals into tool errors.
    async fn with_grant<F, Fut>(&self, ctx: &RequestContext<RoleServer>, call: F) -> CallToolResult
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<String, selfmodel_client::Error>>,
    {
        match self.session.access(&identity(ctx)).await {
            Ok(Access::Ready(client)) => match call(client).await {
                Ok(text) => CallToolResult::success(vec![ContentBlock::text(text)]),
                Err(e) => tool_error(self.explain(e.into()).await),
            },
            Ok(Access::Waiting(text)) => CallToolResult::success(vec![ContentBlock::text(text)]),
            Ok(Access::Denied(text)) => tool_error(text),
            Err(e) => tool_error(self.explain(e).await),
        }
    }

    /// Says in plain words why a call failed, and acts on it: a token that stopped working is
    /// forgotten (the next call asks again), a lost connection is re-established next time.
    async fn explain(&self, e: Error) -> String {
        use selfmodel_client::Error as E;
        let api = match e {
            Error::Api(api) => api,
            other => return format!("Selfmodel's MCP server failed: {other}"),
        };
        match &api {
            E::Revoked(p) | E::Expired(p) | E::Unauthorized(p) => {
                if let Err(e) = self.session.forget_grant().await {
                    tracing::error!(error = %e, "could not clear the stored token");
                }
                let why = match &api {
                    E::Revoked(_) => "the person revoked this assistant's grant",
                    E::Expired(_) => "this assistant's grant expired",
                    _ => "Selfmodel no longer knows this assistant's token",
                };
                format!(
                    "Access ended: {why} ({}: {}). The stored token was deleted; stop using what \
                     Selfmodel disclosed under it. The next call asks the person for access \
                     again, with a new user code to approve.",
                    p.code, p.message
                )
            }
            E::Forbidden(p) => format!(
                "Selfmodel refused: {} ({}). Your grant does not cover this; call my_grant to \
                 see which purposes, belief types and operations it allows.",
                p.message, p.code
            ),
            E::NotFound(p) => format!(
                "Not found: {} ({}). The belief may not exist, may not carry that purpose, or \
                 may lie outside your grant.",
                p.message, p.code
            ),
            E::Conflict(p) | E::BadRequest(p) | E::Gone(p) => {
                format!("Selfmodel refused: {} ({}).", p.message, p.code)
            }
            E::Locked(_) => "The person's Selfmodel vault is locked. Ask them to unlock it \
                (the app) or to run `selfmodel serve`; then call again."
                .into(),
            E::Paused(_) => "The person has paused sharing in Selfmodel: nothing is read or \
                proposed until they resume it. Do not ask them to; carry on without it."
                .into(),
            E::RateLimited {
                problem,
                retry_after,
            } => slow_down(problem, *retry_after),
            E::Unavailable {
                retry_after: Some(_),
                ..
            } => "Selfmodel could not serve this just now, and disclosed nothing; wait a \
                  moment and call again."
                .into(),
            E::Transport(_) | E::Discovery(_) => {
                self.session.disconnected().await;
                format!(
                    "Selfmodel is not reachable ({api}). Ask the person to open and unlock the \
                     Selfmodel app with its vendor API on (Settings), or to run `selfmodel \
                     serve`; then call again."
                )
            }
            E::ServerNotTrusted { .. } => {
                self.session.disconnected().await;
                format!("Refused to talk to the server: {api}")
            }
            _ => format!("Selfmodel request failed: {api}"),
        }
    }
}

#[tool_router]
impl SelfmodelMcp {
    #[tool(
        name = "read_beliefs",
        description = READ_BELIEFS,
        annotations(
            title = "Read what Selfmodel lets you know",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    async fn read_beliefs(
        &self,
        Parameters(args): Parameters<ReadBeliefsArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let limit = args.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        Ok(self
            .with_grant(&ctx, |client| async move {
                let mut query = BeliefQuery::new(&args.purpose);
                if let Some(c) = &args.category {
                    query = query.category(c);
                }
                if let Some(m) = args.min_confidence {
                    query = query.min_confidence(m);
                }
                // The server filters by the text, and each page asks for no more than is still
                // wanted: the access log holds exactly what the assistant is shown.
                if let Some(text) = args
                    .query
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    query = query.search(text);
                }
                let (mut found, mut after) = (Vec::new(), None::<String>);
                let (grant_id, more) = loop {
                    let remaining = limit - u32::try_from(found.len()).unwrap_or(limit);
                    let mut page_query = query.clone().limit(remaining);
                    if let Some(a) = &after {
                        page_query = page_query.after(a);
                    }
                    let page = client.beliefs(&page_query).await?;
                    found.extend(page.beliefs);
                    match page.next {
                        Some(next) if found.len() < limit as usize => after = Some(next),
                        next => break (page.grant_id, next.is_some()),
                    }
                };
                Ok(render::beliefs(&found, &args, &grant_id, more))
            })
            .await)
    }

    #[tool(
        name = "explain_belief",
        description = EXPLAIN_BELIEF,
        annotations(
            title = "Explain a belief",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    async fn explain_belief(
        &self,
        Parameters(args): Parameters<ExplainBeliefArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        Ok(self
            .with_grant(&ctx, |client| async move {
                let b = client.belief(&args.id, &args.purpose).await?;
                Ok(render::belief(&b, &args.purpose))
            })
            .await)
    }

    #[tool(
        name = "propose_belief",
        description = PROPOSE_BELIEF,
        annotations(
            title = "Propose a belief to the person's inbox",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = false
        )
    )]
    async fn propose_belief(
        &self,
        Parameters(args): Parameters<ProposeBeliefArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let source = identity(&ctx).evidence_source();
        Ok(self
            .with_grant(&ctx, |client| async move {
                let kind = args.evidence_kind.unwrap_or_default();
                let mut proposal =
                    Proposal::new(&args.statement, &args.category, args.confidence).evidence(
                        EvidenceIn::new(kind.wire(), &source, &args.evidence_summary),
                    );
                if let Some(p) = args.purposes {
                    proposal = proposal.purposes(p);
                }
                let receipt = client.propose(&proposal).await?;
                Ok(format!(
                    "Proposed: belief {} is in the person's Selfmodel inbox as '{}'. It is not \
                     part of their model until they accept it; do not treat it as confirmed.",
                    receipt.id, receipt.status
                ))
            })
            .await)
    }

    #[tool(
        name = "my_grant",
        description = MY_GRANT,
        annotations(
            title = "This assistant's grant",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    async fn my_grant(&self, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, ErrorData> {
        let session = Arc::clone(&self.session);
        Ok(self
            .with_grant(&ctx, |client| async move {
                let grant = client.grant().await?;
                session.remember_grant(&grant).await;
                Ok(render::grant(&grant))
            })
            .await)
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for SelfmodelMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(
            Implementation::new("selfmodel", env!("CARGO_PKG_VERSION")).with_title("Selfmodel"),
        )
        .with_instructions(render::instructions(self.session.config()))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(vec![
            Resource::new(BELIEFS_URI, "beliefs")
                .with_title("What Selfmodel lets this assistant know about the person")
                .with_description(
                    "The beliefs this assistant's grant discloses, read for the grant's first \
                     purpose, as Markdown. Reading it is a purpose-bound request recorded in the \
                     person's access log.",
                )
                .with_mime_type("text/markdown"),
        ]))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(BELIEFS_TEMPLATE, "beliefs-for-purpose")
                .with_title("The granted beliefs for one purpose")
                .with_description(
                    "The beliefs this assistant's grant discloses for the named purpose (one of \
                     the grant's purposes), as Markdown.",
                )
                .with_mime_type("text/markdown"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        let named = parse_uri(&uri)?;
        let markdown = match self.session.access(&identity(&context)).await {
            Ok(Access::Ready(client)) => match self.slice(&client, named).await {
                Ok(md) => md,
                Err(e) => return Err(ErrorData::invalid_request(self.explain(e).await, None)),
            },
            Ok(Access::Waiting(text)) => format!("# Selfmodel\n\n{text}\n"),
            Ok(Access::Denied(text)) => return Err(ErrorData::invalid_request(text, None)),
            Err(e) => return Err(ErrorData::invalid_request(self.explain(e).await, None)),
        };
        // Personal data: never cached by anyone but this client, and stale at once.
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(markdown, uri).with_mime_type("text/markdown"),
        ])
        .with_ttl_ms(0)
        .with_cache_scope(CacheScope::Private)
        .into())
    }
}

impl SelfmodelMcp {
    /// The granted beliefs for `purpose` (default: the first configured purpose the grant
    /// has, else the grant's first) as Markdown.
    async fn slice(&self, client: &Client, purpose: Option<String>) -> Result<String, Error> {
        let grant = self.session.grant(client).await?;
        let purpose = match purpose {
            Some(p) => p,
            None => self
                .session
                .config()
                .purposes
                .iter()
                .find(|p| grant.purposes.contains(p))
                .or(grant.purposes.first())
                .cloned()
                .ok_or_else(|| Error::Config("the grant names no purpose".into()))?,
        };
        let beliefs = client.all_beliefs(&BeliefQuery::new(&purpose)).await?;
        Ok(render::slice(&grant, &purpose, &beliefs))
    }
}

/// `selfmodel://beliefs` (the default purpose) or `selfmodel://beliefs/<purpose>`.
fn parse_uri(uri: &str) -> Result<Option<String>, ErrorData> {
    match uri.strip_prefix(BELIEFS_URI) {
        Some("") => Ok(None),
        Some(rest) => match rest.strip_prefix('/') {
            Some(p) if !p.is_empty() && !p.contains('/') => Ok(Some(p.to_owned())),
            _ => Err(not_found(uri)),
        },
        None => Err(not_found(uri)),
    }
}

fn not_found(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(
        format!("no resource {uri}; try {BELIEFS_URI} or {BELIEFS_URI}/<purpose>"),
        None,
    )
}

fn tool_error(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// Who the MCP client said it is: its `initialize` `clientInfo`, else the per-request client
/// info of newer protocol versions.
fn identity(ctx: &RequestContext<RoleServer>) -> ClientIdentity {
    let info = ctx
        .peer
        .peer_info()
        .map(|i| i.client_info.clone())
        .or_else(|| ctx.meta.client_info());
    match info {
        Some(i) => ClientIdentity {
            name: i.name,
            title: i.title,
            version: i.version,
        },
        None => ClientIdentity::unknown(),
    }
}

/// What an assistant is told when Selfmodel limits it: to wait a moment, or, when the grant's
/// allowance for the day is spent, not to call again before it renews (each refused call is
/// logged where the person sees it).
fn slow_down(
    problem: &selfmodel_client::Problem,
    retry_after: Option<std::time::Duration>,
) -> String {
    match retry_after.map(|d| d.as_secs()) {
        Some(secs) if secs > 60 => format!(
            "Selfmodel refused: {} ({}). Do not call Selfmodel again for {} h {} min; carry on \
             without it.",
            problem.message,
            problem.code,
            secs / 3600,
            secs % 3600 / 60
        ),
        _ => "Selfmodel is limiting how fast this assistant may call; wait a moment and call \
              again."
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn an_assistant_past_its_daily_allowance_is_told_to_stop_until_it_renews() {
        let problem = selfmodel_client::Problem {
            status: 429,
            code: "rate_limited".into(),
            message: "the most in a day; the rest again tomorrow (UTC)".into(),
        };
        let spent = super::slow_down(&problem, Some(Duration::from_secs(5 * 3600 + 7 * 60)));
        assert!(spent.contains("again for 5 h 7 min"), "{spent}");
        assert!(spent.contains("tomorrow (UTC)"), "{spent}");
        let brief = super::slow_down(&problem, Some(Duration::from_secs(2)));
        assert!(brief.contains("wait a moment"), "{brief}");
        assert!(super::slow_down(&problem, None).contains("wait a moment"));
    }
}
