//! Black-box harness: the real `selfmodel serve` on a real (demo) vault in a temporary
//! directory, the person's side driven with the real CLI, and the assistant's side a real MCP
//! client (rmcp, `TokioChildProcess`) speaking to the real `selfmodel mcp` over stdio.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation,
    ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::Value;
use tempfile::TempDir;

/// The passphrase of every test vault (given to `serve` and the CLI, never to `mcp`).
pub const PASS: &str = "correct horse battery staple";

/// The `selfmodel` binary: `$SELFMODEL_BIN`, else built (or found up to date) by cargo.
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("SELFMODEL_BIN") {
            return PathBuf::from(p);
        }
        escargot::CargoBuild::new()
            .manifest_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml"))
            .package("selfmodel-cli")
            .bin("selfmodel")
            .current_release()
            .current_target()
            .run()
            .expect("build the selfmodel binary")
            .path()
            .to_owned()
    })
}

/// The bytes of a demo vault, made once per test binary with `selfmodel demo`.
fn demo_template() -> &'static [u8] {
    static TEMPLATE: OnceLock<Vec<u8>> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let out = base_cmd(dir.path(), &path).arg("demo").output().unwrap();
        assert!(
            out.status.success(),
            "demo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(&path).unwrap()
    })
}

fn base_cmd(home: &Path, vault: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.env_remove("SELFMODEL_NEW_PASSPHRASE")
        .env_remove("SELFMODEL_LOG")
        .env("SELFMODEL_VAULT", vault)
        .env("SELFMODEL_PASSPHRASE", PASS)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", home.join("rt"))
        .stdin(Stdio::null());
    cmd
}

/// A running server on its own demo vault.
pub struct Served {
    pub dir: TempDir,
    pub vault: PathBuf,
    pub url: String,
    child: Child,
    assistants: AtomicUsize,
}

impl Served {
    /// `selfmodel serve --port 0` on a copy of the demo vault.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("v.db");
        std::fs::write(&vault, demo_template()).unwrap();
        let rt = dir.path().join("rt");
        std::fs::create_dir(&rt).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&rt, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let stderr = std::fs::File::create(dir.path().join("serve.log")).unwrap();
        let mut child = base_cmd(dir.path(), &vault)
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = loop {
            let Some(Ok(line)) = lines.next() else {
                let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
                panic!("selfmodel serve stopped before listening: {log}");
            };
            if let Some(rest) = line.split("on http://127.0.0.1:").nth(1) {
                break rest.trim().parse::<u16>().unwrap();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            url: format!("http://127.0.0.1:{port}"),
            dir,
            vault,
            child,
            assistants: AtomicUsize::new(0),
        }
    }

    /// The discovery file the server wrote.
    pub fn discovery_path(&self) -> PathBuf {
        self.dir.path().join("rt/selfmodel/api.json")
    }

    /// The CLI on the same vault (a second process), whatever its outcome.
    pub fn cli_output(&self, args: &[&str]) -> Output {
        base_cmd(self.dir.path(), &self.vault)
            .args(args)
            .output()
            .unwrap()
    }

    /// The CLI on the same vault; must succeed; its stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = self.cli_output(args);
        assert!(
            out.status.success(),
            "selfmodel {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The CLI with `--json`, parsed.
    pub fn cli_json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.cli(&a)).unwrap()
    }

    /// Pending grant requests (the person's inbox of requests).
    pub fn pending_requests(&self) -> Vec<Value> {
        self.cli_json(&["grant", "requests"])
            .as_array()
            .unwrap()
            .clone()
    }

    /// The access log entries of a vendor.
    pub fn access_log(&self, vendor: &str) -> Vec<Value> {
        self.cli_json(&["access-log", "--vendor", vendor])
            .as_array()
            .unwrap()
            .clone()
    }

    /// Every belief in the vault (the person's view).
    pub fn all_beliefs(&self) -> Vec<Value> {
        self.cli_json(&["belief", "list"])
            .as_array()
            .unwrap()
            .clone()
    }

    /// The ids the person's own data says a grant over `categories` may disclose for
    /// `purpose`: active, normal, carrying the purpose, at or above the type's minimum.
    pub fn expected(&self, purpose: &str, categories: &[&str]) -> BTreeSet<String> {
        let types = self.cli_json(&["types"]);
        let min = |cat: &str| {
            types
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == cat)
                .and_then(|t| t["min_share_confidence"].as_f64())
                .unwrap()
        };
        self.all_beliefs()
            .iter()
            .filter(|b| b["status"] == "active")
            .filter(|b| categories.contains(&b["category"].as_str().unwrap()))
            .filter(|b| {
                b["purposes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p == purpose)
            })
            .filter(|b| b["sensitivity"] == "normal")
            .filter(|b| b["confidence"].as_f64().unwrap() >= min(b["category"].as_str().unwrap()))
            .map(|b| b["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Starts `selfmodel mcp` (with `extra` arguments and `state` as its state file) and
    /// connects a real MCP client to it over stdio, introducing itself as `name` `version`.
    /// The MCP process gets no passphrase and a vault path that does not exist: it can only
    /// be a vendor of the running API. Its stderr (debug logs) goes to [`Assistant::log`].
    pub async fn assistant(
        &self,
        name: &str,
        version: &str,
        state: &Path,
        extra: &[&str],
    ) -> Assistant {
        let n = self.assistants.fetch_add(1, Ordering::SeqCst);
        let log = self.dir.path().join(format!("mcp-{n}.log"));
        let home = self.dir.path();
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
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
