//! `selfmodel`: the command-line tool for people, CI and auditors. Everything the desktop app
//! does, headless, with `--json` output for machines.

/// `println!` that ends the process quietly when stdout is closed (`selfmodel ... | head`).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::write_stdout(format_args!($($arg)*))
    };
}

mod archive_cmd;
mod args;
mod audit_cmd;
mod json;
mod mcp_cmd;
mod memories_cmd;
mod output;
mod package_cmd;
mod report_cmd;
mod review_cmd;
mod secrets;
mod vendor_cmd;

/// mimalloc rather than the system allocator: a vendor read's beliefs are allocated on the vault
/// thread and freed on an HTTP worker, a pattern glibc's allocator serves poorly (its time was
/// the largest part of a read; docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;
use selfmodel::Selfmodel;
use selfmodel_core::{
    Acceptance, Actor, BeliefFilter, BeliefId, EvidenceKind, NewBelief, NewEvidence, Passphrase,
    Provenance, Rectify, Sensitivity, Status,
};

use args::{BeliefCmd, Cli, Command, RetentionCmd, TypesCmd};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SELFMODEL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", selfmodel_core::text::one_line(&one_line(&e)));
            ExitCode::FAILURE
        }
    }
}

/// Set once stdout's reader has gone (`selfmodel ... | head`): later output is dropped while
/// the command finishes and closes the vault properly.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes a line to stdout; a closed pipe silences further output, as `head` expects. Text from
/// vendors and files is shown, never obeyed: every hidden character but newline and tab is
/// written as `\u{…}` ([`selfmodel_core::text::for_terminal`]).
fn write_stdout(args: std::fmt::Arguments<'_>) {
    let line = args.to_string();
    write_line(&selfmodel_core::text::for_terminal(&line));
}

/// Whether stdout was closed by its reader: nothing more would be shown.
fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Writes a line to stdout as it is (JSON, already escaped); a closed pipe silences further
/// output, as `head` expects.
fn write_line(line: &str) {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out
        .write_all(line.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            return;
        }
        eprintln!("error: cannot write output: {e}");
        std::process::exit(1);
    }
}

/// An error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    e.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

fn run(cli: Cli) -> Result<ExitCode> {
    let path = vault_path(cli.vault)?;
    match cli.command {
        Command::Init => {
            let pass = secrets::new_passphrase("SELFMODEL_PASSPHRASE", "New vault passphrase")?;
            let model = Selfmodel::create(&path, &pass)?;
            say!("created vault {}", model.path().display());
            model.close()?;
        }
        Command::Demo => {
            let mut model = if path.exists() {
                open(&path)?
            } else {
                let pass = secrets::new_passphrase("SELFMODEL_PASSPHRASE", "New vault passphrase")?;
                Selfmodel::create(&path, &pass)?
            };
            let n = model.fill_demo()?;
            say!("added {n} demo beliefs to {}", model.path().display());
            say!("try: selfmodel belief list");
            model.close()?;
        }
        Command::Passwd => {
            let current = secrets::passphrase()?;
            let mut model = open_with(&path, &current)?;
            let new = secrets::new_passphrase("SELFMODEL_NEW_PASSPHRASE", "New passphrase")?;
            model.change_passphrase(&current, &new)?;
            say!("passphrase changed; the vault is re-encrypted");
        }
        Command::Types { json, action } => {
            let mut model = open(&path)?;
            match action {
                None => {
                    let catalogue = model.catalogue()?;
                    if json {
                        output::print_json(&json::types(&catalogue.types))?;
                    } else {
                        output::types(&catalogue.types);
                    }
                }
                Some(TypesCmd::SetReview { category, days }) => {
                    let ty = model.set_review_days(&category, days)?;
                    say!(
                        "beliefs of type '{}' are now due for review {} days after you last confirmed them",
                        ty.id,
                        ty.review_days
                    );
                }
                Some(TypesCmd::SetRetention { category, days }) => {
                    let ty = model.set_retention(&category, days)?;
                    say!(
                        "beliefs of type '{}' are now kept for {} days",
                        ty.id,
                        ty.retention_days
                    );
                }
            }
        }
        Command::Purposes { json } => {
            let catalogue = open(&path)?.catalogue()?;
            if json {
                output::print_json(&json::purposes(&catalogue.purposes))?;
            } else {
                output::purposes(&catalogue.purposes);
            }
        }
        Command::Belief(cmd) => return belief(&path, cmd),
        Command::Grant(cmd) => vendor_cmd::grant(&mut open(&path)?, cmd)?,
        Command::Pause => vendor_cmd::pause(&mut open(&path)?, true)?,
        Command::Resume => vendor_cmd::pause(&mut open(&path)?, false)?,
        Command::Review(args) => review_cmd::run(open(&path)?, args)?,
        Command::Inbox { json } => vendor_cmd::inbox(&mut open(&path)?, json)?,
        Command::AccessLog(args) => vendor_cmd::access_log(&mut open(&path)?, args)?,
        Command::Alerts(args) => return vendor_cmd::alerts(&mut open(&path)?, args),
        Command::Serve(args) => {
            let model = unlock_now(&path)?;
            warn_if_rolled_back(&model);
            vendor_cmd::serve(model, &path, args)?;
        }
        Command::Mcp(args) => return mcp_cmd::run(args),
        Command::Export(cmd) => return archive_cmd::export(&path, cmd),
        Command::Import(args) => return archive_cmd::import(&path, args),
        Command::ImportMemories(args) => return memories_cmd::run(&path, args),
        Command::Report(args) => return report_cmd::report(&path, args),
        Command::Package(cmd) => return package_cmd::package(&path, cmd),
        Command::EraseAll { yes } => {
            if !yes {
                bail!(
                    "erase-all deletes every belief, their evidence and history; add --yes to confirm"
                );
            }
            let n = open(&path)?.erase_all()?;
            say!("erased {n} beliefs; the vault is empty");
        }
        Command::Destroy { yes } => {
            if !yes {
                bail!(
                    "destroy deletes the vault file and everything in it, with no way back; add --yes to confirm"
                );
            }
            let deleted = open(&path)?.destroy()?;
            say!("destroyed the vault: deleted {} files", deleted.len());
            for f in &deleted {
                say!("  {}", f.display());
            }
            say!("copies elsewhere (exports, backups, snapshots, vendors) are not touched");
        }
        Command::Audit(cmd) => return audit_cmd::run(&path, cmd),
        Command::Retention(RetentionCmd::Run) => {
            let mut model = open(&path)?;
            // What unlocking found was erased when the command unlocked (or is erased now, if
            // that failed); each belief counts once.
            let mut erased: BTreeSet<_> = model.purged_at_open().iter().copied().collect();
            erased.extend(model.run_retention()?);
            let n = erased.len();
            say!("retention erased {n} beliefs past their type's retention");
            model.compact_access_log()?;
            say!(
                "the access log keeps {} days in detail; older entries are kept as per-day counts",
                model.access_log_retention()?
            );
        }
        Command::Retention(RetentionCmd::AccessLog { days }) => {
            let mut model = open(&path)?;
            if let Some(days) = days {
                let done = model.set_access_log_retention(days)?;
                say!(
                    "the access log now keeps {days} days in detail; {} older entries were \
                     compacted into per-day counts",
                    done.entries
                );
            } else {
                say!(
                    "the access log keeps {} days in detail",
                    model.access_log_retention()?
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn belief(path: &Path, cmd: BeliefCmd) -> Result<ExitCode> {
    let mut model = open(path)?;
    match cmd {
        BeliefCmd::Add(a) => {
            let evidence = match a.evidence {
                None => Vec::new(),
                Some(summary) => vec![NewEvidence {
                    kind: a.evidence_kind.parse::<EvidenceKind>()?,
                    source: a.source.unwrap_or_else(|| "selfmodel CLI".into()),
                    summary,
                    observed_at: None,
                    content_sha256: None,
                }],
            };
            let new = NewBelief {
                statement: a.statement,
                category: a.category,
                confidence: a.confidence,
                purposes: a.purposes.into_iter().collect(),
                sensitivity: a.sensitive.then_some(Sensitivity::Special),
                evidence,
            };
            let b = model.add_belief(
                new,
                Provenance {
                    actor: Actor::Person,
                    method: "cli".into(),
                },
            )?;
            if a.json {
                output::print_json(&json::belief(&b, false))?;
            } else {
                say!("{}", b.id);
            }
        }
        BeliefCmd::List(l) => {
            let filter = BeliefFilter {
                category: l.category,
                purpose: l.purpose,
                min_confidence: l.min_confidence,
                status: l.status.map(|s| s.parse()).transpose()?,
                sensitivity: l.sensitivity.map(|s| s.parse()).transpose()?,
                search: l.search,
                ..Default::default()
            };
            let beliefs = model.beliefs(&filter)?;
            if l.json {
                output::print_json(
                    &beliefs
                        .iter()
                        .map(|b| json::belief(b, false))
                        .collect::<Vec<_>>(),
                )?;
            } else {
                output::belief_table(&beliefs);
            }
        }
        BeliefCmd::Show { id, json } => {
            let b = model.belief(parse_id(&id)?)?;
            if json {
                output::print_json(&json::belief(&b, true))?;
            } else {
                output::belief_detail(&b);
            }
        }
        BeliefCmd::Edit(e) => {
            let change = Rectify {
                statement: e.statement,
                confidence: e.confidence,
                purposes: (!e.purposes.is_empty()).then(|| e.purposes.into_iter().collect()),
                reason: e.reason,
            };
            let b = model.rectify(parse_id(&e.id)?, change, Actor::Person)?;
            say!("rectified {} (history: {} entries)", b.id, b.history.len());
        }
        BeliefCmd::Accept(a) => {
            let ids = proposals(&mut model, &a.proposals)?;
            let purposes = (!a.purposes.is_empty()).then(|| a.purposes.into_iter().collect());
            let accepted = if let Some(reason) = a.reason {
                // Corrected as it is accepted: one proposal, one transaction.
                let [id] = ids[..] else {
                    bail!("--statement and --confidence correct one proposal: name its id alone");
                };
                let edit = Rectify {
                    statement: a.statement,
                    confidence: a.confidence,
                    purposes,
                    reason,
                };
                vec![model.accept_proposal(id, Some(edit))?]
            } else {
                let how = Acceptance {
                    category: a.category,
                    purposes,
                };
                model.accept_proposals(&ids, &how)?
            };
            match accepted.as_slice() {
                [b] => say!("accepted {}: it is now active", b.id),
                all => say!("accepted {} proposals: they are now active", all.len()),
            }
        }
        BeliefCmd::Merge { proposal, into } => {
            let proposal = parse_id(&proposal)?;
            let into = match into {
                Some(id) => parse_id(&id)?,
                None => {
                    let b = model.belief(proposal)?;
                    let same = if b.status == Status::Pending {
                        model.same_as(&b.statement)?
                    } else {
                        None
                    };
                    same.map(|s| s.id).with_context(|| {
                        format!("{proposal} is not a proposal the same as a belief; name one with --into")
                    })?
                }
            };
            let b = model.merge_proposal(proposal, into)?;
            say!(
                "merged {proposal} into {}: it has {} pieces of evidence",
                b.id,
                b.evidence.len()
            );
        }
        BeliefCmd::Reject(p) => {
            let ids = proposals(&mut model, &p)?;
            match (model.reject_proposals(&ids)?, ids.as_slice()) {
                (1, [id]) => say!("rejected {id}: erased, and it cannot be proposed again"),
                (n, _) => say!("rejected {n} proposals: erased, and they cannot be proposed again"),
            }
        }
        BeliefCmd::Delete { id } => {
            let id = parse_id(&id)?;
            model.delete_belief(id)?;
            say!("deleted {id} with its evidence and history");
        }
    }
    model.close()?;
    Ok(ExitCode::SUCCESS)
}

/// The proposals named on the command line, or the whole inbox.
fn proposals(model: &mut Selfmodel, p: &args::Proposals) -> Result<Vec<BeliefId>> {
    if p.all {
        let inbox: Vec<BeliefId> = model.inbox()?.into_iter().map(|b| b.id).collect();
        if inbox.is_empty() {
            bail!("the inbox is empty: there is nothing to accept or reject");
        }
        return Ok(inbox);
    }
    p.ids.iter().map(|s| parse_id(s)).collect()
}

fn parse_id(s: &str) -> Result<BeliefId> {
    Ok(s.parse::<BeliefId>()?)
}

/// Unlocks the vault with the passphrase from the environment or a prompt.
/// Says on stderr when the vault is older than the one last opened here, or its audit history
/// was rewritten (see `audit verify`).
fn open(path: &Path) -> Result<Selfmodel> {
    open_with(path, &secrets::passphrase()?)
}

/// [`open`] with a passphrase already asked for.
fn open_with(path: &Path, pass: &Passphrase) -> Result<Selfmodel> {
    let model = unlock_with(path, pass)?;
    warn_if_rolled_back(&model);
    Ok(model)
}

fn warn_if_rolled_back(model: &Selfmodel) {
    if let Some(w) = model.integrity_warning() {
        eprintln!("warning: {w}; run `selfmodel audit verify` for details");
    }
}

/// Unlocks the vault with the passphrase from the environment or a prompt, saying nothing. A
/// command neither reads from nor prints anything of a damaged file: it waits for the check of
/// every page that unlocking starts (the server, which runs on, does not: see [`unlock_now`]).
fn unlock(path: &Path) -> Result<Selfmodel> {
    unlock_with(path, &secrets::passphrase()?)
}

/// [`unlock`] with a passphrase already asked for.
fn unlock_with(path: &Path, pass: &Passphrase) -> Result<Selfmodel> {
    let mut model =
        Selfmodel::open(path, pass).with_context(|| format!("cannot open {}", path.display()))?;
    model
        .ensure_pages_intact()
        .with_context(|| format!("cannot open {}", path.display()))?;
    // Unlocking leaves erasing what is past its retention, and the access log's compaction, to
    // later writes; the check they would have waited for has passed here, so a command that
    // only reads still keeps both retentions.
    if let Err(e) = model.upkeep() {
        tracing::warn!("retention or the access log's compaction failed: {e}");
    }
    Ok(model)
}

/// [`unlock`] without waiting for the page check: the vault's first write waits for it.
fn unlock_now(path: &Path) -> Result<Selfmodel> {
    let pass = secrets::passphrase()?;
    Selfmodel::open(path, &pass).with_context(|| format!("cannot open {}", path.display()))
}

/// `--vault`, else `SELFMODEL_VAULT` (both through clap), else the platform data directory.
fn vault_path(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p);
    }
    selfmodel::default_vault_path()
        .context("no home directory to keep the vault in; pass --vault PATH")
}
