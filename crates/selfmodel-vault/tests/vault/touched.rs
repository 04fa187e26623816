//! The beliefs a write touched, as SQLite notes them for the vendor reads' copy of the model:
//! every write that changes a belief is noted, a rollback takes its notes back, and a bulk write
//! notes everything at once and then each belief again.

use std::collections::BTreeSet;

use selfmodel_core::{Belief, BeliefId, Catalogue};
use selfmodel_vault::{Result, Vault, VaultError};

use crate::common::{belief, created, insert, new_vault, now};

/// What the writes since the last call touched.
fn taken(vault: &mut Vault) -> Option<BTreeSet<BeliefId>> {
    vault.take_touched().unwrap()
}

fn ids(beliefs: &[&Belief]) -> Option<BTreeSet<BeliefId>> {
    Some(beliefs.iter().map(|b| b.id).collect())
}

#[test]
fn each_write_notes_the_beliefs_it_touched_and_a_rollback_takes_its_notes_back() {
    let (_dir, _path, mut vault) = new_vault();
    let c = Catalogue::defaults();
    let [a, b, d] = ["Likes maps", "Likes trains", "Likes ferries"].map(|s| belief(&c, s, "seen"));
    insert(&mut vault, &[a.clone(), b.clone()]);
    assert_eq!(taken(&mut vault), ids(&[&a, &b]));
    assert_eq!(taken(&mut vault), ids(&[]), "taken once");

    let failed = vault.write(|w| -> Result<()> {
        w.insert_belief(&d)?;
        w.delete_belief(a.id)?;
        Err(VaultError::Busy)
    });
    assert!(failed.is_err());
    assert_eq!(taken(&mut vault), ids(&[]), "rolled back with the write");

    let changed = Belief {
        statement: "Likes night trains".into(),
        ..b.clone()
    };
    vault
        .write(|w| -> Result<()> {
            w.replace_belief(&changed)?;
            w.delete_belief(a.id)?;
            w.append_audit(created(&b), now()).map(drop)
        })
        .unwrap();
    assert_eq!(taken(&mut vault), ids(&[&a, &b]));
}

#[test]
fn a_bulk_write_notes_every_belief_then_each_one_again() {
    let (_dir, _path, mut vault) = new_vault();
    let c = Catalogue::defaults();
    let [a, b, d] = ["Likes maps", "Likes trains", "Likes ferries"].map(|s| belief(&c, s, "seen"));
    let bulk = |vault: &mut Vault, b: &Belief, fail: bool| {
        vault.write(|w| -> Result<()> {
            w.bulk()?;
            w.insert_belief(b)?;
            w.append_audit(created(b), now())?;
            if fail { Err(VaultError::Busy) } else { Ok(()) }
        })
    };
    bulk(&mut vault, &a, false).unwrap();
    assert_eq!(taken(&mut vault), None, "every belief");
    insert(&mut vault, std::slice::from_ref(&b));
    assert_eq!(taken(&mut vault), ids(&[&b]), "noted one by one again");

    assert!(bulk(&mut vault, &d, true).is_err());
    assert_eq!(
        taken(&mut vault),
        ids(&[]),
        "a bulk write rolled back notes nothing"
    );
    insert(&mut vault, std::slice::from_ref(&d));
    assert_eq!(taken(&mut vault), ids(&[&d]));
}
