//! Creating, unlocking, re-keying and closing the SQLCipher file.

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use selfmodel_core::{BeliefId, Catalogue, Passphrase};
use zeroize::Zeroizing;

use crate::daily_allowance::DailyAllowance;
use crate::error::{Result, VaultError};
use crate::log_codes::LogCodes;
use crate::migrations;
use crate::packed_set;
use crate::page_check::{PageCheck, PageChecker};
use crate::refusals::Refusals;
use crate::store::{Reader, Writer, seed_catalogue};
use crate::this_minute::ThisMinute;
use crate::touched;

/// SQLCipher 4's page size, which this vault keeps.
pub const PAGE_SIZE: u64 = 4096;
/// SQLCipher 4's default PBKDF2-HMAC-SHA512 iteration count, which this vault keeps.
pub const KDF_ITERATIONS: u32 = 256_000;
/// `PRAGMA application_id` of a Selfmodel vault: "SELF".
const APPLICATION_ID: i32 = 0x5345_4c46;
/// How long a writer waits for another process's lock before reporting the vault busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// An unlocked vault. Dropping it closes the file; [`Vault::close`] reports close errors.
pub struct Vault {
    conn: Connection,
    path: PathBuf,
    refusals: Refusals,
    allowance: DailyAllowance,
    this_minute: ThisMinute,
    /// The access log's texts and sets by number ([`crate::log_codes`]).
    log_codes: LogCodes,
    pages: PageChecker,
    /// Whether a bulk write is to be ended ([`Writer::bulk`]).
    bulk: bool,
    /// Beliefs whose expiry (as stored) is at or before this are withheld from every read
    /// ([`Vault::withhold_expired`]).
    withheld: Option<String>,
}

/// How the file is keyed.
enum Keying<'a> {
    Passphrase(&'a Passphrase),
    /// No key at all: SQLCipher then behaves as plain SQLite. Only for baselines and forensics.
    #[cfg(feature = "insecure-plaintext")]
    Plaintext {
        secure_delete: bool,
    },
}

impl Vault {
    /// Creates a new vault at `path` (refusing to overwrite anything), keyed from the passphrase
    /// by SQLCipher's own KDF, with the schema and the default catalogue.
    pub fn create(path: &Path, passphrase: &Passphrase, catalogue: &Catalogue) -> Result<Self> {
        Self::create_keyed(path, Keying::Passphrase(passphrase), catalogue)
    }

    /// Unlocks an existing vault: checks the file and the key, migrates the schema to the latest
    /// version, and starts the check of every page (see [`Vault::page_check`]), which the first
    /// write waits for. On any failure the file is left exactly as it was.
    pub fn open(path: &Path, passphrase: &Passphrase) -> Result<Self> {
        Self::open_keyed(path, Keying::Passphrase(passphrase), migrations::LATEST)
    }

    /// Creates an unencrypted database with the same schema and code paths, for benchmarks and
    /// forensic tests only. `secure_delete` can be turned off to show what it protects against.
    #[cfg(feature = "insecure-plaintext")]
    pub fn create_plaintext(
        path: &Path,
        catalogue: &Catalogue,
        secure_delete: bool,
    ) -> Result<Self> {
        Self::create_keyed(path, Keying::Plaintext { secure_delete }, catalogue)
    }

    /// Opens an existing vault but migrates it only up to `version`, to build fixtures that an
    /// older Selfmodel would have written. For tests.
    #[cfg(feature = "insecure-plaintext")]
    pub fn open_at_version(path: &Path, passphrase: &Passphrase, version: u32) -> Result<Self> {
        Self::open_keyed(path, Keying::Passphrase(passphrase), version)
    }

    fn create_keyed(path: &Path, keying: Keying<'_>, catalogue: &Catalogue) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        // Create the file ourselves: atomically refuses to overwrite, and mode 0600 from the
        // start (SQLite gives the -wal and -shm files the main file's mode).
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(VaultError::AlreadyExists(path.to_owned()));
            }
            Err(e) => return Err(e.into()),
        }
        let built = (|| {
            let mut conn = connect(path)?;
            apply_key(&conn, &keying)?;
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
            configure(&conn, &keying)?;
            migrations::migrate(&mut conn, migrations::LATEST)?;
            touched::watch(&conn)?;
            let mut vault = Vault::new(conn, path, PageChecker::passed());
            vault.write(|w| seed_catalogue(w, catalogue))?;
            Ok(vault)
        })();
        if built.is_err() {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(with_suffix(path, suffix));
            }
        }
        built
    }

    fn open_keyed(path: &Path, keying: Keying<'_>, target_version: u32) -> Result<Self> {
        let salt = precheck(path)?;
        let key = unlock_key(&keying, &salt)?;
        let mut conn = connect(path)?;
        apply_unlock_key(&conn, key.as_ref())?;
        // The first read is where SQLCipher derives the key and checks page 1's MAC.
        match conn.query_row("SELECT count(*) AS n FROM sqlite_master", [], |r| {
            r.get::<_, i64>("n")
        }) {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
                return Err(VaultError::WrongPassphrase);
            }
            Err(e) => return Err(e.into()),
        }
        let app_id: i32 =
            conn.pragma_query_value(None, "application_id", |r| r.get("application_id"))?;
        if app_id != APPLICATION_ID {
            return Err(VaultError::NotAVault(
                "an SQLCipher database, but not one made by Selfmodel".into(),
            ));
        }
        // Refuse a newer file before configure() writes anything (it may switch to WAL).
        let found = migrations::version(&conn)?;
        if found > migrations::LATEST {
            return Err(VaultError::TooNew {
                found,
                supported: migrations::LATEST,
            });
        }
        if found < target_version {
            // A migration writes: the whole file is checked first, while the person waits.
            integrity_check(&conn, &keying)?;
        }
        configure(&conn, &keying)?;
        migrations::migrate(&mut conn, target_version)?;
        touched::watch(&conn)?;
        let checker = connect(path)?;
        apply_unlock_key(&checker, key.as_ref())?;
        checker.busy_timeout(BUSY_TIMEOUT)?;
        let pages = PageChecker::start(checker, matches!(keying, Keying::Passphrase(_)));
        Ok(Vault::new(conn, path, pages))
    }

    /// A vault on the open connection `conn` to `path`, with nothing counted or remembered yet.
    fn new(conn: Connection, path: &Path, pages: PageChecker) -> Self {
        Vault {
            conn,
            path: path.to_owned(),
            refusals: Refusals::default(),
            allowance: DailyAllowance::default(),
            this_minute: ThisMinute::default(),
            log_codes: LogCodes::default(),
            pages,
            bulk: false,
            withheld: None,
        }
    }

    /// The vault file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the check of every page stands, without waiting. Started at unlock beside the
    /// vault, it reads the whole file: each page's MAC, then SQLite's structural check. Reads
    /// are served meanwhile (SQLCipher verifies every page it reads); the first write waits for
    /// it and is refused ([`VaultError::Corrupted`]) if the file is damaged.
    pub fn page_check(&self) -> PageCheck {
        self.pages.status()
    }

    /// Waits for the check of every page and returns its verdict.
    pub fn wait_page_check(&self) -> PageCheck {
        self.pages.wait()
    }

    /// Waits for the check of every page; the damage it found is the error
    /// ([`VaultError::Corrupted`]).
    pub fn ensure_pages_intact(&self) -> Result<()> {
        self.pages.passed_or_refuse()
    }

    /// From now on no read returns a belief whose expiry is at or before `at` ([`Reader::belief`]
    /// finds none, [`Reader::beliefs`] lists none) until this is called again (`None`: withhold
    /// nothing): beliefs past their retention, between being found and being erased.
    /// [`Reader::expired`] still names them, and erasing them works as for any belief.
    pub fn withhold_expired(&mut self, at: Option<DateTime<Utc>>) {
        self.withheld = at.map(|at| crate::codec::time(&at));
    }

    /// Whether [`Vault::withhold_expired`] withholds anything now.
    pub fn withholds(&self) -> bool {
        self.withheld.is_some()
    }

    /// The beliefs this connection's writes touched (added, changed or erased) since the last
    /// call; `None` when that may be every belief (a bulk write, or notes that could not be
    /// kept). Taken outside any transaction: once taken, they are gone.
    pub fn take_touched(&mut self) -> Result<Option<BTreeSet<BeliefId>>> {
        touched::take(&self.conn)
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32> {
        migrations::version(&self.conn)
    }

    /// Runs `f` in a read transaction: a consistent snapshot of the vault.
    pub fn read<T, E: From<VaultError>>(
        &mut self,
        f: impl FnOnce(&Reader<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.end_bulk();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(VaultError::from)?;
        let out = f(&Reader::new(&tx, self.withheld.as_deref()))?;
        tx.commit().map_err(VaultError::from)?;
        Ok(out)
    }

    /// Runs `f` in a write transaction that commits only if `f` succeeds **and** recorded itself
    /// (an audit event or an access-log entry); otherwise everything `f` did is rolled back.
    pub fn write<T, E: From<VaultError>>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.pages.passed_or_refuse()?;
        self.end_bulk();
        let mut writer = self.begin_write()?;
        let done = f(&mut writer).and_then(|out| {
            writer.commit(Utc::now())?;
            Ok(out)
        });
        self.end_bulk();
        done
    }

    /// Ends a bulk write ([`Writer::bulk`]), one that panicked included (at the next
    /// transaction): the page cache gets its bound back and touched beliefs are noted again.
    fn end_bulk(&mut self) {
        if std::mem::take(&mut self.bulk)
            && let Err(e) = set_page_cache(&self.conn).and_then(|()| touched::watch(&self.conn))
        {
            tracing::warn!("a bulk write could not be ended: {e}");
            self.bulk = true;
        }
    }

    /// Writes every refusal counted so far (see [`Writer::count_refusal`]) to the access log in
    /// one transaction, which those rows record. On failure the counts are kept.
    pub fn write_refusals(&mut self) -> Result<()> {
        if self.refusals.is_empty() {
            return Ok(());
        }
        self.pages.passed_or_refuse()?;
        let mut writer = self.begin_write()?;
        let written = writer.append_counted()?;
        writer.finish(&written)
    }

    /// Begins a write transaction (taking the write lock at once) and its [`Writer`].
    fn begin_write(&mut self) -> Result<Writer<'_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if self.bulk {
            // A bulk write could not be ended: the triggers may be missing, so nothing this
            // write touches could be noted one by one.
            touched::note_every_belief(&tx)?;
        }
        self.log_codes.begin(Reader::new(&tx, None).data_version()?);
        Ok(Writer::new(
            tx,
            &mut self.refusals,
            &mut self.allowance,
            &mut self.this_minute,
            &mut self.log_codes,
            &mut self.bulk,
            self.withheld.as_deref(),
        ))
    }

    /// Moves everything from the write-ahead log into the main file and truncates the log, so
    /// that erased content does not linger in the WAL. [`VaultError::Busy`] when another
    /// connection's read keeps it from completing (try again later; closing also checkpoints).
    pub fn checkpoint(&self) -> Result<()> {
        self.pages.passed_or_refuse()?;
        self.checkpoint_now()
    }

    /// [`Vault::checkpoint`] whatever the page check says.
    fn checkpoint_now(&self) -> Result<()> {
        let (busy, _, _): (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get("busy")?, r.get("log")?, r.get("checkpointed")?))
                })?;
        if busy != 0 {
            // Another connection's read pins old frames: erased content may still be in the WAL.
            return Err(VaultError::Busy);
        }
        Ok(())
    }

    /// Leaves WAL mode for a rollback journal, which needs sole use of the file: another
    /// connection holding it gives [`VaultError::Busy`].
    fn leave_wal(&self) -> Result<()> {
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get("journal_mode")
            })?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(VaultError::Busy);
        }
        Ok(())
    }

    /// Changes the passphrase: re-encrypts every page under a key derived from `new`.
    /// Needs sole use of the file (WAL mode is left and re-entered around the re-key).
    pub fn rekey(&mut self, new: &Passphrase) -> Result<()> {
        refuse_raw_key_form(new)?;
        let sql = key_pragma("rekey", new.expose())?;
        self.checkpoint()?;
        self.leave_wal()?;
        let result = self.conn.execute_batch(&sql).map_err(|_| refused());
        let back: rusqlite::Result<String> =
            self.conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get("journal_mode"));
        result?;
        back?;
        Ok(())
    }

    /// Closes the file, writing the counted refusals and checkpointing the WAL first. It waits
    /// for the page check first, and reports damage it found ([`VaultError::Corrupted`]) after
    /// closing the file untouched.
    pub fn close(mut self) -> Result<()> {
        let verdict = self.pages.passed_or_refuse();
        if verdict.is_ok() {
            if let Err(e) = self.write_refusals() {
                tracing::warn!("the counted refusals could not be written at close: {e}");
            }
            let _ = self.checkpoint_now();
        }
        self.conn.close().map_err(|(_, e)| VaultError::from(e))?;
        verdict
    }

    /// Destroys the vault: checks that no other connection has it open (leaving WAL mode needs
    /// sole use, else [`VaultError::Busy`] and nothing is deleted), closes it, deletes the file
    /// with its write-ahead log, shared-memory and rollback-journal files, and syncs the
    /// directory so that the deletion survives a crash. Returns the files deleted.
    ///
    /// Nothing is overwritten first: on SSDs and copy-on-write or snapshotting file systems an
    /// overwrite does not reach the old blocks, so it would only pretend. What stays protected
    /// is protected by the encryption: the key exists only as the passphrase.
    pub fn destroy(mut self) -> Result<Vec<PathBuf>> {
        // A damaged vault can be destroyed too: the check is stopped, not waited for.
        self.pages.stop();
        self.checkpoint_now()?;
        self.leave_wal()?;
        let path = self.path.clone();
        self.conn.close().map_err(|(_, e)| VaultError::from(e))?;
        let mut deleted = Vec::new();
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = PathBuf::from(name);
            match std::fs::remove_file(&file) {
                Ok(()) => deleted.push(file),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::File::open(dir)?.sync_all()?;
        Ok(deleted)
    }
}

/// Looks at the raw bytes before any key is tried, to tell a missing, empty, plain-SQLite or
/// truncated file from a wrong passphrase, and returns the first 16 (SQLCipher's salt). Reads
/// only.
fn precheck(path: &Path) -> Result<[u8; 16]> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VaultError::NoVault(path.to_owned()));
        }
        Err(e) => return Err(e.into()),
    };
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(VaultError::NotAVault(format!(
            "{} is a directory",
            path.display()
        )));
    }
    let len = meta.len();
    if len == 0 {
        return Err(VaultError::NotAVault("the file is empty".into()));
    }
    let mut head = [0u8; 16];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            read => n += read,
        }
    }
    if n == 16 && &head == SQLITE_MAGIC {
        return Err(VaultError::NotAVault(
            "an unencrypted SQLite database".into(),
        ));
    }
    if len % PAGE_SIZE != 0 {
        return Err(VaultError::Corrupted(format!(
            "the file is {len} bytes, not a whole number of {PAGE_SIZE}-byte pages: truncated or not a vault"
        )));
    }
    Ok(head)
}

fn connect(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    #[allow(
        clippy::disallowed_methods,
        reason = "the one place a vault connection is opened"
    )]
    let conn = Connection::open_with_flags(path, flags)?;
    conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
    // Keep SQLCipher quiet about failed MACs: the error is reported as a value, not on stderr.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    packed_set::register(&conn)?;
    Ok(conn)
}

/// Keys a new file from the passphrase by SQLCipher's own KDF, which draws the file's salt.
fn apply_key(conn: &Connection, keying: &Keying<'_>) -> Result<()> {
    match keying {
        Keying::Passphrase(p) => {
            if p.is_empty() {
                return Err(VaultError::WrongPassphrase);
            }
            refuse_raw_key_form(p)?;
            // The statement holds the passphrase: build it in a buffer that is zeroized.
            apply_unlock_key(conn, Some(&key_pragma("key", p.expose())?))?;
        }
        #[cfg(feature = "insecure-plaintext")]
        Keying::Plaintext { .. } => {}
    }
    Ok(())
}

/// The statement that keys each connection to an existing vault: for a passphrase, the raw key
/// SQLCipher would derive from it (PBKDF2-HMAC-SHA512 over the file's salt, [`KDF_ITERATIONS`]
/// rounds, by the same OpenSSL function), derived here once so that the connection of the check
/// of every page does not derive it again (a sixth of a second of CPU, which a closing process
/// waited for). SQLCipher derives the pages' MAC key from it as from a passphrase's key. A
/// passphrase SQLCipher itself takes as a raw key ([`is_raw_key_form`]; no new vault accepts
/// one) is given to it as it is.
fn unlock_key(keying: &Keying<'_>, salt: &[u8; 16]) -> Result<Option<Zeroizing<String>>> {
    match keying {
        Keying::Passphrase(p) => {
            let p = p.expose();
            if p.is_empty() {
                return Err(VaultError::WrongPassphrase);
            }
            // As it is: a raw key, or a NUL, which `key_pragma` refuses.
            if p.contains('\0') || is_raw_key_form(p) {
                return key_pragma("key", p).map(Some);
            }
            let mut key = Zeroizing::new([0u8; 32]);
            openssl::pkcs5::pbkdf2_hmac(
                p.as_bytes(),
                salt,
                KDF_ITERATIONS as usize,
                openssl::hash::MessageDigest::sha512(),
                key.as_mut(),
            )
            .map_err(|_| refused())?;
            let mut digits = Zeroizing::new([0u8; 64]);
            hex::encode_to_slice(key.as_ref(), digits.as_mut()).map_err(|_| refused())?;
            let digits = std::str::from_utf8(digits.as_ref()).map_err(|_| refused())?;
            let mut raw = Zeroizing::new(String::with_capacity(3 + digits.len()));
            raw.push_str("x'");
            raw.push_str(digits);
            raw.push('\'');
            key_pragma("key", &raw).map(Some)
        }
        #[cfg(feature = "insecure-plaintext")]
        Keying::Plaintext { .. } => Ok(None),
    }
}

/// Whether SQLCipher takes `p` as a raw key rather than a passphrase to derive one from: `x'`
/// (either case) then 64, 96 or 160 hex digits and one more character. Such a key is used as it
/// is, with no derivation to slow a guess, so a new vault or a new passphrase refuses it.
fn is_raw_key_form(p: &str) -> bool {
    let b = p.as_bytes();
    [64, 96, 160].contains(&b.len().saturating_sub(3))
        && b[..2].eq_ignore_ascii_case(b"x'")
        && b[2..b.len() - 1].iter().all(u8::is_ascii_hexdigit)
}

/// Keys `conn` with a key statement ([`key_pragma`], [`unlock_key`]; none for a plaintext file).
fn apply_unlock_key(conn: &Connection, key: Option<&Zeroizing<String>>) -> Result<()> {
    if let Some(sql) = key {
        // The statement text holds the key: never let it into an error.
        conn.execute_batch(sql).map_err(|_| refused())?;
    }
    Ok(())
}

/// The connection settings every unlocked vault runs with.
fn configure(conn: &Connection, keying: &Keying<'_>) -> Result<()> {
    let secure_delete = match keying {
        Keying::Passphrase(_) => true,
        #[cfg(feature = "insecure-plaintext")]
        Keying::Plaintext { secure_delete } => *secure_delete,
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String =
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get("journal_mode"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(VaultError::Busy);
    }
    conn.execute_batch(&format!(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = {};
         PRAGMA temp_store = MEMORY;
         PRAGMA journal_size_limit = 0;",
        if secure_delete { "ON" } else { "OFF" }
    ))?;
    set_page_cache(conn)
}

/// Sets the page cache to its bound (`PAGE_CACHE_KIB`).
fn set_page_cache(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!("PRAGMA cache_size = -{PAGE_CACHE_KIB};"))?;
    Ok(())
}

/// How many prepared statements a connection keeps (`prepare_cached`): more than the vault has
/// (about 60), so a vendor read's statements stay prepared rather than pushing each other out of
/// rusqlite's default 16 and being parsed again.
const STATEMENTS_KEPT: usize = 128;

/// The page cache's bound in KiB: large enough to hold the model of a big vault, so scans such as
/// a text search decrypt each page once rather than on every pass (SQLite's default is 2 MiB).
/// Pages are allocated only as they are read.
const PAGE_CACHE_KIB: u32 = 64 * 1024;

/// Reads every page before the caller goes on: SQLCipher's per-page MAC check, then SQLite's
/// structural check. For a migration, which must not write to a damaged file; otherwise the
/// same check runs in the background ([`PageChecker`]).
fn integrity_check(conn: &Connection, keying: &Keying<'_>) -> Result<()> {
    if matches!(keying, Keying::Passphrase(_)) {
        let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
        let problems: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>("cipher_integrity_check"))?
            .collect::<rusqlite::Result<_>>()?;
        if !problems.is_empty() {
            return Err(VaultError::Corrupted(problems.join("; ")));
        }
    }
    let verdict: String = conn.query_row("PRAGMA quick_check", [], |r| r.get("quick_check"))?;
    if verdict != "ok" {
        return Err(VaultError::Corrupted(verdict));
    }
    Ok(())
}

/// `PRAGMA name = '<secret>'`, built in one zeroized buffer sized up front so that no copy of
/// the secret is left behind by a reallocation.
fn key_pragma(name: &str, secret: &str) -> Result<Zeroizing<String>> {
    if secret.contains('\0') {
        return Err(VaultError::BadPassphrase(
            "it contains a NUL character".into(),
        ));
    }
    let mut sql = Zeroizing::new(String::with_capacity(name.len() + 2 * secret.len() + 16));
    sql.push_str("PRAGMA ");
    sql.push_str(name);
    sql.push_str(" = '");
    for c in secret.chars() {
        if c == '\'' {
            sql.push('\'');
        }
        sql.push(c);
    }
    sql.push('\'');
    Ok(sql)
}

/// Refuses a new passphrase that SQLCipher would take as a raw key ([`is_raw_key_form`]).
fn refuse_raw_key_form(p: &Passphrase) -> Result<()> {
    if is_raw_key_form(p.expose()) {
        return Err(VaultError::BadPassphrase(
            "it has the form of a raw key (x'…' and hex digits), which SQLCipher would use \
             without deriving a key from it"
                .into(),
        ));
    }
    Ok(())
}

/// The error for a key statement the cipher refused; says nothing of the statement's text.
fn refused() -> VaultError {
    VaultError::BadPassphrase("the cipher refused it".into())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        return Ok(());
    }
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use selfmodel_core::{AuditAction, Catalogue, Passphrase, PendingEvent};

    use super::{PAGE_CACHE_KIB, Vault, VaultError};

    fn cache_kib(vault: &Vault) -> i64 {
        let size: i64 = vault
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap();
        -size
    }

    #[test]
    fn a_bulk_write_gives_the_page_cache_back_whether_it_commits_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let pass = Passphrase::new("a long enough passphrase".into());
        let mut vault =
            Vault::create(&dir.path().join("v.db"), &pass, &Catalogue::defaults()).unwrap();
        assert_eq!(cache_kib(&vault), i64::from(PAGE_CACHE_KIB));
        let failed = vault.write(|w| -> Result<(), VaultError> {
            w.bulk()?;
            Err(VaultError::Unaudited)
        });
        assert!(failed.is_err());
        assert_eq!(cache_kib(&vault), i64::from(PAGE_CACHE_KIB));
        vault
            .write(|w| {
                w.bulk()?;
                let bounded: i64 = w.tx.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
                assert!(-bounded < i64::from(PAGE_CACHE_KIB));
                w.append_audit(
                    PendingEvent::new(AuditAction::Imported, None),
                    chrono::Utc::now(),
                )
            })
            .unwrap();
        assert_eq!(cache_kib(&vault), i64::from(PAGE_CACHE_KIB));
        // A bulk write that panics: the next transaction gives the cache back.
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            vault.write(|w| -> Result<(), VaultError> {
                w.bulk()?;
                panic!("a bulk write fails halfway");
            })
        }));
        assert!(panicked.is_err());
        vault.read(|r| r.count_beliefs()).unwrap();
        assert_eq!(cache_kib(&vault), i64::from(PAGE_CACHE_KIB));
    }
}
