//! At rest, a vault is an SQLCipher 4 file with the standard defaults: nothing readable in it,
//! and openable by the stock `sqlcipher` shell with the passphrase.
#![allow(missing_docs)]

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::{
    PASS, assert_no_vault_files, belief, bytes, empty_vault, expect_err, insert, keyed, new_vault,
    on_disk, pass, pragma, sidecar, try_insert,
};
use selfmodel_core::{BeliefFilter, Catalogue};
use selfmodel_vault::{KDF_ITERATIONS, PAGE_SIZE, Vault, migrations};

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Checks that none of `needles` is readable in the vault's files at `path`; `when` is the moment.
fn assert_nowhere_on_disk(path: &Path, needles: &[&str], when: &str) {
    for needle in needles {
        assert_eq!(on_disk(path, needle), Vec::<&str>::new(), "{needle} {when}");
    }
}

#[test]
fn file_header_is_not_sqlite_and_salt_differs_between_vaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = bytes(&empty_vault(dir.path(), "a.db"));
    let b = bytes(&empty_vault(dir.path(), "b.db"));
    assert!(a.len() >= PAGE_SIZE as usize && b.len() >= PAGE_SIZE as usize);
    assert_eq!(a.len() as u64 % PAGE_SIZE, 0, "whole pages");
    assert_ne!(&a[..16], SQLITE_MAGIC, "the header must be encrypted");
    assert_ne!(&b[..16], SQLITE_MAGIC, "the header must be encrypted");
    assert_ne!(
        a[..16],
        b[..16],
        "two vaults with the same passphrase must have different salts"
    );
    // Nothing of the schema is readable either.
    for word in ["CREATE TABLE", "beliefs", "audit_events", "personalisation"] {
        assert!(
            !common::contains(&a, word.as_bytes()),
            "'{word}' is readable"
        );
    }
}

#[test]
fn canary_never_appears_in_any_file_open_or_closed() {
    let (_dir, path, mut vault) = new_vault();
    let catalogue = Catalogue::defaults();
    let statement = "Canary-3f9a1c statement about birdwatching at dawn";
    let summary = "Evidence-canary-77d2e0 seen at the lake";
    let b = belief(&catalogue, statement, summary);
    insert(&mut vault, std::slice::from_ref(&b));

    // Committed, still open: the content is in the WAL (or already in the file).
    assert!(
        sidecar(&path, "-wal").exists(),
        "a write in WAL mode leaves a WAL while open"
    );
    let canaries = ["Canary-3f9a1c", "Evidence-canary-77d2e0"];
    assert_nowhere_on_disk(
        &path,
        &[canaries[0], canaries[1], "birdwatching"],
        "while open",
    );
    vault.checkpoint().expect("checkpoint");
    assert_nowhere_on_disk(&path, &canaries, "after checkpoint");
    // The belief id (plain ASCII) is not readable either.
    assert_nowhere_on_disk(&path, &[&b.id.to_string()], "after checkpoint");
    vault.close().expect("close");

    assert_nowhere_on_disk(&path, &canaries, "after close");
    // And the data really is in there.
    let mut vault = Vault::open(&path, &pass(PASS)).expect("reopen");
    let back = vault
        .read(|r| r.belief(b.id))
        .expect("read")
        .expect("present");
    assert_eq!(back, b);
}

#[test]
fn files_are_private_to_the_owner() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub").join("vault.db");
    let catalogue = Catalogue::defaults();
    let mut vault = Vault::create(&path, &pass(PASS), &catalogue).expect("create");
    insert(
        &mut vault,
        &[belief(&catalogue, "Likes jazz", "Listens to jazz")],
    );
    let mode = |p: &Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&path), 0o600, "vault file");
    assert_eq!(mode(&sidecar(&path, "-wal")), 0o600, "WAL file");
    assert_eq!(mode(&sidecar(&path, "-shm")), 0o600, "shared-memory file");
    assert_eq!(
        mode(path.parent().expect("parent")),
        0o700,
        "created directory"
    );
    vault.close().expect("close");
}

#[test]
fn cipher_parameters_are_sqlcipher4_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = empty_vault(dir.path(), "vault.db");

    let conn = keyed(&path, PASS);
    // Force the key derivation and page-1 check before reading the settings.
    let n: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .expect("the standard key derivation opens the vault");
    assert!(n > 0);
    let version = pragma(&conn, "cipher_version");
    assert!(version.starts_with("4."), "cipher_version = {version}");
    assert_eq!(pragma(&conn, "kdf_iter"), KDF_ITERATIONS.to_string());
    assert_eq!(pragma(&conn, "kdf_iter"), "256000");
    assert_eq!(pragma(&conn, "cipher_page_size"), PAGE_SIZE.to_string());
    assert_eq!(pragma(&conn, "cipher_page_size"), "4096");
    assert_eq!(pragma(&conn, "cipher_hmac_algorithm"), "HMAC_SHA512");
    assert_eq!(pragma(&conn, "cipher_kdf_algorithm"), "PBKDF2_HMAC_SHA512");
    assert_eq!(pragma(&conn, "cipher_plaintext_header_size"), "0");
    assert_eq!(pragma(&conn, "cipher_use_hmac"), "1");
    // These are the settings of *this* connection; that the *file* uses them is shown by this
    // connection reading it (above), and by the same file refusing other parameters (below).
    assert_eq!(
        pragma(&conn, "application_id"),
        0x5345_4c46.to_string(),
        "application_id 'SELF'"
    );
    assert_eq!(
        pragma(&conn, "user_version"),
        migrations::LATEST.to_string()
    );
    // Persistent in the file, hence observable from outside: the vault runs in WAL mode.
    assert_eq!(pragma(&conn, "journal_mode"), "wal");
    // cipher_integrity_check returns one row per bad page, none when every MAC checks out.
    let mut stmt = conn
        .prepare("PRAGMA cipher_integrity_check")
        .expect("prepare");
    let problems: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn other_cipher_parameters_do_not_open_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = empty_vault(dir.path(), "vault.db");
    let before = bytes(&path);
    for setting in [
        "PRAGMA cipher_compatibility = 3",
        "PRAGMA kdf_iter = 64000",
        "PRAGMA cipher_hmac_algorithm = HMAC_SHA1",
        "PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA1",
        "PRAGMA cipher_page_size = 1024",
    ] {
        let conn = keyed(&path, PASS);
        conn.execute_batch(setting).expect(setting);
        let r = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        });
        let code = r
            .as_ref()
            .err()
            .and_then(rusqlite::Error::sqlite_error_code);
        assert_eq!(
            code,
            Some(rusqlite::ErrorCode::NotADatabase),
            "{setting} must not decrypt the file: {r:?}"
        );
    }
    assert_eq!(bytes(&path), before);
}

#[test]
fn standard_sqlcipher_key_derivation_reads_the_beliefs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.db");
    let catalogue = Catalogue::defaults();
    // A passphrase with a quote and non-ASCII, to check it is passed through verbatim.
    let secret = "it's a sécret ünïcode passphrase";
    let mut vault = Vault::create(&path, &pass(secret), &catalogue).expect("create");
    let b1 = belief(
        &catalogue,
        "Enjoys hiking in the Alps",
        "Posted hiking photos",
    );
    let b2 = belief(&catalogue, "Reads science fiction", "Library history");
    insert(&mut vault, &[b1.clone(), b2.clone()]);

    // Readable through a second, plain connection while the vault is open (WAL content).
    {
        let conn = keyed(&path, secret);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM beliefs", [], |r| r.get(0))
            .expect("read beliefs");
        assert_eq!(n, 2);
    }
    vault.close().expect("close");

    let conn = keyed(&path, secret);
    let mut stmt = conn
        .prepare("SELECT id, statement, category FROM beliefs ORDER BY id")
        .expect("prepare");
    let rows: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    assert_eq!(
        rows,
        vec![
            (b1.id.to_string(), b1.statement.clone(), "interests".into()),
            (b2.id.to_string(), b2.statement.clone(), "interests".into()),
        ]
    );
    let summary: String = conn
        .query_row(
            "SELECT summary FROM evidence WHERE belief_id = ?1",
            [b1.id.to_string()],
            |r| r.get(0),
        )
        .expect("evidence");
    assert_eq!(summary, "Posted hiking photos");
    drop(stmt);
    drop(conn);

    // And the vault itself agrees after the outside read.
    let mut vault = Vault::open(&path, &pass(secret)).expect("reopen");
    let all = vault
        .read(|r| r.beliefs(&BeliefFilter::default()))
        .expect("list");
    assert_eq!(all, vec![b1, b2]);
}

#[test]
fn vault_connection_enforces_foreign_keys() {
    // PRAGMA foreign_keys is per connection, so it cannot be read from outside; its effect can:
    // a belief whose category is not in the catalogue is refused by the vault's connection.
    let (_dir, path, mut vault) = new_vault();
    let catalogue = Catalogue::defaults();
    let mut b = belief(&catalogue, "Orphan belief", "no type");
    b.category = "no-such-type".into();
    let orphan = std::slice::from_ref(&b);
    let err =
        try_insert(&mut vault, orphan).expect_err("a belief of an unknown type must be refused");
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    assert_eq!(vault.read(|r| r.count_beliefs()).expect("count"), 0);

    // After a reopen too (configure runs on open, not only on create).
    vault.close().expect("close");
    let mut vault = Vault::open(&path, &pass(PASS)).expect("open");
    assert!(
        try_insert(&mut vault, orphan).is_err(),
        "foreign keys are enforced after open too"
    );
}

#[test]
fn an_empty_passphrase_never_makes_an_unencrypted_vault() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.db");
    let err = expect_err(
        Vault::create(&path, &pass(""), &Catalogue::defaults()),
        "created a vault with an empty passphrase",
    );
    assert!(
        matches!(err, selfmodel_vault::VaultError::WrongPassphrase),
        "{err:?}"
    );
    assert_no_vault_files(&path);
}

#[test]
fn a_passphrase_with_a_nul_is_not_truncated() {
    // SQL text stops at a NUL; the key must not silently become the part before it.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.db");
    match Vault::create(&path, &pass("before\0after"), &Catalogue::defaults()) {
        Err(_) => assert_no_vault_files(&path),
        Ok(vault) => {
            vault.close().expect("close");
            let err = Vault::open(&path, &pass("before")).err();
            assert!(
                matches!(err, Some(selfmodel_vault::VaultError::WrongPassphrase)),
                "the key was truncated at the NUL: {err:?}"
            );
            Vault::open(&path, &pass("before\0after")).expect("the whole passphrase opens it");
        }
    }
}

#[test]
fn a_refused_passphrase_never_appears_in_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = "s3cret-part\0of-the-passphrase";
    let create = Vault::create(
        &dir.path().join("a.db"),
        &pass(secret),
        &Catalogue::defaults(),
    );
    let path = empty_vault(dir.path(), "b.db");
    let open = Vault::open(&path, &pass(secret));
    let mut vault = Vault::open(&path, &pass(PASS)).expect("open");
    let rekey = vault.rekey(&pass(secret));
    let mut leaks = Vec::new();
    for (what, err) in [
        ("create", create.err()),
        ("open", open.err()),
        ("rekey", rekey.err()),
    ] {
        let err = err.unwrap_or_else(|| panic!("{what} accepted a passphrase with a NUL"));
        let shown = format!("{err} / {err:?}");
        if shown.contains("s3cret") || shown.contains("of-the-passphrase") {
            leaks.push(format!("{what}: {}", shown.escape_debug()));
        }
    }
    assert!(
        leaks.is_empty(),
        "errors show the passphrase:\n{}",
        leaks.join("\n")
    );
}

#[test]
fn a_passphrase_of_the_raw_key_form_opens_the_vault_it_keys_and_keys_no_new_one() {
    // SQLCipher takes `x'` and 64 hex digits as the key itself; a vault keyed so by another
    // tool (or an older version) still opens with it ...
    let raw = format!("x'{}'", "5a".repeat(32));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = empty_vault(dir.path(), "vault.db");
    let conn = keyed(&path, PASS);
    conn.execute_batch("PRAGMA journal_mode = DELETE;")
        .expect("leave WAL");
    conn.execute_batch(&format!("PRAGMA rekey = \"{raw}\";"))
        .expect("rekey to a raw key");
    drop(conn);
    let vault = Vault::open(&path, &pass(&raw)).expect("the raw key opens it");
    vault.close().expect("close");
    // ... but no new vault and no new passphrase is one: it would skip the key derivation.
    let fresh = dir.path().join("fresh.db");
    let err = Vault::create(&fresh, &pass(&raw.to_uppercase()), &Catalogue::defaults())
        .err()
        .expect("refused");
    assert!(
        matches!(err, selfmodel_vault::VaultError::BadPassphrase(_)),
        "{err:?}"
    );
    assert_no_vault_files(&fresh);
    let mut vault = Vault::open(&path, &pass(&raw)).expect("open");
    let err = vault.rekey(&pass(&raw)).expect_err("refused");
    assert!(
        matches!(err, selfmodel_vault::VaultError::BadPassphrase(_)),
        "{err:?}"
    );
}

#[test]
fn a_passphrase_with_a_nul_after_the_right_one_does_not_open_the_vault() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = empty_vault(dir.path(), "vault.db");
    let err = Vault::open(&path, &pass(&format!("{PASS}\0")))
        .err()
        .expect("refused");
    assert!(
        matches!(err, selfmodel_vault::VaultError::BadPassphrase(_)),
        "{err:?}"
    );
}
