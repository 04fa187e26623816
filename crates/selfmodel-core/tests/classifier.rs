//! The import classifier on a committed set of realistic saved memories
//! (`tests/data/memories.tsv`): its accuracy is printed and must not fall below what was
//! measured when the rules were written.
#![allow(missing_docs)]

use selfmodel_core::catalogue::Catalogue;
use selfmodel_core::memories::classify;

/// The floors under the accuracies measured when the rules were last changed (README,
/// "Importing memories"); a change to the rules or the sets that lowers one fails here.
const MIN_ACCURACY: f64 = 0.95;
const MIN_HELD_OUT_ACCURACY: f64 = 0.90;

#[test]
fn accuracy_on_realistic_memories() {
    accuracy(
        "memories.tsv",
        include_str!("data/memories.tsv"),
        60,
        MIN_ACCURACY,
    );
}

/// The set the rules were never tuned on: the honest estimate.
#[test]
fn accuracy_on_held_out_memories() {
    accuracy(
        "memories-holdout.tsv",
        include_str!("data/memories-holdout.tsv"),
        40,
        MIN_HELD_OUT_ACCURACY,
    );
}

fn accuracy(name: &str, data: &str, min_len: u32, floor: f64) {
    let catalogue = Catalogue::defaults();
    let mut total = 0u32;
    let mut right = 0u32;
    let mut misses = Vec::new();
    for line in data
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (expected, memory) = line.split_once('\t').expect("type TAB memory");
        assert!(catalogue.belief_type(expected).is_some(), "{expected}");
        total += 1;
        let got = classify(memory);
        if got == expected {
            right += 1;
        } else {
            misses.push(format!("{memory:?}: expected {expected}, got {got}"));
        }
    }
    assert!(total >= min_len, "{name} holds {total} memories");
    let accuracy = f64::from(right) / f64::from(total);
    println!("classifier accuracy on {name}: {right}/{total} = {accuracy:.3}");
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(
        accuracy >= floor,
        "accuracy on {name} {accuracy:.3} fell below {floor}:\n{}",
        misses.join("\n")
    );
}
