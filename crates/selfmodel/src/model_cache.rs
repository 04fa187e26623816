//! The model as vendor reads see it, kept in memory between reads: every active belief, whole,
//! in id order, the catalogue, whether sharing is paused, and the grants tokens were found to
//! stand for. A page of a read is then picked from memory instead of scanning the tables; the
//! grant check and the access-log entry stay in the read's transaction.
//!
//! The copy follows the vault. Another process's commit (SQLite's `data_version`, read inside
//! the read's own write transaction, where no other connection can commit) discards it, and the
//! next read loads it again. This process's writes are followed belief by belief: the beliefs
//! each touched, as SQLite noted them ([`selfmodel_vault::Vault::take_touched`], which no write
//! can bypass), leave the copy as soon as the person's write commits (no erased text waits in
//! memory) or before the next read, and that read looks them up again; after any change of the
//! person's (every one goes through `Selfmodel::change`, which counts it) it also reads the
//! catalogue and the pause again. A changed catalogue, a bulk write (an import) or more touched
//! beliefs than [`MAX_PATCHED`] load the copy again. Vendor calls change no active belief,
//! catalogue or grant, but for a vendor giving its grant up, which counts as a change.
//!
//! The pages reads were served are kept with the copy, for each grant by what was asked, so
//! that a vendor polling the same page is served the same [`Page`] (and its rendering) until the
//! copy is discarded or a belief on the page falls due for review or expires. A grant's kept
//! pages weigh at most [`MAX_KEPT_PER_GRANT`] ([`Page::weight`]); past it, that grant's pages are
//! dropped and no other grant's: a vendor varying what it asks evicts its own pages only.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use selfmodel_core::{BeliefFilter, BeliefId, Catalogue, Grant, Status};
use selfmodel_vault::{Reader, Writer};

use crate::Result;
use crate::disclosed::{Page, Shared};

/// Most one grant's kept pages weigh together, in bytes shown ([`Page::weight`]).
const MAX_KEPT_PER_GRANT: usize = 4 << 20;

/// Most beliefs the changes since the last read may have touched for the copy to be patched:
/// past it, loading every active belief at once costs less than looking each up.
const MAX_PATCHED: usize = 1_000;

/// Every active belief and the catalogue, as of one state of the vault.
pub(crate) struct ModelCache {
    /// SQLite's `data_version` as of the copy: another connection's commit changes it.
    data_version: i64,
    /// This process's changes the copy follows (`Selfmodel`'s count).
    local_changes: u64,
    /// Beliefs writes touched since, taken out of the copy: the next read looks them up again.
    stale: BTreeSet<BeliefId>,
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
    /// The copy for the vault as `w` sees it: `cached`, patched if this process changed the
    /// vault since, or a new one.
    pub fn current<'a>(
        cached: &'a mut Option<ModelCache>,
        w: &Writer<'_>,
        local_changes: u64,
    ) -> Result<&'a ModelCache> {
        let r = w.read();
        let data_version = r.data_version()?;
        let patched = match cached.take() {
            Some(c) if c.data_version == data_version => c.patched(&r, local_changes)?,
            _ => None,
        };
        let copy = match patched {
            Some(c) => c,
            None => Self::load(&r, data_version, local_changes)?,
        };
        Ok(cached.insert(copy))
    }

    /// Every active belief and the catalogue, as `r` sees them.
    fn load(r: &Reader<'_>, data_version: i64, local_changes: u64) -> Result<Self> {
        let active = BeliefFilter {
            status: Some(Status::Active),
            ..BeliefFilter::default()
        };
        let mut copy = ModelCache {
            data_version,
            local_changes,
            stale: BTreeSet::new(),
            beliefs: BTreeMap::new(),
            by_purpose: HashMap::new(),
            catalogue: r.catalogue()?,
            paused: crate::vendor::sharing_paused(r)?,
            grants: RefCell::default(),
            pages: RefCell::default(),
        };
        for b in r.beliefs(&active)? {
            copy.add(Shared::new(b, &copy.catalogue));
        }
        Ok(copy)
    }

    /// Takes the beliefs `touched` (as [`selfmodel_vault::Vault::take_touched`] gave them) out
    /// of `cached` at once, so that nothing erased or replaced waits in memory, for the next read
    /// to look up again. Every belief, more than [`MAX_PATCHED`], or notes that could not be
    /// read drop the copy.
    pub fn forget_touched(
        cached: &mut Option<ModelCache>,
        touched: selfmodel_vault::Result<Option<BTreeSet<BeliefId>>>,
    ) {
        let Some(copy) = cached else { return };
        match touched {
            Ok(Some(ids)) if copy.stale.len() + ids.len() <= MAX_PATCHED => {
                let mut removed = false;
                for id in ids {
                    if let Some(old) = copy.beliefs.remove(&id) {
                        copy.unlist(&old);
                        removed = true;
                    }
                    copy.stale.insert(id);
                }
                if removed {
                    copy.pages.get_mut().clear();
                }
            }
            Ok(_) => *cached = None,
            Err(e) => {
                tracing::warn!("the beliefs writes touched could not be read: {e}");
                *cached = None;
            }
        }
    }

    /// The copy brought up to date after this process's writes: after a change of the
    /// person's, the catalogue and the pause read again and the grants found forgotten; the
    /// beliefs [`Self::forget_touched`] took out looked up again (the pages served forgotten
    /// when one is active). `None` when the catalogue changed: every belief is judged against it
    /// anew.
    fn patched(mut self, r: &Reader<'_>, local_changes: u64) -> Result<Option<Self>> {
        if local_changes != self.local_changes {
            if r.catalogue()? != self.catalogue {
                return Ok(None);
            }
            self.paused = crate::vendor::sharing_paused(r)?;
            self.grants.get_mut().clear();
            self.pages.get_mut().clear();
            self.local_changes = local_changes;
        }
        let mut added = false;
        for id in std::mem::take(&mut self.stale) {
            if let Some(b) = r.belief(id)?.filter(|b| b.status == Status::Active) {
                self.add(Shared::new(b, &self.catalogue));
                added = true;
            }
        }
        if added {
            // A proposal waiting in the inbox touches no page.
            self.pages.get_mut().clear();
        }
        Ok(Some(self))
    }

    /// Adds an active belief, under each purpose it names if its type lets it be shared.
    fn add(&mut self, s: Arc<Shared>) {
        if s.belief.confidence >= s.share_floor {
            for p in &s.belief.purposes {
                if !self.by_purpose.contains_key(p) {
                    self.by_purpose.insert(p.clone(), Vec::new());
                }
                if let Some(listed) = self.by_purpose.get_mut(p) {
                    let at = listed.partition_point(|l| l.belief.id < s.belief.id);
                    listed.insert(at, Arc::clone(&s));
                }
            }
        }
        self.beliefs.insert(s.belief.id, s);
    }

    /// Takes a belief [`Self::add`] added off the purposes it is listed under.
    fn unlist(&mut self, s: &Shared) {
        for p in &s.belief.purposes {
            if let Some(listed) = self.by_purpose.get_mut(p) {
                let at = listed.partition_point(|l| l.belief.id < s.belief.id);
                if listed.get(at).is_some_and(|l| l.belief.id == s.belief.id) {
                    listed.remove(at);
                }
            }
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use selfmodel_core::{Actor, Belief, Passphrase, Rectify};

    use super::*;
    use crate::Selfmodel;

    /// What a copy holds, comparably: each belief whole, each purpose's listed ids, the
    /// catalogue and the pause.
    type Held = (
        Vec<Belief>,
        BTreeMap<String, Vec<BeliefId>>,
        Catalogue,
        bool,
    );

    fn held(c: &ModelCache) -> Held {
        let listed = c
            .by_purpose
            .iter()
            .filter(|(_, l)| !l.is_empty())
            .map(|(p, l)| (p.clone(), l.iter().map(|s| s.belief.id).collect()))
            .collect();
        let beliefs = c.beliefs.values().map(|s| s.belief.clone()).collect();
        (beliefs, listed, c.catalogue.clone(), c.paused)
    }

    fn rectify(m: &mut Selfmodel, id: BeliefId, change: Rectify) {
        let change = Rectify {
            reason: "test".into(),
            ..change
        };
        m.rectify(id, change, Actor::Person).unwrap();
    }

    /// After every kind of change the person makes, the copy the next vendor read is served
    /// from holds exactly what loading it afresh would; it is patched, not loaded again
    /// (a belief no change touched is the same shared value), but for a catalogue change. (A
    /// proposal accepted from the inbox: `use_cases.rs`, with the vendor that made it.)
    #[test]
    fn the_copy_follows_every_change_as_loading_it_afresh_would() {
        let dir = tempfile::tempdir().unwrap();
        let pass = Passphrase::new("model copy test passphrase".into());
        let mut m = Selfmodel::create_witnessed(&dir.path().join("v.db"), &pass, None).unwrap();
        m.fill_demo().unwrap();
        let ids: Vec<BeliefId> = m.followed().beliefs.keys().copied().collect();
        let untouched = ids[ids.len() - 1];
        let [a, b, d, e, f] = [0, 1, 2, 3, 4].map(|i| ids[i]);
        // A belief with more than one purpose keeps all but its first.
        let (c, fewer) = {
            let copy = m.model.as_ref().unwrap();
            let c = ids[5..]
                .iter()
                .copied()
                .find(|&id| copy.get(id).unwrap().belief.purposes.len() > 1)
                .unwrap();
            let mut fewer = copy.get(c).unwrap().belief.purposes.clone();
            fewer.pop_first();
            (c, fewer)
        };
        type Change = Box<dyn FnOnce(&mut Selfmodel)>;
        let rectified = [
            (
                "a statement",
                a,
                Rectify {
                    statement: Some("Reads history".into()),
                    ..Rectify::default()
                },
            ),
            (
                "a confidence below the share floor",
                b,
                Rectify {
                    confidence: Some(0.01),
                    ..Rectify::default()
                },
            ),
            (
                "the purposes",
                c,
                Rectify {
                    purposes: Some(fewer),
                    ..Rectify::default()
                },
            ),
        ];
        let mut changes: Vec<(&str, bool, Change)> = rectified
            .into_iter()
            .map(|(what, id, change)| {
                let change: Change = Box::new(move |m| rectify(m, id, change));
                (what, true, change)
            })
            .collect();
        changes.extend::<[(&str, bool, Change); 5]>([
            (
                "an erasure",
                true,
                Box::new(move |m| m.delete_belief(d).unwrap()),
            ),
            (
                "the demo's beliefs added again",
                true,
                Box::new(|m| assert!(m.fill_demo().unwrap() > 0)),
            ),
            (
                "sharing paused and resumed",
                true,
                Box::new(|m| {
                    m.set_paused(true).unwrap();
                    m.set_paused(false).unwrap();
                }),
            ),
            (
                "two erasures at once",
                true,
                Box::new(move |m| assert_eq!(m.delete_beliefs(&[e, f]).unwrap(), 2)),
            ),
            (
                "a type's share floor",
                false,
                Box::new(|m| {
                    m.change_type("interests", selfmodel_core::audit::Detail::new(), |t| {
                        t.min_share_confidence = 0.8
                    })
                    .unwrap();
                }),
            ),
        ]);
        for (what, patched, change) in changes {
            let before = Arc::clone(m.followed().get(untouched).unwrap());
            change(&mut m);
            // Before any read, the copy holds no belief as it no longer is (an erased one above
            // all).
            if let Some(copy) = &m.model {
                for (id, s) in &copy.beliefs {
                    let now = m.vault.read(|r| r.belief(*id)).unwrap();
                    assert_eq!(now.as_ref(), Some(&s.belief), "after {what}");
                }
            }
            let copy = m.followed();
            let after = copy.get(untouched).unwrap();
            assert_eq!(Arc::ptr_eq(&before, after), patched, "after {what}");
            let copied = held(copy);
            let fresh = m.vault.read(|r| ModelCache::load(r, 0, 0)).unwrap();
            assert_eq!(copied, held(&fresh), "after {what}");
        }
    }

    impl Selfmodel {
        /// The copy as a vendor read now finds it, brought up to date as `vendor_reads` does, in
        /// a transaction of its own (which records nothing, so is rolled back, as a read refused
        /// before its caller is known is).
        fn followed(&mut self) -> &ModelCache {
            ModelCache::forget_touched(&mut self.model, self.vault.take_touched());
            let (model, changes) = (&mut self.model, self.changes);
            self.vault
                .write(|w| {
                    w.found_nothing();
                    ModelCache::current(model, w, changes).map(drop)
                })
                .unwrap();
            self.model.as_ref().unwrap()
        }
    }
}
