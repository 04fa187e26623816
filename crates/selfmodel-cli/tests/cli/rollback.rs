//! Rollback and rewrite detection through the binary: a vault file copied back over a newer one
//! is reported on every command and by `audit verify` (which fails until the person accepts the
//! vault as it is), the witness kept outside the vault is private, and receipts (signed
//! checkpoints) are checked by `audit verify --receipt`.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Output;

use crate::common::{TestVault, assert_hex64, keys, one_error_line};
use serde_json::Value;

/// The vault's bytes, closed (no write-ahead log).
fn snapshot(v: &TestVault) -> Vec<u8> {
    assert!(!common::with_suffix(&v.path, "-wal").exists());
    v.bytes()
}

fn restore(v: &TestVault, bytes: &[u8]) {
    std::fs::write(&v.path, bytes).unwrap();
}

fn witness_file(v: &TestVault) -> PathBuf {
    let dir = v.state_dir().join("witness");
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

/// Runs a command that must fail; returns its output.
fn failed(v: &TestVault, args: &[&str]) -> Output {
    let out = v.cmd().args(args).output().unwrap();
    assert!(!out.status.success(), "{args:?} succeeded");
    out
}

/// Runs a command that must fail; returns its stderr.
fn failed_stderr(v: &TestVault, args: &[&str]) -> String {
    String::from_utf8_lossy(&failed(v, args).stderr).into_owned()
}

/// Runs a command that must fail; returns the JSON verdict it printed.
fn failed_verdict(v: &TestVault, args: &[&str]) -> Value {
    serde_json::from_slice(&failed(v, args).stdout).unwrap()
}

/// Runs a command that must succeed with exactly one `warning:` line on stderr; returns it.
fn warned(v: &TestVault, args: &[&str]) -> String {
    let out = v.cmd().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("warning: "), "{stderr}");
    lines[0].to_owned()
}

#[test]
fn a_copied_back_vault_warns_and_audit_verify_fails_until_accepted() {
    let v = TestVault::init();
    v.add("Cooks Thai food", "interests", "0.7", &[]);
    let old = snapshot(&v);
    v.add("Speaks Spanish", "expertise", "0.6", &[]);
    v.add("Runs marathons", "interests", "0.6", &[]);
    let newer = v.verified_events();
    restore(&v, &old);

    // Every command that opens the vault says so, and still works.
    let line = warned(&v, &["belief", "list", "--json"]);
    assert!(
        line.contains(&format!(
            "this vault is older than the one last opened on this machine (audit event {newer} of "
        )) && line.contains("it may have been restored from a backup or replaced"),
        "{line}"
    );
    warned(&v, &["types"]);
    assert_eq!(
        warned(&v, &["audit", "log"]),
        line,
        "the same warning everywhere"
    );

    // audit verify fails, naming it, in text and JSON.
    let out = failed(&v, &["audit", "verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("audit chain intact: 2 events"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("error: this vault is older") && lines[0].contains("--accept-current"),
        "{stderr}"
    );
    let verdict = failed_verdict(&v, &["audit", "verify", "--json"]);
    assert_eq!(verdict["ok"], false, "{verdict}");
    assert_eq!(verdict["events"], 2);
    assert_eq!(verdict["rollback"]["code"], "vault_older");
    assert!(
        verdict["rollback"]["message"]
            .as_str()
            .unwrap()
            .starts_with("this vault is older"),
        "{verdict}"
    );

    // The person accepts the vault as it is: the warning is gone for good.
    let accepted = v.ok(&["audit", "verify", "--accept-current"]);
    assert!(
        accepted.contains("accepted: this machine's witness now records audit event 2"),
        "{accepted}"
    );
    let verdict = v.json(&["audit", "verify", "--json"]);
    assert_eq!(keys(&verdict), ["events", "head", "ok"], "{verdict}");
    v.ok(&["belief", "list"]);
}

#[test]
fn an_edited_witness_reports_a_rewritten_history() {
    let v = TestVault::init();
    v.add("Cooks Thai food", "interests", "0.7", &[]);
    let file = witness_file(&v);
    let text = std::fs::read_to_string(&file).unwrap();
    let w: Value = serde_json::from_str(&text).unwrap();
    let head = w["head"].as_str().unwrap();
    std::fs::write(&file, text.replace(head, &"ab".repeat(32))).unwrap();

    let line = warned(&v, &["belief", "list"]);
    assert!(
        line.starts_with("warning: the audit history was rewritten since"),
        "{line}"
    );
    let verdict = failed_verdict(&v, &["audit", "verify", "--json"]);
    assert_eq!(
        verdict["rollback"]["code"], "history_rewritten",
        "{verdict}"
    );
}

#[test]
fn the_witness_is_kept_outside_the_vault_privately() {
    let v = TestVault::init();
    v.add(
        "Secretly collects vintage typewriters",
        "interests",
        "0.7",
        &[],
    );
    let file = witness_file(&v);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let w: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(w["seq"], v.verified_events());
    assert_hex64(w["head"].as_str().unwrap());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("typewriter"), "{text}");
}

#[test]
fn receipts_are_checked_by_audit_verify() {
    let v = TestVault::init();
    v.add("Cooks Thai food", "interests", "0.7", &[]);
    // A checkpoint of the identity's creation onwards (the identity is made on first use).
    v.ok(&["audit", "checkpoint"]);
    let old = snapshot(&v);
    v.add("Speaks Spanish", "expertise", "0.6", &[]);

    let receipt = v.dir().join("receipt.json");
    let out = v.ok(&["audit", "checkpoint", "--out", receipt.to_str().unwrap()]);
    let events = v.verified_events();
    assert!(
        out.contains(&format!("signed checkpoint of audit event {events}")),
        "{out}"
    );
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&receipt).unwrap()).unwrap();
    assert_eq!(
        keys(&r),
        ["head", "issued_at", "seq", "signature", "vault_key"]
    );
    assert_eq!(r["seq"], events);
    let err = v.fail(&["audit", "checkpoint", "--out", receipt.to_str().unwrap()]);
    assert!(err.contains("refusing to overwrite"), "{err}");
    let printed: Value =
        serde_json::from_str(&v.ok(&["audit", "checkpoint", "--seq", "1"])).unwrap();
    assert_eq!(printed["seq"], 1);
    let err = v.fail(&["audit", "checkpoint", "--seq", "999"]);
    assert!(err.contains("no event 999"), "{err}");

    let args = ["audit", "verify", "--receipt", receipt.to_str().unwrap()];
    let ok = v.ok(&args);
    assert!(
        ok.contains(&format!("receipt for audit event {events}: consistent")),
        "{ok}"
    );

    // An edited receipt.
    let forged = v.dir().join("forged.json");
    std::fs::write(
        &forged,
        serde_json::to_string(&{
            let mut f = r.clone();
            f["head"] = Value::String("00".repeat(32));
            f
        })
        .unwrap(),
    )
    .unwrap();
    let err = failed_stderr(
        &v,
        &["audit", "verify", "--receipt", forged.to_str().unwrap()],
    );
    assert!(err.contains("signature does not verify"), "{err}");

    // Another vault's receipt.
    let other = TestVault::init();
    let theirs = other.dir().join("theirs.json");
    other.ok(&["audit", "checkpoint", "--out", theirs.to_str().unwrap()]);
    let err = failed_stderr(
        &v,
        &["audit", "verify", "--receipt", theirs.to_str().unwrap()],
    );
    assert!(err.contains("not this vault's"), "{err}");

    // The older file, with the local witness gone: the receipt still tells.
    restore(&v, &old);
    std::fs::remove_dir_all(v.state_dir().join("witness")).unwrap();
    let err = failed_stderr(&v, &args);
    assert!(
        err.contains(&format!(
            "covers audit event {events}, but this vault has only"
        )) && err.contains("older than when the receipt was issued"),
        "{err}"
    );
    let verdict = failed_verdict(
        &v,
        &[
            "audit",
            "verify",
            "--json",
            "--receipt",
            receipt.to_str().unwrap(),
        ],
    );
    assert_eq!(verdict["ok"], false);
    assert_eq!(verdict["receipt"]["code"], "vault_older", "{verdict}");

    // History written anew over the same positions: the receipt proves the rewrite.
    v.add("Plays the oud", "interests", "0.6", &[]);
    let err = failed_stderr(&v, &args);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("audit event {events} had hash"))
            && err.contains("the audit history was rewritten"),
        "{err}"
    );
}

#[test]
fn a_receipt_that_is_not_a_checkpoint_is_refused_before_unlocking() {
    let v = TestVault::init();
    let bad = v.dir().join("bad.json");
    std::fs::write(&bad, "{\"seq\": 1}").unwrap();
    // No passphrase at all: the file is refused before one is asked for.
    let out = v
        .cmd_with(None)
        .args(["audit", "verify", "--receipt", bad.to_str().unwrap()])
        .output()
        .unwrap();
    let err = one_error_line(&out);
    assert!(err.contains("is not a signed checkpoint"), "{err}");
}
