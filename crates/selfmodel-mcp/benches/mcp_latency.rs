//! What an MCP tool call adds over a direct API read: the same purpose-bound read, on the same
//! vault and server, measured side by side in one run.
//!
//! - **direct**: `selfmodel-client` `GET /v1/beliefs?purpose=communication&limit=200` (one
//!   request, the whole granted slice).
//! - **MCP**: a real MCP client (rmcp over stdio) calls `read_beliefs` on `selfmodel mcp`, which
//!   makes that same request and renders the answer as text.
//!
//! The two alternate call by call (direct, MCP, direct, ...) so both see the same machine state.
//! Each call is timed from the caller's side; the table reports percentiles and the median of the
//! per-pair difference.
//!
//! ```sh
//! SELFMODEL_BIN=target/release/selfmodel cargo bench -p selfmodel-mcp --bench mcp_latency
//! ```
//!
//! Without `SELFMODEL_BIN` the `selfmodel` binary is built in release by cargo first.
//! `MCP_BENCH_PAIRS` (default 2000) and `MCP_BENCH_WARMUP` (default 200) set the counts.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ServiceExt};
use selfmodel_client::{BeliefQuery, Client, Discovery, GrantRequest, Operation, PollStatus};
use serde_json::json;

const PASS: &str = "bench passphrase, not secret";
const PURPOSE: &str = "communication";
const CATEGORIES: &[&str] = &[
    "communication-style",
    "context",
    "expertise",
    "goals",
    "values",
];
const LIMIT: u32 = 200;

#[derive(Clone)]
struct BenchClient;

impl ClientHandler for BenchClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("bench-assistant", "1"),
        )
    }
}

fn cmd(bin: &Path, home: &Path) -> Command {
    let mut c = Command::new(bin);
    c.env("SELFMODEL_VAULT", home.join("v.db"))
        .env("SELFMODEL_PASSPHRASE", PASS)
        .env_remove("SELFMODEL_LOG")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", home.join("rt"))
        .stdin(Stdio::null());
    c
}

fn cli(bin: &Path, home: &Path, args: &[&str]) -> String {
    let out = cmd(bin, home).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "selfmodel {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Percentile of sorted microseconds.
fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn summary(name: &str, us: &[f64]) -> (f64, String) {
    let mut s = us.to_vec();
    s.sort_by(f64::total_cmp);
    let mean = s.iter().sum::<f64>() / s.len() as f64;
    let median = pct(&s, 0.5);
    (
        median,
        format!(
            "| {name} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            median,
            mean,
            pct(&s, 0.9),
            pct(&s, 0.99),
            s[0]
        ),
    )
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run only for bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let pairs = env_num("MCP_BENCH_PAIRS", 2000);
    let warmup = env_num("MCP_BENCH_WARMUP", 200);
    let bin = selfmodel_testkit::bin();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    std::fs::create_dir(home.join("rt")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home.join("rt"), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    cli(bin, home, &["demo"]);

    // The server, with the per-grant rate limit out of the way of a tight loop.
    let mut serve = cmd(bin, home)
        .args(["serve", "--port", "0", "--rate-limit", "1000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(serve.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("serve stopped").unwrap();
        if line.contains("discovery file:") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});

    // The direct vendor: its own grant over the same purpose and categories.
    let discovery = Discovery::load(&home.join("rt/selfmodel/api.json")).unwrap();
    let (client, _) = Client::pair(&discovery).await.unwrap();
    let pending = client
        .request_grant(
            &GrantRequest::new("bench.direct", "Direct bench vendor", "benchmark")
                .purposes([PURPOSE])
                .categories(CATEGORIES.iter().copied())
                .operations([Operation::Read, Operation::ReadEvidence]),
        )
        .await
        .unwrap();
    cli(bin, home, &["grant", "approve", &pending.request_id]);
    let PollStatus::Approved(a) = client.poll_once(&pending).await.unwrap() else {
        panic!("not approved");
    };
    let direct = client.with_token(a.token);

    // The MCP server, its grant approved by the person through the CLI.
    let mut mcp_cmd = tokio::process::Command::new(bin);
    mcp_cmd
        .arg("mcp")
        .arg("--state")
        .arg(home.join("mcp-state.json"))
        .args(["--purpose", PURPOSE])
        .args(CATEGORIES.iter().flat_map(|c| ["--category", c]))
        .env_remove("SELFMODEL_PASSPHRASE")
        .env_remove("SELFMODEL_LOG")
        .env("SELFMODEL_VAULT", home.join("no-vault.db"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", home.join("rt"));
    let (transport, _) = TokioChildProcess::builder(mcp_cmd)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mcp = BenchClient.serve(transport).await.unwrap();
    let call = || {
        mcp.call_tool(
            CallToolRequestParams::new("read_beliefs").with_arguments(
                json!({"purpose": PURPOSE, "limit": LIMIT})
                    .as_object()
                    .cloned()
                    .unwrap(),
            ),
        )
    };
    let first = call().await.unwrap();
    assert!(format!("{first:?}").contains("Waiting for approval"));
    let requests: serde_json::Value =
        serde_json::from_str(&cli(bin, home, &["grant", "requests", "--json"])).unwrap();
    let id = requests[0]["id"].as_str().unwrap().to_owned();
    cli(bin, home, &["grant", "approve", &id]);

    // Same answer both ways.
    let query = BeliefQuery::new(PURPOSE).limit(LIMIT);
    let page = direct.beliefs(&query).await.unwrap();
    assert!(page.next.is_none(), "one page holds the whole slice");
    let answer = call().await.unwrap();
    assert_ne!(answer.is_error, Some(true), "{answer:?}");
    let text = answer.content[0].as_text().unwrap().text.clone();
    let listed = text.lines().filter(|l| l.starts_with("- ")).count();
    assert_eq!(listed, page.beliefs.len(), "{text}");
    for b in &page.beliefs {
        assert!(text.contains(&b.id));
    }
    let bytes = serde_json::to_vec(&page).unwrap().len();

    for _ in 0..warmup {
        direct.beliefs(&query).await.unwrap();
        call().await.unwrap();
    }
    let (mut d, mut m, mut diff) = (Vec::new(), Vec::new(), Vec::new());
    let started = Instant::now();
    for _ in 0..pairs {
        let t = Instant::now();
        let p = direct.beliefs(&query).await.unwrap();
        let td = t.elapsed();
        let t = Instant::now();
        let r = call().await.unwrap();
        let tm = t.elapsed();
        assert_eq!(p.beliefs.len(), listed);
        assert_ne!(r.is_error, Some(true));
        let us = |x: Duration| x.as_secs_f64() * 1e6;
        d.push(us(td));
        m.push(us(tm));
        diff.push(us(tm) - us(td));
    }
    let wall = started.elapsed();
    mcp.cancel().await.unwrap();
    let _ = serve.kill();
    let _ = serve.wait();

    let (dm, drow) = summary("direct API read (selfmodel-client)", &d);
    let (mm, mrow) = summary("MCP `read_beliefs` (rmcp client → selfmodel mcp)", &m);
    let mut diffs = diff.clone();
    diffs.sort_by(f64::total_cmp);
    println!(
        "{pairs} pairs after {warmup} warm-up pairs, {:.1} s; {} beliefs per answer ({bytes} \
         bytes of JSON from the API)",
        wall.as_secs_f64(),
        listed
    );
    println!("| call | median µs | mean µs | p90 µs | p99 µs | min µs |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!("{drow}");
    println!("{mrow}");
    println!(
        "added by MCP: median of per-pair differences {:.0} µs (p90 {:.0} µs); medians {:.0} → \
         {:.0} µs ({:.2}×)",
        pct(&diffs, 0.5),
        pct(&diffs, 0.9),
        dm,
        mm,
        mm / dm
    );
}
