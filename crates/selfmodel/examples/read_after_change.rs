//! What a vendor's read costs right after the person changed something: every change brings
//! the model copy that reads are served from up to date. Pairs a vendor granted every type and
//! purpose, then times a read of 100 beliefs with the copy current, and the same read after each
//! of five changes of two kinds: a setting turned off (no belief touched) and a belief rectified.
//! Prints the medians.
//!
//! ```bash
//! cargo run --release -p selfmodel --example read_after_change -- VAULT   # SELFMODEL_PASSPHRASE set
//! ```
//! It changes the vault (a grant, its log entries, the setting): run it on a copy.

use std::time::{Duration, Instant};

use selfmodel::{Credential, GrantAsk, PollOutcome, Selfmodel, VendorRead};
use selfmodel_core::{
    Actor, Narrowing, Operation, Passphrase, Rectify, Scope, Sensitivity, Vendor,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: read_after_change VAULT")?;
    let passphrase = Passphrase::new(std::env::var("SELFMODEL_PASSPHRASE")?);
    let mut model = Selfmodel::open_witnessed(path.as_ref(), &passphrase, None)?;
    model.ensure_pages_intact()?;
    let catalogue = model.catalogue()?;
    let token = paired(&mut model, &catalogue)?;
    // The first purpose a page of beliefs is read for.
    let (read, page) = catalogue
        .purposes
        .iter()
        .find_map(|p| {
            let read = VendorRead {
                purpose: p.id.clone(),
                limit: Some(100),
                ..VendorRead::default()
            };
            let page = model.vendor_read(&token, &read).ok()?;
            (!page.beliefs.is_empty()).then_some((read, page))
        })
        .ok_or("nothing to read")?;
    let time_read = |model: &mut Selfmodel| -> Result<Duration, selfmodel::Error> {
        let started = Instant::now();
        model.vendor_read(&token, &read)?;
        Ok(started.elapsed())
    };
    let rectified = page.beliefs.first().ok_or("nothing to read")?.id();
    let mut loaded = Vec::new();
    let mut after_setting = Vec::new();
    let mut after_rectifying = Vec::new();
    for round in 0..5 {
        loaded.push(time_read(&mut model)?);
        model.set_web_vendors(false)?;
        after_setting.push(time_read(&mut model)?);
        let change = Rectify {
            confidence: Some(0.9 + f64::from(round) / 100.0),
            reason: "timing a read after a change".into(),
            ..Rectify::default()
        };
        model.rectify(rectified, change, Actor::Person)?;
        after_rectifying.push(time_read(&mut model)?);
    }
    let active = model
        .beliefs(&selfmodel_core::BeliefFilter::default())?
        .len();
    println!("{active} beliefs");
    for (what, times) in [
        ("the copy current", loaded),
        ("after a setting changed", after_setting),
        ("after a belief rectified", after_rectifying),
    ] {
        println!("read of 100, {what}: median {:.1} ms", median(times));
    }
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
