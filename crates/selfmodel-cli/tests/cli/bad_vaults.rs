//! Bad vault input through the binary: each gives a non-zero exit, exactly one `error:` line on
//! stderr, and leaves the file byte-for-byte as it was (and no WAL or journal next to it).
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::process::Output;

use crate::common::{PASS, TestVault, assert_no_sidecars, std_cmd};

const PAGE: usize = 4096;

/// Runs `args` on the file at `path` with `pass` (or no passphrase at all) and asserts a clean
/// refusal that leaves the file exactly as it was. Returns the error line.
fn refused_on(path: &Path, pass: Option<&str>, args: &[&str]) -> String {
    let before = std::fs::read(path).ok();
    let dir = path.parent().unwrap();
    let mut cmd = std_cmd(dir);
    cmd.arg("--vault").arg(path).args(args);
    if let Some(p) = pass {
        cmd.env("SELFMODEL_PASSPHRASE", p);
    }
    let out: Output = cmd.output().unwrap();
    let err = common::one_error_line(&out);
    assert_eq!(
        std::fs::read(path).ok(),
        before,
        "{args:?} changed {}",
        path.display()
    );
    assert_no_sidecars(path);
    err
}

/// As [`refused_on`] with the test passphrase, for a read, a write and erase-all;
/// all must give the same error. Returns it.
fn refused(path: &Path) -> String {
    let commands: [&[&str]; 3] = [
        &["belief", "list"],
        &[
            "belief",
            "add",
            "--statement",
            "Should never be written",
            "--category",
            "interests",
            "--confidence",
            "0.5",
        ],
        &["erase-all", "--yes"],
    ];
    let errors: Vec<String> = commands
        .iter()
        .map(|args| refused_on(path, Some(PASS), args))
        .collect();
    for e in &errors[1..] {
        assert_eq!(e, &errors[0], "every command reports the same problem");
    }
    errors[0].clone()
}

/// A demo vault in a fresh directory, and its bytes.
fn demo() -> (TestVault, Vec<u8>) {
    let v = TestVault::demo();
    let bytes = v.bytes();
    assert!(bytes.len() >= 8 * PAGE, "the demo vault spans many pages");
    (v, bytes)
}

#[test]
fn wrong_passphrase() {
    let (v, _) = demo();
    let err = refused_on(
        &v.path,
        Some("not the right passphrase"),
        &["belief", "list"],
    );
    assert!(err.contains("wrong passphrase"), "{err}");
    assert!(
        err.contains(&v.path.display().to_string()),
        "names the file: {err}"
    );
    assert!(
        !err.contains("not the right passphrase"),
        "never echoes it: {err}"
    );
    let err = refused_on(
        &v.path,
        Some("not the right passphrase"),
        &["erase-all", "--yes"],
    );
    assert!(err.contains("wrong passphrase"), "{err}");
    let err = refused_on(&v.path, Some(&PASS.to_uppercase()), &["belief", "list"]);
    assert!(err.contains("wrong passphrase"), "{err}");
    assert!(v.count() >= 35, "the right passphrase still opens it");
}

#[test]
fn empty_passphrase() {
    let (v, _) = demo();
    let err = refused_on(&v.path, Some(""), &["belief", "list"]);
    assert!(err.contains("wrong passphrase"), "{err}");
}

#[test]
fn missing_passphrase_without_a_terminal() {
    let (v, _) = demo();
    // No SELFMODEL_PASSPHRASE, and stdin is a pipe, not a terminal.
    let err = refused_on(&v.path, None, &["belief", "list"]);
    assert!(err.contains("no passphrase"), "{err}");
    assert!(err.contains("SELFMODEL_PASSPHRASE"), "says how: {err}");

    // The same for creating a vault: nothing is created.
    let fresh = v.dir().join("fresh.db");
    let err = refused_on(&fresh, None, &["init"]);
    assert!(err.contains("SELFMODEL_PASSPHRASE"), "{err}");
    assert!(!fresh.exists());
}

#[test]
fn vault_path_that_does_not_exist() {
    let v = TestVault::new();
    let err = refused(&v.path);
    assert!(err.contains("no vault at"), "{err}");
    assert!(err.contains(&v.path.display().to_string()), "{err}");
    assert!(!v.path.exists(), "opening must not create a file");

    let deeper = v.dir().join("missing/dir/v.db");
    let err = refused_on(&deeper, Some(PASS), &["belief", "list"]);
    assert!(err.contains("no vault at"), "{err}");
    assert!(!v.dir().join("missing").exists());
}

#[test]
fn a_directory() {
    let v = TestVault::new();
    let dir = v.dir().join("adir");
    std::fs::create_dir(&dir).unwrap();
    let err = refused_on(&dir, Some(PASS), &["belief", "list"]);
    assert!(err.contains("is a directory"), "{err}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn a_text_file() {
    let v = TestVault::new();
    std::fs::write(&v.path, "these are my notes, not a vault\n").unwrap();
    let err = refused(&v.path);
    assert!(err.contains("not a vault"), "{err}");
}

#[test]
fn a_page_sized_text_file() {
    // Passes the size check, so it is SQLCipher that rejects it.
    let v = TestVault::new();
    let line = "these are my notes, not a vault\n";
    let text = line.repeat(PAGE / line.len() + 1);
    std::fs::write(&v.path, &text.as_bytes()[..PAGE]).unwrap();
    let err = refused(&v.path);
    assert!(err.contains("not a Selfmodel vault"), "{err}");
}

#[test]
fn an_empty_file() {
    let v = TestVault::new();
    std::fs::write(&v.path, b"").unwrap();
    let err = refused(&v.path);
    assert!(err.contains("empty"), "{err}");
    assert_eq!(std::fs::metadata(&v.path).unwrap().len(), 0);
}

#[test]
fn a_plain_sqlite_header_with_zeros() {
    let v = TestVault::new();
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.resize(PAGE, 0);
    std::fs::write(&v.path, &bytes).unwrap();
    let err = refused(&v.path);
    assert!(err.contains("unencrypted SQLite"), "{err}");
}

/// Writes an SQLite database of notes (not a vault) to `path`, encrypted with `key` if given.
#[allow(clippy::disallowed_methods, clippy::disallowed_types)]
fn notes_database(path: &Path, key: Option<&str>) {
    let conn = rusqlite::Connection::open(path).unwrap();
    if let Some(key) = key {
        conn.execute_batch(&format!("PRAGMA key = '{key}';"))
            .unwrap();
    }
    conn.execute_batch(
        "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('shopping list');",
    )
    .unwrap();
    conn.close().unwrap();
}

#[test]
fn a_real_plain_sqlite_database() {
    let v = TestVault::new();
    notes_database(&v.path, None);
    let err = refused(&v.path);
    assert!(err.contains("unencrypted SQLite"), "{err}");
}

#[test]
fn an_sqlcipher_database_that_is_not_a_selfmodel_vault() {
    let v = TestVault::new();
    notes_database(&v.path, Some(PASS));
    let err = refused(&v.path);
    assert!(err.contains("not one made by Selfmodel"), "{err}");
}

#[test]
fn a_vault_truncated_mid_page() {
    let (v, bytes) = demo();
    std::fs::write(&v.path, &bytes[..bytes.len() / 2 + 123]).unwrap();
    let err = refused(&v.path);
    assert!(
        err.contains("damaged") && err.contains("truncated"),
        "{err}"
    );
}

#[test]
fn a_vault_truncated_to_its_first_page() {
    let (v, bytes) = demo();
    std::fs::write(&v.path, &bytes[..PAGE]).unwrap();
    let err = refused(&v.path);
    assert!(err.contains("damaged"), "{err}");
}

#[test]
fn a_vault_missing_its_last_pages() {
    // A whole number of pages, so only SQLite's own checks can notice.
    let (v, bytes) = demo();
    std::fs::write(&v.path, &bytes[..bytes.len() - 2 * PAGE]).unwrap();
    let err = refused(&v.path);
    assert!(err.contains("damaged"), "{err}");
}

/// The demo vault with 16 bytes flipped at `offset`.
fn flipped_at(offset: impl Fn(usize) -> usize) -> TestVault {
    let (v, mut bytes) = demo();
    let at = offset(bytes.len());
    for b in &mut bytes[at..at + 16] {
        *b ^= 0xff;
    }
    std::fs::write(&v.path, &bytes).unwrap();
    v
}

#[test]
fn a_vault_with_bytes_flipped_mid_file() {
    let v = flipped_at(|len| (len / PAGE / 2) * PAGE + 1000);
    let err = refused(&v.path);
    assert!(err.contains("damaged"), "{err}");
}

#[test]
fn a_vault_with_bytes_flipped_in_the_last_page() {
    let v = flipped_at(|len| len - 40);
    let err = refused(&v.path);
    assert!(err.contains("damaged"), "{err}");
}

#[test]
fn a_vault_with_bytes_flipped_in_the_first_page() {
    // Page 1 carries the salt and the schema: the key no longer fits, or its MAC fails.
    let v = flipped_at(|_| 200);
    let err = refused(&v.path);
    assert!(
        err.contains("wrong passphrase") || err.contains("damaged"),
        "{err}"
    );
}

#[test]
fn a_vault_with_its_salt_flipped() {
    let v = flipped_at(|_| 0);
    let err = refused(&v.path);
    assert!(err.contains("wrong passphrase"), "{err}");
}
