//! Unlocking, alerts, the report and the app's watcher on a vault that holds a year of vendor
//! reads: 10,000 beliefs and `BENCH_ACCESS` (default 1,000,000; at most 3,600,000, since one
//! grant adds at most 10,000 entries a day) access-log entries.
//!
//! `cargo bench -p selfmodel --bench big_log` builds the vault once at `BENCH_VAULT` (default
//! `target/big-log.db`; kept, so later runs reuse it), then times, `BENCH_REPS` times (default
//! 5; the median is reported):
//! - unlock: [`Selfmodel::open`] until it returns, and until the check of every page that it
//!   starts has passed;
//! - alerts: [`Selfmodel::alerts`] for the default days, as `selfmodel alerts` runs it;
//! - report: [`Selfmodel::report`] for the last 30 days and for the whole year;
//! - watcher: one tick of the app's watcher (pending requests, the inbox, today's alerts);
//! - the Activity screen: "who knows what" ([`Selfmodel::received`]) and its newest page;
//! - a belief's recipients ([`Selfmodel::recipients`], the belief's detail in the app), for a
//!   belief on the page polled all year and one on a page read now and then.
//!
//! With `BENCH_EXPORT_ONLY` set, only the export and the import run, so that the peak memory
//! reported is theirs; with `BENCH_UNLOCK_ONLY`, only the unlocks (also on a day when the log's
//! oldest day passes its retention).
//!
//! The reads are spread evenly over the last 360 days (inside the log's default retention, so
//! nothing is compacted), from one grant polling its first page nine times in ten and walking
//! the other pages of 100 beliefs otherwise. They alternate between the beliefs' two purposes,
//! so that no two fall in one minute with the same purpose and page: each is an entry of its
//! own, as a request repeated within its minute would not be.

#![allow(missing_docs, clippy::unwrap_used)]

/// The export options the archive tests use too.
#[path = "../tests/usecases/common/archive.rs"]
mod archive_files;

use std::path::{Path, PathBuf};
use std::time::{Duration as Elapsed, Instant};

use archive_files::whole_export;
use chrono::{Duration, Utc};
use selfmodel::Selfmodel;
use selfmodel::archive::Protection;
use selfmodel::report::Period;
use selfmodel_core::audit::Detail;
use selfmodel_core::{
    AccessOp, Actor, AuditAction, AuditEvent, Belief, BeliefFilter, BeliefId, Catalogue, Evidence,
    EvidenceKind, NewAccess, Outcome, Passphrase, PendingEvent, Provenance, Sensitivity, Status,
};
use selfmodel_vault::Vault;

const PASS: &str = "benchmark vault passphrase";
const BELIEFS: usize = 10_000;
const PAGE: usize = 100;
const ENTRIES_PER_TRANSACTION: usize = 20_000;

fn main() {
    let entries: usize = env("BENCH_ACCESS", 1_000_000);
    let reps: usize = env("BENCH_REPS", 5);
    let path = std::env::var_os("BENCH_VAULT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/big-log.db"));
    if !path.exists() {
        let started = Instant::now();
        build(&path, entries);
        eprintln!(
            "built {} ({} entries) in {:.1?}",
            path.display(),
            entries,
            started.elapsed()
        );
    }
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "vault: {} MB, {BELIEFS} beliefs, {entries} access-log entries",
        size / 1_000_000
    );
    let pass = || Passphrase::new(PASS.into());
    let only_export = std::env::var_os("BENCH_EXPORT_ONLY").is_some();
    let reps = if only_export { 1 } else { reps };

    let mut unlock = Vec::new();
    let mut checked = Vec::new();
    for _ in 0..reps {
        let started = Instant::now();
        let model = Selfmodel::open_witnessed(&path, &pass(), None).unwrap();
        unlock.push(started.elapsed());
        model.ensure_pages_intact().unwrap();
        checked.push(started.elapsed());
        model.close().unwrap();
    }
    report("unlock (open returns)", &unlock);
    report("unlock, until every page is checked", &checked);
    if !only_export {
        unlock_with_a_day_due(&path, reps);
    }
    if std::env::var_os("BENCH_UNLOCK_ONLY").is_some() {
        return;
    }

    let mut model = Selfmodel::open_witnessed(&path, &pass(), None).unwrap();
    model.ensure_pages_intact().unwrap();
    let today = Utc::now().date_naive();
    let times = |f: &mut dyn FnMut() -> usize| -> (Vec<Elapsed>, usize) {
        let mut out = Vec::new();
        let mut n = 0;
        for _ in 0..reps {
            let started = Instant::now();
            n = f();
            out.push(started.elapsed());
        }
        (out, n)
    };
    if !only_export {
        let (t, n) = times(&mut || model.alerts(None, None).unwrap().len());
        report(&format!("alerts, default days ({n} alerts)"), &t);
        for (days_back, period) in [(29, "last 30 days"), (364, "the whole year")] {
            let from = today - Duration::days(days_back);
            let (t, n) = times(&mut || {
                let r = model.report(Period::days(Some(from), Some(today))).unwrap();
                r.render(selfmodel::render::Format::Json).len()
            });
            report(&format!("report, {period} ({n} bytes of JSON)"), &t);
        }
        let (t, _) = times(&mut || {
            let requests = model.grant_requests(true).unwrap().len();
            let proposals = model.inbox().unwrap().len();
            let alerts = model.alerts(Some(Utc::now()), None).unwrap().len();
            requests + proposals + alerts
        });
        report("watcher tick (requests, inbox, today's alerts)", &t);
        let (t, n) = times(&mut || {
            let received = model.received(None).unwrap();
            received.iter().map(|(_, beliefs)| beliefs.len()).sum()
        });
        report(&format!("Activity: who knows what ({n} beliefs)"), &t);
        let newest = selfmodel::AccessFilter {
            newest_first: true,
            limit: Some(201),
            ..Default::default()
        };
        let (t, _) = times(&mut || model.access_log(&newest).unwrap().len());
        report("Activity: the newest page of requests", &t);
        for (i, page) in [
            (0, "the page polled all year"),
            (5_000, "a page read now and then"),
        ] {
            let (t, n) = times(&mut || model.recipients(belief_id(i)).unwrap().len());
            report(&format!("a belief's recipients, on {page} ({n})"), &t);
        }
    }
    // The whole export, which carries the access log; each run writes a new file.
    let dir = tempfile::tempdir().unwrap();
    let mut run = 0;
    let (t, n) = times(&mut || {
        run += 1;
        let out = dir.path().join(format!("whole-{run}.json"));
        model
            .export(&out, &whole_export(Protection::Plain, false), &())
            .unwrap()
            .bytes as usize
    });
    report(&format!("whole export, plain ({} MB)", n / 1_000_000), &t);
    println!("peak memory so far (VmHWM): {} MB", peak_mb());
    let signer = model.identity().unwrap().public_key();
    model.close().unwrap();

    // Into a new vault, trusting the big vault's key: the whole record comes in.
    let file = selfmodel::archive::SealedFile::read(&dir.path().join("whole-1.json"))
        .unwrap()
        .open(None)
        .unwrap();
    let mut fresh = Selfmodel::create(&dir.path().join("fresh.db"), &pass()).unwrap();
    let started = Instant::now();
    let imported = fresh
        .import(
            &file,
            &selfmodel::archive::ImportOptions {
                trust_signer: Some(signer),
                ..Default::default()
            },
            &(),
        )
        .unwrap();
    report(
        &format!(
            "whole import into a new vault ({} entries)",
            imported.record.access_entries
        ),
        &[started.elapsed()],
    );
    println!("peak memory so far (VmHWM): {} MB", peak_mb());
    fresh.close().unwrap();
}

/// Unlocking on a day when the log's oldest day passes its retention, as every day after the
/// log's first year does (here: a copy of the vault whose retention is set to 359 days, so that
/// the oldest of its 360 days is due), and on a day the oldest beliefs pass their type's
/// retention; and closing after each.
fn unlock_with_a_day_due(path: &Path, reps: usize) {
    unlock_a_copy(path, reps, "a day of the log due", |w| {
        w.set_access_log_retention_days(359)?;
        w.append_audit(
            PendingEvent::new(AuditAction::AccessLogRetentionChanged, None)
                .with_detail(Detail::new().with("days", 359)),
            Utc::now(),
        )
    });
    // The oldest day of beliefs past their type's retention, as on every day after the
    // retention's first span.
    unlock_a_copy(path, reps, "a day of beliefs past retention", |w| {
        let oldest = w.read().beliefs(&BeliefFilter {
            limit: Some(1),
            ..BeliefFilter::default()
        })?;
        let days = (Utc::now() - oldest[0].created_at).num_days();
        let mut ty = w
            .read()
            .catalogue()?
            .belief_type("interests")
            .unwrap()
            .clone();
        ty.retention_days = u32::try_from(days).unwrap();
        w.update_type(&ty)?;
        w.append_audit(
            PendingEvent::new(AuditAction::TypeChanged, None)
                .with_detail(Detail::new().with("retention_days", days)),
            Utc::now(),
        )
    });
}

/// Times unlocking (and closing) a copy of the vault at `path` that `due` changed first, as a
/// day of use leaves it.
fn unlock_a_copy(
    path: &Path,
    reps: usize,
    what: &str,
    due: impl Fn(&mut selfmodel_vault::Writer<'_>) -> selfmodel_vault::Result<AuditEvent>,
) {
    let pass = || Passphrase::new(PASS.into());
    let dir = tempfile::tempdir().unwrap();
    let (mut opened, mut closed, mut due_beliefs) = (Vec::new(), Vec::new(), 0);
    for rep in 0..reps {
        let copy = dir.path().join(format!("due-{rep}.db"));
        std::fs::copy(path, &copy).unwrap();
        let mut vault = Vault::open(&copy, &pass()).unwrap();
        vault.write(&due).unwrap();
        vault.close().unwrap();
        let started = Instant::now();
        let model = Selfmodel::open_witnessed(&copy, &pass(), None).unwrap();
        opened.push(started.elapsed());
        due_beliefs = model.purged_at_open().len();
        model.close().unwrap();
        closed.push(started.elapsed());
        std::fs::remove_file(&copy).unwrap();
    }
    report(
        &format!("unlock with {what} ({due_beliefs} beliefs due; open returns)"),
        &opened,
    );
    report("... and closed again", &closed);
}

/// The process's peak resident memory, from `/proc/self/status`.
fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map_or(default, |v| v.parse().unwrap())
}

fn report(what: &str, times: &[Elapsed]) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    println!("{what:<55} median {:>9.1} ms", median.as_secs_f64() * 1e3);
}

/// The id of the `i`th belief the bench's vault holds (ids sort as they were made).
fn belief_id(i: usize) -> BeliefId {
    BeliefId::from(uuid::Uuid::from_u128(
        0x0190_0000_0000_7000_8000_0000_0000_0000 + i as u128,
    ))
}

/// A vault of [`BELIEFS`] beliefs and `entries` logged reads of pages of them.
fn build(path: &Path, entries: usize) {
    let pass = Passphrase::new(PASS.into());
    let mut vault = Vault::create(path, &pass, &Catalogue::defaults()).unwrap();
    let now = Utc::now();
    let ids: Vec<BeliefId> = (0..BELIEFS).map(belief_id).collect();
    vault
        .write(|w| {
            for (i, id) in ids.iter().enumerate() {
                let created = now - Duration::days(400) + Duration::minutes(i as i64);
                w.insert_belief(&Belief {
                    id: *id,
                    statement: format!(
                        "Benchmark belief {i}: likes topic {} at level {}",
                        i % 97,
                        i % 13
                    ),
                    category: "interests".into(),
                    confidence: 0.7 + (i % 30) as f64 / 100.0,
                    purposes: ["recommendations".into(), "personalisation".into()].into(),
                    sensitivity: Sensitivity::Normal,
                    status: Status::Active,
                    evidence: vec![Evidence {
                        kind: EvidenceKind::Observed,
                        source: "Benchmark".into(),
                        summary: format!("Seen in {} sessions", i % 50 + 1),
                        observed_at: created,
                        content_sha256: None,
                    }],
                    provenance: Provenance {
                        actor: Actor::System,
                        method: "bench".into(),
                    },
                    created_at: created,
                    updated_at: created,
                    expires_at: None,
                    confirmed_at: None,
                    history: Vec::new(),
                })?;
            }
            w.append_audit(
                PendingEvent::new(AuditAction::BeliefCreated, None)
                    .with_detail(Detail::new().with("count", BELIEFS)),
                now,
            )?;
            Ok::<_, selfmodel_vault::VaultError>(())
        })
        .unwrap();
    let span = Duration::days(360);
    let step = span / i32::try_from(entries.max(1)).unwrap();
    let start = now - span;
    let pages = BELIEFS / PAGE;
    let mut done = 0;
    while done < entries {
        let end = (done + ENTRIES_PER_TRANSACTION).min(entries);
        vault
            .write(|w| {
                for k in done..end {
                    let page = if k % 10 == 0 { k / 10 % pages } else { 0 };
                    let access = NewAccess {
                        grant_id: Some("01900000-0000-7000-8000-00000000a11e".into()),
                        vendor_id: Some("example-assistant".into()),
                        purpose: Some(["recommendations", "personalisation"][k % 2].into()),
                        operation: AccessOp::BeliefsRead.as_str().into(),
                        outcome: Outcome::Allowed,
                        disclosed: ids[page * PAGE..(page + 1) * PAGE].to_vec(),
                    };
                    w.append_access(&access, start + step * i32::try_from(k).unwrap())?;
                }
                Ok::<_, selfmodel_vault::VaultError>(())
            })
            .unwrap();
        done = end;
        eprint!("\r{done} / {entries} entries");
    }
    eprintln!();
    vault.close().unwrap();
}
