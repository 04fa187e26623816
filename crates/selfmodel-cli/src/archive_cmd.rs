//! `selfmodel export`, `selfmodel export verify` and `selfmodel import`: the portable, signed,
//! optionally age-encrypted export file (see `selfmodel::archive`).

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use selfmodel::archive::{
    ConflictPolicy, Counts, Envelope, ExportFile, ExportOptions, ExportSummary, Identities,
    ImportOptions, ImportReport, Key, Progress, Protection, Recipient, SealedFile,
};
use selfmodel_core::{BeliefId, Passphrase};
use serde::Serialize;

/// The export file's passphrase (encrypting and decrypting); never a flag.
const PASSPHRASE_VAR: &str = "SELFMODEL_EXPORT_PASSPHRASE";
/// scrypt work factor (log2 N) for passphrase exports; default: calibrated to about 1 s, as age
/// does, up to 20.
const LOG_N_VAR: &str = "SELFMODEL_EXPORT_SCRYPT_LOG_N";
/// The range that `SELFMODEL_EXPORT_SCRYPT_LOG_N` is clamped to.
const LOG_N_RANGE: (u8, u8) = (10, 20);
/// Steps with at least this many items get a progress bar (on a terminal).
const PROGRESS_FROM: u64 = 2_000;

/// `selfmodel export`: write an export file, or check one.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ExportCmd {
    #[command(subcommand)]
    action: Option<ExportAction>,
    #[command(flatten)]
    args: ExportArgs,
}

#[derive(Subcommand)]
enum ExportAction {
    /// Check an export file's signature and manifest (plain, or age with --identity or the
    /// passphrase from SELFMODEL_EXPORT_PASSPHRASE or a prompt)
    Verify(VerifyArgs),
}

/// What an export writes.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    /// The signed, portable JSON file.
    Json,
    /// A Markdown document for reading.
    Markdown,
}

/// Export your self-model to one signed JSON file, optionally encrypted with age.
#[derive(Args)]
struct ExportArgs {
    /// The file to write (refuses to replace an existing file without --force)
    #[arg(long, short, value_name = "FILE", required = true)]
    out: Option<PathBuf>,
    /// Only beliefs of this category (repeatable)
    #[arg(long = "category", value_name = "C")]
    categories: Vec<String>,
    /// Only beliefs usable for this purpose (repeatable)
    #[arg(long = "purpose", value_name = "P")]
    purposes: Vec<String>,
    /// Only this belief (repeatable)
    #[arg(long = "belief", value_name = "ID")]
    beliefs: Vec<String>,
    /// json: the signed, portable file that imports; markdown: a document for reading, grouped
    /// by type with evidence, provenance and recipients (written plain)
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    format: ExportFormat,
    /// Encrypt with a passphrase (age scrypt), from SELFMODEL_EXPORT_PASSPHRASE or a prompt
    #[arg(long, group = "encryption")]
    passphrase: bool,
    /// Encrypt to an age recipient, age1... (repeatable; make one with `age-keygen`)
    #[arg(long = "recipient", value_name = "AGE_PUBKEY", group = "encryption")]
    recipients: Vec<String>,
    /// ASCII-armor the encrypted file (PEM-like text instead of binary)
    #[arg(long, requires = "encryption")]
    armor: bool,
    /// Replace FILE if it exists
    #[arg(long)]
    force: bool,
    /// Print a JSON summary
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct VerifyArgs {
    /// The export file
    file: PathBuf,
    /// age identity file (age-keygen format) for a file encrypted to recipients (repeatable)
    #[arg(long = "identity", value_name = "KEYFILE")]
    identities: Vec<PathBuf>,
    /// Also require that it was signed by this Ed25519 public key (hex)
    #[arg(long, value_name = "HEX")]
    expect_key: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// `selfmodel import`: merge an export file into the vault.
#[derive(Args)]
pub struct ImportArgs {
    /// The export file (plain JSON, or age-encrypted: detected)
    file: PathBuf,
    /// Show what would be added, skipped and in conflict; change nothing
    #[arg(long)]
    dry_run: bool,
    /// age identity file (age-keygen format) for a file encrypted to recipients (repeatable)
    #[arg(long = "identity", value_name = "KEYFILE")]
    identities: Vec<PathBuf>,
    /// For beliefs already in the vault with different content: keep the vault's, or take the
    /// file's. Without it, an import with conflicts is refused
    #[arg(long, value_enum, value_name = "POLICY")]
    on_conflict: Option<OnConflict>,
    /// Treat files signed by this key (64 hex digits; `import --dry-run` shows it) like this
    /// vault's own: their beliefs land as they are. Otherwise a file signed by another key brings
    /// its beliefs in as proposals for your inbox
    #[arg(long, value_name = "KEY", value_parser = parse_key)]
    trust_signer: Option<[u8; 32]>,
    /// Bring back beliefs you erased or rejected (skipped and counted otherwise)
    #[arg(long)]
    restore_erased: bool,
    /// Leave out beliefs the secrets screen refuses (a password, a phone number, ...) and import
    /// the rest, listing each one left out, instead of refusing the file: for a file written
    /// before the screen knew that kind of data
    #[arg(long)]
    leave_out_sensitive: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// A signing key as 64 hex digits.
fn parse_key(s: &str) -> Result<[u8; 32], String> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(s.trim(), &mut key)
        .map_err(|_| "a signing key is 64 hex digits".to_owned())?;
    Ok(key)
}

#[derive(Clone, Copy, ValueEnum)]
enum OnConflict {
    /// Keep the vault's version
    Keep,
    /// Take the file's version
    Take,
}

/// Runs `selfmodel export ...`.
pub fn export(vault: &Path, cmd: ExportCmd) -> Result<ExitCode> {
    if let Some(ExportAction::Verify(v)) = cmd.action {
        return verify(v);
    }
    let a = cmd.args;
    let out = a.out.context("--out FILE is required")?;
    if a.format == ExportFormat::Markdown && (a.passphrase || !a.recipients.is_empty()) {
        bail!(
            "a Markdown export is for reading and is written plain; encrypt the JSON export instead"
        );
    }
    let protection = if a.passphrase {
        let passphrase = crate::secrets::new_passphrase(PASSPHRASE_VAR, "Export file passphrase")?;
        // The export refuses it too; said here, before the vault is unlocked.
        selfmodel::check_strength(&passphrase)?;
        Protection::Passphrase {
            passphrase,
            work_factor: work_factor()?,
        }
    } else if !a.recipients.is_empty() {
        Protection::Recipients(
            a.recipients
                .iter()
                .map(|r| r.parse::<Recipient>())
                .collect::<Result<_, _>>()?,
        )
    } else {
        Protection::Plain
    };
    let beliefs = a
        .beliefs
        .iter()
        .map(|s| s.parse::<BeliefId>())
        .collect::<Result<BTreeSet<_>, _>>()?;
    let options = ExportOptions {
        categories: a.categories.into_iter().collect(),
        purposes: a.purposes.into_iter().collect(),
        beliefs,
        protection,
        armor: a.armor,
        overwrite: a.force,
    };
    let mut model = crate::open(vault)?;
    if a.format == ExportFormat::Markdown {
        let done = model
            .export_markdown(&out, &options)
            .with_context(|| format!("cannot export to {}", out.display()))?;
        model.close()?;
        if a.json {
            crate::output::print_json(&serde_json::json!({
                "path": done.path.display().to_string(),
                "format": "markdown",
                "beliefs": done.beliefs,
                "bytes": done.bytes,
            }))?;
        } else {
            say!(
                "wrote {} beliefs as Markdown to {} ({} bytes); it holds their text: keep it private",
                done.beliefs,
                done.path.display(),
                done.bytes
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let summary = model
        .export(&out, &options, &Bar::new())
        .with_context(|| format!("cannot export to {}", out.display()))?;
    model.close()?;
    if summary.encryption == "none" {
        eprintln!(
            "warning: {} is not encrypted: anyone who can read the file can read your self-model (use --passphrase or --recipient)",
            out.display()
        );
    }
    if !summary.importable() {
        eprintln!(
            "warning: {} is {} MiB, more than the {} MiB an import reads back. A whole export holds the access log's detailed entries: keep fewer days in detail (selfmodel retention access-log DAYS) and export again{}; a subset (--category) leaves the vendor record out",
            out.display(),
            summary.bytes >> 20,
            selfmodel::archive::MAX_FILE_BYTES >> 20,
            if a.armor {
                "; without --armor the file is a quarter smaller"
            } else {
                ""
            }
        );
    }
    if a.json {
        crate::output::print_json(&ExportOut::new(&summary, a.armor))?;
    } else {
        print_export(&summary, a.armor);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_export(s: &ExportSummary, armor: bool) {
    let c = &s.counts;
    say!(
        "exported {} beliefs ({} evidence, {} rectifications; {} belief types, {} purposes){} to {}",
        c.beliefs,
        c.evidence,
        c.history,
        c.belief_types,
        c.purposes,
        if s.subset { ", a subset," } else { "" },
        s.path.display()
    );
    let enc = match s.encryption {
        "passphrase" => "age, passphrase",
        "recipients" => "age, to recipients",
        _ => "none",
    };
    say!(
        "  encryption      {enc}{}",
        if armor { ", ASCII-armored" } else { "" }
    );
    if !s.subset {
        say!(
            "  vendor record   {} grants, {} access-log entries, {}",
            c.grants,
            c.access_log,
            match s.tombstones {
                Some(n) => format!("{n} tombstones"),
                None => "no tombstones (only an encrypted file carries them)".into(),
            }
        );
    }
    say!("  signed by       {}", s.public_key);
    say!("  beliefs sha256  {}", s.beliefs_sha256);
    say!(
        "  check it with   selfmodel export verify {}",
        s.path.display()
    );
}

/// Reads, decrypts (asking for the key only if needed) and checks an export file.
fn read_export(file: &Path, identities: &[PathBuf], progress: &Bar) -> Result<ExportFile> {
    let read = || -> Result<ExportFile> {
        progress.spin("reading");
        let sealed = SealedFile::read(file)?;
        let key = match sealed.envelope() {
            Envelope::Plain => None,
            Envelope::Age { .. } if !identities.is_empty() => {
                let mut ids = Identities::from_file(&identities[0])?;
                for p in &identities[1..] {
                    ids.extend(Identities::from_file(p)?);
                }
                Some(Key::Identities(ids))
            }
            Envelope::Age {
                passphrase: true, ..
            } => Some(Key::Passphrase(file_passphrase()?)),
            Envelope::Age { .. } => None,
        };
        progress.spin("decrypting and checking");
        let opened = sealed.open(key.as_ref());
        progress.finish();
        Ok(opened?)
    };
    read().with_context(|| format!("cannot read {}", file.display()))
}

fn verify(v: VerifyArgs) -> Result<ExitCode> {
    let file = read_export(&v.file, &v.identities, &Bar::new())?;
    let p = &file.parsed;
    if let Some(expected) = &v.expect_key
        && !expected.trim().eq_ignore_ascii_case(&p.public_key)
    {
        bail!(
            "{}: the signature is valid, but by key {}, not the expected {}",
            v.file.display(),
            p.public_key,
            expected.trim()
        );
    }
    let out = VerifyOut {
        file: v.file.display().to_string(),
        valid: true,
        encryption: envelope_name(file.envelope),
        exported_at: selfmodel_core::audit::canonical_time(&p.head.exported_at),
        vault: p.head.vault_id.clone(),
        public_key: p.public_key.clone(),
        counts: CountsOut::from(&p.counts),
        beliefs_sha256: p.beliefs_sha256.clone(),
        file_sha256: file.file_sha256.clone(),
        subset: !matches!(p.head.filter, selfmodel::archive::Filter::All),
        audit_head_events: p.head.audit_head.0,
        audit_head_hash: p.head.audit_head.1.to_hex(),
    };
    if v.json {
        crate::output::print_json(&out)?;
    } else {
        let c = &out.counts;
        say!(
            "{}: valid: the signature and the manifest check out",
            out.file
        );
        say!("  encryption      {}", out.encryption);
        say!("  exported at     {}", out.exported_at);
        say!("  from vault      {}", out.vault);
        say!("  signed by       {}", out.public_key);
        say!(
            "  holds           {} beliefs ({} evidence, {} rectifications), {} belief types, {} purposes{}",
            c.beliefs,
            c.evidence,
            c.history,
            c.belief_types,
            c.purposes,
            if out.subset { " (a subset)" } else { "" }
        );
        if c.grants + c.access_log > 0 {
            say!(
                "  vendor record   {} grants, {} access-log entries",
                c.grants,
                c.access_log
            );
        }
        say!("  beliefs sha256  {}", out.beliefs_sha256);
        say!(
            "  audit head      {} events, {}",
            out.audit_head_events,
            out.audit_head_hash
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `selfmodel import ...`: the file is read and checked completely before the vault is
/// opened.
pub fn import(vault: &Path, a: ImportArgs) -> Result<ExitCode> {
    let bar = Bar::new();
    let file = read_export(&a.file, &a.identities, &bar)?;
    let options = ImportOptions {
        dry_run: a.dry_run,
        on_conflict: a.on_conflict.map(|p| match p {
            OnConflict::Keep => ConflictPolicy::KeepExisting,
            OnConflict::Take => ConflictPolicy::TakeIncoming,
        }),
        trust_signer: a.trust_signer,
        restore_erased: a.restore_erased,
        leave_out_sensitive: a.leave_out_sensitive,
    };
    let mut model = crate::open(vault)?;
    let report = match model.import(&file, &options, &bar) {
        Ok(r) => r,
        Err(e) if e.code().as_str() == "import_conflict" => bail!(
            "cannot import {}: {e}: run again with --on-conflict keep or --on-conflict take (--dry-run shows them)",
            a.file.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot import {}", a.file.display())),
    };
    model.close()?;
    if a.json {
        crate::output::print_json(&ImportOut::from(&report))?;
    } else {
        print_import(&a.file, &report);
    }
    Ok(ExitCode::SUCCESS)
}

/// How many beliefs left out the text output names one by one.
const LISTED_LEFT_OUT: usize = 20;

fn print_import(file: &Path, r: &ImportReport) {
    let head = if r.dry_run {
        "dry run, nothing changed:".to_owned()
    } else if r.changed {
        format!("imported {}:", file.display())
    } else if !r.left_out.is_empty() {
        format!(
            "nothing imported from {}: the vault already holds the rest",
            file.display()
        )
    } else {
        format!(
            "nothing to import from {}: the vault already holds it",
            file.display()
        )
    };
    say!("{head}");
    if r.foreign {
        say!(
            "  signed by    {} — not this vault's key: its new beliefs {} your inbox as proposals",
            r.signer,
            if r.dry_run {
                "would wait in"
            } else {
                "wait in"
            }
        );
        say!(
            "               (if you trust this key, import again with --trust-signer {})",
            r.signer
        );
    } else {
        say!("  signed by    {}", r.signer);
    }
    let verb = |now: &'static str, would: &'static str| if r.dry_run { would } else { now };
    say!(
        "  new          {:>6}  ({})",
        r.new.len(),
        verb("added", "would be added")
    );
    say!("  identical    {:>6}  (skipped)", r.identical.len());
    if !r.erased.is_empty() {
        say!(
            "  erased       {:>6}  (you erased or rejected these before: skipped; --restore-erased brings them back)",
            r.erased.len()
        );
    }
    if !r.left_out.is_empty() {
        say!(
            "  left out     {:>6}  (the secrets screen refuses them; the file still holds them)",
            r.left_out.len()
        );
        for l in r.left_out.iter().take(LISTED_LEFT_OUT) {
            say!("    left out   {l}");
        }
        if r.left_out.len() > LISTED_LEFT_OUT {
            say!(
                "    … and {} more (--json lists them all)",
                r.left_out.len() - LISTED_LEFT_OUT
            );
        }
    }
    let resolution = match r.on_conflict {
        Some(ConflictPolicy::KeepExisting) => verb("kept the vault's", "would keep the vault's"),
        Some(ConflictPolicy::TakeIncoming) => verb("took the file's", "would take the file's"),
        None if r.conflicting.is_empty() => "none",
        None => "choose --on-conflict keep or take",
    };
    say!("  conflicting  {:>6}  ({resolution})", r.conflicting.len());
    for id in &r.conflicting {
        say!("    conflict   {id}");
    }
    let carried = &r.record;
    match carried.skipped {
        Some(why) => say!("  vendor record  not imported: {}", why.as_str()),
        None if !carried.is_empty() => say!(
            "  vendor record  {} grants (ended here: their tokens stayed behind), {} access-log entries, {} compacted days, {} tombstones {}",
            carried.grants,
            carried.access_entries,
            carried.days,
            carried.tombstones,
            verb("added", "would be added")
        ),
        None => {}
    }
    if !r.types_added.is_empty() {
        say!("  belief types added: {}", r.types_added.join(", "));
    }
    if !r.purposes_added.is_empty() {
        say!("  purposes added: {}", r.purposes_added.join(", "));
    }
    for t in &r.types_differing {
        say!(
            "  note: belief type '{t}' is defined differently in the file; the vault's definition is kept"
        );
    }
    for p in &r.purposes_differing {
        say!(
            "  note: purpose '{p}' is defined differently in the file; the vault's definition is kept"
        );
    }
}

/// The scrypt work factor from `SELFMODEL_EXPORT_SCRYPT_LOG_N`, clamped; `None`: calibrated.
fn work_factor() -> Result<Option<u8>> {
    let Ok(raw) = std::env::var(LOG_N_VAR) else {
        return Ok(None);
    };
    let n: u8 = raw
        .trim()
        .parse()
        .with_context(|| format!("{LOG_N_VAR} must be a whole number, not '{raw}'"))?;
    Ok(Some(n.clamp(LOG_N_RANGE.0, LOG_N_RANGE.1)))
}

/// The passphrase of an encrypted export: `SELFMODEL_EXPORT_PASSPHRASE`, else a prompt.
fn file_passphrase() -> Result<Passphrase> {
    if let Some(value) = std::env::var_os(PASSPHRASE_VAR) {
        let Ok(value) = value.into_string() else {
            bail!("{PASSPHRASE_VAR} is not valid UTF-8");
        };
        return Ok(Passphrase::new(value));
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "the file is encrypted with a passphrase: set {PASSPHRASE_VAR} or run in a terminal to be asked"
        );
    }
    Ok(Passphrase::new(rpassword::prompt_password(
        "Export file passphrase: ",
    )?))
}

fn envelope_name(e: Envelope) -> &'static str {
    match e {
        Envelope::Plain => "none",
        Envelope::Age {
            passphrase: true,
            armored: false,
        } => "age, passphrase",
        Envelope::Age {
            passphrase: true,
            armored: true,
        } => "age, passphrase, ASCII-armored",
        Envelope::Age {
            passphrase: false,
            armored: false,
        } => "age, to recipients",
        Envelope::Age {
            passphrase: false,
            armored: true,
        } => "age, to recipients, ASCII-armored",
    }
}

/// A progress bar on stderr, only when stdout and stderr are terminals and a step is long.
struct Bar {
    enabled: bool,
    long: Cell<bool>,
    bar: RefCell<Option<ProgressBar>>,
}

impl Bar {
    fn new() -> Self {
        Self {
            enabled: std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
            long: Cell::new(false),
            bar: RefCell::new(None),
        }
    }

    fn spin(&self, step: &str) {
        self.start(step, 0);
    }
}

impl Progress for Bar {
    fn start(&self, step: &str, total: u64) {
        self.finish();
        if !self.enabled {
            return;
        }
        let bar = if total >= PROGRESS_FROM {
            self.long.set(true);
            let style = ProgressStyle::with_template(
                "{msg:>24} [{bar:32}] {pos}/{len} ({elapsed}, {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
                .with_style(style)
        } else if total == 0 && self.long.get() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        } else {
            return;
        };
        bar.set_message(step.to_owned());
        *self.bar.borrow_mut() = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Some(b) = self.bar.borrow().as_ref() {
            b.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(b) = self.bar.borrow_mut().take() {
            b.finish_and_clear();
        }
    }
}

#[derive(Serialize)]
struct CountsOut {
    belief_types: u64,
    purposes: u64,
    beliefs: u64,
    evidence: u64,
    history: u64,
    grants: u64,
    access_log: u64,
}

impl From<&Counts> for CountsOut {
    fn from(c: &Counts) -> Self {
        Self {
            belief_types: c.belief_types,
            purposes: c.purposes,
            beliefs: c.beliefs,
            evidence: c.evidence,
            history: c.history,
            grants: c.grants,
            access_log: c.access_log,
        }
    }
}

#[derive(Serialize)]
struct ExportOut {
    path: String,
    bytes: u64,
    counts: CountsOut,
    beliefs_sha256: String,
    public_key: String,
    encryption: &'static str,
    armored: bool,
    subset: bool,
    /// Tombstones written; null when the vault's were left out of a plain file.
    tombstones: Option<u64>,
    /// Whether `selfmodel import` reads the file back (at most 512 MiB).
    importable: bool,
}

impl ExportOut {
    fn new(s: &ExportSummary, armored: bool) -> Self {
        Self {
            path: s.path.display().to_string(),
            bytes: s.bytes,
            counts: CountsOut::from(&s.counts),
            beliefs_sha256: s.beliefs_sha256.clone(),
            public_key: s.public_key.clone(),
            encryption: s.encryption,
            armored,
            subset: s.subset,
            tombstones: s.tombstones,
            importable: s.importable(),
        }
    }
}

#[derive(Serialize)]
struct VerifyOut {
    file: String,
    valid: bool,
    encryption: &'static str,
    exported_at: String,
    vault: String,
    public_key: String,
    counts: CountsOut,
    beliefs_sha256: String,
    file_sha256: String,
    subset: bool,
    audit_head_events: u64,
    audit_head_hash: String,
}

#[derive(Serialize)]
struct ImportOut {
    dry_run: bool,
    changed: bool,
    file_sha256: String,
    source_vault: String,
    new: Vec<String>,
    identical: Vec<String>,
    conflicting: Vec<String>,
    on_conflict: Option<&'static str>,
    types_added: Vec<String>,
    purposes_added: Vec<String>,
    types_differing: Vec<String>,
    purposes_differing: Vec<String>,
    signer: String,
    foreign: bool,
    erased: Vec<String>,
    left_out: Vec<LeftOutOut>,
    record: RecordOut,
}

/// A belief an import left out, and why: where the screen found what, never the text.
#[derive(Serialize)]
struct LeftOutOut {
    id: String,
    field: String,
    kind: &'static str,
}

/// What of the file's vendor record an import adds.
#[derive(Serialize)]
struct RecordOut {
    grants: u64,
    access_entries: u64,
    days: u64,
    tombstones: u64,
    /// Why it was not imported, if it was not.
    skipped: Option<&'static str>,
}

impl From<&ImportReport> for ImportOut {
    fn from(r: &ImportReport) -> Self {
        let ids = |v: &[BeliefId]| v.iter().map(ToString::to_string).collect();
        Self {
            dry_run: r.dry_run,
            changed: r.changed,
            file_sha256: r.file_sha256.clone(),
            source_vault: r.source_vault.clone(),
            new: ids(&r.new),
            identical: ids(&r.identical),
            conflicting: ids(&r.conflicting),
            on_conflict: r.on_conflict.map(|p| p.as_str()),
            types_added: r.types_added.clone(),
            purposes_added: r.purposes_added.clone(),
            types_differing: r.types_differing.clone(),
            purposes_differing: r.purposes_differing.clone(),
            signer: r.signer.clone(),
            foreign: r.foreign,
            erased: ids(&r.erased),
            left_out: r
                .left_out
                .iter()
                .map(|l| LeftOutOut {
                    id: l.id.to_string(),
                    field: l.field.clone(),
                    kind: l.kind.code(),
                })
                .collect(),
            record: RecordOut {
                grants: r.record.grants,
                access_entries: r.record.access_entries,
                days: r.record.days,
                tombstones: r.record.tombstones,
                skipped: r.record.skipped.map(|s| match s {
                    selfmodel::carry::Skipped::SameVault => "same_vault",
                    selfmodel::carry::Skipped::Foreign => "foreign",
                }),
            },
        }
    }
}
