//! "Who received this belief" on a vault whose access log holds many disclosure sets: 10,000
//! reads, each of 100 beliefs out of 10,000 and each a new set (a vendor shifting its page by one
//! belief every read, the worst case for the log's size). Measured: one belief's recipients (the
//! app's belief view) and the notices of erasing every belief (one pass for all of them).
//!
//! `cargo bench -p selfmodel-vault --bench recipients`; results in `docs/BENCHMARKS.md`.
#![allow(missing_docs)]

mod common;

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use selfmodel_core::{BeliefId, Catalogue, NewAccess, Outcome, Passphrase, VendorEventKind};
use selfmodel_vault::{Vault, VaultError};

const BELIEFS: usize = 10_000;
const SETS: usize = 10_000;
const PER_READ: usize = 100;

fn read(grant: usize, disclosed: Vec<BeliefId>) -> NewAccess {
    NewAccess {
        grant_id: Some(format!("grant-{grant}")),
        vendor_id: Some("org.example.vendor".into()),
        purpose: Some("recommendations".into()),
        operation: "beliefs.read".into(),
        outcome: Outcome::Allowed,
        disclosed,
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pass = Passphrase::new("correct horse battery staple".into());
    let mut vault =
        Vault::create(&dir.path().join("v.db"), &pass, &Catalogue::defaults()).expect("create");
    let ids: Vec<BeliefId> = (0..BELIEFS).map(|_| BeliefId::new()).collect();
    vault
        .write(|w| {
            // Spread over days, as a grant may add at most `MAX_NEW_SETS_PER_DAY` sets a day.
            let first = Utc::now() - TimeDelta::days(30);
            for start in 0..SETS {
                let page = (0..PER_READ).map(|i| ids[(start + i) % BELIEFS]).collect();
                let at = first + TimeDelta::days((start / 1000) as i64);
                w.append_access(&read(start % 4, page), at)?;
            }
            Ok::<_, VaultError>(())
        })
        .expect("log");
    vault.checkpoint().expect("checkpoint");
    let size = std::fs::metadata(vault.path()).expect("metadata").len();
    eprintln!(
        "{SETS} sets of {PER_READ}: file {:.1} MiB",
        size as f64 / 1048576.0
    );

    let mut g = c.benchmark_group("who_received");
    g.sampling_mode(SamplingMode::Flat);
    let one = ids[BELIEFS / 2];
    let found = vault.read(|r| r.recipients(one)).expect("recipients");
    assert_eq!(found.iter().map(|r| r.times).sum::<u64>(), PER_READ as u64);
    g.bench_function("one_belief", |b| {
        b.iter(|| vault.read(|r| r.recipients(one)).expect("recipients"));
    });
    g.bench_function("erase_all_notices", |b| {
        b.iter(|| {
            // Nothing is recorded, so the write rolls back: each iteration starts afresh.
            let _ = vault.write(|w| {
                let queued =
                    w.notify_recipients(&ids, VendorEventKind::BeliefErased, Utc::now())?;
                assert_eq!(queued, (BELIEFS * 4) as u64);
                Ok::<_, VaultError>(())
            });
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::config(Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
