//! Load generator for the vendor API benchmark (`scripts/bench-api`): a fixed number of GET
//! requests over `C` keep-alive connections (one per worker), alternating in rounds between the
//! logged, purpose-filtered read and the unlogged in-memory baseline, so both see the same
//! machine state. Prints a table and a JSON summary line (`RESULT {...}`).
//!
//! ```sh
//! SELFMODEL_BENCH_TOKEN=smt_… cargo run --release -p selfmodel-client --example loadgen -- \
//!     --url http://127.0.0.1:7420 --connections 64 --requests 20000 --rounds 4 \
//!     --logged '/v1/beliefs?purpose=recommendations&limit=20' --baseline /v1/bench/replay
//! ```
//!
//! Talks to loopback only; every loop is bounded by the request count.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    url: String,
    connections: usize,
    requests: u64,
    rounds: u64,
    warmup: u64,
    logged: String,
    baseline: String,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        url: "http://127.0.0.1:7420".into(),
        connections: 64,
        requests: 20_000,
        rounds: 4,
        warmup: 2_000,
        logged: "/v1/beliefs?purpose=recommendations&limit=20".into(),
        baseline: "/v1/bench/replay".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().ok_or(format!("{flag} needs a value"))?;
        let num = |v: &str| v.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--url" => a.url = v,
            "--connections" => a.connections = num(&v)? as usize,
            "--requests" => a.requests = num(&v)?,
            "--rounds" => a.rounds = num(&v)?.max(1),
            "--warmup" => a.warmup = num(&v)?,
            "--logged" => a.logged = v,
            "--baseline" => a.baseline = v,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if !(a.url.starts_with("http://127.0.0.1:") || a.url.starts_with("http://[::1]:")) {
        return Err("the load generator only targets loopback".into());
    }
    Ok(a)
}

#[derive(Default)]
struct Phase {
    latencies_us: Vec<u32>,
    wall: Duration,
    errors: u64,
    bytes: u64,
}

/// Runs `total` GETs of `path` over `clients` (one connection each).
async fn phase(clients: &[reqwest::Client], url: &str, token: &str, total: u64) -> Phase {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in clients {
        let (c, url, token, next) = (c.clone(), url.to_owned(), token.to_owned(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut p = Phase::default();
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let t = Instant::now();
                let mut req = c.get(&url);
                if !token.is_empty() {
                    req = req.bearer_auth(&token);
                }
                let ok = match req.send().await {
                    Ok(r) if r.status().is_success() => match r.bytes().await {
                        Ok(b) => {
                            p.bytes += b.len() as u64;
                            true
                        }
                        Err(_) => false,
                    },
                    _ => false,
                };
                p.latencies_us
                    .push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                if !ok {
                    p.errors += 1;
                }
            }
            p
        }));
    }
    let mut all = Phase::default();
    for t in tasks {
        if let Ok(p) = t.await {
            all.latencies_us.extend(p.latencies_us);
            all.errors += p.errors;
            all.bytes += p.bytes;
        } else {
            all.errors += 1;
        }
    }
    all.wall = started.elapsed();
    all
}

fn merge(into: &mut Phase, p: Phase) {
    into.latencies_us.extend(p.latencies_us);
    into.wall += p.wall;
    into.errors += p.errors;
    into.bytes += p.bytes;
}

struct Stats {
    requests: u64,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
    mean_body: u64,
}

fn stats(mut p: Phase) -> Stats {
    p.latencies_us.sort_unstable();
    let n = p.latencies_us.len();
    let pct = |q: f64| {
        let i = ((n as f64 * q).ceil() as usize).clamp(1, n.max(1)) - 1;
        f64::from(p.latencies_us.get(i).copied().unwrap_or(0)) / 1000.0
    };
    Stats {
        requests: n as u64,
        rps: n as f64 / p.wall.as_secs_f64().max(1e-9),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        errors: p.errors,
        mean_body: p.bytes / (n as u64).max(1),
    }
}

#[tokio::main]
async fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    let token = std::env::var("SELFMODEL_BENCH_TOKEN").unwrap_or_default();
    let clients: Vec<reqwest::Client> = (0..a.connections)
        .map(|_| {
            reqwest::Client::builder()
                .no_proxy()
                .pool_max_idle_per_host(1)
                .timeout(Duration::from_secs(30))
                .build()
        })
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| {
            eprintln!("loadgen: {e}");
            std::process::exit(2)
        });
    let logged_url = format!("{}{}", a.url, a.logged);
    let baseline_url = format!("{}{}", a.url, a.baseline);

    // Warm-up (also fills the baseline's replay buffer with a real response).
    let w1 = phase(&clients, &logged_url, &token, a.warmup.max(1)).await;
    let w2 = phase(&clients, &baseline_url, "", a.warmup.max(1)).await;
    let warm_errors = w1.errors + w2.errors;
    let warm_logged = w1.latencies_us.len() as u64;

    let per_round = a.requests / a.rounds;
    let (mut logged, mut baseline) = (Phase::default(), Phase::default());
    for _ in 0..a.rounds {
        merge(
            &mut logged,
            phase(&clients, &logged_url, &token, per_round).await,
        );
        merge(
            &mut baseline,
            phase(&clients, &baseline_url, "", per_round).await,
        );
    }
    let (l, b) = (stats(logged), stats(baseline));
    println!(
        "{} connections, {} requests per endpoint in {} rounds (+{} warm-up each)",
        a.connections, l.requests, a.rounds, a.warmup
    );
    println!("| endpoint | requests | errors | req/s | p50 ms | p99 ms | body bytes |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, s) in [(&a.logged, &l), (&a.baseline, &b)] {
        println!(
            "| `GET {name}` | {} | {} | {:.0} | {:.2} | {:.2} | {} |",
            s.requests, s.errors, s.rps, s.p50_ms, s.p99_ms, s.mean_body
        );
    }
    let ratio = b.rps / l.rps.max(1e-9);
    println!(
        "logging cost: baseline/logged throughput {ratio:.2}x; p50 {:.2}x; p99 {:.2}x",
        l.p50_ms / b.p50_ms.max(1e-9),
        l.p99_ms / b.p99_ms.max(1e-9)
    );
    println!(
        "RESULT {{\"connections\":{},\"logged_requests\":{},\"logged_total\":{},\"logged_errors\":{},\"logged_rps\":{:.1},\"logged_p50_ms\":{:.3},\"logged_p99_ms\":{:.3},\"baseline_requests\":{},\"baseline_errors\":{},\"baseline_rps\":{:.1},\"baseline_p50_ms\":{:.3},\"baseline_p99_ms\":{:.3},\"warmup_errors\":{},\"body_bytes\":{},\"ratio_rps\":{:.3}}}",
        a.connections,
        l.requests,
        l.requests + warm_logged,
        l.errors,
        l.rps,
        l.p50_ms,
        l.p99_ms,
        b.requests,
        b.errors,
        b.rps,
        b.p50_ms,
        b.p99_ms,
        warm_errors,
        l.mean_body,
        ratio
    );
    if l.errors + b.errors + warm_errors > 0 {
        std::process::exit(1);
    }
}
