//! `selfmodel package`: the data-subject packages — the GDPR Art. 15 access package and the
//! CCPA right-to-know disclosure — as a self-contained HTML page, Markdown or JSON. The data and
//! its rendering come from `selfmodel::package`, which also records each generation on the
//! audit chain; this module reads the arguments and writes the file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::report_cmd::{Format, write_private};

/// `selfmodel package ...`.
#[derive(Subcommand)]
pub enum PackageCmd {
    /// Everything held about you (GDPR Art. 15): every belief with its evidence, provenance,
    /// history and recipients; the purposes; each type's retention; your rights; the logic
    /// involved. It holds belief text: keep it private
    Access(PackageArgs),
    /// The CCPA right-to-know disclosure for the last 12 months: categories of personal
    /// information, sources, purposes, the vendors it was disclosed to, sale and sharing
    RightToKnow(PackageArgs),
}

/// Where and how to write a package.
#[derive(Args)]
pub struct PackageArgs {
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

/// Runs `selfmodel package ...`.
pub fn package(vault: &Path, cmd: PackageCmd) -> Result<ExitCode> {
    let (a, what) = match &cmd {
        PackageCmd::Access(a) => (a, "the access package (GDPR Art. 15)"),
        PackageCmd::RightToKnow(a) => (a, "the right-to-know disclosure (CCPA)"),
    };
    if a.out.exists() && !a.force {
        // Refuse before the generation is recorded on the audit chain.
        anyhow::bail!(
            "{} exists; refusing to overwrite it (add --force)",
            a.out.display()
        );
    }
    let format = Format::pick(a.format, &a.out);
    let mut model = crate::open(vault)?;
    let text = match &cmd {
        PackageCmd::Access(_) => model.access_package()?.render(format),
        PackageCmd::RightToKnow(_) => model.right_to_know()?.render(format),
    };
    model.close()?;
    write_private(&a.out, &text, a.force)?;
    say!("wrote {what} to {}", a.out.display());
    Ok(ExitCode::SUCCESS)
}
