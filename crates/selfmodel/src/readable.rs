//! The export for reading: the selected beliefs as one Markdown document, grouped by type, each
//! with its evidence, provenance, history, last confirmation and who received it. The JSON
//! export is the portable, signed file that imports; this one is for people.

use std::path::{Path, PathBuf};

use selfmodel_archive::{ArchiveError, Protection};
use selfmodel_core::audit::Detail;
use selfmodel_core::audit::PendingEvent;
use selfmodel_core::{AuditAction, CoreError};

use crate::archive::{ExportOptions, check_filter, same_file};
use crate::{Result, Selfmodel, package, render};

/// What a Markdown export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadableExport {
    /// Where.
    pub path: PathBuf,
    /// How many beliefs it holds.
    pub beliefs: usize,
    /// The file's size.
    pub bytes: u64,
}

impl Selfmodel {
    /// Writes the beliefs `options` select as Markdown to `out` (mode 0600, atomically; an
    /// existing file only with `overwrite`), and records it on the audit chain
    /// (`archive.exported`, `format=markdown` and the count). It is written plain: encryption
    /// is refused (encrypt the JSON export instead).
    pub fn export_markdown(
        &mut self,
        out: &Path,
        options: &ExportOptions,
    ) -> Result<ReadableExport> {
        if !matches!(options.protection, Protection::Plain) {
            return Err(CoreError::invalid(
                "format",
                "a Markdown export is for reading and is written plain; encrypt the JSON export instead",
            )
            .into());
        }
        if same_file(out, self.path()) {
            return Err(ArchiveError::Exists(out.to_owned()).into());
        }
        let filter = options.filter();
        self.change(|w, now| {
            let r = w.read();
            check_filter(&options.categories, &options.purposes, &r.catalogue()?)?;
            let mut p = package::access(&r, now)?;
            p.beliefs.retain(|h| filter.matches(&h.belief));
            let bytes = render::write_private(
                out,
                &package::document::readable(&p).to_markdown(),
                options.overwrite,
            )?;
            w.append_audit(
                PendingEvent::new(AuditAction::Exported, None).with_detail(
                    Detail::new()
                        .with("format", "markdown")
                        .with("beliefs", p.beliefs.len()),
                ),
                now,
            )?;
            Ok(ReadableExport {
                path: out.to_owned(),
                beliefs: p.beliefs.len(),
                bytes,
            })
        })
    }
}
