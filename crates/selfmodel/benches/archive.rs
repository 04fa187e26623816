//! Export and import of a large self-model, plain vs age-encrypted, side by side.
//!
//! `cargo bench -p selfmodel --bench archive` builds a signed export of `BENCH_BELIEFS` (default
//! 100,000) beliefs with two pieces of evidence each (one in ten with a rectification), then
//! runs every case in a fresh process of this binary, so that each reports its own peak
//! memory (VmHWM from /proc/self/status):
//! - import: plain file, age to an X25519 recipient, age with a passphrase, each into a new
//!   vault;
//! - export: the same three from the imported vault.
//!
//! With `BENCH_IMPORT_ONLY` set, only the plain import runs.
//!
//! The passphrase cases use a fixed scrypt work factor of 2^15 (`LOG_N`), not age's calibration
//! (about one second here, which adds that second once per file). Times cover the export or
//! import call only, not unlocking the vault (its 256,000-iteration KDF). An export writes to the
//! vault (it seals the access log and records its audit event), and the first write after
//! unlocking waits for the background check of every page: each export case lets that check
//! finish before its timer starts and reports the wait apart (`wait`). `BENCH_REPS` (default 3)
//! runs per case; the median is reported.

#![allow(missing_docs, clippy::unwrap_used)]

/// The export files the archive tests use too.
#[path = "../tests/usecases/common/archive.rs"]
mod archive_files;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use archive_files::{FileKey, catalogue_in_id_order, contents, whole_export, write_signed};
use chrono::{DateTime, Duration, Utc};
use selfmodel::Selfmodel;
use selfmodel::archive::{Identities, ImportOptions, Key, Protection, SealedFile};
use selfmodel_core::{
    Actor, Belief, BeliefId, Evidence, EvidenceKind, Passphrase, Provenance, Rectification,
    Sensitivity, Status,
};

const VAULT_PASS: &str = "benchmark vault passphrase";
const FILE_PASS: &str = "benchmark export passphrase";
const LOG_N: u8 = 15;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        let case = &args[i + 1];
        let dir = PathBuf::from(&args[i + 2]);
        let extra = args.get(i + 3).cloned().unwrap_or_default();
        run_case(case, &dir, &extra);
        return;
    }
    drive();
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn drive() {
    let n = env_num("BENCH_BELIEFS", 100_000);
    let reps = env_num("BENCH_REPS", 3).max(1);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    eprintln!("building a signed export of {n} beliefs...");
    let t = Instant::now();
    let fixture = d.join("fixture.json");
    write_fixture(&fixture, n);
    eprintln!(
        "fixture: {:.1} MB in {:.1}s",
        mb(std::fs::metadata(&fixture).unwrap().len()),
        t.elapsed().as_secs_f64()
    );
    let (secret, recipient) = selfmodel::archive::generate_identity();
    std::fs::write(d.join("key.txt"), format!("{}\n", *secret)).unwrap();

    // The vault the exports read: the plain import's.
    let mut results: Vec<(String, Sample)> = Vec::new();
    let mut run = |case: &str, extra: &str| -> Sample {
        let mut samples: Vec<Sample> = (0..reps)
            .map(|rep| {
                let out = Command::new(std::env::current_exe().unwrap())
                    .args(["--case", case, d.to_str().unwrap(), extra])
                    .env("BENCH_REP", rep.to_string())
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{case}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                Sample::parse(&String::from_utf8(out.stdout).unwrap())
            })
            .collect();
        samples.sort_by(|a, b| a.secs.total_cmp(&b.secs));
        let s = samples[samples.len() / 2];
        eprintln!(
            "{case:<16} {:>7.2}s  peak {:>7.0} MB  file {:>7.1} MB  (waited {:.2}s for the page check)",
            s.secs,
            s.peak_kb as f64 / 1024.0,
            mb(s.bytes),
            s.wait
        );
        results.push((case.to_owned(), s));
        s
    };
    let import_plain = run("import-plain", "");
    if std::env::var_os("BENCH_IMPORT_ONLY").is_some() {
        return;
    }
    let export_plain = run("export-plain", "");
    let export_x25519 = run("export-x25519", &recipient);
    let export_scrypt = run("export-scrypt", "");
    let import_x25519 = run("import-x25519", "");
    let import_scrypt = run("import-scrypt", "");

    println!();
    println!(
        "{n} beliefs, {} evidence, {} rectifications; median of {reps} runs; scrypt work factor 2^{LOG_N}",
        2 * n,
        n / 10
    );
    println!();
    println!("| case | plain | age X25519 | age passphrase (2^{LOG_N}) |");
    println!("|---|---|---|---|");
    for (what, p, x, s) in [
        ("export", export_plain, export_x25519, export_scrypt),
        ("import", import_plain, import_x25519, import_scrypt),
    ] {
        println!(
            "| {what} time | {:.2} s | {:.2} s ({:.2}×) | {:.2} s ({:.2}×) |",
            p.secs,
            x.secs,
            x.secs / p.secs,
            s.secs,
            s.secs / p.secs
        );
        println!(
            "| {what} peak memory (VmHWM) | {:.0} MB | {:.0} MB | {:.0} MB |",
            p.peak_kb as f64 / 1024.0,
            x.peak_kb as f64 / 1024.0,
            s.peak_kb as f64 / 1024.0
        );
    }
    println!(
        "| export: the check of every page, waited for first (right after unlock) | {:.2} s | {:.2} s | {:.2} s |",
        export_plain.wait, export_x25519.wait, export_scrypt.wait
    );
    println!(
        "| file size | {:.1} MB | {:.1} MB | {:.1} MB |",
        mb(export_plain.bytes),
        mb(export_x25519.bytes),
        mb(export_scrypt.bytes)
    );
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

#[derive(Clone, Copy)]
struct Sample {
    secs: f64,
    peak_kb: u64,
    bytes: u64,
    /// Seconds waited, before the timer started, for the check of every page.
    wait: f64,
}

impl Sample {
    fn parse(s: &str) -> Self {
        let field = |k: &str| {
            s.split_whitespace()
                .find_map(|w| w.strip_prefix(k))
                .unwrap()
                .to_owned()
        };
        Self {
            secs: field("secs=").parse().unwrap(),
            peak_kb: field("peak_kb=").parse().unwrap(),
            bytes: field("bytes=").parse().unwrap(),
            wait: field("wait=").parse().unwrap(),
        }
    }
}

fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn pass(s: &str) -> Passphrase {
    Passphrase::new(s.into())
}

fn run_case(case: &str, dir: &Path, extra: &str) {
    let rep = std::env::var("BENCH_REP").unwrap_or_default();
    let mut wait = 0.0;
    let (secs, bytes) = match case {
        "import-plain" | "import-x25519" | "import-scrypt" => {
            let (file, key) = match case {
                "import-plain" => (dir.join("fixture.json"), None),
                "import-x25519" => (
                    dir.join("out-x25519.age"),
                    Some(Key::Identities(
                        Identities::from_file(&dir.join("key.txt")).unwrap(),
                    )),
                ),
                _ => (
                    dir.join("out-scrypt.age"),
                    Some(Key::Passphrase(pass(FILE_PASS))),
                ),
            };
            let vault = if case == "import-plain" && rep == "0" {
                dir.join("source.db")
            } else {
                dir.join(format!("{case}-{rep}.db"))
            };
            let mut model = Selfmodel::create(&vault, &pass(VAULT_PASS)).unwrap();
            let bytes = std::fs::metadata(&file).unwrap().len();
            let t = Instant::now();
            let opened = SealedFile::read(&file).unwrap().open(key.as_ref()).unwrap();
            let report = model
                .import(&opened, &ImportOptions::default(), &())
                .unwrap();
            let secs = t.elapsed().as_secs_f64();
            assert!(report.changed);
            model.close().unwrap();
            if vault.file_name() != Some("source.db".as_ref()) {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = vault.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            (secs, bytes)
        }
        "export-plain" | "export-x25519" | "export-scrypt" => {
            let protection = match case {
                "export-plain" => Protection::Plain,
                "export-x25519" => Protection::Recipients(vec![extra.parse().unwrap()]),
                _ => Protection::Passphrase {
                    passphrase: pass(FILE_PASS),
                    work_factor: Some(LOG_N),
                },
            };
            let out = dir.join(match case {
                "export-plain" => "out-plain.json",
                "export-x25519" => "out-x25519.age",
                _ => "out-scrypt.age",
            });
            let mut model = Selfmodel::open(&dir.join("source.db"), &pass(VAULT_PASS)).unwrap();
            let options = whole_export(protection, true);
            let t = Instant::now();
            model.ensure_pages_intact().unwrap();
            wait = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let summary = model.export(&out, &options, &()).unwrap();
            let secs = t.elapsed().as_secs_f64();
            model.close().unwrap();
            (secs, summary.bytes)
        }
        other => panic!("unknown case {other}"),
    };
    println!(
        "secs={secs} peak_kb={} bytes={bytes} wait={wait}",
        peak_kb()
    );
}

/// A realistic model: every type, two pieces of evidence per belief, some history.
fn write_fixture(path: &Path, n: usize) {
    let catalogue = catalogue_in_id_order();
    let now = Utc::now();
    let at = |i: usize| -> DateTime<Utc> {
        DateTime::from_timestamp_micros(now.timestamp_micros() - (n - i) as i64 * 1_000_003)
            .unwrap()
    };
    let beliefs: Vec<Belief> = (0..n)
        .map(|i| {
            let ty = &catalogue.types[i % catalogue.types.len()];
            let purposes: BTreeSet<String> = ty.allowed_purposes.iter().take(2).cloned().collect();
            let created = at(i);
            let evidence = (0..2)
                .map(|k| Evidence {
                    kind: EvidenceKind::ALL[(i + k) % EvidenceKind::ALL.len()],
                    source: format!("assistant session {}", i % 977),
                    summary: format!(
                        "In conversation {i}-{k} the person said they prefer detailed, \
                         step-by-step answers with sources"
                    ),
                    observed_at: created,
                    content_sha256: (k == 0).then(|| format!("{:064x}", i * 7919 + 1)),
                })
                .collect();
            let confidence = ((i * 37) % 101) as f64 / 100.0;
            let statement = format!(
                "Belief number {i}: prefers topic {} explained with examples",
                i % 1013
            );
            let history = if i % 10 == 0 {
                let before = selfmodel_core::Snapshot {
                    statement: statement.clone(),
                    confidence: 0.5,
                    purposes: purposes.clone(),
                };
                let after = selfmodel_core::Snapshot {
                    statement: statement.clone(),
                    confidence,
                    purposes: purposes.clone(),
                };
                vec![Rectification {
                    at: created,
                    actor: Actor::Person,
                    reason: "corrected after review".into(),
                    before,
                    after,
                }]
            } else {
                Vec::new()
            };
            Belief {
                id: BeliefId::from(uuid::Uuid::from_u128(
                    0x0190_0000_0000_7000_8000_0000_0000_0000 + i as u128,
                )),
                statement,
                category: ty.id.clone(),
                confidence,
                purposes,
                sensitivity: ty.default_sensitivity.max(Sensitivity::Normal),
                status: Status::Active,
                evidence,
                provenance: Provenance {
                    actor: Actor::Vendor {
                        grant_id: format!("grant-{}", i % 13),
                        name: "Example Assistant".into(),
                    },
                    method: "api".into(),
                },
                created_at: created,
                updated_at: created,
                expires_at: Some(created + Duration::days(3650)),
                confirmed_at: None,
                history,
            }
        })
        .collect();
    let contents = contents("01900000-0000-7000-8000-0000000bec00", catalogue, beliefs);
    write_signed(path, contents, &FileKey::from_seed(3));
}
