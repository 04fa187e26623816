//! Changing the passphrase through the binary.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use crate::common;

use std::process::Output;

use crate::common::{PASS, TestVault, assert_no_sidecars};

const NEW_PASS: &str = "a brand new passphrase";

/// `selfmodel passwd` with the `current` passphrase, changing it to `new`.
fn passwd(v: &TestVault, current: &str, new: &str) -> Output {
    v.cmd_with(Some(current))
        .env("SELFMODEL_NEW_PASSPHRASE", new)
        .arg("passwd")
        .output()
        .unwrap()
}

#[test]
fn passwd_rekeys_the_vault_and_keeps_the_data() {
    let v = TestVault::init();
    v.add(
        "Likes hiking",
        "interests",
        "0.8",
        &["--evidence", "Maps app"],
    );
    v.add("Prefers email to calls", "communication-style", "0.7", &[]);
    let before = v.list(&[]);
    let bytes_before = v.bytes();

    let stdout = common::success(&passwd(&v, PASS, NEW_PASS), "passwd");
    assert!(stdout.contains("passphrase changed"), "{stdout}");
    assert!(!stdout.contains(NEW_PASS), "{stdout}");
    assert_no_sidecars(&v.path);
    assert_ne!(v.bytes(), bytes_before, "every page re-encrypted");

    let list = ["belief", "list", "--json"];
    let err = v.fail_with(Some(PASS), &list);
    assert!(
        err.contains("wrong passphrase"),
        "the old passphrase fails: {err}"
    );

    let after = v.json_with(Some(NEW_PASS), &list);
    assert_eq!(after.as_array().unwrap(), &before, "data intact");

    let log = v.json_with(Some(NEW_PASS), &["audit", "log", "--json"]);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 4);
    assert_eq!(log[3]["action"], "vault.passphrase_changed");
    let text = serde_json::to_string(log).unwrap();
    assert!(!text.contains(NEW_PASS) && !text.contains(PASS));

    let verdict = v.json_with(Some(NEW_PASS), &["audit", "verify", "--json"]);
    assert_eq!(verdict["ok"], true);
    assert_eq!(verdict["events"], 4);
}

#[test]
fn passwd_refuses_a_too_short_new_passphrase() {
    let v = TestVault::init();
    v.add("Likes hiking", "interests", "0.8", &[]);
    let bytes = v.bytes();
    let err = common::one_error_line(&passwd(&v, PASS, "short"));
    assert!(err.contains("passphrase too weak"), "{err}");
    assert!(err.contains("10 characters"), "says what is enough: {err}");
    assert_eq!(v.bytes(), bytes, "the file is untouched");
    assert_eq!(v.count(), 1, "the old passphrase still works");
    assert_eq!(v.verified_events(), 2, "no passphrase_changed event");
}

#[test]
fn passwd_without_a_new_passphrase_and_no_terminal_fails() {
    let v = TestVault::init();
    let bytes = v.bytes();
    let err = v.fail(&["passwd"]);
    assert!(err.contains("SELFMODEL_NEW_PASSPHRASE"), "{err}");
    assert_eq!(v.bytes(), bytes);
}

#[test]
fn passwd_with_the_wrong_current_passphrase_fails() {
    let v = TestVault::init();
    let bytes = v.bytes();
    let err = common::one_error_line(&passwd(&v, "not the current one", NEW_PASS));
    assert!(err.contains("wrong passphrase"), "{err}");
    assert_eq!(v.bytes(), bytes);
    let err = v.fail_with(Some(NEW_PASS), &["belief", "list", "--json"]);
    assert!(err.contains("wrong passphrase"), "{err}");
}
