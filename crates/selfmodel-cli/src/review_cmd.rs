//! `selfmodel review`: the beliefs due for review, and confirming them.

use anyhow::{Result, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use selfmodel::Selfmodel;
use selfmodel_core::audit::canonical_time;
use serde::Serialize;

#[derive(Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    action: Option<ReviewCmd>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ReviewCmd {
    /// Confirm beliefs are still true: each is asked about again only when its type's interval
    /// has passed once more (one transaction, one audit event per belief)
    Confirm {
        /// The beliefs' ids
        #[arg(required_unless_present = "due", conflicts_with = "due")]
        ids: Vec<String>,
        /// Every belief due now
        #[arg(long)]
        due: bool,
    },
}

/// A belief due for review, as JSON.
#[derive(Serialize)]
struct DueOut {
    #[serde(flatten)]
    belief: crate::json::BeliefOut,
    due_since: String,
}

pub fn run(mut model: Selfmodel, args: ReviewArgs) -> Result<()> {
    let now = Utc::now();
    match args.action {
        None => {
            let due = model.review_queue(now)?;
            if args.json {
                crate::output::print_json(
                    &due.iter()
                        .map(|d| DueOut {
                            belief: crate::json::belief(&d.belief, false),
                            due_since: canonical_time(&d.since),
                        })
                        .collect::<Vec<_>>(),
                )?;
            } else if due.is_empty() {
                say!("nothing is due for review");
            } else {
                for d in &due {
                    let b = &d.belief;
                    say!(
                        "{}  {:<20} due {} days  {}",
                        b.id,
                        b.category,
                        (now - d.since).num_days(),
                        b.statement
                    );
                }
                say!(
                    "{} beliefs due: confirm with `selfmodel review confirm ID…` (or --due), or rectify or delete them",
                    due.len()
                );
            }
        }
        Some(ReviewCmd::Confirm { ids, due }) => {
            let ids = if due {
                let ids: Vec<_> = model
                    .review_queue(now)?
                    .into_iter()
                    .map(|d| d.belief.id)
                    .collect();
                if ids.is_empty() {
                    bail!("nothing is due for review");
                }
                ids
            } else {
                ids.iter()
                    .map(|s| crate::parse_id(s))
                    .collect::<Result<Vec<_>>>()?
            };
            let n = model.confirm_beliefs(&ids)?;
            say!(
                "confirmed {n} beliefs: they are asked about again when their type's interval has passed"
            );
        }
    }
    model.close()?;
    Ok(())
}
