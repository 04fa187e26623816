//! `selfmodel destroy --yes` through the real binary: the vault file and its WAL and SHM files
//! are deleted and nothing else in the directory is touched; without `--yes`, with a wrong
//! passphrase, or while another connection has the vault open, nothing is deleted.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use crate::common::{PASS, TestVault, with_suffix};

/// Every file in `dir` with its contents.
fn listing(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn destroy_deletes_the_vault_and_its_sidecars_and_nothing_else() {
    let v = TestVault::new();
    std::fs::write(v.dir().join("notes.txt"), "not the vault's").unwrap();
    std::fs::write(v.dir().join("v.db.bak"), "a backup the person keeps").unwrap();
    let before = listing(v.dir());
    v.ok(&["demo"]);
    // Leave a write-ahead log and shared-memory file behind, as a crash would: a server holds
    // the vault open (its sidecars exist once it says it is serving), then is killed.
    let run = tempfile::tempdir().unwrap();
    let mut child = v
        .std_cmd_with(Some(PASS))
        .args(["serve", "--port", "0", "--no-socket", "--discovery"])
        .arg(run.path().join("run/api.json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut serving = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut serving)
        .unwrap();
    assert!(serving.starts_with("serving the vendor API"), "{serving:?}");
    child.kill().unwrap();
    child.wait().unwrap();
    let (wal, shm) = (with_suffix(&v.path, "-wal"), with_suffix(&v.path, "-shm"));
    assert!(wal.exists() && shm.exists(), "no sidecars to delete");

    let out = v.ok(&["destroy", "--yes"]);
    assert!(out.starts_with("destroyed the vault"), "{out}");
    assert!(out.contains(&v.path.display().to_string()), "{out}");
    assert!(!v.path.exists());
    common::assert_no_sidecars(&v.path);
    assert_eq!(
        listing(v.dir()),
        before,
        "only what was there before the vault remains, untouched"
    );
    let err = v.fail(&["audit", "verify"]);
    assert!(err.contains("no vault"), "{err}");
}

#[test]
fn destroy_needs_yes_the_passphrase_and_sole_use() {
    let v = TestVault::demo();
    let original = v.bytes();

    let err = v.fail(&["destroy"]);
    assert!(err.contains("--yes"), "{err}");
    let err = v.fail_with(Some("not the passphrase"), &["destroy", "--yes"]);
    assert!(err.contains("wrong passphrase"), "{err}");
    assert_eq!(v.bytes(), original);

    // Another connection has the vault open (the app, `serve`, a sqlcipher shell): refused.
    let other = v.sql();
    let n: i64 = other
        .query_row("SELECT count(*) FROM beliefs", [], |r| r.get(0))
        .unwrap();
    assert!(n > 0);
    let err = v.fail(&["destroy", "--yes"]);
    assert!(err.contains("busy"), "{err}");
    assert!(v.path.exists());
    drop(other);
    assert!(v.count() > 0, "the refused destroy changed nothing");

    v.ok(&["destroy", "--yes"]);
    assert!(!v.path.exists());
    common::assert_no_sidecars(&v.path);
}
