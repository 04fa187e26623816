//! What a vendor's read costs right after the person changed something: every change drops the
//! model copy that reads are served from, and the next read loads every active belief again.
//! Pairs a vendor granted every type and purpose, then times a read of 100 beliefs with the copy
//! loaded, and the same read after each of five changes (a setting turned off, as the person
//! would). Prints the medians.
//!
//! ```bash
//! cargo run --release -p selfmodel --example read_after_change -- VAULT   # SELFMODEL_PASSPHRASE set
//! ```
//! It changes the vault (a grant, its log entries, the setting): run it on a copy.

use std::time::{Duration, Instant};

use selfmodel::{Credential, GrantAsk, PollOutcome, Selfmodel, VendorRead};
use selfmodel_core::{Narrowing, Operation, Passphrase, Scope, Sensitivity, Vendor};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: read_after_change VAULT")?;
    let passphrase = Passphrase::new(std::env::var("SELFMODEL_PASSPHRASE")?);
    let mut model = Selfmodel::open_witnessed(path.as_ref(), &passphrase, None)?;
    model.ensure_pages_intact()?;
    let catalogue = model.catalogue()?;
    let purpose = catalogue.purposes.first().ok_or("no purpose")?.id.clone();
    let token = paired(&mut model, &catalogue)?;
    let read = VendorRead {
        purpose,
        limit: Some(100),
        ..VendorRead::default()
    };
    let time_read = |model: &mut Selfmodel| -> Result<Duration, selfmodel::Error> {
        let started = Instant::now();
        model.vendor_read(&token, &read)?;
        Ok(started.elapsed())
    };
    time_read(&mut model)?;
    let mut loaded = Vec::new();
    let mut after_change = Vec::new();
    for _ in 0..5 {
        loaded.push(time_read(&mut model)?);
        model.set_web_vendors(false)?;
        after_change.push(time_read(&mut model)?);
    }
    let active = model
        .beliefs(&selfmodel_core::BeliefFilter::default())?
        .len();
    println!("{active} beliefs");
    println!(
        "read of 100, the copy loaded: median {:.1} ms",
        median(loaded)
    );
    println!(
        "read of 100 after a change:   median {:.1} ms",
        median(after_change)
    );
    model.close()?;
    Ok(())
}

/// A vendor's token for every type and purpose of `catalogue`, approved as asked.
fn paired(
    model: &mut Selfmodel,
    catalogue: &selfmodel_core::Catalogue,
) -> Result<Credential, Box<dyn std::error::Error>> {
    let ask = GrantAsk {
        vendor: Vendor {
            id: "bench-reader".into(),
            name: "Bench reader".into(),
            url: None,
        },
        scope: Scope {
            purposes: catalogue.purposes.iter().map(|p| p.id.clone()).collect(),
            categories: catalogue.types.iter().map(|t| t.id.clone()).collect(),
            operations: [Operation::Read].into(),
            max_sensitivity: Sensitivity::Normal,
            min_confidence: 0.0,
            origins: Default::default(),
            fresh_only: false,
        },
        duration_days: 1,
        vendor_retention_days: 1,
        justification: "timing reads after a change".into(),
    };
    let issued = model.request_grant(ask, None)?;
    model.approve_request(&issued.request.id, &Narrowing::default(), "bench")?;
    match model.poll_grant(&Credential::native(&issued.poll_secret))? {
        PollOutcome::Approved { token, .. } => Ok(Credential::native(&token)),
        _ => Err("the grant was not approved".into()),
    }
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1e3
}
