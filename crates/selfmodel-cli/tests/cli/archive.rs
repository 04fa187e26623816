#![allow(missing_docs, clippy::unwrap_used)]
//! `selfmodel export` / `export verify` / `import` through the real binary on real vault files:
//! lossless round trips, signatures, passphrase files, conflicts, and every bad input refused
//! with a one-line error and the vault left as it was. Every export these tests make is
//! validated against docs/export.schema.json. The helpers here serve `exports.rs` too.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

use crate::common::edit_args;

pub(crate) const PASS: &str = "vault passphrase for tests";
pub(crate) const FILE_PASS: &str = "export passphrase for tests";

pub(crate) struct Env {
    dir: TempDir,
}

impl Env {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The demo vault `a.db` exported plainly to `a.json`, and a new empty vault `b.db` to
    /// import it into.
    pub(crate) fn exported_and_empty() -> Self {
        let env = Self::new();
        env.demo("a.db");
        env.export("a.db", "a.json", &[]);
        env.ok("b.db", &["init"]);
        env
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `selfmodel` on vault `vault` (a file name in the temp dir).
    pub(crate) fn sm(&self, vault: &str) -> Command {
        let mut c = Command::cargo_bin("selfmodel").unwrap();
        c.current_dir(self.dir.path())
            .env("SELFMODEL_VAULT", self.path(vault))
            .env("SELFMODEL_PASSPHRASE", PASS)
            .env("SELFMODEL_EXPORT_SCRYPT_LOG_N", "10")
            .env_remove("SELFMODEL_EXPORT_PASSPHRASE")
            .env_remove("SELFMODEL_LOG");
        c
    }

    /// Runs `selfmodel args` on `vault`, which must succeed; returns its stdout.
    pub(crate) fn ok(&self, vault: &str, args: &[&str]) -> String {
        Self::succeeded(&mut self.sm(vault), args)
    }

    /// As [`Env::ok`], with the export passphrase given.
    pub(crate) fn ok_with_file_pass(&self, vault: &str, args: &[&str]) -> String {
        Self::succeeded(
            self.sm(vault).env("SELFMODEL_EXPORT_PASSPHRASE", FILE_PASS),
            args,
        )
    }

    /// Runs `cmd args`, which must succeed; returns its stdout.
    pub(crate) fn succeeded(cmd: &mut Command, args: &[&str]) -> String {
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "selfmodel {args:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs `selfmodel args` on `vault`, which must fail; returns its one-line error.
    pub(crate) fn fail(&self, vault: &str, args: &[&str]) -> String {
        let mut c = self.sm(vault);
        c.args(args);
        self.fails(c)
    }

    /// Runs a command that must fail; returns its one-line error.
    pub(crate) fn fails(&self, mut cmd: Command) -> String {
        let out = cmd.output().unwrap();
        assert!(!out.status.success(), "expected a failure");
        let err = String::from_utf8(out.stderr).unwrap();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "one line of error, got: {err}");
        assert!(lines[0].starts_with("error: "), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        lines[0].to_owned()
    }

    pub(crate) fn json(&self, vault: &str, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(vault, args)).unwrap()
    }

    /// A vault with the demo beliefs and one rectified belief (so there is history).
    pub(crate) fn demo(&self, vault: &str) {
        self.ok(vault, &["demo"]);
        let id = self.belief_ids(vault)[0].clone();
        self.ok(
            vault,
            &edit_args(&id, &["--confidence", "0.4"], "less sure"),
        );
    }

    pub(crate) fn belief_ids(&self, vault: &str) -> Vec<String> {
        let list = self.json(vault, &["belief", "list", "--json"]);
        ids_in(&list).into_iter().map(str::to_owned).collect()
    }

    /// What must not change when an import is refused.
    pub(crate) fn state(&self, vault: &str) -> (Value, Value) {
        (
            self.json(vault, &["belief", "list", "--json"]),
            self.json(vault, &["audit", "verify", "--json"]),
        )
    }

    /// The key a vault signs its exports with (hex).
    pub(crate) fn key(&self, vault: &str) -> String {
        let file = format!("{vault}.key.json");
        let doc = if self.path(&file).exists() {
            valid_export(&std::fs::read(self.path(&file)).unwrap())
        } else {
            self.export(vault, &file, &[])
        };
        doc["signature"]["public_key"].as_str().unwrap().to_owned()
    }

    /// Exports plainly and returns the validated document.
    pub(crate) fn export(&self, vault: &str, file: &str, extra: &[&str]) -> Value {
        let mut args = vec!["export", "--out", file];
        args.extend_from_slice(extra);
        self.ok(vault, &args);
        valid_export(&std::fs::read(self.path(file)).unwrap())
    }
}

/// The `id` of each element of the JSON array `list`.
pub(crate) fn ids_in(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect()
}

/// A change to an export document.
type Edit = fn(&mut Value);

/// The bytes of `doc` after `edit`.
pub(crate) fn with_edit(doc: &Value, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = doc.clone();
    edit(&mut v);
    serde_json::to_vec(&v).unwrap()
}

/// Parses an export and validates it against the published schema.
pub(crate) fn valid_export(bytes: &[u8]) -> Value {
    let doc: Value = serde_json::from_slice(bytes).unwrap();
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/export.schema.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "export violates its schema: {errors:?}");
    doc
}

/// The document without what differs by nature between two exports of the same model: when it
/// was made, and which vault made and signed it at what point of its audit chain.
pub(crate) fn content(doc: &Value) -> Value {
    let mut d = doc.clone();
    for k in ["exported_at", "signature", "vault", "audit_head"] {
        d.as_object_mut().unwrap().remove(k);
    }
    d
}

pub(crate) fn age_available() -> bool {
    let ok = Std::new("age").arg("--version").output().is_ok()
        && Std::new("age-keygen").arg("--version").output().is_ok();
    if !ok {
        eprintln!(
            "NOTICE: the `age` tool is not on PATH; skipping the age CLI interop test (CI installs it)"
        );
    }
    ok
}

/// Makes an age identity with age-keygen; returns (key file, recipient).
pub(crate) fn keygen(env: &Env, name: &str) -> (PathBuf, String) {
    let key = env.path(name);
    let out = Std::new("age-keygen").arg("-o").arg(&key).output().unwrap();
    assert!(out.status.success());
    let out = Std::new("age-keygen").arg("-y").arg(&key).output().unwrap();
    (
        key,
        String::from_utf8(out.stdout).unwrap().trim().to_owned(),
    )
}

#[test]
fn round_trip_through_a_new_vault_is_lossless() {
    let env = Env::new();
    env.demo("a.db");
    let a = env.export("a.db", "a.json", &[]);
    assert_eq!(a["format"], "selfmodel-export");
    assert_eq!(a["version"], 2);
    assert_eq!(a["manifest"]["filter"], "all");
    assert_eq!(a["manifest"]["counts"]["beliefs"], 40);
    assert_eq!(a["manifest"]["counts"]["history"], 1);
    assert_eq!(a["grants"], Value::Array(vec![]));
    assert_eq!(a["access_log"], Value::Array(vec![]));
    let text = std::fs::read_to_string(env.path("a.json")).unwrap();
    assert!(
        !text.to_lowercase().contains("token"),
        "no tokens in an export"
    );

    env.ok("b.db", &["init"]);
    // Moving to a new vault: the person trusts their old vault's key.
    env.ok(
        "b.db",
        &["import", "a.json", "--trust-signer", &env.key("a.db")],
    );
    let b = env.export("b.db", "b.json", &[]);
    assert_eq!(content(&a), content(&b));
    assert_ne!(a["exported_at"], b["exported_at"]);
    assert_eq!(
        env.json("a.db", &["belief", "list", "--json"]),
        env.json("b.db", &["belief", "list", "--json"])
    );
    // Timestamps keep their microseconds.
    let created = a["beliefs"][0]["created_at"].as_str().unwrap();
    assert_eq!(
        created.len(),
        "2026-01-01T00:00:00.000000Z".len(),
        "{created}"
    );
}

#[test]
fn verify_detects_an_edited_value_and_a_swapped_key() {
    let env = Env::new();
    env.demo("a.db");
    env.demo("other.db");
    let doc = env.export("a.db", "a.json", &[]);
    let out = env.ok("a.db", &["export", "verify", "a.json"]);
    assert!(out.contains("valid"), "{out}");
    let v = env.json("a.db", &["export", "verify", "a.json", "--json"]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["public_key"], doc["signature"]["public_key"]);
    let key = doc["signature"]["public_key"].as_str().unwrap();
    env.ok("a.db", &["export", "verify", "a.json", "--expect-key", key]);

    let write = |name: &str, d: &Value| {
        std::fs::write(env.path(name), serde_json::to_vec_pretty(d).unwrap()).unwrap();
    };
    let verify = |name: &str| env.fail("a.db", &["export", "verify", name]);

    let mut edited = doc.clone();
    let c = edited["beliefs"][5]["confidence"].as_f64().unwrap();
    edited["beliefs"][5]["confidence"] = Value::from(if c > 0.5 { c - 0.1 } else { c + 0.1 });
    write("edited.json", &edited);
    assert!(verify("edited.json").contains("manifest does not match"));

    let mut edited = doc.clone();
    edited["purposes"][0]["description"] = Value::from("Something else entirely.");
    write("edited2.json", &edited);
    assert!(verify("edited2.json").contains("signature does not verify"));

    let other = env.export("other.db", "other.json", &[]);
    let mut swapped = doc.clone();
    swapped["signature"]["public_key"] = other["signature"]["public_key"].clone();
    write("swapped.json", &swapped);
    assert!(verify("swapped.json").contains("signature does not verify"));

    assert!(
        env.fail(
            "a.db",
            &["export", "verify", "other.json", "--expect-key", key]
        )
        .contains("not the expected")
    );
}

#[test]
fn passphrase_files_round_trip() {
    let env = Env::new();
    env.demo("a.db");
    env.ok_with_file_pass(
        "a.db",
        &["export", "--out", "p.age", "--passphrase", "--armor"],
    );
    let raw = std::fs::read(env.path("p.age")).unwrap();
    assert!(raw.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));

    env.ok("b.db", &["init"]);
    env.ok_with_file_pass(
        "b.db",
        &["import", "p.age", "--trust-signer", &env.key("a.db")],
    );
    assert_eq!(
        env.json("a.db", &["belief", "list", "--json"]),
        env.json("b.db", &["belief", "list", "--json"])
    );

    // A weak export passphrase is refused.
    let mut c = env.sm("a.db");
    c.args(["export", "--out", "weak.age", "--passphrase"])
        .env("SELFMODEL_EXPORT_PASSPHRASE", "short");
    assert!(env.fails(c).contains("too weak"));
    // No passphrase and no terminal: a clear error.
    assert!(
        env.fail("b.db", &["import", "p.age"])
            .contains("SELFMODEL_EXPORT_PASSPHRASE")
    );
}

/// Writes each bad file, imports it, and checks the error and that nothing changed.
#[test]
fn bad_inputs_are_refused_and_change_nothing() {
    let env = Env::new();
    env.demo("a.db");
    let doc = env.export("a.db", "a.json", &[]);
    let good = serde_json::to_vec_pretty(&doc).unwrap();
    env.ok("b.db", &["demo"]);
    let before = env.state("b.db");

    // Nested 100,000 deep, well-formed: inside a belief, and inside a top-level member; and
    // unterminated at the top.
    const N: usize = 100_000;
    let deep = format!("{}1{}", "[".repeat(N), "]".repeat(N));
    let compact = serde_json::to_string(&doc).unwrap();
    let first = serde_json::to_string(&doc["beliefs"][0]).unwrap();
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not-json.json",
            b"this is not JSON\n".to_vec(),
            "not a JSON document",
        ),
        ("empty.json", Vec::new(), "truncated"),
        (
            "wrong-format.json",
            br#"{"format": "something-else", "version": 1}"#.to_vec(),
            "not a Selfmodel export",
        ),
        (
            "array.json",
            b"[1, 2, 3]".to_vec(),
            "not a Selfmodel export",
        ),
        (
            "truncated.json",
            good[..good.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "deep-belief.json",
            compact.replacen(&first, &deep, 1).into_bytes(),
            "nested too deeply",
        ),
        (
            "deep-member.json",
            format!("{{\"format\": \"selfmodel-export\", \"version\": 1, \"vault\": {deep}}}")
                .into_bytes(),
            "nested too deeply",
        ),
        (
            "deep-open.json",
            "[".repeat(N).into_bytes(),
            "not a Selfmodel export",
        ),
        (
            "deep-open-objects.json",
            "{\"a\":".repeat(N).into_bytes(),
            "truncated",
        ),
    ];
    // The good export, edited.
    let edits: [(&str, Edit, &str); 6] = [
        (
            "v3.json",
            |v| v["version"] = Value::from(3),
            "unsupported export version 3",
        ),
        (
            "schema.json",
            |v| v["beliefs"][3]["confidence"] = Value::from(1.5),
            "at /beliefs/3/confidence",
        ),
        (
            "unknown-field.json",
            |v| v["beliefs"][2]["evidence"][0]["colour"] = Value::from("blue"),
            "'colour' was unexpected",
        ),
        (
            "unknown-top.json",
            |v| v["surprise"] = Value::from(true),
            "'surprise'",
        ),
        (
            "edited.json",
            |v| v["beliefs"][0]["confidence"] = Value::from(0.123),
            "manifest does not match",
        ),
        (
            "swapped.json",
            |v| v["signature"]["public_key"] = Value::from("11".repeat(32)),
            "signature",
        ),
    ];
    cases.extend(edits.map(|(name, edit, needle)| (name, with_edit(&doc, edit), needle)));
    for (name, bytes, needle) in &cases {
        std::fs::write(env.path(name), bytes).unwrap();
        let err = env.fail("b.db", &["import", name]);
        assert!(err.contains(needle), "{name}: {err}");
        assert_eq!(env.state("b.db"), before, "{name} changed the vault");
    }

    // A sparse 1 GiB file: refused from its size, without reading it.
    let big = std::fs::File::create(env.path("big.json")).unwrap();
    big.set_len(1 << 30).unwrap();
    assert!(
        env.fail("b.db", &["import", "big.json"])
            .contains("too large")
    );

    // age: truncated (recipients, binary), wrong identity, wrong passphrase.
    let (secret, recipient) = fresh_identity(&env, "key.txt");
    let (wrong, _) = fresh_identity(&env, "wrong.txt");
    env.ok(
        "a.db",
        &["export", "--out", "r.age", "--recipient", &recipient],
    );
    let sealed = std::fs::read(env.path("r.age")).unwrap();
    for (name, cut) in [
        ("trunc-body.age", sealed.len() - 100),
        ("trunc-head.age", 60),
    ] {
        std::fs::write(env.path(name), &sealed[..cut]).unwrap();
        assert!(
            env.fail(
                "b.db",
                &["import", name, "--identity", secret.to_str().unwrap()]
            )
            .contains("damaged or truncated"),
            "{name}"
        );
    }
    assert!(
        env.fail(
            "b.db",
            &["import", "r.age", "--identity", wrong.to_str().unwrap()]
        )
        .contains("none of the given identities")
    );
    assert!(
        env.fail("b.db", &["import", "r.age"])
            .contains("--identity")
    );

    env.ok_with_file_pass("a.db", &["export", "--out", "p.age", "--passphrase"]);
    let mut c = env.sm("b.db");
    c.args(["import", "p.age"])
        .env("SELFMODEL_EXPORT_PASSPHRASE", "not the right passphrase");
    assert!(env.fails(c).contains("wrong passphrase"));
    let sealed = std::fs::read(env.path("p.age")).unwrap();
    std::fs::write(env.path("trunc-p.age"), &sealed[..sealed.len() * 2 / 3]).unwrap();
    let mut c = env.sm("b.db");
    c.args(["import", "trunc-p.age"])
        .env("SELFMODEL_EXPORT_PASSPHRASE", FILE_PASS);
    assert!(env.fails(c).contains("damaged or truncated"));

    assert_eq!(env.state("b.db"), before);
}

/// A fresh age identity in a key file (age-keygen format) and its recipient, made without the
/// age tool so that these checks run everywhere.
pub(crate) fn fresh_identity(env: &Env, name: &str) -> (PathBuf, String) {
    let (secret, recipient) = selfmodel::archive::generate_identity();
    let path = env.path(name);
    std::fs::write(&path, format!("# made by a test\n{}\n", *secret)).unwrap();
    (path, recipient)
}

#[test]
fn dry_run_reports_and_changes_nothing() {
    let env = Env::exported_and_empty();
    let before = env.state("b.db");
    let report = env.json("b.db", &["import", "a.json", "--dry-run", "--json"]);
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["changed"], false);
    assert_eq!(report["new"].as_array().unwrap().len(), 40);
    assert_eq!(report["identical"].as_array().unwrap().len(), 0);
    assert_eq!(env.state("b.db"), before);
    let text = env.ok("b.db", &["import", "a.json", "--dry-run"]);
    assert!(
        text.contains("dry run") && text.contains("would be added"),
        "{text}"
    );
    assert_eq!(env.state("b.db"), before);
}

#[test]
fn conflicts_need_a_policy_and_keep_or_take_resolves_them() {
    let env = Env::exported_and_empty();
    let key = env.key("a.db");
    env.ok("b.db", &["import", "a.json", "--trust-signer", &key]);
    let ids = env.belief_ids("b.db");
    let x = ids[7].clone();
    env.ok("b.db", &edit_args(&x, &["--confidence", "0.05"], "not me"));
    let edited = env.state("b.db");

    let report = env.json(
        "b.db",
        &[
            "import",
            "a.json",
            "--dry-run",
            "--json",
            "--trust-signer",
            &key,
        ],
    );
    assert_eq!(report["conflicting"], serde_json::json!([x]));
    assert_eq!(report["identical"].as_array().unwrap().len(), 39);
    assert_eq!(report["new"].as_array().unwrap().len(), 0);

    let err = env.fail("b.db", &["import", "a.json", "--trust-signer", &key]);
    assert!(err.contains(&x) && err.contains("--on-conflict"), "{err}");
    // Untrusted, the file cannot replace anything.
    let err = env.fail("b.db", &["import", "a.json", "--on-conflict", "take"]);
    assert!(err.contains("--trust-signer"), "{err}");
    assert_eq!(env.state("b.db"), edited);
    assert_eq!(env.state("b.db"), edited);

    let out = env.json(
        "b.db",
        &[
            "import",
            "a.json",
            "--on-conflict",
            "keep",
            "--json",
            "--trust-signer",
            &key,
        ],
    );
    assert_eq!(out["changed"], false);
    assert_eq!(env.state("b.db"), edited, "keep changes nothing");
    let show = env.json("b.db", &["belief", "show", &x, "--json"]);
    assert_eq!(show["confidence"], 0.05);

    let out = env.json(
        "b.db",
        &[
            "import",
            "a.json",
            "--on-conflict",
            "take",
            "--json",
            "--trust-signer",
            &key,
        ],
    );
    assert_eq!(out["changed"], true);
    assert_eq!(out["on_conflict"], "take");
    assert_eq!(
        env.json("a.db", &["belief", "show", &x, "--json"]),
        env.json("b.db", &["belief", "show", &x, "--json"])
    );
    assert_eq!(
        env.json("a.db", &["belief", "list", "--json"]),
        env.json("b.db", &["belief", "list", "--json"])
    );
}

/// A file signed by another key (a stranger's, or the person's own other vault) is shown with
/// its signer, and its beliefs wait in the inbox as proposals with provenance `import`, unless
/// the person trusts the key. It cannot replace beliefs. Importing it twice adds nothing.
#[test]
fn a_file_signed_by_another_key_lands_in_the_inbox_unless_trusted() {
    let env = Env::exported_and_empty();
    let key = env.key("a.db");
    let text = env.ok("b.db", &["import", "a.json"]);
    assert!(
        text.contains(&key) && text.contains("not this vault's key") && text.contains("inbox"),
        "{text}"
    );
    let active = env.json("b.db", &["belief", "list", "--status", "active", "--json"]);
    assert!(active.as_array().unwrap().is_empty(), "{active}");
    let inbox = env.json("b.db", &["inbox", "--json"]);
    let inbox = inbox.as_array().unwrap();
    assert_eq!(inbox.len(), 40);
    assert!(inbox.iter().all(|b| b["status"] == "pending"), "{inbox:?}");
    assert!(
        inbox.iter().all(|b| b["provenance"]["actor"] == "import"),
        "{:?}",
        inbox[0]
    );
    let again = env.json("b.db", &["import", "a.json", "--json"]);
    assert_eq!(
        (again["changed"].clone(), again["foreign"].clone()),
        (false.into(), true.into())
    );
    assert_eq!(again["signer"], key.as_str());
    // A vault's own file is not foreign.
    let own = env.json("a.db", &["import", "a.json", "--dry-run", "--json"]);
    assert_eq!(own["foreign"], false);
}

/// Importing an old export does not quietly bring back what the person erased since.
#[test]
fn an_import_skips_what_the_person_erased_unless_asked() {
    let env = Env::new();
    env.demo("a.db");
    env.export("a.db", "a.json", &[]);
    let gone = env.belief_ids("a.db")[3].clone();
    env.ok("a.db", &["belief", "delete", &gone]);
    // Reworded, then deleted: the export's older wording does not bring it back either.
    let reworded = env.belief_ids("a.db")[5].clone();
    env.ok(
        "a.db",
        &edit_args(
            &reworded,
            &["--statement", "Something else entirely"],
            "reworded",
        ),
    );
    env.ok("a.db", &["belief", "delete", &reworded]);
    let report = env.json("a.db", &["import", "a.json", "--json"]);
    let mut erased: Vec<String> = report["erased"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    erased.sort();
    let mut expected = vec![gone.clone(), reworded.clone()];
    expected.sort();
    assert_eq!(erased, expected);
    assert_eq!(report["changed"], false);
    assert!(!env.belief_ids("a.db").contains(&gone));
    let text = env.ok("a.db", &["import", "a.json", "--dry-run"]);
    assert!(
        text.contains("erased") && text.contains("--restore-erased"),
        "{text}"
    );
    env.ok("a.db", &["import", "a.json", "--restore-erased"]);
    assert!(env.belief_ids("a.db").contains(&gone));
    assert!(env.belief_ids("a.db").contains(&reworded));
}

#[test]
fn importing_twice_is_idempotent() {
    let env = Env::exported_and_empty();
    env.ok("b.db", &["import", "a.json"]);
    let once = env.state("b.db");
    let out = env.ok("b.db", &["import", "a.json"]);
    assert!(out.contains("nothing to import"), "{out}");
    assert_eq!(env.state("b.db"), once);
    // Importing into the vault it came from is a no-op as well.
    let before = env.state("a.db");
    env.ok("a.db", &["import", "a.json"]);
    assert_eq!(env.state("a.db"), before);
}

#[test]
fn exports_are_written_atomically_and_never_clobber() {
    let env = Env::new();
    env.demo("a.db");
    let out = env
        .sm("a.db")
        .args(["export", "--out", "a.json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not encrypted"));
    let mode = std::fs::metadata(env.path("a.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let first = std::fs::read(env.path("a.json")).unwrap();

    assert!(
        env.fail("a.db", &["export", "--out", "a.json"])
            .contains("refusing to overwrite")
    );
    assert_eq!(std::fs::read(env.path("a.json")).unwrap(), first);
    assert!(
        env.fail("a.db", &["export", "--out", "a.db", "--force"])
            .contains("refusing to overwrite"),
        "never the vault itself"
    );

    env.ok("a.db", &["export", "--out", "a.json", "--force"]);
    valid_export(&std::fs::read(env.path("a.json")).unwrap());
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Into a directory that does not exist: an error, nothing written.
    env.fail("a.db", &["export", "--out", "missing/dir/a.json"]);
}

/// The same fields of two access-log listings, without the sequence numbers each vault gives.
pub(crate) fn log_without_seq(log: &Value) -> Vec<Value> {
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.as_object_mut().unwrap().remove("seq");
            e
        })
        .collect()
}

#[test]
fn a_whole_export_moves_grants_and_who_received_what_to_another_vault() {
    let env = Env::new();
    env.demo("a.db");
    crate::report::vendor_session_on(&env.path("a.db"), PASS, "Shop");
    let plain = env.export("a.db", "whole.json", &[]);
    assert_eq!(plain["version"], 2);
    assert_eq!(plain["grants"].as_array().unwrap().len(), 2);
    assert!(
        plain.get("tombstones").is_none(),
        "a plain file carries no tombstones"
    );
    let summary: Value = serde_json::from_str(&env.ok_with_file_pass(
        "a.db",
        &["export", "--out", "whole.age", "--passphrase", "--json"],
    ))
    .unwrap();
    assert!(summary["tombstones"].as_u64().unwrap() > 0, "{summary}");
    assert_eq!(summary["importable"], true, "{summary}");

    env.ok("b.db", &["init"]);
    let import = |extra: &[&str]| -> Value {
        let mut args = vec!["import", "whole.age", "--json"];
        args.extend_from_slice(extra);
        serde_json::from_str(&env.ok_with_file_pass("b.db", &args)).unwrap()
    };
    // Not trusted: the beliefs wait in the inbox, and no record comes with them.
    let untrusted = import(&["--dry-run"]);
    assert_eq!(untrusted["record"]["skipped"], "foreign");
    let key = env.key("a.db");
    let report = import(&["--trust-signer", &key]);
    assert_eq!(report["record"]["grants"], 2);
    assert!(report["record"]["tombstones"].as_u64().unwrap() > 0);
    let log_a = env.json("a.db", &["access-log", "--json"]);
    assert_eq!(
        report["record"]["access_entries"].as_u64().unwrap() as usize,
        log_a.as_array().unwrap().len()
    );
    // Who received each belief answers the same in both vaults.
    for id in env.belief_ids("a.db") {
        let who = |vault: &str| {
            log_without_seq(&env.json(vault, &["access-log", "--belief", &id, "--json"]))
        };
        assert_eq!(who("b.db"), who("a.db"), "recipients of {id}");
    }
    assert_eq!(
        log_without_seq(&env.json("b.db", &["access-log", "--json"])),
        log_without_seq(&log_a)
    );
    // The grants are there to see, ended: their tokens stayed behind.
    let grants = env.json("b.db", &["grant", "list", "--json"]);
    assert_eq!(grants.as_array().unwrap().len(), 2);
    for g in grants.as_array().unwrap() {
        assert!(!g["revoked_at"].is_null(), "{g}");
    }
    // Importing the same file again changes nothing.
    let again = import(&["--trust-signer", &key]);
    assert_eq!(again["changed"], false);
    assert_eq!(again["record"]["access_entries"], 0);
}
