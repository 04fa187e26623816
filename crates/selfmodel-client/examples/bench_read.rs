//! One purpose-bound read, timed, for `scripts/bench-sdk`: pairs with the server named by the
//! default discovery file, asks for a grant (prints `approve <request id>` and waits for the
//! person), then answers commands on standard input, one per line:
//!
//! `tcp N W` or `unix N W`: W untimed reads, then N timed reads of
//! `GET /v1/beliefs?purpose=communication&limit=20` with one client over that transport; prints
//! the N latencies in microseconds on one line.
//!
//! ```sh
//! cargo run --release -p selfmodel-client --example bench_read
//! ```

use std::io::{BufRead, Write};
use std::time::Instant;

use selfmodel_client::{BeliefQuery, Client, Discovery, Error, GrantRequest, Operation, Token};

const PURPOSE: &str = "communication";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("bench_read: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Error> {
    let d = Discovery::load_default()?;
    let key = d.server_key()?;
    let tcp = Client::connect(&d.url, key).await?;
    let request = GrantRequest::new(
        "com.example.bench-rust",
        "Bench (Rust)",
        "latency benchmark",
    )
    .purposes([PURPOSE])
    .categories(selfmodel_testkit::NORMAL_CATEGORIES.iter().copied())
    .operations([Operation::Read])
    .duration_days(1);
    let pending = tcp.request_grant(&request).await?;
    println!("approve {}", pending.request_id);
    std::io::stdout().flush().ok();
    let token = tcp.wait_for_approval(&pending).await?.token;
    let unix = match &d.unix_socket {
        Some(path) => Some(
            Client::builder(&d.url, key)
                .unix_socket(path)
                .token(Token::new(token.expose()))
                .build()?,
        ),
        None => None,
    };
    let tcp = tcp.with_token(token);
    println!("ready");
    std::io::stdout().flush().ok();

    let query = BeliefQuery::new(PURPOSE).limit(20);
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| Error::Config(e.to_string()))?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let (client, n, warmup) = match words.as_slice() {
            [t, n, w] => {
                let client = match *t {
                    "tcp" => &tcp,
                    "unix" => unix
                        .as_ref()
                        .ok_or_else(|| Error::Config("the server offers no socket".into()))?,
                    _ => return Err(Error::Config(format!("unknown transport {t}"))),
                };
                let num = |s: &str| s.parse::<usize>().map_err(|e| Error::Config(e.to_string()));
                (client, num(n)?, num(w)?)
            }
            _ => return Err(Error::Config(format!("bad command '{line}'"))),
        };
        let mut out = Vec::with_capacity(n);
        for i in 0..warmup + n {
            let start = Instant::now();
            let page = client.beliefs(&query).await?;
            let took = start.elapsed();
            if page.beliefs.is_empty() {
                return Err(Error::Protocol("an empty page".into()));
            }
            if i >= warmup {
                out.push(format!("{:.1}", took.as_secs_f64() * 1e6));
            }
        }
        println!("{}", out.join(" "));
        std::io::stdout().flush().ok();
    }
    Ok(())
}
