//! `selfmodel import-memories`: memories saved by other assistants, as proposals for the inbox
//! (see `selfmodel::memories`). The input is read and checked before the vault is unlocked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use selfmodel::memories::{self, ItemReport, MemoryImport, Outcome};
use selfmodel_core::memories::MemorySource;

/// `selfmodel import-memories`.
#[derive(Args)]
pub struct ImportMemoriesArgs {
    /// Where the memories come from: a copied list (chatgpt, claude, gemini, text: one memory
    /// per line or Markdown list item), mem0's JSON export, or a me.md directory
    #[arg(long, value_name = "SOURCE", value_parser = source_parser())]
    from: MemorySource,
    /// The file (`-` for standard input), or the me.md directory
    path: PathBuf,
    /// Show what would land (type, purposes, statement) and what would be skipped; write nothing
    #[arg(long)]
    dry_run: bool,
    /// Print a JSON report
    #[arg(long)]
    json: bool,
}

/// `--from` takes the sources' stable names.
fn source_parser() -> impl TypedValueParser<Value = MemorySource> {
    PossibleValuesParser::new(MemorySource::ALL.iter().map(MemorySource::as_str)).map(|name| {
        *MemorySource::ALL
            .iter()
            .find(|s| s.as_str() == name)
            .expect("one of the possible values")
    })
}

/// Reads the memories, imports them (or plans it, in a dry run) and reports.
pub fn run(vault: &Path, args: ImportMemoriesArgs) -> Result<ExitCode> {
    let source = args.from;
    let items = if args.path.as_os_str() == "-" {
        let bytes = memories::read_limited(std::io::stdin().lock(), "standard input")?;
        memories::parse(source, &bytes)?
    } else {
        memories::read(source, &args.path)?
    };
    let mut model = crate::open(vault)?;
    let report = model.import_memories(source, &items, args.dry_run)?;
    model.close()?;
    if args.json {
        crate::output::print_json(&crate::json::memory_import(&report))?;
    } else {
        human(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn human(report: &MemoryImport) {
    if report.dry_run {
        say!("dry run: nothing was written");
    }
    for item in &report.items {
        let at = place(report.source, item);
        match &item.outcome {
            Outcome::Proposed {
                category,
                purposes,
                statement,
                same_as,
                ..
            } if report.dry_run => {
                let purposes: Vec<&str> = purposes.iter().map(String::as_str).collect();
                say!(
                    "{at}  would propose  {category} [{}]  {statement}",
                    purposes.join(", ")
                );
                if let Some(s) = same_as {
                    say!(
                        "    same as {} \"{}\": merge it from the inbox",
                        s.id,
                        s.statement
                    );
                }
            }
            Outcome::Proposed { .. } => {}
            Outcome::Duplicate if report.dry_run => say!("{at}  already in the vault"),
            Outcome::PreviouslyErased if report.dry_run => {
                say!("{at}  skipped: you erased or rejected it before");
            }
            Outcome::Duplicate | Outcome::PreviouslyErased => {}
            Outcome::Refused { refusal, reason } => {
                say!("{at}  refused ({}): {reason}", refusal.code());
            }
        }
    }
    let c = report.counts();
    let kinds: Vec<String> = c
        .refused_by_kind
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    let refused = if kinds.is_empty() {
        c.refused.to_string()
    } else {
        format!("{} ({})", c.refused, kinds.join(", "))
    };
    say!(
        "{} {}, duplicates {}, previously erased {}, refused {refused}",
        if report.dry_run {
            "would propose"
        } else {
            "proposed"
        },
        c.proposed,
        c.duplicates,
        c.previously_erased,
    );
    if c.same_as > 0 {
        say!(
            "{} of them say the same as a belief you hold: `selfmodel inbox` shows which, and `selfmodel belief merge ID` adds one's evidence there",
            c.same_as
        );
    }
    if report.changed {
        say!("review them with `selfmodel inbox`, then `selfmodel belief accept|reject ID`");
    }
}

/// "line 3", "item 3" (mem0) or "topics/coffee.md:3".
fn place(source: MemorySource, item: &ItemReport) -> String {
    match (&item.file, source) {
        (Some(f), _) => format!("{f}:{}", item.line),
        (None, MemorySource::Mem0) => format!("item {}", item.line),
        (None, _) => format!("line {}", item.line),
    }
}
