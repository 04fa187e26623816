//! Whether two beliefs say the same. Two tests on their
//! [`fingerprint`]s, so case, punctuation, look-alike letters and
//! word order do not matter:
//! - the Dice coefficient of their character trigrams reaches [`SAME_AS`] (a missing article or
//!   an extra qualifier lowers it only a little);
//! - every word of three letters or more in the shorter is in the longer, or is a prefix of one
//!   or has one as its prefix ("answer", "answers"): a different fact in the same frame ("Lives
//!   in Berlin", "Lives in Munich") is not the same, however alike the letters.
//!
//! It only suggests: the person decides whether to merge.

use std::collections::HashMap;

use crate::text::fingerprint;

/// From this similarity on, a text is shown as the same as a belief.
pub const SAME_AS: f64 = 0.75;

/// A text's trigrams, sorted and without repeats, and its words of three letters or more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    grams: Vec<[char; 3]>,
    words: Vec<String>,
}

impl Profile {
    /// The profile of a statement.
    pub fn of(statement: &str) -> Self {
        let print = fingerprint(statement);
        let padded: Vec<char> = format!(" {print} ").chars().collect();
        let mut grams: Vec<[char; 3]> = padded.windows(3).map(|w| [w[0], w[1], w[2]]).collect();
        grams.sort_unstable();
        grams.dedup();
        let mut words: Vec<String> = print
            .split(' ')
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_owned)
            .collect();
        words.sort_unstable();
        words.dedup();
        Self { grams, words }
    }

    /// Whether the two say the same (see the module documentation).
    pub fn same_as(&self, other: &Self) -> bool {
        self.similarity(other) >= SAME_AS && self.same_words(other)
    }

    /// Whether every word of the shorter is in the longer (or a prefix of one, or has one as
    /// its prefix).
    fn same_words(&self, other: &Self) -> bool {
        let (short, long) = if self.words.len() <= other.words.len() {
            (self, other)
        } else {
            (other, self)
        };
        short.words.iter().all(|w| {
            long.words
                .iter()
                .any(|l| l.starts_with(w.as_str()) || w.starts_with(l.as_str()))
        })
    }

    /// How alike two profiles are, from 0 (nothing shared) to 1 (the same trigrams).
    pub fn similarity(&self, other: &Self) -> f64 {
        let total = self.grams.len() + other.grams.len();
        if total == 0 {
            return 0.0;
        }
        2.0 * shared(&self.grams, &other.grams) as f64 / total as f64
    }

    /// Whether the similarity with `other` could reach `at_least` at all, from the sizes alone.
    pub fn may_reach(&self, other: &Self, at_least: f64) -> bool {
        let (a, b) = (self.grams.len(), other.grams.len());
        a + b > 0 && 2.0 * a.min(b) as f64 / (a + b) as f64 >= at_least
    }
}

/// How many items two sorted lists share.
fn shared(a: &[[char; 3]], b: &[[char; 3]]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Statements looked up by their trigrams, so that finding the one a text says the same as reads
/// only the statements that share a trigram with it, not every statement of the model.
#[derive(Debug, Clone, Default)]
pub struct Index {
    profiles: Vec<Profile>,
    postings: HashMap<[char; 3], Vec<u32>>,
}

impl Index {
    /// The index of these statements' profiles, in this order.
    pub fn new(profiles: Vec<Profile>) -> Self {
        let mut postings: HashMap<[char; 3], Vec<u32>> = HashMap::new();
        for (i, p) in profiles.iter().enumerate() {
            for g in &p.grams {
                postings.entry(*g).or_default().push(i as u32);
            }
        }
        Self { profiles, postings }
    }

    /// The statement `text` says the same as, the most similar if several: its position and the
    /// similarity.
    pub fn best_match(&self, text: &Profile) -> Option<(usize, f64)> {
        // Shared trigrams per statement, counted densely: a lookup touches only the postings of
        // the text's own trigrams.
        let mut shared = vec![0u16; self.profiles.len()];
        let mut touched = Vec::new();
        for g in &text.grams {
            for &i in self.postings.get(g).into_iter().flatten() {
                let n = &mut shared[i as usize];
                if *n == 0 {
                    touched.push(i);
                }
                *n = n.saturating_add(1);
            }
        }
        touched
            .into_iter()
            .map(|i| {
                let candidate = &self.profiles[i as usize];
                let total = text.grams.len() + candidate.grams.len();
                let n = shared[i as usize];
                (i as usize, candidate, 2.0 * f64::from(n) / total as f64)
            })
            .filter(|&(_, c, s)| s >= SAME_AS && text.same_words(c))
            .map(|(i, _, s)| (i, s))
            // The lowest position wins a tie, whatever order the counts came in.
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(a: &str, b: &str) -> f64 {
        Profile::of(a).similarity(&Profile::of(b))
    }

    fn same(a: &str, b: &str) -> bool {
        Profile::of(a).same_as(&Profile::of(b))
    }

    #[test]
    fn the_same_said_differently_reaches_the_threshold() {
        for (a, b) in [
            ("Prefers concise answers", "prefers CONCISE answers."),
            ("Is learning Rust", "Learning Rust"),
            ("Is vegetarian", "Is a vegetarian"),
            ("Speaks German and French", "Speaks French and German"),
            (
                "Training for a marathon",
                "Is training for a marathon in April",
            ),
            (
                "Enjoys hiking in the Alps",
                "Enjoys hiking in the alps every summer",
            ),
            ("Prefers concise answers", "Prеfers concise answers"), // Cyrillic е
            ("Prefers a concise answer", "Prefers concise answers"),
        ] {
            let s = sim(a, b);
            assert!(s >= SAME_AS && same(a, b), "{a:?} ~ {b:?}: {s:.2}");
            assert!((s - sim(b, a)).abs() < 1e-12 && same(b, a), "symmetric");
        }
        assert!((sim("Is learning Rust", "is learning rust!") - 1.0).abs() < 1e-12);
    }

    #[test]
    fn different_facts_in_the_same_words_stay_below() {
        for (a, b) in [
            ("Lives in Berlin", "Lives in Munich"),
            ("Works as a nurse", "Works as a teacher"),
            ("Prefers dark mode", "Prefers light mode"),
            ("Enjoys hiking", "Enjoys cooking"),
            ("Has a dog named Max", "Has a cat named Max"),
            (
                "Prefers concise answers",
                "Prefers concise answers with the conclusion first",
            ),
            ("Likes tea", "Drinks coffee every morning before work"),
        ] {
            assert!(
                !same(a, b) && !same(b, a),
                "{a:?} ~ {b:?}: {:.2}",
                sim(a, b)
            );
        }
        // Alike letters, a different fact: the words decide.
        assert!(sim("Has a dog named Max", "Has a cat named Max") >= 0.7);
        assert_eq!(sim("", "anything"), 0.0);
        assert!(!same("", ""));
    }

    #[test]
    fn the_best_match_is_the_most_similar_above_the_threshold() {
        let beliefs = [
            "Lives in Munich",
            "Is learning Rust",
            "Is learning Rust and Go",
        ];
        let index = Index::new(beliefs.iter().map(|b| Profile::of(b)).collect());
        let (i, s) = index.best_match(&Profile::of("learning rust")).unwrap();
        assert_eq!(beliefs[i], "Is learning Rust");
        assert!(s >= SAME_AS);
        assert_eq!(index.best_match(&Profile::of("Lives in Berlin")), None);
        // The index finds what comparing with every statement finds.
        for text in [
            "Is learning Rust and Go!",
            "lives in munich",
            "Learning Go",
            "nothing alike",
        ] {
            let p = Profile::of(text);
            let each = beliefs
                .iter()
                .enumerate()
                .map(|(i, b)| (i, Profile::of(b)))
                .filter(|(_, b)| p.same_as(b))
                .map(|(i, b)| (i, p.similarity(&b)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            assert_eq!(index.best_match(&p), each, "{text}");
        }
    }
}
