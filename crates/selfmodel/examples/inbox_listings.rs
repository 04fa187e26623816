//! The inbox as the app lists it while the person works through it: one listing, then a
//! proposal accepted and the inbox listed again, then one rejected and listed again. Prints each
//! listing's time; the first is what every listing cost before matches were kept.
//!
//! ```bash
//! cargo run --release -p selfmodel --example inbox_listings -- VAULT   # SELFMODEL_PASSPHRASE set
//! ```
//! It changes the vault: run it on a copy.

use std::time::Instant;

use selfmodel::Selfmodel;
use selfmodel_core::Passphrase;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: inbox_listings VAULT")?;
    let passphrase = Passphrase::new(std::env::var("SELFMODEL_PASSPHRASE")?);
    let mut model = Selfmodel::open_witnessed(path.as_ref(), &passphrase, None)?;
    let list = |model: &mut Selfmodel, what: &str| -> Result<Vec<_>, selfmodel::Error> {
        let started = Instant::now();
        let inbox = model.inbox_with_matches()?;
        let matched = inbox.iter().filter(|(_, m)| m.is_some()).count();
        println!(
            "{what}: {} proposals, {matched} with a match, {:.2} s",
            inbox.len(),
            started.elapsed().as_secs_f64()
        );
        Ok(inbox)
    };
    let inbox = list(&mut model, "first listing")?;
    let first = inbox.first().ok_or("the inbox is empty")?.0.id;
    model.accept_proposal(first, None)?;
    let inbox = list(&mut model, "after accepting one")?;
    let next = inbox.first().ok_or("the inbox is empty")?.0.id;
    model.reject_proposal(next)?;
    list(&mut model, "after rejecting one")?;
    Ok(())
}
