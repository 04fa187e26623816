//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Your self-model — what AI systems believe about you — in an encrypted file you own.
///
/// The passphrase comes from the SELFMODEL_PASSPHRASE environment variable, else a prompt on the
/// terminal; it is never accepted as a flag.
#[derive(Parser)]
#[command(name = "selfmodel", version, propagate_version = true)]
pub struct Cli {
    /// The vault file [default: the platform data directory, e.g. ~/.local/share/selfmodel/vault.db]
    #[arg(long, global = true, env = "SELFMODEL_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create a new, empty vault
    Init,
    /// Create a vault (if there is none) and fill it with about 40 realistic demo beliefs
    Demo,
    /// Change the passphrase (new one from SELFMODEL_NEW_PASSPHRASE or a prompt)
    Passwd,
    /// List the belief types, or change one
    Types {
        /// Print JSON
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<TypesCmd>,
    },
    /// List the purposes beliefs may be used for
    Purposes {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Add, list, show, rectify and delete beliefs
    #[command(subcommand)]
    Belief(BeliefCmd),
    /// Erase every belief with its evidence and history, leaving an empty vault
    EraseAll {
        /// Confirm that everything is to be erased
        #[arg(long)]
        yes: bool,
    },
    /// Delete the vault file with its WAL and SHM files, for good (see the README on what this
    /// can and cannot promise)
    Destroy {
        /// Confirm that the whole vault is to be deleted
        #[arg(long)]
        yes: bool,
    },
    /// Verify or show the tamper-evident audit chain
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Erase beliefs past their type's retention
    #[command(subcommand)]
    Retention(RetentionCmd),
    /// Answer vendors' grant requests; list and revoke grants
    #[command(subcommand)]
    Grant(crate::vendor_cmd::GrantCmd),
    /// Pause all sharing at once: every vendor read and proposal is refused (`paused`) until you
    /// resume; nothing is revoked
    Pause,
    /// Resume sharing as it was before the pause
    Resume,
    /// Beliefs due for review (their type's interval has passed since you last confirmed them);
    /// confirm them with `review confirm`, or rectify or delete them
    Review(crate::review_cmd::ReviewArgs),
    /// Beliefs proposed by vendors, waiting for you (accept or reject with `belief accept|reject`)
    Inbox {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Every vendor request: who, for which purpose, what was disclosed, allowed or denied
    AccessLog(crate::vendor_cmd::AccessLogArgs),
    /// Unusual vendor access: a vendor reading far above its usual rate, at hours it never
    /// did, or piling up refusals (exits 3 when there is any)
    Alerts(crate::vendor_cmd::AlertsArgs),
    /// Run the local vendor API on the unlocked vault until interrupted
    Serve(crate::vendor_cmd::ServeArgs),
    /// Serve the Model Context Protocol on stdin/stdout for an AI assistant, as a vendor of the
    /// running API (asks the person for a grant on first use; never opens the vault)
    Mcp(crate::mcp_cmd::McpArgs),
    /// Export your self-model to a signed JSON file, optionally age-encrypted; or verify one
    Export(crate::archive_cmd::ExportCmd),
    /// Import an export file: checked first, merged without duplicates, all or nothing
    Import(crate::archive_cmd::ImportArgs),
    /// Import memories saved by ChatGPT, Claude, Gemini, mem0 or me.md as proposals for your
    /// inbox: typed by a classifier, screened for secrets and identifiers, never twice, never
    /// what you erased
    ImportMemories(crate::memories_cmd::ImportMemoriesArgs),
    /// Write the transparency report (HTML, Markdown or JSON): inventory, retention, vendors,
    /// integrity and the control map
    Report(crate::report_cmd::ReportArgs),
    /// Write a data-subject package (HTML, Markdown or JSON): the GDPR Art. 15 access package or
    /// the CCPA right-to-know disclosure; each is recorded on the audit chain
    #[command(subcommand)]
    Package(crate::package_cmd::PackageCmd),
}

#[derive(Subcommand)]
pub enum TypesCmd {
    /// Set how many days beliefs of a type are kept
    SetRetention {
        /// The belief type (category)
        category: String,
        /// Days to keep its beliefs
        days: u32,
    },
    /// Set after how many days a belief of a type is due for review
    SetReview {
        /// The belief type (category)
        category: String,
        /// Days after the last confirmation (1 to 10000)
        days: u32,
    },
}

#[derive(Subcommand)]
pub enum BeliefCmd {
    /// Add a belief; prints its id
    Add(AddArgs),
    /// List beliefs, with filters
    List(ListArgs),
    /// Show one belief with its evidence, provenance and history
    Show {
        /// The belief's id
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Rectify a belief; the old values and the reason are kept in its history
    Edit(EditArgs),
    /// Delete a belief with its evidence and history
    Delete {
        /// The belief's id
        id: String,
    },
    /// Accept proposals from the inbox: they become active, all in one transaction
    Accept(AcceptArgs),
    /// Reject proposals from the inbox: they are erased and cannot be proposed again, all in
    /// one transaction
    Reject(Proposals),
    /// Merge a proposal into the belief it says the same as: its evidence is added there, the
    /// belief keeps its history, and the proposal is gone
    Merge {
        /// The proposal's id
        proposal: String,
        /// The belief to merge it into (default: the one `inbox` shows it the same as)
        #[arg(long)]
        into: Option<String>,
    },
}

/// Which proposals: ids, or the whole inbox.
#[derive(Args)]
pub struct Proposals {
    /// The proposals' ids (see `selfmodel inbox`)
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub ids: Vec<String>,
    /// Every proposal in the inbox
    #[arg(long)]
    pub all: bool,
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("edit").multiple(true))]
pub struct AcceptArgs {
    #[command(flatten)]
    pub proposals: Proposals,
    /// Accept them as this belief type instead of the proposed one (see `selfmodel types`)
    #[arg(long)]
    pub category: Option<String>,
    /// Accept them for these purposes instead of the proposed ones (repeatable)
    #[arg(long = "purpose")]
    pub purposes: Vec<String>,
    /// Accept one proposal with this statement instead (kept in its history, with --reason)
    #[arg(long, group = "edit", requires = "reason", conflicts_with_all = ["all", "category"])]
    pub statement: Option<String>,
    /// Accept one proposal with this confidence instead (kept in its history, with --reason)
    #[arg(
        long,
        group = "edit",
        requires = "reason",
        conflicts_with_all = ["all", "category"],
        allow_negative_numbers = true
    )]
    pub confidence: Option<f64>,
    /// Why the proposal is corrected as it is accepted
    #[arg(long, requires = "edit")]
    pub reason: Option<String>,
}

#[derive(Args)]
pub struct AddArgs {
    /// What is believed, in one sentence
    #[arg(long)]
    pub statement: String,
    /// The belief type (see `selfmodel types`)
    #[arg(long)]
    pub category: String,
    /// Confidence from 0 to 1
    #[arg(long, allow_negative_numbers = true)]
    pub confidence: f64,
    /// A purpose it may be used for (repeatable; default: the type's non-opt-in purposes)
    #[arg(long = "purpose", value_name = "PURPOSE")]
    pub purposes: Vec<String>,
    /// Mark it a special category of data (health, beliefs, ...)
    #[arg(long)]
    pub sensitive: bool,
    /// A short summary of the evidence behind it
    #[arg(long)]
    pub evidence: Option<String>,
    /// How the evidence came to be: stated, observed, inferred or imported
    #[arg(long, default_value = "stated", requires = "evidence")]
    pub evidence_kind: String,
    /// Where the evidence came from
    #[arg(long, requires = "evidence")]
    pub source: Option<String>,
    /// Print the new belief as JSON instead of its id
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ListArgs {
    /// Only this belief type
    #[arg(long)]
    pub category: Option<String>,
    /// Only beliefs usable for this purpose
    #[arg(long)]
    pub purpose: Option<String>,
    /// Only beliefs at or above this confidence
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub min_confidence: Option<f64>,
    /// Only this status: active, pending or rejected
    #[arg(long)]
    pub status: Option<String>,
    /// Only this sensitivity: normal or special
    #[arg(long)]
    pub sensitivity: Option<String>,
    /// Only beliefs whose statement contains this text
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct EditArgs {
    /// The belief's id
    pub id: String,
    /// The corrected statement
    #[arg(long)]
    pub statement: Option<String>,
    /// The corrected confidence
    #[arg(long, allow_negative_numbers = true)]
    pub confidence: Option<f64>,
    /// The corrected purposes (repeatable; replaces the set)
    #[arg(long = "purpose", value_name = "PURPOSE")]
    pub purposes: Vec<String>,
    /// Why the belief is rectified (kept in its history)
    #[arg(long)]
    pub reason: String,
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Recompute the chain (the event count and head hash, or the first broken event) and
    /// compare it with this machine's witness; exits non-zero if the vault is older than the
    /// one last opened here, or its history was rewritten
    Verify {
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// Accept the vault as it is now (after a warning you have looked into, e.g. a backup
        /// restored on purpose): record its current audit head as this machine's witness
        #[arg(long)]
        accept_current: bool,
        /// Also check a receipt (a signed checkpoint a vendor kept, or one from `audit
        /// checkpoint`): signed by this vault's key, and its event still has its hash
        #[arg(long, value_name = "FILE")]
        receipt: Option<PathBuf>,
    },
    /// Show the chain's events (ids and hashes only, never belief content)
    Log {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Print (or write) the vault's signed statement of an audit event's hash: a receipt to
    /// keep elsewhere and check later with `audit verify --receipt`
    Checkpoint {
        /// The event (default: the latest)
        #[arg(long, value_name = "N")]
        seq: Option<u64>,
        /// Write it to this file instead of printing it
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace the file if it exists
        #[arg(long, requires = "out")]
        force: bool,
    },
}

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// Erase every belief past its type's retention, and compact the access log's entries past
    /// the log's retention into per-day counts, now
    Run,
    /// Show or set how many days the access log keeps each request in detail (30 or more;
    /// older requests are kept as per-day counts per vendor, purpose and belief)
    AccessLog {
        /// Days to keep requests in detail
        days: Option<u32>,
    },
}
