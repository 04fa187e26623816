//! The access log after its retention: a vendor that reads every belief every day (10,000
//! beliefs, 100 pages of 100, one read a page) for `DAYS` days that are now past the log's
//! retention, then compacted into per-day counts as unlock does. Printed: the bytes the access
//! log's tables and indexes take (SQLite's `dbstat`) in detail and once compacted, per day of
//! history, and how long the compaction took.
//!
//! `cargo bench -p selfmodel-vault --bench compaction`; results in `docs/BENCHMARKS.md`.
#![allow(missing_docs, clippy::print_stdout)]

use std::path::Path;
use std::time::Instant;

use chrono::{Duration, Utc};
use selfmodel_core::{
    AuditAction, BeliefId, Catalogue, NewAccess, Outcome, Passphrase, PendingEvent,
};
use selfmodel_vault::{Vault, VaultError};

const BELIEFS: usize = 10_000;
const PER_READ: usize = 100;
const PASS: &str = "correct horse battery staple";

fn days() -> i64 {
    std::env::var("DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(30)
}

/// The bytes of the access log's tables and indexes (SQLite's `dbstat`): those that grow with
/// each day of history (entries, compacted days), and those that grow only with what is new
/// (sets, belief numbers, texts).
#[allow(
    clippy::disallowed_methods,
    reason = "dbstat, beside the closed vault: a measurement, not a vault"
)]
fn log_bytes(path: &Path) -> (u64, u64) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(&format!("PRAGMA key = '{PASS}';"))
        .expect("key");
    let sum = |names: &str| -> u64 {
        conn.query_row(
            &format!("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE {names}"),
            [],
            |r| r.get(0),
        )
        .expect("dbstat")
    };
    (
        sum("name GLOB '*access_*' OR name GLOB '*_days*'"),
        sum(
            "name GLOB '*disclosure_sets*' OR name GLOB '*belief_numbers*' \
             OR name GLOB '*log_texts*'",
        ),
    )
}

fn main() {
    let days = days();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v.db");
    let pass = Passphrase::new(PASS.into());
    let mut vault = Vault::create(&path, &pass, &Catalogue::defaults()).expect("create");
    let ids: Vec<BeliefId> = (0..BELIEFS).map(|_| BeliefId::new()).collect();
    let first = Utc::now() - Duration::days(400 + days);
    vault
        .write(|w| {
            for day in 0..days {
                for (page, chunk) in ids.chunks(PER_READ).enumerate() {
                    let read = NewAccess {
                        grant_id: Some("grant-1".into()),
                        vendor_id: Some("org.example.vendor".into()),
                        purpose: Some("recommendations".into()),
                        operation: "beliefs.read".into(),
                        outcome: Outcome::Allowed,
                        disclosed: chunk.to_vec(),
                    };
                    let at = first + Duration::days(day) + Duration::seconds(page as i64);
                    w.append_access(&read, at)?;
                }
            }
            Ok::<_, VaultError>(())
        })
        .expect("log");
    vault.close().expect("close");
    let detailed = log_bytes(&path);

    let mut vault = Vault::open(&path, &pass).expect("open");
    let started = Instant::now();
    let done = vault
        .write(|w| {
            let done = w.compact_access_log(Utc::now() - Duration::days(365))?;
            w.append_audit(
                PendingEvent::new(AuditAction::AccessLogCompacted, None),
                Utc::now(),
            )?;
            Ok::<_, VaultError>(done)
        })
        .expect("compact");
    let took = started.elapsed();
    vault.close().expect("close");
    let compacted = log_bytes(&path);
    assert_eq!(done.entries, (days as u64) * (BELIEFS / PER_READ) as u64);

    let kib = |bytes: u64| bytes as f64 / 1024.0;
    println!("{days} days of {BELIEFS} beliefs read daily, {PER_READ} a read");
    for (name, (daily, shared)) in [("detailed", detailed), ("compacted", compacted)] {
        println!(
            "{name:<9}  per-day tables {:>8.1} KiB ({:>6.2} KiB a day); sets, numbers, texts {:>7.1} KiB",
            kib(daily),
            kib(daily) / days as f64,
            kib(shared)
        );
    }
    println!(
        "compaction: {} entries, {} disclosures, {:.2} s",
        done.entries,
        done.disclosures,
        took.as_secs_f64()
    );
}
