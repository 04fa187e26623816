//! The one use-case layer every Selfmodel front end calls: the CLI, the vendor API and the
//! desktop app. Each mutation goes through `Selfmodel::change`, which runs it in one vault
//! transaction together with its audit event; front ends never open the vault or write SQL.

mod access_retention;
pub mod archive;
pub mod carry;
mod checkpoint;
mod confirmation;
mod demo;
mod disclosed;
mod document;
mod error;
mod identity;
pub mod memories;
mod merge;
mod model_cache;
mod monitor;
pub mod package;
mod person;
mod readable;
pub mod render;
pub mod report;
mod review;
mod tokens;
mod tombstone;
mod vendor;
mod vendor_call;
mod witness;

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use selfmodel_core::VendorEventKind;
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::{
    Actor, AuditAction, AuditEvent, Belief, BeliefFilter, BeliefId, BeliefType, Catalogue,
    ChainVerdict, NewBelief, Passphrase, Provenance, Rectify, Status, validate,
};
use selfmodel_vault::{Vault, Writer};

pub use access_retention::{ACCESS_LOG_RETENTION_DAYS, compaction_cut};
pub use checkpoint::{
    CHECKPOINT_CONTEXT, CHECKPOINT_OPERATION, ReceiptVerdict, SignedCheckpoint, checkpoint_message,
};
pub use confirmation::Irreversible;
pub use disclosed::{Disclosed, Page};
pub use error::{Error, Result};
pub use identity::Identity;
pub use merge::SameAs;
pub use readable::ReadableExport;
pub use review::Due;
pub use selfmodel_vault::{
    AccessDay, AccessFilter, Compaction, DisclosureDay, PageCheck, Recipient, VaultError,
};
pub use vendor::{
    Credential, DEFAULT_PAGE, Disclosure, GrantAsk, GrantSummary, IssuedRequest, MAX_PAGE,
    MAX_PENDING_PER_ORIGIN, MAX_PENDING_PROPOSALS, MAX_PENDING_REQUESTS, MAX_PENDING_WEB,
    PollOutcome, VendorRead,
};
pub use vendor_call::INVALID_PURPOSE;
pub use witness::{RollbackWarning, STATE_DIR_ENV, Witness, WitnessStore};

/// What a new retention for a type would change ([`Selfmodel::retention_change`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionChange {
    /// The type's retention now, in days.
    pub current_days: u32,
    /// Its beliefs that would be past the new retention at once.
    pub erased_at_once: usize,
}

/// Shortest passphrase accepted for a vault.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// Events in one page of the audit chain ([`Selfmodel::audit_page`]).
pub const AUDIT_PAGE_EVENTS: u64 = 500;

/// An unlocked self-model. Dropping it locks the vault.
pub struct Selfmodel {
    vault: Vault,
    purged_at_open: Vec<BeliefId>,
    /// Whether [`Selfmodel::upkeep_when_checked`] has run (or found the file damaged).
    kept_up: bool,
    witness: witness::WitnessState,
    /// The model as vendor reads see it, while it is valid (see [`model_cache`]).
    model: Option<model_cache::ModelCache>,
    /// Transactions this process ran that may have changed the model (the copy follows them).
    changes: u64,
    /// What the last inbox listing found (see [`Selfmodel::inbox_with_matches`]).
    kept_matches: Option<merge::KeptMatches>,
}

impl Selfmodel {
    /// Creates a new vault at `path` with the default catalogue, witnessed in the default
    /// [`WitnessStore`].
    pub fn create(path: &Path, passphrase: &Passphrase) -> Result<Self> {
        Self::create_witnessed(path, passphrase, WitnessStore::default_location())
    }

    /// [`Selfmodel::create`] with the witness kept in `witnesses` (none: no rollback detection).
    pub fn create_witnessed(
        path: &Path,
        passphrase: &Passphrase,
        witnesses: Option<WitnessStore>,
    ) -> Result<Self> {
        check_strength(passphrase)?;
        let vault = Vault::create(path, passphrase, &Catalogue::defaults())?;
        tracing::info!(path = %path.display(), "vault created");
        let mut model = Self::from_vault(vault, witnesses);
        model.record_witness();
        Ok(model)
    }

    /// A model on `vault`, witnessed in `witnesses`, before anything is read from it.
    fn from_vault(vault: Vault, witnesses: Option<WitnessStore>) -> Self {
        Self {
            vault,
            purged_at_open: Vec::new(),
            kept_up: false,
            witness: witness::WitnessState::new(witnesses),
            model: None,
            changes: 0,
            kept_matches: None,
        }
    }

    /// Unlocks the vault at `path`, compares its audit chain with this machine's witness (see
    /// [`Selfmodel::integrity_warning`]), then withholds whatever is past its retention from
    /// every read ([`Selfmodel::purged_at_open`]). Unlocking writes nothing: a write waits for
    /// the check of every page, which unlocking does not, and once the model is a retention's
    /// span old something is due on most days. The withheld beliefs are erased by the first
    /// write, [`Selfmodel::upkeep`] (or [`Selfmodel::upkeep_when_checked`]) or
    /// [`Selfmodel::close`]; the access log's entries past the log's retention are compacted by
    /// the last three.
    pub fn open(path: &Path, passphrase: &Passphrase) -> Result<Self> {
        Self::open_witnessed(path, passphrase, WitnessStore::default_location())
    }

    /// [`Selfmodel::open`] with the witness kept in `witnesses` (none: no rollback detection).
    pub fn open_witnessed(
        path: &Path,
        passphrase: &Passphrase,
        witnesses: Option<WitnessStore>,
    ) -> Result<Self> {
        let vault = Vault::open(path, passphrase)?;
        let mut model = Self::from_vault(vault, witnesses);
        model.check_witness()?;
        let now = Utc::now();
        model.purged_at_open = model.vault.read(|r| r.expired(now))?;
        if !model.purged_at_open.is_empty() {
            model.vault.withhold_expired(Some(now));
            let count = model.purged_at_open.len();
            tracing::info!(count, "retention withholds expired beliefs at unlock");
        }
        model.record_witness();
        Ok(model)
    }

    /// The beliefs found past their retention when this vault was unlocked: no read returns them
    /// from then on, and they are erased as [`Selfmodel::open`] says.
    pub fn purged_at_open(&self) -> &[BeliefId] {
        &self.purged_at_open
    }

    /// The vault file's path.
    pub fn path(&self) -> &Path {
        self.vault.path()
    }

    /// Where the check of every page, started at unlock, stands (see [`Vault::page_check`]).
    pub fn page_check(&self) -> PageCheck {
        self.vault.page_check()
    }

    /// Waits for the check of every page; the damage it found is the error
    /// ([`VaultError::Corrupted`]).
    pub fn ensure_pages_intact(&self) -> Result<()> {
        Ok(self.vault.ensure_pages_intact()?)
    }

    /// Locks the vault: compacts the access log's entries past its retention, checkpoints and
    /// closes the file. Waits for the check of every page and reports the damage it found
    /// ([`VaultError::Corrupted`]), leaving the file untouched. A compaction that fails (another
    /// process holds the vault, say) is left for the next time.
    pub fn close(mut self) -> Result<()> {
        if self.vault.wait_page_check() == PageCheck::Intact
            && let Err(e) = self.upkeep()
        {
            tracing::warn!("retention or the access log's compaction failed at close: {e}");
        }
        self.record_witness();
        Ok(self.vault.close()?)
    }

    /// Erases beliefs past their retention and compacts the access log's entries past the log's
    /// retention, whichever is due: what a front end that keeps the vault unlocked runs now and
    /// then. Returns the beliefs erased.
    pub fn upkeep(&mut self) -> Result<Vec<BeliefId>> {
        let erased = self.run_retention()?;
        self.compact_access_log()?;
        Ok(erased)
    }

    /// [`Selfmodel::upkeep`] once per unlock, as soon as the check of every page has passed,
    /// never waiting for it: what a front end that keeps the vault unlocked calls between calls
    /// (and now and then while the check runs), so that what unlocking withheld is erased, and
    /// the access log compacted, soon after unlock. Does nothing while the check runs, once it
    /// has run (a failure is left to the next write, upkeep or close, so that a process holding
    /// the vault's write lock cannot make every call wait), or when the file is damaged
    /// (nothing is written to it then).
    pub fn upkeep_when_checked(&mut self) -> Result<Vec<BeliefId>> {
        if self.kept_up {
            return Ok(Vec::new());
        }
        match self.vault.page_check() {
            PageCheck::Running => Ok(Vec::new()),
            PageCheck::Intact => {
                self.kept_up = true;
                self.upkeep()
            }
            PageCheck::Damaged(_) | PageCheck::Stopped => {
                self.kept_up = true;
                Ok(Vec::new())
            }
        }
    }

    /// Destroys the vault: closes it and deletes the file with its write-ahead log and
    /// shared-memory files, refusing ([`VaultError::Busy`]) while another process has it open.
    /// Returns the files deleted. Nothing is re-keyed or overwritten and no audit event is
    /// written (the log goes with the file); what this can and cannot promise is in the README
    /// ("What erasure can and cannot promise").
    pub fn destroy(mut self) -> Result<Vec<std::path::PathBuf>> {
        let witness = self.witness_file();
        let deleted = self.vault.destroy()?;
        tracing::info!(files = deleted.len(), "vault destroyed");
        witness::forget(witness);
        Ok(deleted)
    }

    /// The one choke-point for changes: runs `f` in a write transaction with the current time;
    /// `f` must append its audit event (the vault refuses to commit otherwise). The witness
    /// follows the new head.
    fn change<T>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        self.maybe_change(|w, now| Ok((f(w, now)?, true)))
    }

    /// [`Self::change`] for a setting: `set` writes it and `event` records it on the audit chain.
    fn change_setting(
        &mut self,
        set: impl FnOnce(&mut Writer<'_>) -> std::result::Result<(), VaultError>,
        event: PendingEvent,
    ) -> Result<()> {
        self.change(|w, now| {
            set(w)?;
            w.append_audit(event, now)?;
            Ok(())
        })
    }

    /// [`Self::change`] for a batch of beliefs: runs `f` on the distinct ids of `ids`, in id
    /// order, in one transaction. With no ids it runs nothing and returns `T::default()`.
    fn change_batch<T: Default>(
        &mut self,
        ids: &[BeliefId],
        f: impl FnOnce(&mut Writer<'_>, &BTreeSet<BeliefId>, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let ids: BTreeSet<BeliefId> = ids.iter().copied().collect();
        if ids.is_empty() {
            return Ok(T::default());
        }
        self.change(|w, now| f(w, &ids, now))
    }

    /// [`Self::change_batch`] for erasures: `f` erases the distinct ids; then the erased text is
    /// checkpointed out of the write-ahead log ([`Self::settle`]). Returns how many were erased.
    fn erase_batch(
        &mut self,
        ids: &[BeliefId],
        f: impl FnOnce(&mut Writer<'_>, &BTreeSet<BeliefId>, DateTime<Utc>) -> Result<()>,
    ) -> Result<usize> {
        let n = self.change_batch(ids, |w, ids, now| {
            f(w, ids, now)?;
            Ok(ids.len())
        })?;
        if n > 0 {
            self.settle();
        }
        Ok(n)
    }

    /// [`Self::change`] for a change that may find nothing to do: `f` says whether it changed
    /// anything, and only a change drops the model copy and moves the witness.
    fn maybe_change<T>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>, DateTime<Utc>) -> Result<(T, bool)>,
    ) -> Result<T> {
        // The write waits for the check of every page anyway: what unlocking withheld goes first
        // (the write's own reads withhold it too, so nothing may write past a failure here).
        if self.vault.withholds() {
            self.run_retention()?;
        }
        self.write_change(f)
    }

    /// [`Self::maybe_change`]'s write: the model copy and the witness follow it.
    fn write_change<T>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>, DateTime<Utc>) -> Result<(T, bool)>,
    ) -> Result<T> {
        let now = Utc::now();
        let written = self.vault.write(|w| f(w, now));
        if !matches!(written, Ok((_, false))) {
            self.changes += 1;
        }
        // What this touched leaves the model copy now, and the next read looks it up again
        // (`model_cache`); after a failure, whatever it left, the copy goes.
        let touched = self.vault.take_touched();
        if written.is_err() {
            self.model = None;
        }
        model_cache::ModelCache::forget_touched(&mut self.model, touched);
        let (out, changed) = written?;
        if changed {
            self.record_witness();
        }
        Ok(out)
    }

    /// The vault's signing identity, created on first use (vaults from before identities get
    /// theirs here).
    pub fn identity(&mut self) -> Result<Identity> {
        match self.stored_identity()? {
            Some(id) => Ok(id),
            None => self.change(identity::load_or_create),
        }
    }

    /// The vault's signing identity if it has one yet (reads only).
    pub(crate) fn stored_identity(&mut self) -> Result<Option<Identity>> {
        let stored = self
            .vault
            .read(|r| Ok::<_, Error>(r.meta(identity::SEED_KEY)?.map(zeroize::Zeroizing::new)))?;
        stored
            .map(|seed| {
                Identity::from_hex(&seed).ok_or_else(|| {
                    VaultError::Data("the identity key does not parse".into()).into()
                })
            })
            .transpose()
    }

    /// After an erasure: checkpoint so erased text leaves the write-ahead log now. If another
    /// connection's read keeps the checkpoint from completing, the next one (at the latest when
    /// the vault is closed) finishes the job.
    fn settle(&self) {
        if let Err(e) = self.vault.checkpoint() {
            tracing::warn!(
                "erased content stays in the write-ahead log until the next checkpoint: {e}"
            );
        }
    }

    /// The belief types and purposes.
    pub fn catalogue(&mut self) -> Result<Catalogue> {
        self.vault.read(|r| Ok(r.catalogue()?))
    }

    /// Adds a belief created by `provenance`'s actor, active at once.
    pub fn add_belief(&mut self, new: NewBelief, provenance: Provenance) -> Result<Belief> {
        self.change(|w, now| {
            let catalogue = w.read().catalogue()?;
            let belief = validate::build_belief(new, &catalogue, provenance, Status::Active, now)?;
            w.insert_belief(&belief)?;
            w.append_audit(
                PendingEvent::new(AuditAction::BeliefCreated, Some(belief.id.to_string()))
                    .with_detail(Detail::new().with("category", &belief.category)),
                now,
            )?;
            Ok(belief)
        })
    }

    /// Beliefs matching the filter, oldest first.
    pub fn beliefs(&mut self, filter: &BeliefFilter) -> Result<Vec<Belief>> {
        self.vault.read(|r| Ok(r.beliefs(filter)?))
    }

    /// One belief, whole.
    pub fn belief(&mut self, id: BeliefId) -> Result<Belief> {
        self.vault.read(|r| {
            r.belief(id)?
                .ok_or(Error::Vault(VaultError::BeliefNotFound(id)))
        })
    }

    /// Rectifies a belief (GDPR Art. 16); the change and its reason go into its history.
    pub fn rectify(&mut self, id: BeliefId, change: Rectify, actor: Actor) -> Result<Belief> {
        self.change(|w, now| {
            let current = w.read().belief(id)?.ok_or(VaultError::BeliefNotFound(id))?;
            rectify_in(w, &current, change, actor, now)
        })
    }

    /// Deletes one belief with its evidence and history (GDPR Art. 17), then checkpoints so that
    /// its text does not linger in the write-ahead log.
    pub fn delete_belief(&mut self, id: BeliefId) -> Result<()> {
        self.delete_beliefs(&[id]).map(drop)
    }

    /// Deletes these beliefs, with their evidence and history, in one transaction: all of them
    /// or, if one is missing, none ([`VaultError::BeliefNotFound`] names it). Each deletion is
    /// its own audit event and notice to the vendors that received the belief. Returns how many.
    pub fn delete_beliefs(&mut self, ids: &[BeliefId]) -> Result<usize> {
        self.erase_batch(ids, |w, ids, now| {
            let listed: Vec<BeliefId> = ids.iter().copied().collect();
            w.notify_recipients(&listed, VendorEventKind::BeliefErased, now)?;
            for &id in ids {
                let belief = w.read().belief(id)?.ok_or(VaultError::BeliefNotFound(id))?;
                let event = PendingEvent::new(AuditAction::BeliefDeleted, Some(id.to_string()))
                    .with_detail(Detail::new().with("category", &belief.category));
                tombstone::erase(w, &belief, event, now)?;
            }
            Ok(())
        })
    }

    /// Erases every belief, leaving a valid, empty vault with its catalogue and audit chain.
    /// Returns how many beliefs were erased.
    pub fn erase_all(&mut self) -> Result<u64> {
        let n = self.change(|w, now| {
            let beliefs = w.read().beliefs(&BeliefFilter::default())?;
            for belief in beliefs.iter().filter(|b| b.status == Status::Active) {
                tombstone::bury(w, belief, now)?;
            }
            let ids: Vec<BeliefId> = beliefs.iter().map(|b| b.id).collect();
            w.notify_recipients(&ids, VendorEventKind::BeliefErased, now)?;
            let n = w.delete_all_beliefs()?;
            w.append_audit(
                PendingEvent::new(AuditAction::ErasedAll, None)
                    .with_detail(Detail::new().with("count", n)),
                now,
            )?;
            Ok(n)
        })?;
        self.settle();
        Ok(n)
    }

    /// Erases every belief past its type's retention (the ones withheld at unlock among them);
    /// returns their ids.
    pub fn run_retention(&mut self) -> Result<Vec<BeliefId>> {
        let now = Utc::now();
        let expired = self.vault.read(|r| Ok::<_, Error>(r.expired(now)?))?;
        if !expired.is_empty() {
            // Not through `change`, which runs this first while anything is withheld.
            self.write_change(|w, now| {
                for id in &expired {
                    w.delete_belief(*id)?;
                }
                w.notify_recipients(&expired, VendorEventKind::BeliefErased, now)?;
                w.append_audit(
                    PendingEvent::new(AuditAction::RetentionPurged, None).with_detail(
                        Detail::new()
                            .with("count", expired.len())
                            .list("ids", &expired),
                    ),
                    now,
                )?;
                Ok(((), true))
            })?;
            self.settle();
        }
        self.vault.withhold_expired(None);
        Ok(expired)
    }

    /// What keeping beliefs of a type for `days` would change, for a front end to confirm a
    /// shortening first: the type's retention now, and how many of its beliefs would be past the
    /// new one at once (what [`Selfmodel::set_retention`] then [`Selfmodel::run_retention`] would
    /// erase).
    pub fn retention_change(&mut self, type_id: &str, days: u32) -> Result<RetentionChange> {
        let current_days = self
            .catalogue()?
            .belief_type(type_id)
            .ok_or_else(|| selfmodel_core::CoreError::UnknownCategory(type_id.to_owned()))?
            .retention_days;
        let now = Utc::now();
        let filter = BeliefFilter {
            category: Some(type_id.to_owned()),
            ..BeliefFilter::default()
        };
        let erased_at_once = self
            .beliefs(&filter)?
            .iter()
            .filter(|b| validate::expiry(b.created_at, days) <= now)
            .count();
        Ok(RetentionChange {
            current_days,
            erased_at_once,
        })
    }

    /// Sets how many days beliefs of a type are kept; existing beliefs' expiry follows.
    /// Run [`Selfmodel::run_retention`] to erase what this makes expired.
    pub fn set_retention(&mut self, type_id: &str, days: u32) -> Result<BeliefType> {
        self.change_type(type_id, Detail::new().with("retention_days", days), |ty| {
            ty.retention_days = days;
        })
    }

    /// Changes one rule of a belief type (`edit`), audited as `catalogue.type_changed` with
    /// `detail` (the rule and its new value).
    pub(crate) fn change_type(
        &mut self,
        type_id: &str,
        detail: Detail,
        edit: impl FnOnce(&mut BeliefType),
    ) -> Result<BeliefType> {
        self.change(|w, now| {
            let mut ty = w
                .read()
                .catalogue()?
                .belief_type(type_id)
                .cloned()
                .ok_or_else(|| selfmodel_core::CoreError::UnknownCategory(type_id.to_owned()))?;
            edit(&mut ty);
            w.update_type(&ty)?;
            w.append_audit(
                PendingEvent::new(AuditAction::TypeChanged, Some(ty.id.clone()))
                    .with_detail(detail),
                now,
            )?;
            Ok(ty)
        })
    }

    /// Changes the passphrase once `current` is shown to unlock this vault (front ends ask for
    /// it again before this change): the whole file is re-encrypted under the new key.
    pub fn change_passphrase(&mut self, current: &Passphrase, new: &Passphrase) -> Result<()> {
        Vault::open(self.path(), current)?.close()?;
        check_strength(new)?;
        // What unlocking withheld goes first, so that nothing between the re-key and its audit
        // event can fail.
        if self.vault.withholds() {
            self.run_retention()?;
        }
        self.vault.rekey(new)?;
        self.change(|w, now| {
            w.append_audit(PendingEvent::new(AuditAction::PassphraseChanged, None), now)?;
            Ok(())
        })
    }

    /// Recomputes the audit chain, streamed from the vault (see
    /// [`selfmodel_vault::Reader::verify_audit`]).
    pub fn verify_audit(&mut self) -> Result<ChainVerdict> {
        self.vault.read(|r| Ok(r.verify_audit()?))
    }

    /// The audit chain's events, oldest first.
    pub fn audit_log(&mut self) -> Result<Vec<AuditEvent>> {
        self.vault.read(|r| Ok(r.audit_events()?))
    }

    /// The audit chain's events handed to `visit` one at a time, oldest first, never held whole;
    /// an error from `visit` stops the reading.
    pub fn for_each_audit_event(
        &mut self,
        visit: impl FnMut(AuditEvent) -> selfmodel_vault::Result<()>,
    ) -> Result<()> {
        self.vault.read(|r| Ok(r.for_each_audit_event(visit)?))
    }

    /// A page of the audit chain, newest first: at most [`AUDIT_PAGE_EVENTS`] events before
    /// event `before` (from the newest when `None`), only `action`'s when given; and whether
    /// older ones follow.
    pub fn audit_page(
        &mut self,
        before: Option<u64>,
        action: Option<AuditAction>,
    ) -> Result<(Vec<AuditEvent>, bool)> {
        // One more than a page tells whether there are older events.
        let mut events = self
            .vault
            .read(|r| r.audit_page(before, action, AUDIT_PAGE_EVENTS + 1))?;
        let more = events.len() as u64 > AUDIT_PAGE_EVENTS;
        events.truncate(AUDIT_PAGE_EVENTS as usize);
        Ok((events, more))
    }

    /// The schema version of the open vault.
    pub fn schema_version(&self) -> Result<u32> {
        Ok(self.vault.schema_version()?)
    }

    /// Fills the vault with realistic demo beliefs across every type; returns how many.
    pub fn fill_demo(&mut self) -> Result<usize> {
        let provenance = Provenance {
            actor: Actor::System,
            method: "demo".into(),
        };
        let beliefs = demo::beliefs();
        let n = beliefs.len();
        for new in beliefs {
            self.add_belief(new, provenance.clone())?;
        }
        Ok(n)
    }
}

/// Rectifies `current` in `w` as `actor` asks: the change and its reason go into its history,
/// the vendors that received it are told, and the change is audited.
fn rectify_in(
    w: &mut Writer<'_>,
    current: &Belief,
    change: Rectify,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Belief> {
    let catalogue = w.read().catalogue()?;
    let next = validate::rectify(current, change, &catalogue, actor, now)?;
    w.replace_belief(&next)?;
    w.notify_recipients(&[next.id], VendorEventKind::BeliefRectified, now)?;
    w.append_audit(
        PendingEvent::new(AuditAction::BeliefRectified, Some(next.id.to_string())),
        now,
    )?;
    Ok(next)
}

/// Refuses `b` unless it is active: the error names the `field` that named it, its status, and
/// `hint`, what to do instead.
fn require_active(b: &Belief, field: &str, hint: &str) -> Result<()> {
    if b.status == Status::Active {
        return Ok(());
    }
    let why = format!("{} is {}: {hint}", b.id, b.status.as_str());
    Err(selfmodel_core::CoreError::invalid(field, why).into())
}

/// Where front ends keep the vault unless told otherwise: `vault.db` in the platform data
/// directory (`~/.local/share/selfmodel/vault.db` on Linux); `None` without a home directory.
pub fn default_vault_path() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("org", "Selfmodel", "selfmodel")
        .map(|d| d.data_dir().join("vault.db"))
}

/// Refuses passphrases too short to resist offline guessing.
pub fn check_strength(p: &Passphrase) -> Result<()> {
    let n = p.expose().chars().count();
    if n < MIN_PASSPHRASE_CHARS {
        return Err(Error::WeakPassphrase(format!(
            "use at least {MIN_PASSPHRASE_CHARS} characters (a few random words work well)"
        )));
    }
    Ok(())
}
