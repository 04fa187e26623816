//! Load-benchmark helper: adds beliefs to a vault through the use-case layer (the same path as
//! `selfmodel belief add`, with its validation and audit events) until it holds `N` (default
//! 10 000). Vault and passphrase come from `SELFMODEL_VAULT` and `SELFMODEL_PASSPHRASE`; the
//! vault is created if missing. Used by `scripts/bench-api`.
//!
//! ```sh
//! SELFMODEL_VAULT=/tmp/v.db SELFMODEL_PASSPHRASE='…' cargo run --release -p selfmodel-client --example bench_fill -- 10000
//! ```

use std::path::PathBuf;
use std::time::Instant;

use selfmodel::Selfmodel;
use selfmodel_core::{
    Actor, BeliefFilter, EvidenceKind, NewBelief, NewEvidence, Passphrase, Provenance,
};

/// (category, purposes a belief of it may carry)
const KINDS: &[(&str, &[&str])] = &[
    (
        "communication-style",
        &["communication", "customer-care", "personalisation"],
    ),
    ("expertise", &["communication", "recommendations"]),
    ("goals", &["personalisation", "recommendations"]),
    (
        "interests",
        &["personalisation", "recommendations", "research"],
    ),
    ("preferences", &["personalisation", "recommendations"]),
    ("routines", &["personalisation", "ui-personalisation"]),
    ("values", &["communication", "recommendations"]),
    ("context", &["communication", "customer-care"]),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(10_000);
    let path = PathBuf::from(std::env::var("SELFMODEL_VAULT")?);
    let pass = Passphrase::new(std::env::var("SELFMODEL_PASSPHRASE")?);
    let mut model = if path.exists() {
        Selfmodel::open(&path, &pass)?
    } else {
        Selfmodel::create(&path, &pass)?
    };
    let have = model.beliefs(&BeliefFilter::default())?.len();
    let provenance = Provenance {
        actor: Actor::System,
        method: "bench".into(),
    };
    let started = Instant::now();
    for i in have..target {
        let (category, purposes) = KINDS[i % KINDS.len()];
        // Every other belief carries only the first purpose, so purpose filters select.
        let purposes: Vec<&str> = if i % 2 == 0 {
            purposes.to_vec()
        } else {
            purposes[..1].to_vec()
        };
        model.add_belief(
            NewBelief {
                statement: format!(
                    "Benchmark belief {i}: likes topic {} at level {}",
                    i % 97,
                    i % 13
                ),
                category: category.to_owned(),
                confidence: 0.7 + (i % 30) as f64 / 100.0,
                purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
                sensitivity: None,
                evidence: vec![NewEvidence {
                    kind: EvidenceKind::Observed,
                    source: "Benchmark".into(),
                    summary: format!("Seen in {} sessions", i % 50 + 1),
                    observed_at: None,
                    content_sha256: None,
                }],
            },
            provenance.clone(),
        )?;
    }
    let now = model.beliefs(&BeliefFilter::default())?.len();
    model.close()?;
    eprintln!(
        "{} beliefs in {} (added {} in {:.1} s)",
        now,
        path.display(),
        now.saturating_sub(have),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
