//! A belief as a vendor read disclosed it: a view of the in-memory model's copy that shows only
//! what the grant lets the vendor see. The grant's purposes among the belief's, its evidence only
//! under `read_evidence`, and never its history, status or provenance beyond who brought it in:
//! there is no accessor for the rest, so no caller can pass it on (the renderer of the memo below
//! sees the evidence, to keep it apart for the reads that may have it). Nothing is copied; a page
//! of a hundred beliefs is a hundred shared pointers.
//!
//! Each belief also carries one memo: a rendering its caller makes once per version of the belief
//! (the HTTP server keeps its JSON there) and reuses for every read until the belief or the
//! catalogue changes and the model is loaded again.
//!
//! What one read disclosed is a [`Page`]: its grant, its purpose, the beliefs and the cursor to
//! the next page. Reads that ask the same under one grant share one page (see
//! `crate::model_cache`), and with it one rendering, its memo.

use std::any::Any;
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use selfmodel_core::grant::share_floor;
use selfmodel_core::{Actor, Belief, BeliefId, Catalogue, Evidence, Sensitivity};

/// One belief of the in-memory model, with what its catalogue says of it (when its review falls
/// due, its type's share floor) and the memo of its rendering.
pub(crate) struct Shared {
    pub(crate) belief: Belief,
    /// When its type's review interval passes since the person last confirmed it (`None`: a
    /// type the catalogue lacks, never overdue).
    review_due: Option<DateTime<Utc>>,
    /// Its type's [`share_floor`].
    pub(crate) share_floor: f64,
    /// Its statement in lower case, made by the first read that searches.
    lowercase: OnceLock<String>,
    memo: OnceLock<Box<dyn Any + Send + Sync>>,
}

impl Shared {
    pub(crate) fn new(belief: Belief, catalogue: &Catalogue) -> Arc<Self> {
        let review_due = catalogue
            .belief_type(&belief.category)
            .map(|t| belief.review_due_at(t.review_days));
        Arc::new(Self {
            share_floor: share_floor(catalogue, &belief.category),
            lowercase: OnceLock::new(),
            belief,
            review_due,
            memo: OnceLock::new(),
        })
    }

    /// Its statement in lower case, which a read's search text is matched against: made once
    /// per version of the belief, by the first read that searches, not at every load.
    pub(crate) fn lowercase(&self) -> &str {
        self.lowercase
            .get_or_init(|| self.belief.statement.to_lowercase())
    }

    /// Whether its review is overdue at `now`.
    pub(crate) fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.review_due.is_some_and(|due| due <= now)
    }

    /// The first time after `now` that how a read sees it changes by itself: its review falls
    /// due or it expires (`None`: neither is ahead).
    pub(crate) fn next_change(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        [self.review_due, self.belief.expires_at]
            .into_iter()
            .flatten()
            .filter(|t| *t > now)
            .min()
    }
}

/// A disclosed belief (see the module's documentation).
#[derive(Clone)]
pub struct Disclosed {
    shared: Arc<Shared>,
    granted: Arc<BTreeSet<String>>,
    with_evidence: bool,
    review_overdue: bool,
}

impl Disclosed {
    pub(crate) fn new(
        shared: Arc<Shared>,
        granted: Arc<BTreeSet<String>>,
        with_evidence: bool,
        review_overdue: bool,
    ) -> Self {
        Self {
            shared,
            granted,
            with_evidence,
            review_overdue,
        }
    }

    fn belief(&self) -> &Belief {
        &self.shared.belief
    }

    /// Its id.
    pub fn id(&self) -> BeliefId {
        self.belief().id
    }

    /// What is believed.
    pub fn statement(&self) -> &str {
        &self.belief().statement
    }

    /// Its type.
    pub fn category(&self) -> &str {
        &self.belief().category
    }

    /// How sure the holder is.
    pub fn confidence(&self) -> f64 {
        self.belief().confidence
    }

    /// Its purposes that the grant names, in order.
    pub fn purposes(&self) -> impl Iterator<Item = &str> {
        self.belief()
            .purposes
            .iter()
            .filter(|p| self.granted.contains(*p))
            .map(String::as_str)
    }

    /// Normal or special.
    pub fn sensitivity(&self) -> Sensitivity {
        self.belief().sensitivity
    }

    /// Who brought it into the vault.
    pub fn actor(&self) -> &Actor {
        &self.belief().provenance.actor
    }

    /// Its last change.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.belief().updated_at
    }

    /// When the person last confirmed it, if ever.
    pub fn confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.belief().confirmed_at
    }

    /// Whether its type's review interval had passed when it was read.
    pub fn review_overdue(&self) -> bool {
        self.review_overdue
    }

    /// Its evidence, only under a grant with `read_evidence`.
    pub fn evidence(&self) -> Option<&[Evidence]> {
        self.with_evidence
            .then_some(self.belief().evidence.as_slice())
    }

    /// The caller's rendering of this version of the belief, made by `render` the first time
    /// and kept with the in-memory model. `render` is a plain function, so it cannot capture a
    /// grant's view: it sees the belief as a grant with every purpose withheld and evidence
    /// allowed would, and not overdue. What it keeps must therefore not depend on the grant; its
    /// caller adds the grant's parts ([`Self::purposes`], [`Self::review_overdue`], and the
    /// evidence only where [`Self::evidence`] is `Some`) per read.
    ///
    /// One process renders to one type; asked for another, `render`'s result is returned
    /// without being kept.
    pub fn memo<T: Any + Send + Sync + Clone>(&self, render: fn(&Disclosed) -> T) -> T {
        memoized(&self.shared.memo, || {
            render(&Disclosed::new(
                Arc::clone(&self.shared),
                Arc::default(),
                true,
                false,
            ))
        })
    }
}

/// What `memo` keeps, if it is a `T`; else `make`'s result, kept if nothing is.
fn memoized<T: Any + Send + Sync + Clone>(
    memo: &OnceLock<Box<dyn Any + Send + Sync>>,
    make: impl FnOnce() -> T,
) -> T {
    match memo.get().map(|kept| kept.downcast_ref::<T>()) {
        Some(Some(t)) => t.clone(),
        Some(None) => make(),
        None => {
            let t = make();
            // Another thread may have kept its rendering first: the same bytes.
            let _ = memo.set(Box::new(t.clone()));
            t
        }
    }
}

/// What one read disclosed: the beliefs in order and the cursor to the next page, under one grant
/// for one purpose. Reads that ask the same (purpose, filters, cursor, size) under the same grant
/// of the same version of the model share one page until the first time a belief on it falls
/// due for review or expires; a new page is picked after that.
pub struct Page {
    /// The grant it was read under.
    pub grant_id: String,
    /// The purpose it was read for.
    pub purpose: String,
    /// The beliefs, each as the grant lets the vendor see it.
    pub beliefs: Vec<Disclosed>,
    /// The cursor for the next page, if there may be more.
    pub next: Option<BeliefId>,
    /// When the page stops being what the read would pick (`None`: not before the model
    /// changes).
    valid_until: Option<DateTime<Utc>>,
    /// See [`Page::weight`].
    weight: usize,
    memo: OnceLock<Box<dyn Any + Send + Sync>>,
}

/// What a belief shown on a page weighs besides its statement and shown evidence: its id, type,
/// purposes, dates and names.
const BELIEF_WEIGHT: usize = 256;
/// What a piece of evidence weighs besides its summary and source.
const EVIDENCE_WEIGHT: usize = 64;

impl Page {
    /// A page of `beliefs` read under `grant_id` for `purpose` at `now`. It stays what a read
    /// would pick until the model changes or one of `beliefs` falls due for review or expires.
    pub(crate) fn new(
        grant_id: &str,
        purpose: &str,
        beliefs: Vec<Disclosed>,
        next: Option<BeliefId>,
        now: DateTime<Utc>,
    ) -> Arc<Self> {
        let valid_until = beliefs
            .iter()
            .filter_map(|b| b.shared.next_change(now))
            .min();
        let weight = BELIEF_WEIGHT + beliefs.iter().map(shown_weight).sum::<usize>();
        Arc::new(Self {
            grant_id: grant_id.to_owned(),
            purpose: purpose.to_owned(),
            beliefs,
            next,
            valid_until,
            weight,
            memo: OnceLock::new(),
        })
    }

    /// Whether the page is still what a read at `now` would pick.
    pub(crate) fn valid_at(&self, now: DateTime<Utc>) -> bool {
        self.valid_until.is_none_or(|until| now < until)
    }

    /// About how many bytes the page shows: its beliefs' statements and shown evidence, and a
    /// fixed share for each belief's other fields. Its rendering is of that order.
    pub(crate) fn weight(&self) -> usize {
        self.weight
    }

    /// The caller's rendering of this page, made by `render` the first time and kept with it:
    /// every read sharing the page gets the same. `render` is a plain function, so what it keeps
    /// comes from the page alone. One process renders to one type; asked for another, `render`'s
    /// result is returned without being kept.
    pub fn memo<T: Any + Send + Sync + Clone>(&self, render: fn(&Page) -> T) -> T {
        memoized(&self.memo, || render(self))
    }
}

/// About how many bytes a disclosed belief shows (see [`Page::weight`]).
fn shown_weight(b: &Disclosed) -> usize {
    let evidence = b.evidence().unwrap_or_default();
    BELIEF_WEIGHT
        + b.statement().len()
        + evidence
            .iter()
            .map(|e| EVIDENCE_WEIGHT + e.summary.len() + e.source.len())
            .sum::<usize>()
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("grant_id", &self.grant_id)
            .field("purpose", &self.purpose)
            .field("beliefs", &self.beliefs)
            .field("next", &self.next)
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Disclosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Disclosed")
            .field("id", &self.id())
            .field("category", &self.category())
            .field("purposes", &self.purposes().collect::<Vec<_>>())
            .field("with_evidence", &self.with_evidence)
            .field("review_overdue", &self.review_overdue)
            .finish_non_exhaustive()
    }
}
