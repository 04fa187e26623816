//! Verifying the audit chain of a vault holding a million events.
//!
//! `cargo bench -p selfmodel --bench audit_verify` builds a SQLCipher vault (passphrase-keyed,
//! created and opened as the product does) whose chain holds `BENCH_EVENTS` (default 1,000,000)
//! events, appended in one write transaction through the vault's writer with the actions and
//! detail shapes the product writes. The build is not timed. Then, `BENCH_REPS` (default 5) times
//! each, in rotating order, it measures:
//! - `verify_audit`: [`Selfmodel::verify_audit`], what `selfmodel audit verify` runs;
//! - `materialised`: every event read into a `Vec` ([`Selfmodel::audit_log`]), then
//!   [`audit::verify`] over it;
//! - `in_memory`: [`audit::verify`] over events already in memory: the checks and hashing alone;
//! - `scan_sqlcipher`: a bare `SELECT` of the same columns in the same order on a keyed
//!   connection to the same file, each column borrowed and nothing else done: SQLCipher's page
//!   decryption plus SQLite's row decoding;
//! - `scan_plain`: the same scan of an unencrypted copy of the file (`sqlcipher_export`), so the
//!   difference from `scan_sqlcipher` is the cipher's share.
//!
//! Each line reports the median time and events per second.

#![allow(missing_docs, clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use selfmodel::Selfmodel;
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::{self, AuditEvent};
use selfmodel_core::{AuditAction, BeliefId, Catalogue, ChainVerdict, Passphrase, PendingEvent};
use selfmodel_vault::Vault;

const PASS: &str = "benchmark vault passphrase";
/// The vault's page cache (`PRAGMA cache_size`), for the bare scans' connections.
const CACHE_KIB: u32 = 64 * 1024;
const CATEGORIES: &[&str] = &[
    "interests",
    "preferences",
    "goals",
    "expertise",
    "routines",
    "communication_style",
];

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pass() -> Passphrase {
    Passphrase::new(PASS.to_owned())
}

/// The `i`th event of the fixture: a cycle of twenty over what the product records most, with
/// the product's subjects (ids) and details (ids, counts, categories, nonces).
fn event(i: usize) -> PendingEvent {
    let category = CATEGORIES[i % CATEGORIES.len()];
    let id = || BeliefId::new().to_string();
    match i % 20 {
        0..=8 => PendingEvent::new(AuditAction::BeliefCreated, Some(id()))
            .with_detail(Detail::new().with("category", category)),
        9..=11 => PendingEvent::new(AuditAction::BeliefRectified, Some(id())),
        12..=14 => PendingEvent::new(AuditAction::BeliefProposed, Some(id())).with_detail(
            Detail::new()
                .with("grant", id())
                .with("category", category)
                .with(
                    "nonce",
                    format!(
                        "{:032x}",
                        (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
                    ),
                ),
        ),
        15 => PendingEvent::new(AuditAction::ProposalAccepted, Some(id())),
        16 => PendingEvent::new(AuditAction::BeliefDeleted, Some(id()))
            .with_detail(Detail::new().with("category", category)),
        17 => PendingEvent::new(AuditAction::GrantApproved, Some(id())).with_detail(
            Detail::new()
                .with("request", id())
                .with("vendor", "music-recommender.example"),
        ),
        18 => PendingEvent::new(AuditAction::GrantRevoked, Some(id()))
            .with_detail(Detail::new().with("by", "person")),
        _ => PendingEvent::new(AuditAction::RetentionPurged, None)
            .with_detail(Detail::new().with("count", 2).list("ids", [id(), id()])),
    }
}

/// A vault at `path` whose chain holds `n` events: its creation plus `n - 1` appended in one
/// write transaction, 30 s apart.
fn build(path: &Path, n: usize) {
    let mut vault = Vault::create(path, &pass(), &Catalogue::defaults()).unwrap();
    let start = Utc::now() - chrono::Duration::seconds(30 * n as i64);
    vault
        .write(|w| -> selfmodel_vault::Result<()> {
            for i in 1..n {
                let at = start + chrono::Duration::microseconds(30_000_000 * i as i64 + 123);
                w.append_audit(event(i), at)?;
            }
            Ok(())
        })
        .unwrap();
    vault.checkpoint().unwrap();
    vault.close().unwrap();
}

/// A connection to the vault file outside the vault crate, for the bare scans.
#[allow(
    clippy::disallowed_methods,
    reason = "the bare scans measure SQLite and SQLCipher without the vault's code"
)]
fn raw(path: &Path, key: Option<&str>) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    if let Some(key) = key {
        conn.execute_batch(&format!("PRAGMA key = '{key}';"))
            .unwrap();
    }
    conn.execute_batch(&format!("PRAGMA cache_size = -{CACHE_KIB};"))
        .unwrap();
    conn
}

/// The verifier's scan without the verifier: every column of every event borrowed, in order.
fn scan(conn: &rusqlite::Connection) -> (u64, usize) {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, at, action, subject, detail, prev, hash FROM audit_events ORDER BY seq",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let (mut count, mut bytes) = (0u64, 0usize);
    while let Some(row) = rows.next().unwrap() {
        let seq: u64 = row.get(0).unwrap();
        for i in 1..7 {
            bytes += row
                .get_ref(i)
                .unwrap()
                .as_bytes_or_null()
                .unwrap()
                .map_or(0, <[u8]>::len);
        }
        count = seq;
    }
    (count, bytes)
}

fn intact_count(v: &ChainVerdict) -> u64 {
    match v {
        ChainVerdict::Intact { events, .. } => *events,
        ChainVerdict::Broken { .. } => panic!("the fixture's chain is broken: {v:?}"),
    }
}

type Case<'a> = (&'static str, Box<dyn FnMut() -> u64 + 'a>);

fn main() {
    let n = env_num("BENCH_EVENTS", 1_000_000);
    let reps = env_num("BENCH_REPS", 5).max(1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");

    let t = Instant::now();
    build(&path, n);
    let mib = |p: &Path| std::fs::metadata(p).unwrap().len() as f64 / (1024.0 * 1024.0);
    eprintln!(
        "built a vault of {n} audit events ({:.1} MiB) in {:.1}s",
        mib(&path),
        t.elapsed().as_secs_f64()
    );

    let plain = dir.path().join("plain.db");
    let keyed = raw(&path, Some(PASS));
    keyed
        .execute_batch(&format!(
            "ATTACH DATABASE '{}' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;",
            plain.display()
        ))
        .unwrap();
    let plain_conn = raw(&plain, None);
    eprintln!("unencrypted copy: {:.1} MiB", mib(&plain));

    let t = Instant::now();
    let mut model = Selfmodel::open_witnessed(&path, &pass(), None).unwrap();
    eprintln!("opened in {:.1}s", t.elapsed().as_secs_f64());
    let events: Vec<AuditEvent> = model.audit_log().unwrap();
    assert_eq!(events.len(), n);

    let model = std::cell::RefCell::new(&mut model);
    let mut cases: Vec<Case<'_>> = vec![
        (
            "verify_audit",
            Box::new(|| intact_count(&model.borrow_mut().verify_audit().unwrap())),
        ),
        (
            "materialised",
            Box::new(|| intact_count(&audit::verify(&model.borrow_mut().audit_log().unwrap()))),
        ),
        (
            "in_memory",
            Box::new(|| intact_count(&audit::verify(&events))),
        ),
        ("scan_sqlcipher", Box::new(|| scan(&keyed).0)),
        ("scan_plain", Box::new(|| scan(&plain_conn).0)),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    // One untimed pass of each warms the OS's file cache and the statements.
    for (name, f) in &mut cases {
        assert_eq!(f(), n as u64, "{name}");
    }
    for rep in 0..reps {
        for k in 0..cases.len() {
            let i = (k + rep) % cases.len();
            let (name, f) = &mut cases[i];
            let t = Instant::now();
            let counted = f();
            times[i].push(t.elapsed());
            assert_eq!(counted, n as u64, "{name}");
        }
    }

    println!();
    println!("{n} audit events; median of {reps} runs");
    println!();
    println!("| measurement | median | events/s | min | max |");
    println!("|---|---:|---:|---:|---:|");
    for ((name, _), mut t) in cases.iter().zip(times) {
        t.sort();
        let median = t[t.len() / 2];
        println!(
            "| {name} | {:.3} s | {:.0} | {:.3} s | {:.3} s |",
            median.as_secs_f64(),
            n as f64 / median.as_secs_f64(),
            t[0].as_secs_f64(),
            t[t.len() - 1].as_secs_f64(),
        );
    }
}
