//! What the documents Selfmodel writes have in common — the transparency report and the
//! data-subject packages: their formats, escaping, the self-contained HTML page (inline CSS, no
//! scripts, nothing loaded from elsewhere) and writing a file that only its owner can read.
//!
//! Every front end renders through here, so the CLI and the desktop app write the same document.

use std::io::Write as _;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::Result;

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// HTML-escapes text (element content and attribute values alike).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for Markdown (a table cell or a line): no markup, no links or images, no cell
/// breaks, one line. Inline metacharacters are backslash-escaped wherever they are; those that
/// only act at the start of a line (`-`, `+`, `#`, `1.`) are escaped there.
pub(crate) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut line_start = true;
    let mut digits = false;
    for (i, c) in s.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('\''),
            '\n' | '\r' => out.push(' '),
            '\\' | '|' | '[' | ']' | '(' | ')' | '!' | '*' | '_' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // No bare autolink (`https://…`, `www.…`): a viewer would offer it as a link.
            ':' if s[i + 1..].starts_with("//") => out.push_str("\\:"),
            '.' if out.ends_with("www") => out.push_str("\\."),
            '-' | '+' | '#' if line_start => {
                out.push('\\');
                out.push(c);
            }
            '.' if digits => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        digits = c.is_ascii_digit() && (line_start || digits);
        line_start = c == ' ' && line_start;
    }
    out
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

/// The style of every page: light and dark, print-friendly tables.
pub(crate) const CSS: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}\
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #d5d9e0;padding-bottom:.2rem}\
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #d5d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right}th{background:#f2f4f7}code{font-size:.85em;word-break:break-all}\
.ok{color:#176b2c;font-weight:600}.bad{color:#a11;font-weight:600}.muted{color:#5b6472}\
figure{margin:1rem 0}svg text{font:12px system-ui,sans-serif}svg .axis{stroke:#9aa3b2}\
.belief{border:1px solid #d5d9e0;border-radius:6px;padding:.4rem .8rem;margin:.6rem 0;break-inside:avoid}\
.belief h3{font-size:1rem;margin:.2rem 0}ul.tight{margin:.2rem 0;padding-left:1.2rem}\
@media (prefers-color-scheme:dark){body{background:#14171c;color:#e4e7ec}th{background:#232831}th,td,.belief{border-color:#3a404b}.muted{color:#9aa3b2}svg text{fill:#e4e7ec}}";

/// Opens a self-contained HTML page: a content security policy that allows no script and no
/// remote content, the inline style, and the title. Close it with [`page_end`].
pub(crate) fn page_start(title: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{CSS}</style></head><body>\n",
        esc(title)
    )
}

/// Closes a page opened with [`page_start`].
pub(crate) fn page_end() -> &'static str {
    "</body></html>\n"
}

/// The colours of the series in charts, in order (they repeat after the last).
pub(crate) const PALETTE: &[&str] = &[
    "#3b6fd8", "#d8843b", "#2f9e6e", "#a24bd1", "#d14b6f", "#1aa3b8", "#8a7a0d", "#6b7a8f",
];

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

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            esc("<b a=\"x\">'&'</b>"),
            "&lt;b a=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;"
        );
        assert_eq!(md("a|b\n<i>`c`</i>"), "a\\|b &lt;i&gt;'c'&lt;/i&gt;");
    }

    #[test]
    fn markdown_links_images_and_emphasis_stay_text() {
        let vendor = "Acme ![x](https://evil.example/p.png) [Renew](https://evil.example/phish)";
        assert_eq!(
            md(vendor),
            "Acme \\!\\[x\\]\\(https\\://evil.example/p.png\\) \\[Renew\\]\\(https\\://evil.example/phish\\)"
        );
        assert_eq!(
            md("*bold* _it_ ~~x~~ a\\b"),
            "\\*bold\\* \\_it\\_ \\~\\~x\\~\\~ a\\\\b"
        );
        assert_eq!(md("# title"), "\\# title");
        assert_eq!(md("- item"), "\\- item");
        assert_eq!(md("1. first"), "1\\. first");
        assert_eq!(
            md("communication-style 2026-12-04"),
            "communication-style 2026-12-04"
        );
    }

    #[test]
    fn the_page_allows_no_script() {
        let p = page_start("<x>");
        assert!(p.contains("default-src 'none'") && p.contains("<title>&lt;x&gt;</title>"));
        assert!(!p.contains("<script"));
    }
}
