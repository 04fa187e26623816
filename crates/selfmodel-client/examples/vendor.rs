//! A vendor's whole flow against a live server: discover it, verify its identity, ask for a
//! grant, wait for the person's approval, read for a purpose, propose a belief, follow notices
//! briefly, give the grant up.
//!
//! ```sh
//! selfmodel demo && selfmodel serve &          # the person's side
//! cargo run -p selfmodel-client --example vendor
//! # then, as the person: selfmodel grant approve <request id>
//! ```
//!
//! Options: `--discovery FILE` (default: the server's default discovery file), or
//! `--url URL --key HEX` to connect to a server whose key was pinned earlier;
//! `--events-secs N` how long to follow notices (default 5).

use std::time::Duration;

use selfmodel_client::{
    BeliefQuery, Client, Discovery, Error, EvidenceIn, EvidenceKind, GrantRequest, Operation,
    Proposal, ServerKey,
};

const PURPOSE: &str = "communication";

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("vendor example failed: {e}");
        if let Some(code) = e.code() {
            eprintln!("(server code: {code})");
        }
        std::process::exit(1);
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

async fn run() -> Result<(), Error> {
    // 1. Find the server and make it prove its identity before anything secret is sent.
    let client = match (arg("--url"), arg("--key")) {
        (Some(url), Some(key)) => {
            let key: ServerKey = key.parse()?;
            println!("connecting to {url}, pinned key {key}");
            Client::connect(&url, key).await?
        }
        _ => {
            let discovery = match arg("--discovery") {
                Some(f) => Discovery::load(f.as_ref())?,
                None => Discovery::load_default()?,
            };
            let (client, key) = Client::pair(&discovery).await?;
            println!(
                "paired with {} (server pid {}); pin this key: {key}",
                discovery.url, discovery.pid
            );
            client
        }
    };

    // 2. Ask for a grant and wait for the person.
    let request = GrantRequest::new(
        "com.example.vendor-demo",
        "Example Vendor",
        "Adapt the tone and length of answers to how you like to be addressed",
    )
    .url("https://vendor.example")
    .purposes([PURPOSE])
    .categories(["communication-style", "expertise"])
    .operations([Operation::Read, Operation::Propose])
    .duration_days(7)
    .vendor_retention_days(1);
    let pending = client.request_grant(&request).await?;
    println!(
        "asked for a grant; user code {}, expires {}",
        pending.user_code, pending.expires_at
    );
    println!(
        "approve it as the person: selfmodel grant approve {}",
        pending.request_id
    );
    let approval = client.wait_for_approval(&pending).await?;
    let g = &approval.grant;
    println!(
        "approved: grant {} for purposes {:?}, categories {:?}, until {}",
        g.id, g.purposes, g.categories, g.expires_at
    );
    let client = client.with_token(approval.token);

    // 3. Read for the declared purpose (every page).
    let beliefs = client
        .all_beliefs(&BeliefQuery::new(PURPOSE).limit(50))
        .await?;
    println!("{} beliefs for '{PURPOSE}':", beliefs.len());
    for b in &beliefs {
        println!("  {:.2}  {:<20} {}", b.confidence, b.category, b.statement);
    }

    // 4. Propose what the vendor learned; it waits in the person's inbox.
    if client.grant().await?.allows(Operation::Propose) {
        let proposal = Proposal::new(
            "Prefers bullet points for step-by-step instructions",
            "communication-style",
            0.7,
        )
        .purposes([PURPOSE])
        .evidence(EvidenceIn::new(
            EvidenceKind::Observed,
            "Example Vendor",
            "Asked for a bulleted list in 3 of the last 5 how-to questions",
        ));
        match client.propose(&proposal).await {
            Ok(r) => println!("proposed belief {} ({})", r.id, r.status),
            Err(Error::Conflict(p)) => println!("not proposed: {}", p.message),
            Err(e) => return Err(e),
        }
    }

    // 5. Follow notices for a while: rectified or erased beliefs, revocation.
    let secs: u64 = arg("--events-secs")
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let mut feed = client.follow_events(0);
    let until = tokio::time::Instant::now() + Duration::from_secs(secs);
    println!("following notices for {secs} s ...");
    while tokio::time::Instant::now() < until {
        let left = until - tokio::time::Instant::now();
        if left < Duration::from_secs(1) {
            break;
        }
        for e in feed.next_batch(left.min(Duration::from_secs(5))).await? {
            println!("  notice {}: {:?} {:?}", e.seq, e.kind, e.belief_id);
        }
    }

    // 6. Done: give the grant up.
    client.give_up().await?;
    println!("gave up the grant; its token no longer works");
    Ok(())
}
