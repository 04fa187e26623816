//! Selfmodel as a Model Context Protocol server (`selfmodel mcp`).
//!
//! An AI assistant (Claude Desktop, Claude Code, Cursor, VS Code, any MCP client) starts
//! `selfmodel mcp` and talks MCP to it over stdin/stdout. The server is an ordinary **vendor** of
//! the person's running Selfmodel (the app's vendor API or `selfmodel serve`): it finds the API
//! through the discovery file, pins the server's identity key, asks the person for a grant named
//! after the MCP client (`mcp:<client name>`, marked as self-asserted), and reads and proposes
//! through `selfmodel-client`. It never opens the vault. Every tool call is one or more vendor
//! requests: purpose-bound, written to the person's access log, and refused past the grant.
//!
//! Tools: `read_beliefs`, `explain_belief`, `propose_belief`, `my_grant`. Resource:
//! `selfmodel://beliefs` (and `selfmodel://beliefs/{purpose}`), the granted slice as Markdown.
//!
//! Until the person approves, every tool answers (without error) with the user code to approve.
//! The token, the pinned key and a pending request's poll secret are kept in a state file
//! (default `<config dir>/selfmodel/mcp/<client>.json`, mode 0600 in a 0700 directory). A
//! revoked or expired grant is noticed on the next call: the token is deleted and the call
//! after that asks again.
//!
//! Logs go to stderr through `tracing` (stdout is the MCP channel); secrets are never logged.

mod config;
mod error;
mod render;
mod server;
mod session;
mod state;

pub use config::{Config, DEFAULT_CATEGORIES, DEFAULT_OPERATIONS, DEFAULT_PURPOSES};
pub use error::Error;
/// The operations a grant may allow (from the vendor SDK).
pub use selfmodel_client::Operation;
pub use server::{
    BELIEFS_URI, EvidenceKind, ExplainBeliefArgs, ProposeBeliefArgs, ReadBeliefsArgs, SelfmodelMcp,
};

use rmcp::ServiceExt;

/// Serves MCP on this process's stdin and stdout until the client closes the connection.
pub async fn serve_stdio(config: Config) -> Result<(), Error> {
    if config.purposes.is_empty() || config.categories.is_empty() || config.operations.is_empty() {
        return Err(Error::Config(
            "name at least one purpose, category and operation".into(),
        ));
    }
    tracing::info!(
        purposes = ?config.purposes,
        categories = ?config.categories,
        "serving MCP on stdio"
    );
    let running = SelfmodelMcp::new(config)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| Error::Transport(e.to_string()))?;
    let reason = running
        .waiting()
        .await
        .map_err(|e| Error::Transport(e.to_string()))?;
    tracing::info!(?reason, "MCP client disconnected");
    Ok(())
}
