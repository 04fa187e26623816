//! The vault's cost, SQLCipher against the unkeyed baseline (same schema and code paths), side
//! by side in one run: a bulk insert, filtered and text-search listings, showing one belief, and
//! unlocking (the PBKDF2 key derivation plus the integrity checks on open).
//!
//! `cargo bench -p selfmodel-vault --bench vault`; results in `docs/BENCHMARKS.md`.
#![allow(missing_docs)]

mod common;

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use selfmodel_core::validate::build_belief;
use selfmodel_core::{
    Actor, AuditAction, Belief, BeliefFilter, BeliefId, Catalogue, EvidenceKind, NewBelief,
    NewEvidence, Passphrase, PendingEvent, Provenance, Status,
};
use selfmodel_vault::Vault;
use tempfile::TempDir;

const N: usize = 10_000;
const PASS: &str = "correct horse battery staple";
const CATEGORIES: &[&str] = &["interests", "preferences", "goals", "expertise", "routines"];
const TOPICS: &[&str] = &[
    "astronomy",
    "baking",
    "chess",
    "cycling",
    "databases",
    "espresso",
    "gardening",
    "hiking",
    "jazz",
    "knitting",
    "linguistics",
    "marathons",
    "mycology",
    "opera",
    "origami",
    "painting",
    "photography",
    "poetry",
    "pottery",
    "rowing",
    "sailing",
    "sculpture",
    "sudoku",
    "surfing",
    "tango",
    "tennis",
    "theatre",
    "typography",
    "volleyball",
    "woodworking",
    "yoga",
    "zoology",
    "archery",
    "birdwatching",
    "calligraphy",
    "climbing",
    "cooking",
    "dancing",
    "fencing",
    "fishing",
    "geology",
    "history",
    "juggling",
    "kayaking",
    "magic",
    "meteorology",
    "numismatics",
    "philately",
    "robotics",
    "skiing",
];

fn passphrase() -> Passphrase {
    Passphrase::new(PASS.to_owned())
}

/// `n` beliefs with one piece of evidence each, over five types, 50 topics and confidences
/// from 0 to 0.99.
fn beliefs(catalogue: &Catalogue, n: usize) -> Vec<Belief> {
    let now = Utc::now();
    (0..n)
        .map(|i| {
            let topic = TOPICS[i % TOPICS.len()];
            build_belief(
                NewBelief {
                    statement: format!(
                        "Shows a steady interest in {topic}, returning to it most weeks (#{i})"
                    ),
                    category: CATEGORIES[i % CATEGORIES.len()].into(),
                    confidence: (i % 100) as f64 / 100.0,
                    purposes: Default::default(),
                    sensitivity: None,
                    evidence: vec![NewEvidence {
                        kind: EvidenceKind::Observed,
                        source: "reading-app".into(),
                        summary: format!("Read {} articles about {topic} this month", i % 17 + 1),
                        observed_at: None,
                        content_sha256: None,
                    }],
                },
                catalogue,
                Provenance {
                    actor: Actor::Person,
                    method: "bench".into(),
                },
                Status::Active,
                now,
            )
            .expect("valid belief")
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
enum Backend {
    SqlCipher,
    Plain,
}

impl Backend {
    const BOTH: [Backend; 2] = [Backend::SqlCipher, Backend::Plain];

    fn name(self) -> &'static str {
        match self {
            Backend::SqlCipher => "sqlcipher",
            Backend::Plain => "plain",
        }
    }

    fn create(self, path: &Path, catalogue: &Catalogue) -> Vault {
        match self {
            Backend::SqlCipher => Vault::create(path, &passphrase(), catalogue),
            Backend::Plain => Vault::create_plaintext(path, catalogue, true),
        }
        .expect("create vault")
    }
}

/// The bulk insert as the product does it: one write transaction, one audit event per belief.
fn insert_all(vault: &mut Vault, beliefs: &[Belief]) {
    vault
        .write(|w| -> selfmodel_vault::Result<()> {
            for b in beliefs {
                w.insert_belief(b)?;
                w.append_audit(
                    PendingEvent::new(AuditAction::BeliefCreated, Some(b.id.to_string())),
                    Utc::now(),
                )?;
            }
            Ok(())
        })
        .expect("insert");
}

/// A vault holding `N` beliefs, for the read benchmarks.
struct Filled {
    _dir: TempDir,
    vault: Vault,
    middle: BeliefId,
}

fn filled(backend: Backend, catalogue: &Catalogue) -> Filled {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut vault = backend.create(&dir.path().join("vault.db"), catalogue);
    let all = beliefs(catalogue, N);
    insert_all(&mut vault, &all);
    vault.checkpoint().expect("checkpoint");
    let size = std::fs::metadata(vault.path()).expect("metadata").len();
    eprintln!(
        "{}: {N} beliefs, file {:.1} MiB",
        backend.name(),
        size as f64 / (1024.0 * 1024.0)
    );
    Filled {
        _dir: dir,
        vault,
        middle: all[N / 2].id,
    }
}

fn bench(c: &mut Criterion) {
    let catalogue = Catalogue::defaults();

    {
        let mut g = c.benchmark_group("insert_10k");
        // The commit's fsyncs make this the noisiest measurement: more samples.
        g.sampling_mode(SamplingMode::Flat).sample_size(20);
        for backend in Backend::BOTH {
            g.bench_function(backend.name(), |b| {
                b.iter_batched(
                    || {
                        let dir = tempfile::tempdir().expect("tempdir");
                        let vault = backend.create(&dir.path().join("vault.db"), &catalogue);
                        (dir, vault, beliefs(&catalogue, N))
                    },
                    |(dir, mut vault, all)| {
                        insert_all(&mut vault, &all);
                        // Dropped (closed, deleted) outside the measurement.
                        (dir, vault)
                    },
                    BatchSize::PerIteration,
                );
            });
        }
        g.finish();
    }

    let mut vaults: Vec<(Backend, Filled)> = Backend::BOTH
        .into_iter()
        .map(|b| (b, filled(b, &catalogue)))
        .collect();

    let by_purpose = BeliefFilter {
        purpose: Some("recommendations".into()),
        min_confidence: Some(0.5),
        ..BeliefFilter::default()
    };
    let by_text = BeliefFilter {
        search: Some("ASTRONOMY".into()),
        ..BeliefFilter::default()
    };
    for (group, filter, expected) in [
        ("list_filtered_10k", &by_purpose, N / 2),
        ("list_search_10k", &by_text, N / TOPICS.len()),
    ] {
        let mut g = c.benchmark_group(group);
        g.sampling_mode(SamplingMode::Flat);
        for (backend, f) in &mut vaults {
            let found = f.vault.read(|r| r.beliefs(filter)).expect("list").len();
            assert_eq!(found, expected, "{group} on {}", backend.name());
            g.bench_function(backend.name(), |b| {
                b.iter(|| f.vault.read(|r| r.beliefs(filter)).expect("list"));
            });
        }
        g.finish();
    }

    {
        let mut g = c.benchmark_group("show_one");
        for (backend, f) in &mut vaults {
            let id = f.middle;
            g.bench_function(backend.name(), |b| {
                b.iter(|| {
                    f.vault
                        .read(|r| r.belief(id))
                        .expect("read")
                        .expect("present")
                });
            });
        }
        g.finish();
    }

    // Unlocking: only the keyed vault has it (the unkeyed baseline cannot be reopened through
    // the API). Measured on a new vault (the KDF dominates) and on the 10k one (plus the MAC
    // check of every page and SQLite's quick_check).
    {
        let mut g = c.benchmark_group("unlock");
        g.sampling_mode(SamplingMode::Flat);
        let empty_dir = tempfile::tempdir().expect("tempdir");
        let empty = empty_dir.path().join("empty.db");
        Backend::SqlCipher
            .create(&empty, &catalogue)
            .close()
            .expect("close");
        g.bench_function("sqlcipher_new_vault", |b| {
            b.iter_with_large_drop(|| Vault::open(&empty, &passphrase()).expect("open"));
        });
        let (_, f) = vaults
            .iter()
            .find(|(b, _)| matches!(b, Backend::SqlCipher))
            .expect("sqlcipher vault");
        let full = f.vault.path().to_owned();
        g.bench_function("sqlcipher_10k", |b| {
            b.iter_with_large_drop(|| Vault::open(&full, &passphrase()).expect("open"));
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
