//! Opening something that is not a healthy vault is refused with the right error, in one line,
//! and leaves the file exactly as it was.
#![allow(missing_docs)]

use crate::common;

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::common::{
    PASS, assert_no_vault_files, bytes, copy_of, expect_err, new_vault, pass, sidecar,
    vault_with_beliefs,
};
use selfmodel_core::{Catalogue, Passphrase};
use selfmodel_vault::{PAGE_SIZE, PageCheck, Vault, VaultError};
use tempfile::TempDir;

/// Enough beliefs with evidence that the file spans many pages.
const BELIEFS: usize = 300;

/// Everything on disk that belongs to the vault at `path`: the file (or a directory listing) and
/// whether its WAL and shared-memory files exist, with their bytes.
#[derive(Debug, PartialEq)]
struct Snapshot {
    main: Option<Vec<u8>>,
    is_dir: bool,
    wal: Option<Vec<u8>>,
    shm: Option<Vec<u8>>,
}

fn snapshot(path: &Path) -> Snapshot {
    let read = |p: PathBuf| if p.is_file() { Some(bytes(&p)) } else { None };
    Snapshot {
        main: read(path.to_owned()),
        is_dir: path.is_dir(),
        wal: read(sidecar(path, "-wal")),
        shm: read(sidecar(path, "-shm")),
    }
}

/// When a damaged file was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// Unlocking failed: the damage is in what unlocking reads.
    AtUnlock,
    /// Unlocking succeeded and the check of every page found the damage before anything was
    /// written: the first write and closing both report it.
    ByThePageCheck,
}

/// Opens `path` with `passphrase`, expecting it to be refused at unlock or by the page check;
/// checks that the error is one line and that nothing on disk changed. Returns the error.
fn refused(path: &Path, passphrase: &Passphrase) -> VaultError {
    refused_when(path, passphrase).0
}

/// [`refused`], and when.
fn refused_when(path: &Path, passphrase: &Passphrase) -> (VaultError, Refused) {
    let before = snapshot(path);
    let (err, when) = match Vault::open(path, passphrase) {
        Err(e) => (e, Refused::AtUnlock),
        Ok(mut vault) => {
            let verdict = vault.wait_page_check();
            assert!(
                matches!(verdict, PageCheck::Damaged(_)),
                "{} opened and passed its page check, but it must be refused",
                path.display()
            );
            let write = vault.write(|w| {
                w.set_meta("probe", "never written")?;
                Ok::<_, VaultError>(())
            });
            assert!(
                matches!(write, Err(VaultError::Corrupted(_))),
                "a write to a damaged vault: {write:?}"
            );
            let closed = vault.close().expect_err("closing reports the damage");
            (closed, Refused::ByThePageCheck)
        }
    };
    let shown = err.to_string();
    assert!(
        !shown.is_empty() && !shown.contains('\n'),
        "not one line: {shown:?}"
    );
    assert!(
        snapshot(path) == before,
        "a refused open changed the file ({err})"
    );
    (err, when)
}

/// A healthy vault with many pages, as a closed file alone in a temporary directory: the
/// directory (bind it for as long as the test runs) and the vault's path.
fn big_vault() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = vault_with_beliefs(dir.path(), "vault.db", BELIEFS);
    let len = std::fs::metadata(&path).expect("metadata").len();
    assert!(
        len / PAGE_SIZE >= 40,
        "want many pages, got {}",
        len / PAGE_SIZE
    );
    assert!(!sidecar(&path, "-wal").exists(), "closed cleanly");
    (dir, path)
}

fn flip(path: &Path, offset: u64, n: usize) {
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .expect("open");
    let mut data = bytes(path);
    for b in &mut data[offset as usize..offset as usize + n] {
        *b ^= 0xa5;
    }
    f.seek(SeekFrom::Start(offset)).expect("seek");
    f.write_all(&data[offset as usize..offset as usize + n])
        .expect("write");
}

fn truncate(path: &Path, len: u64) {
    OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open")
        .set_len(len)
        .expect("truncate");
}

fn pages(path: &Path) -> u64 {
    std::fs::metadata(path).expect("metadata").len() / PAGE_SIZE
}

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn wrong_passphrase() {
    let (_dir, path) = big_vault();
    // Another passphrase, the right one with different case, and an empty one.
    for wrong in ["not the passphrase", &PASS.to_uppercase(), ""] {
        let err = refused(&path, &pass(wrong));
        assert!(
            matches!(err, VaultError::WrongPassphrase),
            "{wrong:?}: {err:?}"
        );
    }
    // The right passphrase still opens it afterwards.
    Vault::open(&path, &pass(PASS)).expect("the right passphrase opens it");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").expect("write");
    let err = refused(&path, &pass(PASS));
    assert!(matches!(err, VaultError::NotAVault(_)), "{err:?}");
    assert_eq!(std::fs::metadata(&path).expect("metadata").len(), 0);
}

#[test]
fn plain_sqlite_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plain.db");
    {
        let conn = common::unkeyed(&path);
        conn.execute_batch(
            "CREATE TABLE beliefs (id TEXT PRIMARY KEY, statement TEXT);
             INSERT INTO beliefs VALUES ('1', 'a plain, unencrypted row');",
        )
        .expect("fill");
    }
    assert_eq!(&bytes(&path)[..16], b"SQLite format 3\0");
    let err = refused(&path, &pass(PASS));
    assert!(matches!(err, VaultError::NotAVault(_)), "{err:?}");

    // A plain database in WAL mode, left with its WAL, is refused without touching either.
    let wal = dir.path().join("plain-wal.db");
    let conn = common::unkeyed(&wal);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('in the wal');",
    )
    .expect("fill");
    assert!(sidecar(&wal, "-wal").exists());
    let err = refused(&wal, &pass(PASS));
    assert!(matches!(err, VaultError::NotAVault(_)), "{err:?}");
    drop(conn);
}

#[test]
fn sqlcipher_database_not_made_by_selfmodel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("other.db");
    {
        let conn = common::keyed(&path, PASS);
        conn.execute_batch("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('other app');")
            .expect("fill");
    }
    let err = refused(&path, &pass(PASS));
    assert!(matches!(err, VaultError::NotAVault(_)), "{err:?}");
}

#[test]
fn random_bytes_whole_pages() {
    // Random whole pages look exactly like an encrypted file under another key: SQLCipher
    // cannot tell them apart, so this is reported as a wrong passphrase.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("random.db");
    std::fs::write(&path, noise(8 * PAGE_SIZE as usize, 0x9e37_79b9_7f4a_7c15)).expect("write");
    let err = refused(&path, &pass(PASS));
    assert!(matches!(err, VaultError::WrongPassphrase), "{err:?}");
}

#[test]
fn files_not_of_whole_pages() {
    // Today a text file is reported by its length (not whole pages) as a damaged vault; "not a
    // vault" would be as right. Either way it is refused and untouched; so are random bytes.
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in [
        ("random.bin", noise(10_000, 42)),
        (
            "notes.txt",
            "Shopping list\n- milk\n- bread\n".repeat(20).into_bytes(),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("write");
        let err = refused(&path, &pass(PASS));
        assert!(
            matches!(err, VaultError::Corrupted(_) | VaultError::NotAVault(_)),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn truncated_vaults() {
    let (_dir, path) = big_vault();
    let n = pages(&path);
    for (what, len) in [
        ("mid-page", (n / 2) * PAGE_SIZE + 1234),
        ("at-page-boundary-last-page", (n - 1) * PAGE_SIZE),
        ("at-page-boundary-half-the-pages", (n / 2) * PAGE_SIZE),
        ("to-page-one", PAGE_SIZE),
    ] {
        let copy = copy_of(&path, &format!("truncated-{what}.db"));
        truncate(&copy, len);
        let err = refused(&copy, &pass(PASS));
        assert!(matches!(err, VaultError::Corrupted(_)), "{what}: {err:?}");
    }
}

#[test]
fn bytes_flipped_inside_a_page() {
    // Page 1 is read to unlock (see `page_one_damaged`); the middle and the last page hold
    // beliefs that unlocking does not read, so the page check finds them, before any write.
    let (_dir, path) = big_vault();
    let n = pages(&path);
    for (page, expected) in [
        (n / 2, Refused::ByThePageCheck),
        (n - 1, Refused::ByThePageCheck),
    ] {
        let copy = copy_of(&path, &format!("flipped-{page}.db"));
        // Page numbers from 0 here: the middle of the (page + 1)-th page.
        flip(&copy, page * PAGE_SIZE + PAGE_SIZE / 2, 3);
        let (err, when) = refused_when(&copy, &pass(PASS));
        assert!(
            matches!(err, VaultError::Corrupted(_)),
            "page {}: {err:?}",
            page + 1
        );
        assert!(
            err.to_string().contains(&format!("page {}", page + 1)),
            "the damaged page is named: {err}"
        );
        assert_eq!(when, expected, "page {}", page + 1);
    }
}

#[test]
fn page_one_damaged() {
    // Page 1's MAC failing is what a wrong key looks like: SQLCipher cannot tell the two apart.
    let (_dir, path) = big_vault();
    for (what, offset) in [("salt", 4), ("content", 100), ("middle", PAGE_SIZE / 2)] {
        let copy = copy_of(&path, &format!("page1-{what}.db"));
        flip(&copy, offset, 3);
        let err = refused(&copy, &pass(PASS));
        assert!(
            matches!(err, VaultError::WrongPassphrase),
            "{what}: {err:?}"
        );
    }
}

#[test]
fn directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a-directory");
    std::fs::create_dir(&path).expect("mkdir");
    std::fs::write(path.join("inside"), b"x").expect("write");
    let err = refused(&path, &pass(PASS));
    assert!(matches!(err, VaultError::NotAVault(_)), "{err:?}");
    let listing: Vec<_> = std::fs::read_dir(&path)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(listing, vec![std::ffi::OsString::from("inside")]);
}

#[test]
fn missing_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nothing-here.db");
    let err = refused(&path, &pass(PASS));
    assert!(
        matches!(&err, VaultError::NoVault(p) if p == &path),
        "{err:?}"
    );
    assert!(!path.exists(), "opening must not create a file");
    assert!(!sidecar(&path, "-wal").exists() && !sidecar(&path, "-shm").exists());
    // Nor its parent directory.
    let nested = dir.path().join("no-dir").join("vault.db");
    let err = refused(&nested, &pass(PASS));
    assert!(matches!(err, VaultError::NoVault(_)), "{err:?}");
    assert!(!dir.path().join("no-dir").exists());
}

#[test]
fn create_over_an_existing_file_is_refused() {
    let catalogue = Catalogue::defaults();

    // Over a vault.
    let (dir, path) = big_vault();
    let before = snapshot(&path);
    let err = expect_err(
        Vault::create(&path, &pass("another passphrase"), &catalogue),
        "created over an existing vault",
    );
    assert!(
        matches!(&err, VaultError::AlreadyExists(p) if p == &path),
        "{err:?}"
    );
    assert!(!err.to_string().contains('\n'));
    assert!(
        snapshot(&path) == before,
        "create changed an existing vault"
    );
    Vault::open(&path, &pass(PASS)).expect("the vault still opens");

    // Over any other file, even an empty one.
    for (name, content) in [("notes.txt", &b"keep me"[..]), ("empty", &b""[..])] {
        let other = dir.path().join(name);
        std::fs::write(&other, content).expect("write");
        let err = expect_err(
            Vault::create(&other, &pass(PASS), &catalogue),
            &format!("created over {name}"),
        );
        assert!(matches!(err, VaultError::AlreadyExists(_)), "{err:?}");
        assert_eq!(bytes(&other), content);
        assert!(!sidecar(&other, "-wal").exists());
    }

    // Over a directory.
    let d = dir.path().join("dir");
    std::fs::create_dir(&d).expect("mkdir");
    let err = expect_err(
        Vault::create(&d, &pass(PASS), &catalogue),
        "created over a directory",
    );
    assert!(matches!(err, VaultError::AlreadyExists(_)), "{err:?}");
    assert!(d.is_dir());
}

#[test]
fn create_that_fails_leaves_nothing_behind() {
    // A catalogue whose type allows a purpose that does not exist fails while seeding (a foreign
    // key), after the file was made: the half-made vault is removed.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.db");
    let mut catalogue = Catalogue::defaults();
    catalogue.types[0]
        .allowed_purposes
        .insert("no-such-purpose".into());
    let err = expect_err(
        Vault::create(&path, &pass(PASS), &catalogue),
        "created a vault with an inconsistent catalogue",
    );
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    assert_no_vault_files(&path);
    // The path is free for a good create.
    Vault::create(&path, &pass(PASS), &Catalogue::defaults()).expect("create");
}

#[test]
fn a_crashed_vault_is_not_a_bad_file() {
    // A process that dies leaves its committed writes in the WAL, not yet in the main file. The
    // files as it left them open, with every committed write and an intact chain.
    let (dir, path, mut vault) = new_vault();
    let catalogue = Catalogue::defaults();
    let beliefs: Vec<_> = (0..20)
        .map(|i| common::belief(&catalogue, &format!("Committed before the crash {i}"), "e"))
        .collect();
    common::insert(&mut vault, &beliefs);
    assert!(
        !bytes(&sidecar(&path, "-wal")).is_empty(),
        "the writes are in the WAL"
    );
    // "Crash": copy the files as they are while the vault is still open, then never close it.
    let crashed = dir.path().join("crashed.db");
    for s in ["", "-wal", "-shm"] {
        std::fs::copy(sidecar(&path, s), sidecar(&crashed, s)).expect("copy");
    }
    drop(vault);

    let mut vault = Vault::open(&crashed, &pass(PASS)).expect("open after a crash");
    let all = vault
        .read(|r| r.beliefs(&selfmodel_core::BeliefFilter::default()))
        .expect("list");
    assert_eq!(all, beliefs);
    let events = vault.read(|r| r.audit_events()).expect("events");
    assert!(matches!(
        selfmodel_core::audit::verify(&events),
        selfmodel_core::ChainVerdict::Intact { events: 21, .. }
    ));
}
