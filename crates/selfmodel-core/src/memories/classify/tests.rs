use super::*;
use crate::catalogue::Catalogue;

#[test]
fn every_rule_names_a_default_type() {
    let c = Catalogue::defaults();
    for (ty, cues) in RULES {
        assert!(c.belief_type(ty).is_some(), "{ty}");
        for (cue, _) in *cues {
            let stem = cue.trim_end_matches('*');
            let words: Vec<&str> = stem.split(|c: char| !c.is_alphanumeric()).collect();
            assert_eq!(words.join(" "), stem, "{cue} is words and spaces");
            assert!(words.iter().all(|w| !w.is_empty()), "{cue}");
            assert_eq!(stem.to_lowercase(), stem, "{cue} is lower-case");
        }
    }
    assert!(c.belief_type(FALLBACK).is_some());
}

#[test]
fn clear_cases() {
    for (memory, ty) in [
        ("Prefers concise answers", "communication-style"),
        ("Is learning Rust", "expertise"),
        ("Has a daughter named Mia", "context"),
        ("Wants to run a marathon next year", "goals"),
        ("Is allergic to peanuts", "health"),
        ("Uses a screen reader", "accessibility"),
        ("Goes running every morning at 6", "routines"),
        ("Cares about privacy and open source", "values"),
        ("Enjoys birdwatching", "interests"),
        ("Prefers vim over VS Code", "preferences"),
        ("Zzz", FALLBACK),
        ("", FALLBACK),
    ] {
        assert_eq!(classify(memory), ty, "{memory}");
    }
}

#[test]
fn cues_match_whole_words_or_prefixes() {
    let w = ["goes", "to", "the", "dogs", "home", "daily"];
    let found = |cue: &'static str| {
        let stem = cue.trim_end_matches('*');
        Cue {
            words: stem.split(' ').collect(),
            prefix: stem.len() < cue.len(),
            weight: 1,
        }
        .found_in(&w)
    };
    assert!(found("daily"));
    assert!(found("dog*"));
    assert!(!found("dog"));
    assert!(found("home daily*"));
    assert!(!found("the home"));
    assert!(!found("daily today"));
    assert_eq!(classify("Doesn't like olives"), "preferences");
}
