//! The vault's life through the binary: init, demo, the catalogue, erase-all, where the vault
//! is found, and what reaches the disk.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;

use crate::common::{PASS, TestVault, assert_no_sidecars, contains_bytes, std_cmd, with_suffix};
use serde_json::Value;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The ids `selfmodel <list> --json` prints for a catalogue list (`types`, `purposes`).
fn catalogue_ids(v: &TestVault, list: &str) -> BTreeSet<String> {
    v.catalogue(list)
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn init_creates_an_encrypted_private_vault_that_opens() {
    let v = TestVault::new();
    let out = v.ok(&["init"]);
    assert!(out.contains("created vault"), "{out}");
    assert!(out.contains(&v.path.display().to_string()), "{out}");

    let bytes = v.bytes();
    assert!(!bytes.is_empty());
    assert_eq!(bytes.len() % 4096, 0, "whole SQLCipher pages");
    assert_ne!(
        &bytes[..16],
        SQLITE_MAGIC,
        "the file must not be plain SQLite"
    );
    let mode = std::fs::metadata(&v.path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the vault is private to its owner");
    assert_no_sidecars(&v.path);

    assert!(v.list(&[]).is_empty());
    assert_eq!(v.verified_events(), 1, "vault.created");
    let log = v.audit_log();
    assert_eq!(log[0]["action"], "vault.created");
}

#[test]
fn init_again_refuses_and_leaves_the_file_unchanged() {
    let v = TestVault::init();
    v.add("Keeps bees", "interests", "0.7", &[]);
    let before = v.bytes();

    let err = v.fail(&["init"]);
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains(&v.path.display().to_string()), "{err}");
    assert_eq!(v.bytes(), before, "init must not touch an existing vault");
    assert_eq!(v.count(), 1);

    // Also when the existing file is not a vault at all.
    let other = v.dir().join("notes.txt");
    std::fs::write(&other, "my notes\n").unwrap();
    let out = std_cmd(v.dir())
        .arg("--vault")
        .arg(&other)
        .arg("init")
        .env("SELFMODEL_PASSPHRASE", PASS)
        .output()
        .unwrap();
    let err = common::one_error_line(&out);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&other).unwrap(), b"my notes\n");
}

#[test]
fn init_refuses_a_short_passphrase_and_creates_nothing() {
    let v = TestVault::new();
    let out = v.cmd_with(Some("short")).arg("init").output().unwrap();
    let err = common::one_error_line(&out);
    assert!(err.contains("passphrase too weak"), "{err}");
    assert!(!v.path.exists(), "no vault may be created");
    assert_no_sidecars(&v.path);
}

#[test]
fn init_creates_missing_parent_directories() {
    let v = TestVault::new();
    let nested = v.dir().join("a/b/vault.db");
    let out = std_cmd(v.dir())
        .arg("--vault")
        .arg(&nested)
        .arg("init")
        .env("SELFMODEL_PASSPHRASE", PASS)
        .output()
        .unwrap();
    common::success(&out, "init in a new directory");
    assert!(nested.is_file());
}

#[test]
fn demo_creates_a_vault_with_beliefs_of_every_type_each_with_evidence() {
    let v = TestVault::new();
    let out = v.ok(&["demo"]);
    let n: usize = out
        .split_whitespace()
        .nth(1)
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no count in: {out}"));
    assert!((35..=45).contains(&n), "about 40 demo beliefs, not {n}");

    let beliefs = v.list(&[]);
    assert_eq!(beliefs.len(), n);
    let types = catalogue_ids(&v, "types");
    let covered: BTreeSet<String> = beliefs
        .iter()
        .map(|b| b["category"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(covered, types, "demo beliefs cover every type");
    for b in &beliefs {
        let evidence = b["evidence"].as_array().unwrap();
        assert!(!evidence.is_empty(), "demo belief without evidence: {b}");
        for e in evidence {
            assert!(!e["summary"].as_str().unwrap().is_empty(), "{b}");
        }
        assert_eq!(b["status"], "active");
        assert_eq!(b["provenance"]["method"], "demo");
    }
    assert!(
        beliefs.iter().any(|b| b["sensitivity"] == "special"),
        "special-category demo beliefs"
    );
    assert_eq!(v.verified_events(), 1 + n as u64);
}

#[test]
fn demo_fills_an_existing_vault() {
    let v = TestVault::init();
    let mine = v.add("Plays the cello", "interests", "0.8", &[]);
    let out = v.ok(&["demo"]);
    assert!(out.contains("demo beliefs"), "{out}");
    let ids = v.ids(&[]);
    assert!(ids.len() >= 36, "{}", ids.len());
    assert!(ids.contains(&mine), "the person's own belief stays");
    assert_eq!(v.verified_events(), 1 + ids.len() as u64);
}

#[test]
fn types_json_has_at_least_eight_types_and_a_special_health_type() {
    let v = TestVault::init();
    let types = v.catalogue("types");
    assert!(types.len() >= 8, "{} types", types.len());
    let purposes = catalogue_ids(&v, "purposes");
    for t in &types {
        assert!(!t["name"].as_str().unwrap().is_empty(), "{t}");
        assert!(!t["description"].as_str().unwrap().is_empty(), "{t}");
        assert!(t["retention_days"].as_u64().unwrap() > 0, "{t}");
        let c = t["min_share_confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c), "{t}");
        let allowed = t["allowed_purposes"].as_array().unwrap();
        assert!(!allowed.is_empty(), "{t}");
        for p in allowed {
            assert!(purposes.contains(p.as_str().unwrap()), "{t} allows {p}");
        }
    }
    let health = types.iter().find(|t| t["id"] == "health").expect("health");
    assert_eq!(health["default_sensitivity"], "special");
    assert_eq!(health["evidence_required"], Value::Bool(true));
    assert!(
        !health["allowed_purposes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "advertising"),
        "health is never for advertising"
    );

    let text = v.ok(&["types"]);
    assert!(text.contains("health"), "{text}");
    assert!(text.contains("special category"), "{text}");
}

#[test]
fn purposes_json_has_at_least_six_described_dpv_purposes() {
    let v = TestVault::init();
    let purposes = v.catalogue("purposes");
    assert!(purposes.len() >= 6, "{} purposes", purposes.len());
    for p in &purposes {
        assert!(!p["id"].as_str().unwrap().is_empty(), "{p}");
        assert!(
            p["description"].as_str().unwrap().len() > 10,
            "a plain-language description: {p}"
        );
        assert!(
            p["dpv_term"].as_str().unwrap().starts_with("dpv:"),
            "a DPV term: {p}"
        );
        assert!(p["opt_in"].is_boolean(), "{p}");
    }
    let text = v.ok(&["purposes"]);
    assert!(text.contains("dpv:"), "{text}");
}

#[test]
fn erase_all_without_yes_refuses_and_keeps_everything() {
    let v = TestVault::demo();
    let before = v.count();
    let bytes = v.bytes();
    let err = v.fail(&["erase-all"]);
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(v.bytes(), bytes, "the file is untouched");
    assert_eq!(v.count(), before);
}

#[test]
fn erase_all_with_yes_leaves_a_valid_empty_vault() {
    let v = TestVault::demo();
    let n = v.count();
    let events = v.verified_events();

    let out = v.ok(&["erase-all", "--yes"]);
    assert!(out.contains(&format!("erased {n} beliefs")), "{out}");
    assert_no_sidecars(&v.path);

    assert!(v.list(&[]).is_empty());
    assert_eq!(v.verified_events(), events + 1);
    let log = v.audit_log();
    let last = log.last().unwrap();
    assert_eq!(last["action"], "vault.erased_all");
    assert_eq!(last["detail"], format!("count={n}"));

    // No evidence, purposes or history rows are left behind either.
    let conn = v.sql();
    for table in ["beliefs", "evidence", "belief_purposes", "rectifications"] {
        let rows: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0, "{table} still has rows");
    }
    drop(conn);

    // Still a working vault with its catalogue.
    assert!(v.catalogue("types").len() >= 8);
    v.add("Starts afresh", "goals", "0.6", &[]);
    assert_eq!(v.count(), 1);
    assert_eq!(v.verified_events(), events + 2);
}

#[test]
fn vault_flag_beats_selfmodel_vault_env() {
    let a = TestVault::init();
    let b = TestVault::init();
    let out = a
        .cmd()
        .env("SELFMODEL_VAULT", &b.path)
        .args(common::add_args(
            "Goes where the flag says",
            "interests",
            "0.5",
        ))
        .output()
        .unwrap();
    common::success(&out, "add with --vault and SELFMODEL_VAULT");
    assert_eq!(a.count(), 1, "--vault wins");
    assert_eq!(
        b.count(),
        0,
        "SELFMODEL_VAULT is ignored when --vault is given"
    );

    // A SELFMODEL_VAULT that points nowhere does not matter either.
    let out = a
        .cmd()
        .env("SELFMODEL_VAULT", a.dir().join("nowhere.db"))
        .args(["belief", "list"])
        .output()
        .unwrap();
    let stdout = common::success(&out, "list with a bogus SELFMODEL_VAULT");
    assert!(stdout.contains("Goes where the flag says"), "{stdout}");
}

#[test]
fn selfmodel_vault_env_alone_names_the_vault() {
    let v = TestVault::new();
    let env_cmd = || {
        let mut c = std_cmd(v.dir());
        c.env("SELFMODEL_VAULT", &v.path)
            .env("SELFMODEL_PASSPHRASE", PASS);
        c
    };
    common::success(&env_cmd().arg("init").output().unwrap(), "init");
    assert!(v.path.is_file(), "init used SELFMODEL_VAULT");
    let out = env_cmd()
        .args(common::add_args(
            "Found through the environment",
            "interests",
            "0.5",
        ))
        .output()
        .unwrap();
    common::success(&out, "add");
    let beliefs = v.list(&[]);
    assert_eq!(beliefs.len(), 1);
    assert_eq!(beliefs[0]["statement"], "Found through the environment");
    assert!(
        !v.dir().join("data").exists(),
        "nothing went to the default data directory"
    );
}

#[test]
fn default_vault_lives_in_the_data_directory() {
    let v = TestVault::new();
    let out = std_cmd(v.dir())
        .env("SELFMODEL_PASSPHRASE", PASS)
        .arg("init")
        .output()
        .unwrap();
    let stdout = common::success(&out, "init without --vault");
    let expected = v.dir().join("data/selfmodel/vault.db");
    assert!(expected.is_file(), "{stdout}");
}

#[test]
fn statement_and_evidence_text_never_reach_the_disk() {
    let v = TestVault::init();
    let canary = "CANARY-statement-7f3a9 likes quokkas";
    let evidence = "CANARY-evidence-51c2e said so";
    let source = "CANARY-source-0b4d";
    let id = v.add(
        canary,
        "interests",
        "0.8",
        &["--evidence", evidence, "--source", source],
    );
    v.ok(&[
        "belief",
        "edit",
        &id,
        "--confidence",
        "0.7",
        "--reason",
        "CANARY-reason-99e1",
    ]);
    assert_eq!(v.show(&id)["statement"], canary);

    let mut scanned = 0;
    for suffix in ["", "-wal", "-shm"] {
        let p = with_suffix(&v.path, suffix);
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        scanned += 1;
        for needle in [
            canary,
            evidence,
            source,
            "CANARY",
            "quokkas",
            "CANARY-reason",
            PASS,
        ] {
            assert!(
                !contains_bytes(&bytes, needle.as_bytes()),
                "{needle:?} is readable in {}",
                p.display()
            );
        }
    }
    assert!(scanned >= 1);
}
