//! Desktop app measurements for docs/BENCHMARKS.md: launch to an unlocked, interactive window
//! with the demo vault; idle memory; rendering and filtering 10,000 beliefs. Numbers are printed,
//! never asserted. Runs only with `SELFMODEL_BENCH=1` (use `scripts/bench-desktop`).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use selfmodel::Selfmodel;
use selfmodel_core::{Actor, EvidenceKind, NewBelief, NewEvidence, Passphrase, Provenance};
use selfmodel_e2e::{App, DEMO_PASSPHRASE, tree_rss_kib};
use serde_json::json;

const RUNS: usize = 5;
const MANY: usize = 10_000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A scratch directory on tmpfs when there is one (creating 10,000 beliefs is 10,000 commits).
fn scratch() -> Result<tempfile::TempDir> {
    let shm = Path::new("/dev/shm");
    Ok(if shm.is_dir() {
        tempfile::tempdir_in(shm)?
    } else {
        tempfile::tempdir()?
    })
}

fn demo_vault(path: &Path) -> Result<()> {
    let mut m = Selfmodel::create(path, &Passphrase::new(DEMO_PASSPHRASE.into()))?;
    m.fill_demo()?;
    m.close()?;
    Ok(())
}

fn big_vault(path: &Path, n: usize) -> Result<()> {
    let mut m = Selfmodel::create(path, &Passphrase::new(DEMO_PASSPHRASE.into()))?;
    let topics = [
        "jazz",
        "hiking",
        "rust",
        "gardening",
        "chess",
        "cooking",
        "cycling",
        "music",
        "poetry",
        "sailing",
    ];
    let types = [
        "interests",
        "preferences",
        "expertise",
        "goals",
        "routines",
        "communication-style",
    ];
    let prov = Provenance {
        actor: Actor::System,
        method: "bench".into(),
    };
    for i in 0..n {
        let topic = topics[i % topics.len()];
        let category = types[i % types.len()];
        m.add_belief(
            NewBelief {
                statement: format!(
                    "Belief {i}: cares about {topic}, noticed in session {}",
                    i / 7
                ),
                category: category.into(),
                confidence: f64::from(u32::try_from(i % 100)?) / 100.0,
                purposes: Default::default(),
                sensitivity: None,
                evidence: vec![NewEvidence {
                    kind: EvidenceKind::Observed,
                    source: "bench".into(),
                    summary: format!("Mentioned {topic}"),
                    observed_at: None,
                    content_sha256: None,
                }],
            },
            prov.clone(),
        )?;
    }
    m.close()?;
    Ok(())
}

async fn unlock(app: &App) -> Result<Duration> {
    app.el("#unlock-passphrase").await?;
    app.fill("#unlock-passphrase", DEMO_PASSPHRASE).await?;
    let t = Instant::now();
    app.click("form button[type=submit]").await?;
    app.el("[data-testid=belief-row]").await?;
    Ok(t.elapsed())
}

/// Types `query` into the search box from inside the page and measures until the next frame
/// after the list updated (two animation frames).
async fn in_page_ms(app: &App, script: &str, arg: serde_json::Value) -> Result<f64> {
    let v = app.js_async(script, json!([arg])).await?;
    v.as_f64()
        .ok_or_else(|| anyhow::anyhow!("no measurement: {v}"))
}

const SEARCH: &str = "const [q, done] = arguments; \
    const el = document.querySelector('[data-testid=search]'); \
    const t0 = performance.now(); \
    el.value = q; el.dispatchEvent(new Event('input', { bubbles: true })); \
    requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));";

const TYPE_FILTER: &str = "const [v, done] = arguments; \
    const el = document.querySelector('[data-testid=filter-type]'); \
    const t0 = performance.now(); \
    el.value = v; el.dispatchEvent(new Event('change', { bubbles: true })); \
    requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));";

const SCROLL: &str = "const [frac, done] = arguments; \
    const el = document.querySelector('[data-testid=belief-list]'); \
    const t0 = performance.now(); \
    el.scrollTop = el.scrollHeight * frac; el.dispatchEvent(new Event('scroll')); \
    requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));";

const LIST_IPC: &str = "const [_, done] = arguments; const t0 = performance.now(); \
    window.__TAURI_INTERNALS__.invoke('list_beliefs').then(r => done([performance.now() - t0, r.length]));";

#[tokio::test(flavor = "multi_thread")]
async fn desktop_benchmarks() -> Result<()> {
    if std::env::var("SELFMODEL_BENCH").as_deref() != Ok("1") {
        eprintln!(
            "skipped: desktop benchmarks run only with SELFMODEL_BENCH=1 (scripts/bench-desktop)"
        );
        return Ok(());
    }
    let bin = selfmodel_e2e::app_binary()?;
    println!("app binary: {}", bin.display());
    let mut report = String::new();

    // 1. Launch to an interactive, unlocked window with the demo vault.
    let dir = scratch()?;
    let vault = dir.path().join("demo.db");
    demo_vault(&vault)?;
    let (mut to_prompt, mut to_list, mut total) = (vec![], vec![], vec![]);
    let (mut idle, mut split) = ((0, 0), (0, 0));
    for run in 0..RUNS {
        let app = App::launch(&vault, &[]).await?;
        app.el("#unlock-passphrase").await?;
        let prompt = app.launched_at.elapsed();
        let unlocked = unlock(&app).await?;
        let all = app.launched_at.elapsed();
        to_prompt.push(ms(prompt));
        to_list.push(ms(unlocked));
        total.push(ms(all));
        if run == RUNS - 1 {
            tokio::time::sleep(Duration::from_secs(10)).await;
            let pid = app.app_pid();
            ensure!(pid.is_some(), "cannot find the app process");
            let pid = pid.unwrap_or_default();
            let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
            let kib = |field: &str| -> u64 {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(field))
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
                    .unwrap_or(0)
            };
            idle = (tree_rss_kib(pid), kib("VmRSS:"));
            split = (kib("RssAnon:"), kib("RssFile:") + kib("RssShmem:"));
        }
        app.quit().await?;
    }
    report += &format!(
        "| launch → unlock screen ready | {:.0} ms |\n\
         | Unlock pressed → demo beliefs listed (key derivation, integrity check, list, render) | {:.0} ms |\n\
         | launch → unlocked, interactive window (including WebDriver typing the passphrase) | {:.0} ms |\n\
         | idle memory, app process | {:.0} MiB |\n\
         | … of which its own (anonymous) memory / mapped files (libraries, shared memory) | {:.0} / {:.0} MiB |\n\
         | idle memory, app + WebKit web and network processes | {:.0} MiB |\n",
        median(to_prompt),
        median(to_list),
        median(total),
        idle.1 as f64 / 1024.0,
        split.0 as f64 / 1024.0,
        split.1 as f64 / 1024.0,
        idle.0 as f64 / 1024.0,
    );

    // 2. Ten thousand beliefs.
    let big = dir.path().join("big.db");
    let t = Instant::now();
    big_vault(&big, MANY)?;
    println!(
        "created {MANY} beliefs in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let app = App::launch(&big, &[]).await?;
    let unlocked = unlock(&app).await?;
    let count = app.text("[data-testid=count]").await?;
    ensure!(
        count.contains("10,000") || count.contains("10000"),
        "{count}"
    );
    let mut ipc = vec![];
    for _ in 0..RUNS {
        let v = app.js_async(LIST_IPC, json!([null])).await?;
        ipc.push(v[0].as_f64().unwrap_or(f64::NAN));
    }
    let mut search = vec![];
    let mut clear = vec![];
    let mut by_type = vec![];
    let mut scroll = vec![];
    for i in 0..RUNS {
        search.push(in_page_ms(&app, SEARCH, json!("music")).await?);
        clear.push(in_page_ms(&app, SEARCH, json!("")).await?);
        by_type.push(in_page_ms(&app, TYPE_FILTER, json!("expertise")).await?);
        in_page_ms(&app, TYPE_FILTER, json!("")).await?;
        let frac = [0.5, 0.9, 0.1, 0.7, 0.3][i % 5];
        scroll.push(in_page_ms(&app, SCROLL, json!(frac)).await?);
    }
    let shown = app
        .js(
            "return document.querySelectorAll('[data-testid=belief-row]').length",
            json!([]),
        )
        .await?;
    app.quit().await?;
    report += &format!(
        "| 10,000 beliefs: Unlock pressed → list rendered | {:.0} ms |\n\
         | 10,000 beliefs: `list_beliefs` over IPC (load, convert, serialise, parse) | {:.0} ms |\n\
         | 10,000 beliefs: search \"music\" → next frame | {:.1} ms |\n\
         | 10,000 beliefs: clear the search → next frame | {:.1} ms |\n\
         | 10,000 beliefs: filter by type → next frame | {:.1} ms |\n\
         | 10,000 beliefs: jump-scroll → next frame ({shown} rows in the DOM) | {:.1} ms |\n",
        ms(unlocked),
        median(ipc),
        median(search),
        median(clear),
        median(by_type),
        median(scroll),
    );
    println!("\n| measurement (median of {RUNS}) | value |\n|---|---|\n{report}");
    let out = selfmodel_e2e::root().join("target/desktop-bench.md");
    std::fs::write(&out, &report)?;
    println!("written to {}", out.display());
    Ok(())
}
