//! The model as vendor reads see it, kept in memory between reads: every active belief, whole,
//! in id order, and the catalogue. A page of a read is then picked from memory instead of
//! scanning the tables; the grant check and the access-log entry stay in the read's
//! transaction.
//!
//! The copy is valid for one version of the vault: this process's changes (every one goes
//! through `Selfmodel::change`, which counts it and drops the copy at once) and other processes'
//! commits (SQLite's `data_version`, read inside the read's own write transaction, where no
//! other connection can commit). Any change of either, to beliefs or not, discards it; the next
//! read loads it again. Vendor calls do not discard it: none changes active beliefs or the
//! catalogue.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use selfmodel_core::{BeliefFilter, BeliefId, Catalogue, Status};
use selfmodel_vault::Writer;

use crate::Result;
use crate::disclosed::Shared;

/// Which state of the vault a copy was taken from: (SQLite `data_version`, changes made by this
/// process).
pub(crate) type Version = (i64, u64);

/// Every active belief and the catalogue, as of one [`Version`].
pub(crate) struct ModelCache {
    version: Version,
    /// Active beliefs by id (ids sort by creation time, as the pages do), shared with the reads
    /// that disclose them.
    beliefs: BTreeMap<BeliefId, Arc<Shared>>,
    /// The catalogue the beliefs are judged against.
    pub catalogue: Catalogue,
}

impl ModelCache {
    /// The copy for the vault as `w` sees it: `cached` if it is still valid, else a new one.
    pub fn current<'a>(
        cached: &'a mut Option<ModelCache>,
        w: &Writer<'_>,
        local_changes: u64,
    ) -> Result<&'a ModelCache> {
        let version = (w.read().data_version()?, local_changes);
        let copy = match cached.take() {
            Some(c) if c.version == version => c,
            _ => {
                let active = BeliefFilter {
                    status: Some(Status::Active),
                    ..BeliefFilter::default()
                };
                let beliefs = w.read().beliefs(&active)?;
                let catalogue = w.read().catalogue()?;
                ModelCache {
                    version,
                    beliefs: beliefs
                        .into_iter()
                        .map(|b| (b.id, Shared::new(b, &catalogue)))
                        .collect(),
                    catalogue,
                }
            }
        };
        Ok(cached.insert(copy))
    }

    /// Active beliefs after `after` (exclusive), in id order.
    pub fn after(&self, after: Option<BeliefId>) -> impl Iterator<Item = &Arc<Shared>> {
        let from = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.beliefs.range((from, Bound::Unbounded)).map(|(_, b)| b)
    }

    /// The active belief `id`.
    pub fn get(&self, id: BeliefId) -> Option<&Arc<Shared>> {
        self.beliefs.get(&id)
    }
}
