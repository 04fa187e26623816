//! What the documents Selfmodel writes have in common — the transparency report and the
//! data-subject packages: their formats, how times, days and counts read, and writing a file
//! that only its owner can read. Their HTML and Markdown are written by `document`.
//!
//! Every front end renders through here, so the CLI and the desktop app write the same document.

use std::io::Write as _;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::Result;
use crate::document::Document;

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DocumentFormat"))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One self-contained HTML page.
    Html,
    /// Markdown.
    Markdown,
    /// JSON, for machines.
    Json,
}

impl Format {
    /// The format a file name asks for by its extension: `.json`, `.md` / `.markdown`, else HTML.
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Self::Json,
            Some(e) if e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown") => {
                Self::Markdown
            }
            _ => Self::Html,
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Markdown => "md",
            Self::Json => "json",
        }
    }
}

/// Writes `text` to `path` atomically (a temporary file beside it, fsynced, then renamed) with
/// mode 0600; unless `overwrite`, an existing file is refused. Returns the bytes written.
pub fn write_private(path: &Path, text: &str, overwrite: bool) -> Result<u64> {
    let mut file = selfmodel_archive::AtomicFile::create(path, overwrite)?;
    file.write_all(text.as_bytes())
        .map_err(selfmodel_archive::ArchiveError::from)?;
    Ok(file.persist()?)
}

/// An instant as RFC 3339 to the second, UTC.
pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A day as `YYYY-MM-DD`.
pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// An optional instant for JSON: RFC 3339 or `null`.
pub(crate) fn opt_time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(time(t)))
}

/// Pretty JSON with a final newline.
pub(crate) fn json_text(v: &Value) -> String {
    format!("{v:#}\n")
}

/// A document in `format`: its [`Document`] written as HTML or Markdown, or its JSON form as
/// [`json_text`].
pub(crate) fn rendered(
    format: Format,
    document: impl FnOnce() -> Document,
    json: impl FnOnce() -> Value,
) -> String {
    match format {
        Format::Html => document().to_html(),
        Format::Markdown => document().to_markdown(),
        Format::Json => json_text(&json()),
    }
}

/// `a 1, b 2`, or `none`.
pub(crate) fn list(v: &[(String, u64)]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Items joined with `, `.
pub(crate) fn joined<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    items
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(Format::from_path(Path::new("a.json")), Format::Json);
        assert_eq!(Format::from_path(Path::new("a.MD")), Format::Markdown);
        assert_eq!(Format::from_path(Path::new("a.markdown")), Format::Markdown);
        assert_eq!(Format::from_path(Path::new("a.html")), Format::Html);
        assert_eq!(Format::from_path(Path::new("a")), Format::Html);
    }
}
