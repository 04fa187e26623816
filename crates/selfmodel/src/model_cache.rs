//! The model as vendor reads see it, kept in memory between reads: every active belief, whole,
//! in id order, the catalogue, whether sharing is paused, and the grants tokens were found to
//! stand for. A page of a read is then picked from memory instead of scanning the tables; the
//! grant check and the access-log entry stay in the read's transaction.
//!
//! The copy is valid for one version of the vault: this process's changes (every one goes
//! through `Selfmodel::change`, which counts it and drops the copy at once) and other processes'
//! commits (SQLite's `data_version`, read inside the read's own write transaction, where no
//! other connection can commit). Any change of either, to beliefs or not, discards it; the next
//! read loads it again. Vendor calls do not discard it: none changes active beliefs, the
//! catalogue or a grant, but for a vendor giving its grant up, which counts as a change.
//!
//! The pages reads were served are kept with the copy, for each grant by what was asked, so
//! that a vendor polling the same page is served the same [`Page`] (and its rendering) until the
//! copy is discarded or a belief on the page falls due for review or expires. A grant's kept
//! pages weigh at most [`MAX_KEPT_PER_GRANT`] ([`Page::weight`]); past it, that grant's pages are
//! dropped and no other grant's: a vendor varying what it asks evicts its own pages only.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use selfmodel_core::{BeliefFilter, BeliefId, Catalogue, Grant, Status};
use selfmodel_vault::{Reader, Writer};

use crate::Result;
use crate::disclosed::{Page, Shared};

/// Most one grant's kept pages weigh together, in bytes shown ([`Page::weight`]).
const MAX_KEPT_PER_GRANT: usize = 4 << 20;

/// Which state of the vault a copy was taken from: (SQLite `data_version`, changes made by this
/// process).
pub(crate) type Version = (i64, u64);

/// Every active belief and the catalogue, as of one [`Version`].
pub(crate) struct ModelCache {
    version: Version,
    /// Active beliefs by id (ids sort by creation time, as the pages do), shared with the reads
    /// that disclose them.
    beliefs: BTreeMap<BeliefId, Arc<Shared>>,
    /// The beliefs its type lets be shared (confidence at or above the type's share floor),
    /// listed under each purpose they name, each list in id order: a page for one purpose walks
    /// only the beliefs that may be read for it.
    by_purpose: HashMap<String, Vec<Arc<Shared>>>,
    /// The catalogue the beliefs are judged against.
    pub catalogue: Catalogue,
    /// Whether the person has paused all sharing.
    pub paused: bool,
    /// Grants found by their token's public id so far, with the token's stored hash. A token
    /// that finds none is looked up again each time, so no caller can fill this.
    grants: RefCell<HashMap<String, TokenGrant>>,
    /// Pages served from this copy, by grant id.
    pages: RefCell<HashMap<String, KeptPages>>,
}

/// A token's grant, shared by every read under it, and the token's stored hash.
pub(crate) type TokenGrant = (Arc<Grant>, Vec<u8>);

/// What a page read asks: reads under one grant asking the same share one [`Page`].
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    pub purpose: String,
    pub category: Option<String>,
    /// The bits of the minimum confidence asked for.
    pub min_confidence: Option<u64>,
    pub fresh: bool,
    /// The search text, lowercased.
    pub needle: Option<String>,
    pub after: Option<BeliefId>,
    pub limit: usize,
}

/// One grant's kept pages.
#[derive(Default)]
struct KeptPages {
    by_key: HashMap<PageKey, Arc<Page>>,
    /// What they weigh together ([`Page::weight`]).
    weight: usize,
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
                let beliefs: BTreeMap<_, _> = beliefs
                    .into_iter()
                    .map(|b| (b.id, Shared::new(b, &catalogue)))
                    .collect();
                let mut by_purpose = HashMap::<String, Vec<Arc<Shared>>>::new();
                for s in beliefs
                    .values()
                    .filter(|s| s.belief.confidence >= s.share_floor)
                {
                    for p in &s.belief.purposes {
                        match by_purpose.get_mut(p) {
                            Some(listed) => listed.push(Arc::clone(s)),
                            None => drop(by_purpose.insert(p.clone(), vec![Arc::clone(s)])),
                        }
                    }
                }
                ModelCache {
                    version,
                    beliefs,
                    by_purpose,
                    catalogue,
                    paused: crate::vendor::sharing_paused(&w.read())?,
                    grants: RefCell::default(),
                    pages: RefCell::default(),
                }
            }
        };
        Ok(cached.insert(copy))
    }

    /// Active beliefs that name `purpose` and clear their type's share floor, after `after`
    /// (exclusive), in id order.
    pub fn for_purpose_after(&self, purpose: &str, after: Option<BeliefId>) -> &[Arc<Shared>] {
        let listed = self.by_purpose.get(purpose).map_or(&[][..], Vec::as_slice);
        let start = after.map_or(0, |a| listed.partition_point(|s| s.belief.id <= a));
        &listed[start..]
    }

    /// The grant a token's public id stands for, with its token's stored hash.
    pub fn grant_by_token_id(&self, r: &Reader<'_>, token_id: &str) -> Result<Option<TokenGrant>> {
        if let Some(found) = self.grants.borrow().get(token_id) {
            return Ok(Some(found.clone()));
        }
        let found = r
            .grant_by_token_id(token_id)?
            .map(|(grant, hash)| (Arc::new(grant), hash));
        if let Some(f) = &found {
            self.grants
                .borrow_mut()
                .insert(token_id.to_owned(), f.clone());
        }
        Ok(found)
    }

    /// The page served to a read under `grant` asking `key`, if it is still what a read at
    /// `now` would pick.
    pub fn page(&self, grant: &str, key: &PageKey, now: DateTime<Utc>) -> Option<Arc<Page>> {
        let kept = self.pages.borrow();
        let page = kept.get(grant)?.by_key.get(key)?;
        page.valid_at(now).then(|| Arc::clone(page))
    }

    /// Keeps `page` for the reads under its grant that ask `key`; past [`MAX_KEPT_PER_GRANT`],
    /// the pages that grant kept before are dropped.
    pub fn keep_page(&self, key: PageKey, page: &Arc<Page>) {
        let mut all = self.pages.borrow_mut();
        let kept = all.entry(page.grant_id.clone()).or_default();
        if let Some(old) = kept.by_key.remove(&key) {
            kept.weight -= old.weight();
        }
        if kept.weight + page.weight() > MAX_KEPT_PER_GRANT {
            *kept = KeptPages::default();
        }
        kept.weight += page.weight();
        kept.by_key.insert(key, Arc::clone(page));
    }

    /// The active belief `id`.
    pub fn get(&self, id: BeliefId) -> Option<&Arc<Shared>> {
        self.beliefs.get(&id)
    }
}
