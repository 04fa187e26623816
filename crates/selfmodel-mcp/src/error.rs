//! The crate's one error type.

use std::path::PathBuf;

/// Why the MCP server could not do something.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The vendor API refused or failed (its stable code is in [`selfmodel_client::Error::code`]).
    #[error(transparent)]
    Api(#[from] selfmodel_client::Error),
    /// The state file (token, pinned key, pending request) could not be read or written.
    #[error("state file {}: {message}", path.display())]
    State {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The configuration is unusable (no config directory, an empty purpose list, ...).
    #[error("configuration: {0}")]
    Config(String),
    /// The MCP connection on stdio failed.
    #[error("MCP transport: {0}")]
    Transport(String),
}

impl Error {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &str {
        match self {
            Self::Api(e) => e.code().unwrap_or(match e {
                selfmodel_client::Error::ServerNotTrusted { .. } => "server_not_trusted",
                selfmodel_client::Error::Discovery(_) => "discovery",
                selfmodel_client::Error::Transport(_) => "unreachable",
                _ => "client",
            }),
            Self::State { .. } => "state_file",
            Self::Config(_) => "config",
            Self::Transport(_) => "mcp_transport",
        }
    }

    pub(crate) fn state(path: &std::path::Path, message: impl std::fmt::Display) -> Self {
        Self::State {
            path: path.to_owned(),
            message: message.to_string(),
        }
    }
}
