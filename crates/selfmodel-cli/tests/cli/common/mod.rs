//! Helpers shared by the CLI's black-box tests: each test gets its own vault in a temporary
//! directory and runs the real `selfmodel` binary on it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The passphrase of every test vault.
pub const PASS: &str = "correct horse battery staple";

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_selfmodel");

/// The keys of a belief in `--json` output (`belief show` adds `history`).
pub const BELIEF_KEYS: &[&str] = &[
    "confirmed_at",
    "id",
    "statement",
    "category",
    "confidence",
    "purposes",
    "sensitivity",
    "status",
    "evidence",
    "provenance",
    "created_at",
    "updated_at",
    "expires_at",
];

/// The binary with a clean environment: no vault or passphrase variables from the caller, and
/// data and state directories inside `home` so that a test can never touch the real default
/// vault or this machine's rollback witnesses.
pub fn std_cmd(home: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(BIN);
    cmd.env_remove("SELFMODEL_VAULT")
        .env_remove("SELFMODEL_PASSPHRASE")
        .env_remove("SELFMODEL_NEW_PASSPHRASE")
        .env_remove("SELFMODEL_LOG")
        .env_remove("SELFMODEL_STATE_DIR")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"));
    cmd
}

/// A vault path in its own temporary directory, and the commands to run on it.
pub struct TestVault {
    dir: TempDir,
    /// The state directory (`SELFMODEL_STATE_DIR`) with this machine's witnesses: a directory
    /// of its own, so that the vault's directory holds only what a test puts there.
    state: TempDir,
    /// The vault file.
    pub path: PathBuf,
}

impl TestVault {
    /// A temporary directory where the vault `v.db` does not exist yet.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.db");
        Self { dir, state, path }
    }

    /// The state directory the binary keeps this machine's witnesses in.
    pub fn state_dir(&self) -> &Path {
        self.state.path()
    }

    /// A fresh vault made by `selfmodel init`.
    pub fn init() -> Self {
        let v = Self::new();
        let out = v.ok(&["init"]);
        assert!(out.contains("created vault"), "{out}");
        v
    }

    /// A vault holding `bytes` (a copy of a template vault).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let v = Self::new();
        std::fs::write(&v.path, bytes).expect("write vault");
        v
    }

    /// A copy of a vault made once per test binary by `selfmodel demo` (about 40 beliefs).
    pub fn demo() -> Self {
        static TEMPLATE: OnceLock<Vec<u8>> = OnceLock::new();
        let bytes = TEMPLATE.get_or_init(|| {
            let v = Self::new();
            let out = v.ok(&["demo"]);
            assert!(out.contains("demo beliefs"), "{out}");
            assert_no_sidecars(&v.path);
            v.bytes()
        });
        Self::from_bytes(bytes)
    }

    /// The temporary directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `selfmodel --vault <path>` with the test passphrase.
    pub fn cmd(&self) -> Command {
        self.cmd_with(Some(PASS))
    }

    /// `selfmodel --vault <path>` with this passphrase, or none at all.
    pub fn cmd_with(&self, pass: Option<&str>) -> Command {
        Command::from_std(self.std_cmd_with(pass))
    }

    /// As [`TestVault::cmd_with`], as a plain `std::process::Command`.
    pub fn std_cmd_with(&self, pass: Option<&str>) -> std::process::Command {
        let mut cmd = std_cmd(self.dir());
        cmd.env("SELFMODEL_STATE_DIR", self.state_dir())
            .arg("--vault")
            .arg(&self.path);
        if let Some(p) = pass {
            cmd.env("SELFMODEL_PASSPHRASE", p);
        }
        cmd
    }

    /// Runs a command with this passphrase (or none at all); returns what it did.
    pub fn run_with(&self, pass: Option<&str>, args: &[&str]) -> Output {
        self.cmd_with(pass)
            .args(args)
            .output()
            .expect("run selfmodel")
    }

    /// Runs a command that must succeed, silently; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_with(Some(PASS), args)
    }

    /// As [`TestVault::ok`], with this passphrase (or none at all).
    pub fn ok_with(&self, pass: Option<&str>, args: &[&str]) -> String {
        success(&self.run_with(pass, args), args)
    }

    /// As [`TestVault::ok`], with `input` on standard input.
    pub fn ok_with_stdin(&self, args: &[&str], input: impl Into<Vec<u8>>) -> String {
        let out = self
            .cmd()
            .args(args)
            .write_stdin(input)
            .output()
            .expect("run selfmodel");
        success(&out, args)
    }

    /// Runs a command that must succeed and print JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        self.json_with(Some(PASS), args)
    }

    /// As [`TestVault::json`], with this passphrase (or none at all).
    pub fn json_with(&self, pass: Option<&str>, args: &[&str]) -> Value {
        parse_json(&self.ok_with(pass, args), args)
    }

    /// Runs a command that must succeed and print a JSON array; returns its elements.
    pub fn json_array(&self, args: &[&str]) -> Vec<Value> {
        match self.json(args) {
            Value::Array(a) => a,
            other => panic!("{args:?} printed {other}"),
        }
    }

    /// Runs a command that must fail with one `error:` line; returns that line.
    pub fn fail(&self, args: &[&str]) -> String {
        self.fail_with(Some(PASS), args)
    }

    /// As [`TestVault::fail`], with this passphrase (or none at all).
    pub fn fail_with(&self, pass: Option<&str>, args: &[&str]) -> String {
        one_error_line(&self.run_with(pass, args))
    }

    /// Runs a command that clap must refuse as a usage error: exit code 2, stderr starting
    /// with `error:` and no panic, nothing on stdout. Returns stderr.
    pub fn usage_error(&self, args: &[&str]) -> String {
        let out = self.run_with(Some(PASS), args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?} is a usage error: {stderr}"
        );
        assert!(stderr.starts_with("error:"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(out.stdout.is_empty(), "a usage error printed to stdout");
        stderr
    }

    /// Adds a belief; returns its id.
    pub fn add(&self, statement: &str, category: &str, confidence: &str, extra: &[&str]) -> String {
        let mut args = add_args(statement, category, confidence);
        args.extend_from_slice(extra);
        let id = self.ok(&args).trim().to_owned();
        assert_uuid(&id);
        id
    }

    /// `belief list --json` with extra filter arguments.
    pub fn list(&self, filters: &[&str]) -> Vec<Value> {
        let mut args = vec!["belief", "list", "--json"];
        args.extend_from_slice(filters);
        self.json_array(&args)
    }

    /// The ids of the beliefs matching the filters, in listing order.
    pub fn ids(&self, filters: &[&str]) -> Vec<String> {
        self.list(filters)
            .iter()
            .map(|b| b["id"].as_str().expect("id").to_owned())
            .collect()
    }

    /// How many beliefs the vault holds.
    pub fn count(&self) -> usize {
        self.list(&[]).len()
    }

    /// `belief show ID --json`.
    pub fn show(&self, id: &str) -> Value {
        self.json(&["belief", "show", id, "--json"])
    }

    /// `audit verify --json`, which must report an intact chain; returns the event count.
    pub fn verified_events(&self) -> u64 {
        let v = self.json(&["audit", "verify", "--json"]);
        assert_eq!(v["ok"], Value::Bool(true), "{v}");
        assert_hex64(v["head"].as_str().expect("head"));
        v["events"].as_u64().expect("events")
    }

    /// `audit log --json`.
    pub fn audit_log(&self) -> Vec<Value> {
        self.json_array(&["audit", "log", "--json"])
    }

    /// Rectifies a belief: `belief edit ID CHANGES --reason REASON`, which must succeed;
    /// returns its stdout.
    pub fn edit(&self, id: &str, changes: &[&str], reason: &str) -> String {
        self.ok(&edit_args(id, changes, reason))
    }

    /// The entries of a catalogue list (`types` or `purposes`) as `--json` prints them.
    pub fn catalogue(&self, list: &str) -> Vec<Value> {
        self.json_array(&[list, "--json"])
    }

    /// The belief type `id` as `types --json` prints it.
    pub fn belief_type(&self, id: &str) -> Value {
        self.catalogue("types")
            .into_iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("no type {id}"))
    }

    /// The vault file's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).expect("read vault")
    }

    /// The vault opened directly with SQLCipher, as its owner could with the `sqlcipher` shell:
    /// for tampering and for looking at what the CLI cannot show.
    #[allow(clippy::disallowed_methods, clippy::disallowed_types)]
    pub fn sql(&self) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(&self.path).expect("open vault with SQLCipher");
        conn.execute_batch(&format!("PRAGMA key = '{PASS}';"))
            .expect("key");
        conn
    }

    /// Runs one statement on the vault file from outside the CLI (as tampering would), checking
    /// that it changed exactly one row.
    pub fn alter_one_row(&self, sql: &str) {
        let conn = self.sql();
        assert_eq!(conn.execute(sql, []).unwrap(), 1, "{sql}");
        conn.close().unwrap();
    }
}

/// The arguments of `selfmodel belief add` for a belief.
pub fn add_args<'a>(statement: &'a str, category: &'a str, confidence: &'a str) -> Vec<&'a str> {
    vec![
        "belief",
        "add",
        "--statement",
        statement,
        "--category",
        category,
        "--confidence",
        confidence,
    ]
}

/// The arguments of `selfmodel belief edit ID CHANGES --reason REASON`.
pub fn edit_args<'a>(id: &'a str, changes: &[&'a str], reason: &'a str) -> Vec<&'a str> {
    let mut args = vec!["belief", "edit", id];
    args.extend_from_slice(changes);
    args.extend(["--reason", reason]);
    args
}

/// Parses what `what` printed as JSON.
pub fn parse_json(stdout: &str, what: impl std::fmt::Debug) -> Value {
    serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("{what:?} printed invalid JSON ({e}):\n{stdout}"))
}

/// The stdout of a command that must have succeeded with nothing on stderr.
pub fn success(out: &Output, what: impl std::fmt::Debug) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{what:?} failed ({}):\nstdout: {stdout}\nstderr: {stderr}",
        out.status
    );
    assert!(stderr.is_empty(), "{what:?} wrote to stderr: {stderr}");
    stdout
}

/// Asserts a failed command: a non-zero exit and exactly one line on stderr, starting with
/// `error:`, and nothing on stdout. Returns the line.
pub fn one_error_line(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "expected a failure, got success:\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert_ne!(out.status.code(), None, "killed by a signal: {stderr}");
    assert!(
        !stderr.contains("panicked"),
        "the binary panicked: {stderr}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one line on stderr, got:\n{stderr}"
    );
    assert!(
        lines[0].starts_with("error: "),
        "stderr does not start with 'error: ': {stderr}"
    );
    assert!(stdout.is_empty(), "a failed command printed: {stdout}");
    lines[0].to_owned()
}

/// Asserts a lowercase 64-digit hex string.
pub fn assert_hex64(s: &str) {
    assert_eq!(s.len(), 64, "not 64 hex digits: {s}");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "not lowercase hex: {s}"
    );
}

/// Asserts a hyphenated UUID.
pub fn assert_uuid(s: &str) {
    let groups: Vec<&str> = s.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "not a UUID: {s:?}"
    );
    assert!(
        groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit())),
        "not a UUID: {s:?}"
    );
}

/// Parses an RFC 3339 timestamp.
pub fn rfc3339(v: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("timestamp is not a string: {v}"));
    chrono::DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("not RFC 3339 ({e}): {s}"))
}

/// The sorted keys of a JSON object.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// The sorted contract keys of a belief, plus `extra`.
pub fn belief_keys(extra: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = BELIEF_KEYS
        .iter()
        .chain(extra)
        .map(|s| (*s).to_owned())
        .collect();
    k.sort();
    k
}

/// A path with a suffix appended, e.g. the `-wal` file of a vault.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Asserts that no WAL, shared-memory or rollback journal file lies next to `path`.
pub fn assert_no_sidecars(path: &Path) {
    for suffix in ["-wal", "-shm", "-journal"] {
        let p = with_suffix(path, suffix);
        assert!(!p.exists(), "{} was left behind", p.display());
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
