//! The shared black-box harness (`selfmodel-testkit`: the real `selfmodel serve` on a demo vault,
//! the person's side driven with the real CLI), and the assistant's side: a real MCP client (rmcp,
//! `TokioChildProcess`) speaking to the real `selfmodel mcp` over stdio.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation,
    ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
pub use selfmodel_testkit::*;
use serde_json::Value;

/// How many assistants the tests started: each gets a log file of its own.
static ASSISTANTS: AtomicUsize = AtomicUsize::new(0);

/// Starts `selfmodel mcp` beside `s` (with `extra` arguments and `state` as its state file) and
/// connects a real MCP client to it over stdio, introducing itself as `name` `version`.
/// The MCP process gets no passphrase and a vault path that does not exist: it can only
/// be a vendor of the running API. Its stderr (debug logs) goes to [`Assistant::log`].
pub async fn assistant(
    s: &Served,
    name: &str,
    version: &str,
    state: &Path,
    extra: &[&str],
) -> Assistant {
    let n = ASSISTANTS.fetch_add(1, Ordering::SeqCst);
    let log = s.dir.path().join(format!("mcp-{n}.log"));
    let home = s.dir.path();
    let mut cmd = tokio::process::Command::new(bin());
    cmd.arg("mcp")
        .arg("--state")
        .arg(state)
        .args(extra)
        .env_remove("SELFMODEL_PASSPHRASE")
        .env_remove("SELFMODEL_NEW_PASSPHRASE")
        .env("SELFMODEL_VAULT", home.join("no-such-vault.db"))
        .env("SELFMODEL_LOG", "debug")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", home.join("rt"));
    let (transport, _) = TokioChildProcess::builder(cmd)
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let client = TestClient {
        name: name.to_owned(),
        version: version.to_owned(),
    }
    .serve(transport)
    .await
    .unwrap();
    Assistant { client, log }
}

/// The MCP client's identity, as an assistant application would send it.
#[derive(Clone)]
pub struct TestClient {
    name: String,
    version: String,
}

impl ClientHandler for TestClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new(&self.name, &self.version),
        )
    }
}

/// A connected assistant.
pub struct Assistant {
    pub client: RunningService<RoleClient, TestClient>,
    /// The MCP server's stderr.
    pub log: PathBuf,
}

/// A tool's answer.
#[derive(Debug)]
pub struct Answer {
    pub is_error: bool,
    pub text: String,
}

impl Assistant {
    /// Calls a tool with JSON arguments.
    pub async fn call(&self, tool: &str, args: Value) -> Answer {
        let params = CallToolRequestParams::new(tool.to_owned())
            .with_arguments(args.as_object().cloned().unwrap_or_default());
        let r = self.client.call_tool(params).await.unwrap();
        Answer {
            is_error: r.is_error == Some(true),
            text: r
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// Calls a tool that must answer without an error.
    pub async fn answered(&self, tool: &str, args: Value) -> Answer {
        let answer = self.call(tool, args).await;
        assert!(!answer.is_error, "{tool}: {answer:?}");
        answer
    }

    /// Calls a tool that must answer with an error.
    pub async fn refused(&self, tool: &str, args: Value) -> Answer {
        let answer = self.call(tool, args).await;
        assert!(answer.is_error, "{tool}: {answer:?}");
        answer
    }

    /// Reads a resource's text.
    pub async fn read(&self, uri: &str) -> Result<String, rmcp::ServiceError> {
        let r = self
            .client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await?;
        Ok(r.contents
            .iter()
            .map(|c| match c {
                ResourceContents::TextResourceContents { text, .. } => text.clone(),
                _ => String::new(),
            })
            .collect())
    }

    /// Closes the connection; the MCP server exits.
    pub async fn close(self) -> PathBuf {
        self.client.cancel().await.unwrap();
        self.log
    }
}

/// The user code in a waiting message (`XXXX-XXXX`).
pub fn user_code(text: &str) -> String {
    let at = text
        .find("user code ")
        .unwrap_or_else(|| panic!("no user code in: {text}"));
    text[at + "user code ".len()..].chars().take(9).collect()
}

/// The permission bits of a file or directory.
#[cfg(unix)]
pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}
