//! Crash safety: the real binary is killed with SIGKILL at random points in the middle of a burst
//! of writes (`demo`, one transaction per belief), of `erase-all` and of a large `import` (one
//! transaction), many times. After every kill the vault must open (which runs
//! `cipher_integrity_check` and `quick_check`), pass `PRAGMA integrity_check` and
//! `audit verify`, and hold all or none of each transaction.
//!
//! The kill points come from a seeded generator; the seed is printed, and `CRASH_SEED=<n>`
//! replays a run.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{PASS, TestVault};

/// Kill rounds in all (half of them imports); keep the whole test well under a minute.
const ROUNDS: usize = 24;
/// How many `demo` runs fill the vault whose export is imported (about 40 beliefs each).
const DEMO_RUNS: usize = 5;

/// SplitMix64: small, seeded, good enough to pick kill points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A delay uniformly between `min` and `max`.
    fn delay(&mut self, min: Duration, max: Duration) -> Duration {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        min + max.saturating_sub(min).mul_f64(unit)
    }
}

fn seed() -> u64 {
    std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}

/// `selfmodel --vault <v> <args>`, silent.
fn command(v: &TestVault, args: &[&str]) -> Command {
    let mut cmd = v.std_cmd_with(Some(PASS));
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Runs a command to completion, which must succeed; returns how long it took.
fn timed(v: &TestVault, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = command(v, args).status().unwrap();
    assert!(status.success(), "{args:?} failed: {status}");
    start.elapsed()
}

/// Starts a command and SIGKILLs it after `after`; returns whether it was still running then.
/// A command that finished first must have succeeded.
fn run_and_kill(v: &TestVault, args: &[&str], after: Duration) -> bool {
    let mut child = command(v, args).spawn().unwrap();
    std::thread::sleep(after);
    if let Some(status) = child.try_wait().unwrap() {
        assert!(
            status.success(),
            "{args:?} failed before the kill: {status}"
        );
        return false;
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    // It may have finished between try_wait and kill: then it completed, and was not killed.
    !status.success()
}

/// What a vault holds after a crash, checked for integrity on the way.
struct State {
    actions: Vec<String>,
    beliefs: u64,
    evidence: u64,
}

fn state(v: &TestVault, what: &str) -> State {
    // Opening runs cipher_integrity_check and quick_check; verify recomputes the chain.
    let out = v
        .std_cmd_with(Some(PASS))
        .args(["audit", "verify", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{what}: the vault does not open or its chain is broken: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["ok"], true, "{what}: {verdict}");
    let actions: Vec<String> = v
        .audit_log()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(Some(actions.len() as u64), verdict["events"].as_u64());
    let conn = v.sql();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "{what}: integrity_check");
    let count = |table: &str| -> u64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    State {
        beliefs: count("beliefs"),
        evidence: count("evidence"),
        actions,
    }
}

/// Each `demo` belief is its own transaction with its own audit event, and `erase-all` one
/// transaction with one event: the beliefs are exactly those created since the last erasure.
fn assert_demo_vault_consistent(s: &State, what: &str) {
    let since_erase = s
        .actions
        .iter()
        .rposition(|a| a == "vault.erased_all")
        .map_or(&s.actions[..], |i| &s.actions[i + 1..]);
    let created = since_erase
        .iter()
        .filter(|a| *a == "belief.created")
        .count() as u64;
    assert_eq!(
        s.beliefs, created,
        "{what}: beliefs vs belief.created events"
    );
    assert_eq!(
        s.evidence, s.beliefs,
        "{what}: each demo belief has one piece of evidence"
    );
}

#[test]
fn sigkill_mid_write_leaves_an_intact_all_or_nothing_vault() {
    let seed = seed();
    println!("crash test seed: {seed} (replay with CRASH_SEED={seed})");
    let mut rng = Rng(seed);
    let started = Instant::now();

    // A vault with a few hundred beliefs, exported as one large file.
    let source = TestVault::new();
    let mut demo_time = Duration::ZERO;
    for _ in 0..DEMO_RUNS {
        demo_time += timed(&source, &["demo"]);
    }
    let demo_time = demo_time / DEMO_RUNS as u32;
    let export = source.dir().join("all.json");
    timed(&source, &["export", "--out", export.to_str().unwrap()]);
    let full = state(&source, "source");
    assert!(full.beliefs >= 200, "{} beliefs", full.beliefs);

    // An empty vault to import into, copied fresh for every import round.
    let empty = TestVault::init().bytes();
    let probe = TestVault::from_bytes(&empty);
    let import_time = timed(&probe, &["import", export.to_str().unwrap()]);
    let s = state(&probe, "clean import");
    assert_eq!((s.beliefs, s.evidence), (full.beliefs, full.evidence));
    let open_empty = timed(&probe, &["audit", "verify"]);
    let probe = TestVault::from_bytes(&source.bytes());
    let open_full = timed(&probe, &["audit", "verify"]);
    let erase_time = timed(&probe, &["erase-all", "--yes"]);

    // The vault that takes bursts of writes and erasures.
    let burst = TestVault::from_bytes(&source.bytes());
    let mut burst_beliefs = full.beliefs;
    let (mut killed, mut completed) = (0, 0);
    // Each run that finishes before its kill shortens the delays that follow, so that however
    // much faster the machine runs now than when it was measured, most runs are still killed.
    let mut scale = 1.0;
    for round in 0..ROUNDS {
        // Kill points fall between most of the time it takes to unlock (key derivation and
        // integrity checks, which write nothing) and a little past a clean run's end.
        let (args, open, full_run, fresh) = match round % 6 {
            0 | 2 => (vec!["demo"], open_full, demo_time, None),
            4 => (vec!["erase-all", "--yes"], open_full, erase_time, None),
            _ => (
                vec!["import", export.to_str().unwrap()],
                open_empty,
                import_time,
                Some(TestVault::from_bytes(&empty)),
            ),
        };
        let v = fresh.as_ref().unwrap_or(&burst);
        let before = if fresh.is_some() { 0 } else { burst_beliefs };
        let delay = rng.delay(open.mul_f64(0.8 * scale), full_run.mul_f64(1.2 * scale));
        let what = format!("round {round}: {args:?} killed after {delay:?} (seed {seed})");
        let was_killed = run_and_kill(v, &args, delay);
        if was_killed {
            killed += 1;
        } else {
            completed += 1;
            scale *= 0.7;
        }
        let s = state(v, &what);
        println!(
            "round {round:2}: {:<9} {} after {delay:>12.3?}: beliefs {before} -> {}",
            args[0],
            if was_killed { "killed  " } else { "finished" },
            s.beliefs
        );
        if fresh.is_some() {
            let imported = s.actions.iter().any(|a| a == "archive.imported");
            let expected = if imported {
                (full.beliefs, full.evidence)
            } else {
                (0, 0)
            };
            assert_eq!(
                (s.beliefs, s.evidence),
                expected,
                "{what}: import is all or nothing"
            );
        } else {
            assert_demo_vault_consistent(&s, &what);
            burst_beliefs = s.beliefs;
        }
    }
    println!(
        "{killed} runs killed mid-way, {completed} finished first, in {:?}",
        started.elapsed()
    );
    assert!(
        killed >= ROUNDS / 3,
        "only {killed} of {ROUNDS} runs were killed before they finished"
    );
}
