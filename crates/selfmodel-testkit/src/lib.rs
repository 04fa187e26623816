//! Test support for the black-box tests of the vendor side: the real `selfmodel serve` process on
//! a real (demo) vault in a temporary directory, with the discovery file and socket in a private
//! runtime directory of its own; the person's side driven with the real CLI on the same vault (a
//! second process); and the grant flow through the real Rust SDK, or in process
//! ([`in_process`]). The tests of the client, the MCP server, the server and the CLI share it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub mod in_process;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use selfmodel_client::{
    Approval, Client, Discovery, Grant, GrantRequest, PollStatus, ServerKey, Token,
};
use serde_json::Value;
use tempfile::TempDir;

/// The passphrase of every test vault.
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
pub fn demo_template() -> &'static [u8] {
    static TEMPLATE: OnceLock<Vec<u8>> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let out = person_cmd(dir.path(), &path).arg("demo").output().unwrap();
        assert!(
            out.status.success(),
            "demo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(&path).unwrap()
    })
}

/// The CLI as the person runs it on `vault`, with `home` as its home (data, config, runtime and
/// state directories inside it) and the test passphrase.
pub fn person_cmd(home: &Path, vault: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.env_remove("SELFMODEL_NEW_PASSPHRASE")
        .env_remove("SELFMODEL_LOG")
        .env("SELFMODEL_VAULT", vault)
        .env("SELFMODEL_PASSPHRASE", PASS)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", home.join("rt"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("SELFMODEL_STATE_DIR")
        .stdin(Stdio::null());
    cmd
}

/// A running server on its own demo vault.
pub struct Served {
    /// The home of the server and the CLI (vault, runtime directory, logs).
    pub dir: TempDir,
    /// The vault file.
    pub vault: PathBuf,
    /// The TCP port.
    pub port: u16,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    child: Child,
}

impl Served {
    /// `selfmodel serve --port 0` on a copy of the demo vault.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// The same, with extra `serve` arguments.
    pub fn start_with(extra: &[&str]) -> Self {
        Self::start_on(0, extra)
    }

    /// The same on a given port (0: any free one).
    pub fn start_on(port: u16, extra: &[&str]) -> Self {
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
        let (child, port) = serve(dir.path(), &vault, port, extra);
        Self {
            url: format!("http://127.0.0.1:{port}"),
            dir,
            vault,
            port,
            child,
        }
    }

    /// Stops the server process (killed, as a crash would).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts `selfmodel serve` again on the same vault and port.
    pub fn restart(&mut self) {
        self.stop();
        let (child, port) = serve(self.dir.path(), &self.vault, self.port, &[]);
        assert_eq!(port, self.port);
        self.child = child;
    }

    /// What the server processes wrote to stderr.
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    /// The discovery file the server wrote.
    pub fn discovery_path(&self) -> PathBuf {
        self.dir.path().join("rt/selfmodel/api.json")
    }

    /// The discovery file, read.
    pub fn discovery(&self) -> Discovery {
        Discovery::load(&self.discovery_path()).unwrap()
    }

    /// The key the server proves (as the discovery file names it).
    pub fn key(&self) -> ServerKey {
        self.discovery().server_key().unwrap()
    }

    /// The CLI on the same vault (a second process), whatever its outcome.
    pub fn cli_output(&self, args: &[&str]) -> Output {
        person_cmd(self.dir.path(), &self.vault)
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

    /// The access log as JSON entries.
    pub fn access_log(&self, filter: &[&str]) -> Vec<Value> {
        let mut a = vec!["access-log"];
        a.extend_from_slice(filter);
        self.cli_json(&a).as_array().unwrap().clone()
    }

    /// The access log with each entry repeated once for every request it counts (a request
    /// repeated within its minute is counted on the same entry): one item per request.
    pub fn requests_logged(&self, filter: &[&str]) -> Vec<Value> {
        self.access_log(filter)
            .into_iter()
            .flat_map(|e| {
                let n = e["requests"].as_u64().unwrap_or(1) as usize;
                std::iter::repeat_n(e, n)
            })
            .collect()
    }

    /// Every belief in the vault (the person's view).
    pub fn all_beliefs(&self) -> Vec<Value> {
        self.cli_json(&["belief", "list"])
            .as_array()
            .unwrap()
            .clone()
    }

    /// The id of the belief whose statement is `statement`.
    pub fn belief_id(&self, statement: &str) -> String {
        self.all_beliefs()
            .iter()
            .find(|b| b["statement"] == statement)
            .unwrap_or_else(|| panic!("no belief '{statement}'"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The vault opened directly with SQLCipher, beside the server: for tests that make time pass
    /// by writing older times into it (the server sees the commit, as any other process's).
    #[allow(clippy::disallowed_methods, clippy::disallowed_types)]
    pub fn sql(&self) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(&self.vault).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA key = '{PASS}'; PRAGMA busy_timeout = 10000;"
        ))
        .unwrap();
        conn
    }

    /// A client paired through the discovery file.
    pub async fn paired(&self) -> Client {
        Client::pair(&self.discovery()).await.unwrap().0
    }

    /// Runs the grant flow: request, approve from the CLI with `approve` narrowing, claim.
    pub async fn vendor(&self, request: &GrantRequest, approve: &[&str]) -> (Client, Grant) {
        let (client, a) = self.approval(request, approve).await;
        (client.with_token(a.token), a.grant)
    }

    /// The grant flow, returning the paired client (without token) and the approval.
    pub async fn approval(&self, request: &GrantRequest, approve: &[&str]) -> (Client, Approval) {
        let client = self.paired().await;
        let pending = client.request_grant(request).await.unwrap();
        let mut args = vec!["grant", "approve", pending.request_id.as_str()];
        args.extend_from_slice(approve);
        self.cli(&args);
        match client.poll_once(&pending).await.unwrap() {
            PollStatus::Approved(a) => (client, *a),
            other => panic!("expected approval, got {other:?}"),
        }
    }

    /// A client with a token, for a grant over all normal categories and the given purposes.
    pub async fn reader(&self, vendor: &str, purposes: &[&str]) -> (Client, Grant) {
        self.vendor(
            &GrantRequest::new(vendor, vendor, "tests")
                .purposes(purposes.iter().copied())
                .categories(NORMAL_CATEGORIES.iter().copied()),
            &[],
        )
        .await
    }
}

/// Spawns `selfmodel serve` on `vault` and waits until it listens; returns it with its port.
/// Its stderr is appended to `serve.log` in `home`.
fn serve(home: &Path, vault: &Path, port: u16, extra: &[&str]) -> (Child, u16) {
    let log = home.join("serve.log");
    let stderr = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .unwrap();
    let mut child = person_cmd(home, vault)
        .args(["serve", "--port", &port.to_string()])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port = loop {
        let Some(Ok(line)) = lines.next() else {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("selfmodel serve stopped before listening: {log}");
        };
        if let Some(rest) = line.split("on http://127.0.0.1:").nth(1) {
            break rest.trim().parse::<u16>().unwrap();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, port)
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo catalogue's normal (non-special) categories.
pub const NORMAL_CATEGORIES: &[&str] = &[
    "communication-style",
    "context",
    "expertise",
    "goals",
    "interests",
    "preferences",
    "routines",
    "values",
];

/// A token that was never issued, in the right shape.
pub fn bogus_token() -> Token {
    Token::new(format!("smt_{}_{}", "0".repeat(16), "0".repeat(64)))
}

/// Waits until `f` holds (checked every 100 ms; gives up after a minute, however loaded the
/// machine is).
pub async fn eventually(mut f: impl AsyncFnMut() -> bool) {
    for _ in 0..600 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("condition never held");
}

impl Served {
    /// The ids the person's own data says a grant over `categories` (normal, or special too)
    /// may disclose for `purpose`: active, carrying the purpose, at or above the type's minimum.
    pub fn expected(&self, purpose: &str, categories: &[&str], special: bool) -> BTreeSet<String> {
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
            .filter(|b| special || b["sensitivity"] == "normal")
            .filter(|b| b["confidence"].as_f64().unwrap() >= min(b["category"].as_str().unwrap()))
            .map(|b| b["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// The ids of beliefs.
pub fn ids(beliefs: &[selfmodel_client::Belief]) -> BTreeSet<String> {
    beliefs.iter().map(|b| b.id.clone()).collect()
}
