//! Import: an export file read again a batch at a time and merged in one write transaction.

use rayon::prelude::*;
use selfmodel_core::audit::{Detail, PendingEvent};
use selfmodel_core::{
    Actor, AuditAction, Belief, BeliefId, BeliefType, Catalogue, CoreError, Provenance, Purpose,
    Status, validate,
};
use selfmodel_vault::Reader;

use super::{
    ArchiveError, ConflictPolicy, ExportFile, ImportOptions, ImportReport, LeftOut, Parsed,
    Progress,
};
use crate::{Error, Result, Selfmodel};

impl Selfmodel {
    /// Imports an export file that [`SealedFile::open`](super::SealedFile::open) has read and
    /// checked. Its beliefs are read from it again a batch at a time, each checked against the
    /// vault's catalogue (plus the types and purposes the file adds) and written as it comes, all
    /// in one transaction with an `archive.imported` audit event: a failure anywhere, or
    /// conflicts without a policy, leave the vault as it was. An import that would change
    /// nothing writes nothing (importing the same file twice is idempotent).
    pub fn import(
        &mut self,
        file: &ExportFile,
        options: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        // A vault without an identity yet has signed nothing: every file is another's.
        let own = self.stored_identity()?.map(|id| id.public_key_hex());
        let signer = file.parsed.public_key.to_ascii_lowercase();
        let incoming = Incoming {
            foreign: own.as_ref() != Some(&signer)
                && options.trust_signer.map(hex::encode) != Some(signer),
            restore_erased: options.restore_erased,
            leave_out_sensitive: options.leave_out_sensitive,
        };
        if incoming.foreign && options.on_conflict == Some(ConflictPolicy::TakeIncoming) {
            return Err(CoreError::invalid(
                "on_conflict",
                format!(
                    "the file is signed by {}, not by this vault; it cannot replace your beliefs \
                     unless you trust that key (--trust-signer)",
                    file.parsed.public_key
                ),
            )
            .into());
        }
        let parsed = &file.parsed;
        let take = options.on_conflict == Some(ConflictPolicy::TakeIncoming);
        if options.dry_run {
            return self.vault.read(|r| {
                let mut plan = Plan::new(r, parsed, incoming)?;
                let graveyard = crate::tombstone::Graveyard::open(r)?;
                plan.sort_beliefs(parsed, progress, |b| sort(r, &graveyard, incoming, b))?;
                Ok(plan.report(file, options))
            });
        }
        // One pass in the write transaction: each batch of beliefs is checked, sorted and
        // written as it is read; a failure anywhere, or conflicts no policy resolves, roll all
        // of it back (after the first such conflict, the beliefs are only sorted).
        self.maybe_change(|w, now| {
            // The import's pages are written once: they need not fill the vault's page cache.
            w.bulk()?;
            let mut plan = Plan::new(&w.read(), parsed, incoming)?;
            for p in &plan.purposes_to_add {
                w.insert_purpose(p)?;
            }
            for t in &plan.types_to_add {
                w.insert_type(t)?;
            }
            let graveyard = crate::tombstone::Graveyard::open(&w.read())?;
            let mut refused = false;
            plan.sort_beliefs(parsed, progress, |b| {
                let fate = sort(&w.read(), &graveyard, incoming, b)?;
                refused |= fate == Fate::Conflicting && options.on_conflict.is_none();
                match fate {
                    _ if refused => {}
                    Fate::New => w.insert_belief(b)?,
                    Fate::Conflicting if take => w.replace_belief(b)?,
                    _ => {}
                }
                Ok(fate)
            })?;
            let report = plan.report(file, options);
            if !report.conflicting.is_empty() && options.on_conflict.is_none() {
                return Err(Error::ImportConflicts(report.conflicting));
            }
            let nothing_to_do = report.new.is_empty()
                && report.record.is_empty()
                && report.types_added.is_empty()
                && report.purposes_added.is_empty()
                && (report.conflicting.is_empty() || !take);
            if nothing_to_do {
                // Nothing was written: no event either.
                w.found_nothing();
                return Ok((report, false));
            }
            crate::carry::write(w, parsed, &plan.record, now)?;
            let detail = import_detail(file, &report, options);
            w.append_audit(
                PendingEvent::new(AuditAction::Imported, None).with_detail(detail),
                now,
            )?;
            let report = ImportReport {
                changed: true,
                ..report
            };
            Ok((report, true))
        })
    }
}

/// Hands each of `batches` to `f`, reading the next on the thread pool meanwhile, so that an
/// import's reading of the file and its writes overlap.
pub(crate) fn each_prefetched<T: Send>(
    mut batches: impl Iterator<Item = T> + Send,
    mut f: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let mut next = batches.next();
    while let Some(batch) = next.take() {
        rayon::in_place_scope(|s| {
            s.spawn(|_| next = batches.next());
            f(batch)
        })?;
    }
    Ok(())
}

/// Where an import's beliefs come from, and what the person allows of them.
#[derive(Debug, Clone, Copy)]
struct Incoming {
    /// Signed by neither this vault nor a key the person trusts: beliefs land as proposals.
    foreign: bool,
    /// Bring back beliefs the person erased or rejected.
    restore_erased: bool,
    /// Leave out beliefs the secrets screen refuses instead of refusing the file.
    leave_out_sensitive: bool,
}

/// Where one of the file's beliefs goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Not in the vault: added.
    New,
    /// In the vault, the same: skipped.
    Identical,
    /// In the vault, different: replaced only if the file's are taken.
    Conflicting,
    /// Erased or rejected by the person: skipped unless brought back.
    Erased,
}

/// Where `b` goes in the vault as `r` sees it.
fn sort(
    r: &Reader<'_>,
    graveyard: &crate::tombstone::Graveyard,
    incoming: Incoming,
    b: &Belief,
) -> Result<Fate> {
    Ok(match r.belief(b.id)? {
        None if !incoming.restore_erased && graveyard.buries(r, b)? => Fate::Erased,
        None => Fate::New,
        Some(existing) if existing == *b => Fate::Identical,
        Some(_) => Fate::Conflicting,
    })
}

/// What an import does, or would do, against the vault as it is: the catalogue first, then
/// each belief by id as it is read.
struct Plan<'a> {
    purposes_to_add: Vec<&'a Purpose>,
    types_to_add: Vec<&'a BeliefType>,
    purposes_differing: Vec<String>,
    types_differing: Vec<String>,
    new: Vec<BeliefId>,
    identical: Vec<BeliefId>,
    conflicting: Vec<BeliefId>,
    erased: Vec<BeliefId>,
    left_out: Vec<LeftOut>,
    foreign: bool,
    leave_out_sensitive: bool,
    /// The vault's catalogue with what the file adds.
    merged: Catalogue,
    record: crate::carry::Carried,
}

impl<'a> Plan<'a> {
    /// Merges the catalogues (the vault's definitions win) and plans the record. A file nobody
    /// the person trusts signed is refused here if it would add to the catalogue. Reads only.
    fn new(r: &Reader<'_>, file: &'a Parsed, incoming: Incoming) -> Result<Self> {
        let c = &file.head;
        let vault = r.catalogue()?;
        let mut plan = Plan {
            purposes_to_add: Vec::new(),
            types_to_add: Vec::new(),
            purposes_differing: Vec::new(),
            types_differing: Vec::new(),
            new: Vec::new(),
            identical: Vec::new(),
            conflicting: Vec::new(),
            erased: Vec::new(),
            left_out: Vec::new(),
            foreign: incoming.foreign,
            leave_out_sensitive: incoming.leave_out_sensitive,
            merged: vault.clone(),
            record: crate::carry::plan(r, file, incoming.foreign)?,
        };
        for (i, p) in c.catalogue.purposes.iter().enumerate() {
            match vault.purpose(&p.id) {
                None => {
                    validate::check_purpose(p).map_err(|e| {
                        ArchiveError::invalid(format!("/purposes/{i}"), e.to_string())
                    })?;
                    plan.purposes_to_add.push(p);
                    plan.merged.purposes.push(p.clone());
                }
                Some(mine) if mine != p => plan.purposes_differing.push(p.id.clone()),
                Some(_) => {}
            }
        }
        for (i, t) in c.catalogue.types.iter().enumerate() {
            match vault.belief_type(&t.id) {
                None => {
                    validate::check_type(t).map_err(|e| {
                        ArchiveError::invalid(format!("/belief_types/{i}"), e.to_string())
                    })?;
                    if let Some(p) = t
                        .allowed_purposes
                        .iter()
                        .find(|p| plan.merged.purpose(p).is_none())
                    {
                        return Err(ArchiveError::invalid(
                            format!("/belief_types/{i}/allowed_purposes"),
                            format!("purpose '{p}' is neither in the file nor in the vault"),
                        )
                        .into());
                    }
                    plan.types_to_add.push(t);
                    plan.merged.types.push(t.clone());
                }
                Some(mine) if mine != t => plan.types_differing.push(t.id.clone()),
                Some(_) => {}
            }
        }
        if plan.foreign && !(plan.types_to_add.is_empty() && plan.purposes_to_add.is_empty()) {
            return Err(CoreError::invalid(
                "belief_types",
                format!(
                    "the file is signed by {}, not by this vault, and adds belief types or \
                     purposes ({}); a file from another key cannot change your catalogue unless \
                     you trust that key (--trust-signer)",
                    file.public_key,
                    plan.types_to_add
                        .iter()
                        .map(|t| t.id.as_str())
                        .chain(plan.purposes_to_add.iter().map(|p| p.id.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .into());
        }
        Ok(plan)
    }

    /// Reads the file's beliefs a batch at a time ([`each_prefetched`]), checks each batch
    /// against the merged catalogue (the first failure in the file's order reported) and hands
    /// each belief, as this import brings it in, to `place`, which says where it goes.
    fn sort_beliefs(
        &mut self,
        file: &Parsed,
        progress: &dyn Progress,
        mut place: impl FnMut(&Belief) -> Result<Fate>,
    ) -> Result<()> {
        progress.start("importing beliefs", file.counts.beliefs);
        let mut first = 0;
        each_prefetched(file.beliefs(), |batch| {
            let batch = batch?;
            // The structure first: a belief the screen refuses is left out only if nothing
            // else is wrong with it.
            let checks: Vec<_> = batch
                .par_iter()
                .map(|b| {
                    validate::check_belief_structure(b, &self.merged)
                        .map(|()| validate::screen_belief(b))
                })
                .collect();
            // The first failure in the file's order is reported, before any of its batch is
            // placed (a belief left out is not a failure).
            let mut keep = Vec::with_capacity(batch.len());
            for (i, checked) in checks.into_iter().enumerate() {
                let refused = match checked {
                    Ok(Ok(())) => None,
                    Ok(Err(CoreError::Sensitive { field, kind })) if self.leave_out_sensitive => {
                        self.left_out.push(LeftOut {
                            id: batch[i].id,
                            field,
                            kind,
                        });
                        keep.push(false);
                        continue;
                    }
                    Ok(Err(e)) => Some(refusal(&e)),
                    Err(e) => Some(e.to_string()),
                };
                if let Some(why) = refused {
                    return Err(
                        ArchiveError::invalid(format!("/beliefs/{}", first + i), why).into(),
                    );
                }
                keep.push(true);
            }
            first += batch.len();
            for (b, keep) in batch.into_iter().zip(keep) {
                if !keep {
                    progress.advance(1);
                    continue;
                }
                let b = self.incoming(b);
                match place(&b)? {
                    Fate::New => self.new.push(b.id),
                    Fate::Identical => self.identical.push(b.id),
                    Fate::Conflicting => self.conflicting.push(b.id),
                    Fate::Erased => self.erased.push(b.id),
                }
                progress.advance(1);
            }
            Ok(())
        })?;
        progress.finish();
        Ok(())
    }

    /// A belief of the file as this import brings it in: from a file nobody the person trusts
    /// signed, a proposal.
    fn incoming(&self, b: Belief) -> Belief {
        if self.foreign {
            as_proposal(&b, &self.merged)
        } else {
            b
        }
    }

    fn report(&mut self, file: &ExportFile, options: &ImportOptions) -> ImportReport {
        ImportReport {
            dry_run: options.dry_run,
            changed: false,
            file_sha256: file.file_sha256.clone(),
            source_vault: file.parsed.head.vault_id.clone(),
            new: self.new.clone(),
            identical: self.identical.clone(),
            conflicting: self.conflicting.clone(),
            on_conflict: options.on_conflict,
            types_added: self.types_to_add.iter().map(|t| t.id.clone()).collect(),
            purposes_added: self.purposes_to_add.iter().map(|p| p.id.clone()).collect(),
            types_differing: self.types_differing.clone(),
            purposes_differing: self.purposes_differing.clone(),
            signer: file.parsed.public_key.clone(),
            foreign: self.foreign,
            erased: self.erased.clone(),
            left_out: std::mem::take(&mut self.left_out),
            record: self.record.clone(),
        }
    }
}

/// Why a belief refuses its file; for data the secrets screen refuses, with the way to import
/// the rest.
fn refusal(e: &CoreError) -> String {
    match e {
        CoreError::Sensitive { .. } => format!(
            "{e} (to leave such beliefs out and import the rest, which is still checked, import \
             it with --leave-out-sensitive)"
        ),
        _ => e.to_string(),
    }
}

/// A belief from a file nobody the person trusts signed: it waits in the inbox, says it came
/// from an import rather than who the file claims wrote it, carries none of the file's claimed
/// history or confirmation, and expires when its type's retention says, whatever the file claims.
fn as_proposal(b: &Belief, catalogue: &Catalogue) -> Belief {
    let retention = catalogue
        .belief_type(&b.category)
        .map_or(0, |t| t.retention_days);
    Belief {
        status: Status::Pending,
        provenance: Provenance {
            actor: Actor::Import,
            method: "import".into(),
        },
        history: Vec::new(),
        expires_at: Some(validate::expiry(b.created_at, retention)),
        confirmed_at: None,
        ..b.clone()
    }
}

/// The `archive.imported` event's detail: the file's hash, where it came from, the counts.
fn import_detail(file: &ExportFile, r: &ImportReport, options: &ImportOptions) -> Detail {
    Detail::new()
        .with("file_sha256", &file.file_sha256)
        .with("source_vault", &file.parsed.head.vault_id)
        .with("beliefs", file.parsed.counts.beliefs)
        .with("new", r.new.len())
        .with("identical", r.identical.len())
        .with("conflicting", r.conflicting.len())
        .with(
            "on_conflict",
            options.on_conflict.map_or("none", |p| p.as_str()),
        )
        .with("types_added", r.types_added.len())
        .with("purposes_added", r.purposes_added.len())
        .with("signer", &r.signer)
        .with("foreign", r.foreign)
        .with("erased_skipped", r.erased.len())
        .with("left_out", r.left_out.len())
        .with("grants_added", r.record.grants)
        .with("access_entries_added", r.record.access_entries)
        .with("days_merged", r.record.days)
        .with("tombstones_added", r.record.tombstones)
}
