//! The check of every page of an unlocked vault, run beside it instead of before it.
//!
//! SQLCipher verifies a page's MAC whenever it reads the page, so nothing that unlocking or a
//! read touches can have been altered unnoticed. The rest of the file is checked on a second,
//! query-only connection in a background thread: SQLCipher's `cipher_integrity_check` (every
//! page's MAC), then SQLite's `quick_check` (the structure, in one read snapshot). Until the
//! check has passed, reads are served and the first write waits for its verdict, so nothing is
//! ever written to a damaged file. Dropping the checker stops it and joins its thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, InterruptHandle};

use crate::error::VaultError;

/// Where the check of every page stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageCheck {
    /// Still reading the file.
    Running,
    /// Every page's MAC and the file's structure check out.
    Intact,
    /// What is wrong with the file.
    Damaged(String),
    /// Stopped before it finished (the vault was closed).
    Stopped,
}

/// How often a stopping checker is interrupted again until its thread has ended.
const INTERRUPT_EVERY: Duration = Duration::from_millis(2);
/// The checking connection's page cache in KiB: it reads each page once, so a small one does.
const CHECK_CACHE_KIB: u32 = 2 * 1024;
/// At most this many of the damaged pages are named.
const MAX_NAMED_PROBLEMS: usize = 5;

/// The background check of one open vault.
pub(crate) struct PageChecker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    interrupt: Option<InterruptHandle>,
}

struct Shared {
    verdict: Mutex<PageCheck>,
    settled: Condvar,
    cancel: AtomicBool,
}

impl PageChecker {
    /// A check that has already passed: a vault this process just created.
    pub(crate) fn passed() -> Self {
        Self::with(PageCheck::Intact)
    }

    /// Starts checking on `conn`, a keyed connection to the vault file that the checker owns.
    /// `macs`: whether the file is encrypted, so that its pages carry MACs.
    pub(crate) fn start(conn: Connection, macs: bool) -> Self {
        let mut checker = Self::with(PageCheck::Running);
        checker.interrupt = Some(conn.get_interrupt_handle());
        let shared = Arc::clone(&checker.shared);
        let spawned = std::thread::Builder::new()
            .name("vault-page-check".into())
            .spawn(move || {
                let verdict = check(conn, macs, &shared);
                *lock(&shared.verdict) = verdict;
                shared.settled.notify_all();
            });
        match spawned {
            Ok(thread) => checker.thread = Some(thread),
            Err(e) => {
                *lock(&checker.shared.verdict) =
                    PageCheck::Damaged(format!("the page check could not start: {e}"));
            }
        }
        checker
    }

    fn with(verdict: PageCheck) -> Self {
        Self {
            shared: Arc::new(Shared {
                verdict: Mutex::new(verdict),
                settled: Condvar::new(),
                cancel: AtomicBool::new(false),
            }),
            thread: None,
            interrupt: None,
        }
    }

    /// Where the check stands now, without waiting.
    pub(crate) fn status(&self) -> PageCheck {
        lock(&self.shared.verdict).clone()
    }

    /// Waits for the verdict.
    pub(crate) fn wait(&self) -> PageCheck {
        let mut verdict = lock(&self.shared.verdict);
        while *verdict == PageCheck::Running {
            verdict = self
                .shared
                .settled
                .wait(verdict)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        verdict.clone()
    }

    /// Waits for the verdict; [`VaultError::Corrupted`] unless the file checked out.
    pub(crate) fn passed_or_refuse(&self) -> Result<(), VaultError> {
        match self.wait() {
            PageCheck::Intact => Ok(()),
            PageCheck::Damaged(why) => Err(VaultError::Corrupted(why)),
            PageCheck::Running | PageCheck::Stopped => Err(VaultError::Corrupted(
                "the check of its pages did not finish".into(),
            )),
        }
    }

    /// Stops the check and waits for its thread, which closes its connection. The MAC pass
    /// cannot be interrupted (about 8 ms per MiB of file); the structural check stops at once.
    pub(crate) fn stop(&mut self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
        let Some(thread) = self.thread.take() else {
            return;
        };
        // An interrupt reaches only a statement already running, so it is repeated until the
        // thread has seen the flag or been stopped mid-statement.
        while !thread.is_finished() {
            if let Some(i) = &self.interrupt {
                i.interrupt();
            }
            std::thread::sleep(INTERRUPT_EVERY);
        }
        let _ = thread.join();
    }
}

impl Drop for PageChecker {
    fn drop(&mut self) {
        self.stop();
    }
}

fn lock(m: &Mutex<PageCheck>) -> std::sync::MutexGuard<'_, PageCheck> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The check itself. The connection is closed before the verdict is published, so that a writer
/// waiting for it finds the file to itself (a checkpoint is not held back by the check's reads).
fn check(conn: Connection, macs: bool, shared: &Arc<Shared>) -> PageCheck {
    let verdict = run(&conn, macs, shared);
    drop(conn);
    match verdict {
        Ok(v) => v,
        Err(_) if shared.cancel.load(Ordering::Relaxed) => PageCheck::Stopped,
        Err(e) => PageCheck::Damaged(e.to_string()),
    }
}

fn run(conn: &Connection, macs: bool, shared: &Arc<Shared>) -> rusqlite::Result<PageCheck> {
    conn.execute_batch(&format!(
        "PRAGMA query_only = ON; PRAGMA cache_size = -{CHECK_CACHE_KIB};"
    ))?;
    let cancelled = || shared.cancel.load(Ordering::Relaxed);
    if cancelled() {
        return Ok(PageCheck::Stopped);
    }
    if macs {
        // It reads the file as it is on disk, where a checkpoint may be rewriting a page at the
        // same moment: a page counts as damaged only if it fails a second reading too.
        let first = mac_failures(conn)?;
        if !first.is_empty() && !cancelled() {
            let again = mac_failures(conn)?;
            let both: Vec<String> = first.into_iter().filter(|p| again.contains(p)).collect();
            if !both.is_empty() {
                return Ok(PageCheck::Damaged(name(&both)));
            }
        }
    }
    if cancelled() {
        return Ok(PageCheck::Stopped);
    }
    let mut stmt = conn.prepare("PRAGMA quick_check")?;
    let problems: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>("quick_check"))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(match problems.as_slice() {
        [ok] if ok == "ok" => PageCheck::Intact,
        _ => PageCheck::Damaged(name(&problems)),
    })
}

/// `cipher_integrity_check`'s findings: one line per page whose MAC fails.
fn mac_failures(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
    stmt.query_map([], |r| r.get::<_, String>("cipher_integrity_check"))?
        .collect()
}

fn name(problems: &[String]) -> String {
    let mut named = problems
        .iter()
        .take(MAX_NAMED_PROBLEMS)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if problems.len() > MAX_NAMED_PROBLEMS {
        named.push_str(&format!(
            "; and {} more",
            problems.len() - MAX_NAMED_PROBLEMS
        ));
    }
    named
}
