//! Reading memories to import: a file, bytes from standard input or a paste, or a me.md
//! directory. Every input is bounded ([`MAX_INPUT_BYTES`], [`MAX_ITEMS`]) and must be UTF-8 text;
//! anything else is refused with the reason before a vault is touched.

use std::io::Read;
use std::path::Path;

use selfmodel_core::memories::{MAX_INPUT_BYTES, MAX_ITEMS, MemorySource, RawMemory, list};

use super::mem0;
use crate::{Error, Result};

/// Most `.md` files read from one me.md directory.
const MAX_FILES: usize = 1_000;
/// How deep `topics/` is searched.
const MAX_DEPTH: usize = 4;
/// me.md parts that are not memories about the person: agents' proposals waiting for a
/// decision, project context, and the provenance journal.
const NOT_MEMORIES: &[&str] = &["proposals", "projects", "journal.md"];

/// Reads the memories of `source` at `path`: a file, or for me.md a directory (`me.md` and the
/// other top-level `.md` files, and `topics/`) or one of its files.
pub fn read(source: MemorySource, path: &Path) -> Result<Vec<RawMemory>> {
    let meta = std::fs::metadata(path).map_err(|e| io(path, &e))?;
    let memories = if meta.is_dir() {
        if source != MemorySource::MeMd {
            return Err(input(format!(
                "{} is a directory; only a me.md import reads a directory",
                path.display()
            )));
        }
        me_md_dir(path)?
    } else {
        let name = (source == MemorySource::MeMd)
            .then(|| path.file_name().map(|n| n.to_string_lossy().into_owned()))
            .flatten();
        let bytes = read_file(path, MAX_INPUT_BYTES, &path.display().to_string())?;
        parse_named(source, &bytes, name.as_deref(), &path.display().to_string())?
    };
    checked(memories, &path.display().to_string())
}

/// Parses the memories of `source` in `bytes` (standard input, a paste).
pub fn parse(source: MemorySource, bytes: &[u8]) -> Result<Vec<RawMemory>> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large("the input"));
    }
    checked(parse_named(source, bytes, None, "the input")?, "the input")
}

/// Reads `r` (standard input) up to [`MAX_INPUT_BYTES`], refusing more.
pub fn read_limited(r: impl Read, what: &str) -> Result<Vec<u8>> {
    read_capped(r, MAX_INPUT_BYTES, what)
}

/// Reads at most `budget` bytes of `r`; more is refused as too large, naming `what`.
fn read_capped(r: impl Read, budget: u64, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    r.take(budget + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| input(format!("cannot read {what}: {e}")))?;
    if bytes.len() as u64 > budget {
        return Err(too_large(what));
    }
    Ok(bytes)
}

fn parse_named(
    source: MemorySource,
    bytes: &[u8],
    file: Option<&str>,
    what: &str,
) -> Result<Vec<RawMemory>> {
    let text = text_of(bytes, what)?;
    match source {
        MemorySource::Mem0 => mem0::parse(text, what),
        _ => Ok(list::parse(text, file)),
    }
}

/// Refuses an input with no memory, or with more than [`MAX_ITEMS`].
fn checked(memories: Vec<RawMemory>, what: &str) -> Result<Vec<RawMemory>> {
    if memories.is_empty() {
        return Err(input(format!(
            "no memories found in {what}: write one per line or Markdown list item"
        )));
    }
    if memories.len() > MAX_ITEMS {
        return Err(input(format!(
            "{what} holds {} memories; one import takes at most {MAX_ITEMS} (split it)",
            memories.len()
        )));
    }
    Ok(memories)
}

/// `bytes` as UTF-8 text, refusing binary files.
fn text_of<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str> {
    if bytes.contains(&0) {
        return Err(input(format!(
            "{what} is not a text file (it holds NUL bytes)"
        )));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        input(format!(
            "{what} is not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

fn read_file(path: &Path, budget: u64, what: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| io(path, &e))?;
    read_capped(file, budget, what)
}

/// The memories of a me.md directory, files in name order.
fn me_md_dir(root: &Path) -> Result<Vec<RawMemory>> {
    let mut files = Vec::new();
    collect(root, root, 0, &mut files)?;
    if files.is_empty() {
        return Err(input(format!(
            "{} holds no Markdown memory files (me.md, topics/*.md)",
            root.display()
        )));
    }
    let mut budget = MAX_INPUT_BYTES;
    let mut out = Vec::new();
    for (rel, path) in files {
        let what = format!("the Markdown files of {} together", root.display());
        let bytes = read_file(&path, budget, &what)?;
        budget -= bytes.len() as u64;
        let text = text_of(&bytes, &path.display().to_string())?;
        out.extend(list::parse(text, Some(&rel)));
    }
    Ok(out)
}

/// The `.md` files under `dir` (symbolic links not followed), as (path relative to `root`,
/// path).
fn collect(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<(String, std::path::PathBuf)>,
) -> Result<()> {
    let mut entries = std::fs::read_dir(dir)
        .map_err(|e| io(dir, &e))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| io(dir, &e))?;
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || (depth == 0 && NOT_MEMORIES.contains(&name.as_str())) {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).map_err(|e| io(&path, &e))?;
        if meta.is_dir() {
            if (depth == 0 && name == "topics") || (depth > 0 && depth < MAX_DEPTH) {
                collect(root, &path, depth + 1, out)?;
            }
        } else if meta.is_file() && name.to_ascii_lowercase().ends_with(".md") {
            if out.len() == MAX_FILES {
                return Err(input(format!(
                    "{} holds more than {MAX_FILES} Markdown files",
                    root.display()
                )));
            }
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            out.push((rel, path));
        }
    }
    Ok(())
}

fn input(message: String) -> Error {
    Error::MemoryInput(message)
}

fn io(path: &Path, e: &std::io::Error) -> Error {
    input(format!("cannot read {}: {e}", path.display()))
}

fn too_large(what: &str) -> Error {
    input(format!(
        "{what} is larger than {} MiB; split it into smaller imports",
        MAX_INPUT_BYTES / (1024 * 1024)
    ))
}
