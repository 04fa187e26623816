//! The numbers the access log stores its texts (grant, vendor, purpose, operation, reason) and
//! its disclosed sets under, remembered between transactions, so that a vendor reading the same
//! page again does not look them up again (each look-up is a query, and a set's is a sort and a
//! SHA-256 of its ids first).
//!
//! Only numbers a committed transaction stored or found are remembered: a rolled-back one may be
//! given again to something else. Everything is forgotten when another connection has committed
//! since (`PRAGMA data_version`), and the sets whenever a compaction deletes one. Each map is
//! bounded and starts over past its bound.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use selfmodel_core::BeliefId;

/// The most texts remembered.
const MAX_TEXTS: usize = 4_096;
/// The most belief ids remembered across all sets (about 1 MiB).
const MAX_SET_IDS: usize = 65_536;
/// The largest set remembered: a page is at most a few hundred beliefs; a compacted day's set
/// may hold the whole vault, and is not worth a map of its own.
const MAX_SET_LEN: usize = MAX_SET_IDS / 16;

/// Texts and sets by number, as the vault's committed rows have them.
#[derive(Debug, Default)]
pub(crate) struct LogCodes {
    /// `data_version` when the numbers were last known to stand.
    version: Option<i64>,
    texts: HashMap<Box<str>, i64, FixedState>,
    /// By the ids as the read gave them (in its order).
    sets: HashMap<Box<[BeliefId]>, i64, FixedState>,
    set_ids: usize,
    /// Learnt in the current transaction: remembered only if it commits. Bounded like the maps
    /// (an import or a compaction learns one number per entry it writes): past a bound, nothing
    /// more is learnt in the transaction.
    pending_texts: Vec<(Box<str>, i64)>,
    pending_sets: Vec<(Box<[BeliefId]>, i64)>,
    pending_ids: usize,
}

impl LogCodes {
    /// Starts a write transaction that sees the file at `data_version`: what an earlier
    /// transaction learnt without committing is dropped, and everything if another connection
    /// committed since.
    pub(crate) fn begin(&mut self, data_version: i64) {
        self.clear_pending();
        if self.version != Some(data_version) {
            self.version = Some(data_version);
            self.texts.clear();
            self.forget_sets();
        }
    }

    /// The number of `text`, if remembered.
    pub(crate) fn text(&self, text: &str) -> Option<i64> {
        self.texts.get(text).copied()
    }

    /// The number of the set of exactly `ids`, if remembered.
    pub(crate) fn set(&self, ids: &[BeliefId]) -> Option<i64> {
        self.sets.get(ids).copied()
    }

    /// Notes the number this transaction found or gave `text`.
    pub(crate) fn learn_text(&mut self, text: &str, number: i64) {
        if self.pending_texts.len() < MAX_TEXTS {
            self.pending_texts.push((text.into(), number));
        }
    }

    /// Notes the number this transaction found or gave the set of `ids`.
    pub(crate) fn learn_set(&mut self, ids: &[BeliefId], number: i64) {
        if ids.len() <= MAX_SET_LEN && self.pending_ids + ids.len() <= MAX_SET_IDS {
            self.pending_ids += ids.len();
            self.pending_sets.push((ids.into(), number));
        }
    }

    fn clear_pending(&mut self) {
        self.pending_texts.clear();
        self.pending_sets.clear();
        self.pending_ids = 0;
    }

    /// Forgets every set, remembered or learnt: a set was deleted, and its number may be given
    /// again.
    pub(crate) fn forget_sets(&mut self) {
        self.sets.clear();
        self.set_ids = 0;
        self.pending_sets.clear();
        self.pending_ids = 0;
    }

    /// The transaction committed: remembers what it learnt.
    pub(crate) fn committed(&mut self) {
        for (text, number) in std::mem::take(&mut self.pending_texts) {
            if self.texts.len() >= MAX_TEXTS {
                self.texts.clear();
            }
            self.texts.insert(text, number);
        }
        for (ids, number) in std::mem::take(&mut self.pending_sets) {
            let len = ids.len();
            if self.set_ids + len > MAX_SET_IDS {
                self.sets.clear();
                self.set_ids = 0;
            }
            if self.sets.insert(ids, number).is_none() {
                self.set_ids += len;
            }
        }
        self.pending_ids = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<BeliefId> {
        (0..n).map(|_| BeliefId::new()).collect()
    }

    #[test]
    fn only_a_committed_transaction_is_remembered() {
        let mut codes = LogCodes::default();
        let set = ids(3);
        codes.begin(1);
        codes.learn_text("com.example.a", 7);
        codes.learn_set(&set, 9);
        assert_eq!((codes.text("com.example.a"), codes.set(&set)), (None, None));
        // Rolled back: the next transaction starts without it.
        codes.begin(1);
        codes.committed();
        assert_eq!((codes.text("com.example.a"), codes.set(&set)), (None, None));
        codes.learn_text("com.example.a", 7);
        codes.learn_set(&set, 9);
        codes.committed();
        assert_eq!(codes.text("com.example.a"), Some(7));
        assert_eq!(codes.set(&set), Some(9));
        // The same ids in another order are another key; a subset is not the set.
        let mut reversed = set.clone();
        reversed.reverse();
        assert_eq!(codes.set(&reversed), None);
        assert_eq!(codes.set(&set[..2]), None);
    }

    #[test]
    fn another_connections_commit_or_a_deleted_set_forgets() {
        let mut codes = LogCodes::default();
        let set = ids(2);
        codes.begin(1);
        codes.learn_text("beliefs.read", 1);
        codes.learn_set(&set, 2);
        codes.committed();
        codes.begin(1);
        assert_eq!(
            (codes.text("beliefs.read"), codes.set(&set)),
            (Some(1), Some(2))
        );
        codes.forget_sets();
        assert_eq!(
            (codes.text("beliefs.read"), codes.set(&set)),
            (Some(1), None)
        );
        codes.learn_set(&set, 2);
        codes.forget_sets();
        codes.committed();
        assert_eq!(codes.set(&set), None, "learnt before the deletion");
        codes.begin(2);
        assert_eq!(codes.text("beliefs.read"), None);
    }

    #[test]
    fn the_maps_are_bounded() {
        let mut codes = LogCodes::default();
        codes.begin(1);
        for n in 0..=MAX_TEXTS {
            codes.learn_text(&format!("text {n}"), n as i64);
        }
        assert_eq!(
            codes.pending_texts.len(),
            MAX_TEXTS,
            "one transaction learns at most the bound"
        );
        let first = ids(MAX_SET_LEN);
        codes.learn_set(&first, 1);
        codes.learn_set(&ids(MAX_SET_LEN + 1), 2);
        codes.committed();
        assert_eq!(codes.texts.len(), MAX_TEXTS);
        assert_eq!(codes.set(&first), Some(1));
        assert_eq!(
            codes.set_ids, MAX_SET_LEN,
            "a set past the largest is not remembered"
        );
        // Across transactions the sets' ids stay bounded: past it, the map starts over.
        let sets: Vec<Vec<BeliefId>> = (0..=MAX_SET_IDS / MAX_SET_LEN)
            .map(|_| ids(MAX_SET_LEN))
            .collect();
        for (n, set) in sets.iter().enumerate() {
            codes.begin(1);
            codes.learn_set(set, n as i64);
            codes.committed();
            assert!(codes.set_ids <= MAX_SET_IDS);
        }
        assert_eq!(
            codes.set(&sets[0]),
            None,
            "the first sets made way for the last"
        );
        assert_eq!(
            codes.set(&sets[sets.len() - 1]),
            Some((sets.len() - 1) as i64)
        );
    }
}
