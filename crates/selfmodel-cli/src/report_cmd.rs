//! `selfmodel report`: the transparency report as a self-contained HTML page (inline CSS and
//! SVG, no scripts, no external assets), Markdown, or JSON for machines. The data and its
//! rendering come from `selfmodel::report` (the desktop app writes the same document); this
//! module reads the arguments and writes the file. No belief text is ever included: counts,
//! types, purposes, ids and hashes only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use selfmodel::render;
use selfmodel::report::Period;

/// `selfmodel report`.
#[derive(Args)]
pub struct ReportArgs {
    /// Count vendor activity, exports and erasures from this date (YYYY-MM-DD, UTC, or RFC 3339)
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// ...up to and including this date (YYYY-MM-DD, UTC, or an RFC 3339 instant, exclusive)
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    #[command(flatten)]
    out: DocumentOut,
}

/// Where and how to write a document: the report or a package.
#[derive(Args)]
pub struct DocumentOut {
    /// html (self-contained page), md or json [default: from the file's extension, else html]
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The file to write (mode 0600; refuses to replace an existing file without --force)
    #[arg(long, short, value_name = "FILE")]
    out: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    force: bool,
}

impl DocumentOut {
    /// Refuses an existing file without --force, before anything is generated (a package's
    /// generation is recorded on the audit chain).
    pub fn refuse_existing(&self) -> Result<()> {
        if self.out.exists() && !self.force {
            bail!(
                "{} exists; refusing to overwrite it (add --force)",
                self.out.display()
            );
        }
        Ok(())
    }

    /// The format: `--format`, else from the file's extension, else HTML.
    pub fn format(&self) -> render::Format {
        match self.format {
            Some(Format::Html) => render::Format::Html,
            Some(Format::Md) => render::Format::Markdown,
            Some(Format::Json) => render::Format::Json,
            None => render::Format::from_path(&self.out),
        }
    }

    /// Writes the rendered document `text` ([`write_private`]) and says it wrote `what`.
    pub fn write(&self, text: &str, what: &str) -> Result<()> {
        write_private(&self.out, text, self.force)?;
        say!("wrote {what} to {}", self.out.display());
        Ok(())
    }
}

/// A document format on the command line.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A self-contained HTML page.
    Html,
    /// Markdown.
    Md,
    /// JSON.
    Json,
}

/// Runs `selfmodel report ...`.
pub fn report(vault: &Path, a: ReportArgs) -> Result<ExitCode> {
    let period = Period::parse(a.from.as_deref(), a.to.as_deref())?;
    a.out.refuse_existing()?;
    let mut model = crate::open(vault)?;
    let report = model.report(period)?;
    model.close()?;
    a.out
        .write(&report.render(a.out.format()), "the transparency report")?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `text` to `path` atomically (a temporary file beside it, fsynced, then moved into
/// place) with mode 0600, refusing to replace a file unless `force`, and saying how.
pub fn write_private(path: &Path, text: &str, force: bool) -> Result<()> {
    match render::write_private(path, text, force) {
        Ok(_) => Ok(()),
        Err(e) if e.code() == selfmodel_core::ErrorCode::AlreadyExists => bail!(
            "{} exists; refusing to overwrite it (add --force)",
            path.display()
        ),
        Err(e) => Err(e).with_context(|| format!("cannot write {}", path.display())),
    }
}
