//! `selfmodel package`: the data-subject packages — the GDPR Art. 15 access package and the
//! CCPA right-to-know disclosure — as a self-contained HTML page, Markdown or JSON. The data and
//! its rendering come from `selfmodel::package`, which also records each generation on the
//! audit chain; this module reads the arguments and writes the file.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::report_cmd::DocumentOut;

/// `selfmodel package ...`.
#[derive(Subcommand)]
pub enum PackageCmd {
    /// Everything held about you (GDPR Art. 15): every belief with its evidence, provenance,
    /// history and recipients; the purposes; each type's retention; your rights; the logic
    /// involved. It holds belief text: keep it private
    Access(DocumentOut),
    /// The CCPA right-to-know disclosure for the last 12 months: categories of personal
    /// information, sources, purposes, the vendors it was disclosed to, sale and sharing
    RightToKnow(DocumentOut),
}

/// Runs `selfmodel package ...`.
pub fn package(vault: &Path, cmd: PackageCmd) -> Result<ExitCode> {
    let (a, what) = match &cmd {
        PackageCmd::Access(a) => (a, "the access package (GDPR Art. 15)"),
        PackageCmd::RightToKnow(a) => (a, "the right-to-know disclosure (CCPA)"),
    };
    a.refuse_existing()?;
    let format = a.format();
    let mut model = crate::open(vault)?;
    let text = match &cmd {
        PackageCmd::Access(_) => model.access_package()?.render(format),
        PackageCmd::RightToKnow(_) => model.right_to_know()?.render(format),
    };
    model.close()?;
    a.write(&text, what)?;
    Ok(ExitCode::SUCCESS)
}
