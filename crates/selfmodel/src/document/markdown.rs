//! Writes a [`Document`] as Markdown. All text is escaped here, so that no markup, link, image,
//! HTML or table break in a belief or a vendor's name becomes one in the document.

use std::fmt::Write as _;

use super::{Block, Document, Span, Table, Text, Tone};

/// Escapes text for Markdown: no markup, no links or images, no cell breaks, one line, and no
/// hidden character (a control or format character a terminal or viewer would act on, or a tag
/// or variation selector out of place, is written as U+FFFD; the vault refuses them on entry, so
/// this guards only what older data holds). Inline
/// metacharacters are backslash-escaped wherever they are (parentheses and `!` are left alone:
/// with every bracket escaped, they cannot open a link or an image); those that only act at the start of a
/// line (`-`, `+`, `#`, `1.`) are escaped there, when the text opens a line (`line_start`).
fn escape(s: &str, line_start: bool) -> String {
    let s = &*selfmodel_core::text::shown(s);
    let mut out = String::with_capacity(s.len() + 8);
    let mut line_start = line_start;
    let mut digits = false;
    for (i, c) in s.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('\''),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '|' | '[' | ']' | '*' | '_' | '~' => {
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

/// Escapes text for a code span: one line, no closing backquote, no cell break, no HTML.
fn escape_code(s: &str) -> String {
    selfmodel_core::text::shown(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'")
        .replace('|', "\\|")
        .replace(['\n', '\r', '\t'], " ")
}

/// The document as Markdown (the page title is left out: the first heading says it).
pub(super) fn document(d: &Document) -> String {
    let mut o = String::new();
    for b in &d.blocks {
        block(&mut o, b);
    }
    o
}

fn block(o: &mut String, b: &Block) {
    match b {
        Block::Heading(level, t) => {
            let _ = writeln!(
                o,
                "{} {}\n",
                "#".repeat(usize::from(*level)),
                inline(t, false)
            );
        }
        Block::Para(Tone::Bad, t) => {
            let _ = writeln!(o, "**{}**\n", inline(t, false));
        }
        Block::Para(_, t) => {
            let _ = writeln!(o, "{}\n", inline(t, true));
        }
        Block::Table(t) => table(o, t),
        Block::List(items) => {
            for item in items {
                let _ = writeln!(o, "- {}", inline(item, true));
            }
            o.push('\n');
        }
        Block::Card(inner) => {
            for b in inner {
                block(o, b);
            }
        }
        Block::Chart(c) => {
            let (caption, t) = c.table();
            block(o, &Block::Para(Tone::Plain, caption));
            table(o, &t);
        }
    }
}

fn table(o: &mut String, t: &Table) {
    o.push('|');
    for (name, _) in &t.head {
        let _ = write!(o, " {} |", escape(name, false));
    }
    o.push_str("\n|");
    for (_, numeric) in &t.head {
        o.push_str(if *numeric { "---:|" } else { "---|" });
    }
    o.push('\n');
    for row in &t.rows {
        o.push('|');
        for cell in row {
            let _ = write!(o, " {} |", inline(cell, false));
        }
        o.push('\n');
    }
    o.push('\n');
}

/// Inline text; `line_start` when it opens a line, where line-start markup must be escaped too.
fn inline(t: &Text, line_start: bool) -> String {
    let mut o = String::new();
    for (i, span) in t.0.iter().enumerate() {
        let at_start = line_start && i == 0;
        match span {
            Span::Plain(s) => o.push_str(&escape(s, at_start)),
            Span::Code(s) => {
                let _ = write!(o, "`{}`", escape_code(s));
            }
            Span::Strong(s) => {
                let _ = write!(o, "**{}**", escape(s, false));
            }
            Span::Break => o.push_str("<br>"),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(s: &str) -> String {
        escape(s, true)
    }

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(md("a|b\n<i>`c`</i>"), "a\\|b &lt;i&gt;'c'&lt;/i&gt;");
        assert_eq!(escape_code("a`b|c\n<i>"), "a'b\\|c &lt;i&gt;");
    }

    #[test]
    fn no_control_or_format_character_reaches_the_page() {
        let hostile = "by Acme\u{202E}\u{8}\u{8}you\u{1b}c\u{1b}(0\u{9b}\u{200B}\tend";
        for out in [md(hostile), escape_code(hostile)] {
            assert!(!out.chars().any(selfmodel_core::text::is_hidden), "{out:?}");
            assert!(
                out.starts_with("by Acme\u{FFFD}") && out.ends_with(" end"),
                "{out:?}"
            );
        }
        // Text hidden in tags or variation selectors, which older data may hold, is shown.
        let tagged =
            "Vegan\u{1F3F4}\u{E0069}\u{E0067}\u{E006E}\u{E007F} x\u{FE0F}\u{FE0F}\u{E0041}";
        for out in [md(tagged), escape_code(tagged)] {
            assert_eq!(
                out,
                "Vegan\u{1F3F4}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD} x\u{FE0F}\u{FFFD}\u{FFFD}"
            );
        }
        // Writing marks and flags are text.
        assert_eq!(
            md("می‌خواهم 🏴\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F}"),
            "می‌خواهم 🏴\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F}"
        );
    }

    #[test]
    fn markdown_links_images_and_emphasis_stay_text() {
        let vendor = "Acme ![x](https://evil.example/p.png) [Renew](https://evil.example/phish)";
        assert_eq!(
            md(vendor),
            "Acme !\\[x\\](https\\://evil.example/p.png) \\[Renew\\](https\\://evil.example/phish)"
        );
        assert_eq!(
            md("*bold* _it_ ~~x~~ a\\b"),
            "\\*bold\\* \\_it\\_ \\~\\~x\\~\\~ a\\\\b"
        );
        assert_eq!(md("# title"), "\\# title");
        assert_eq!(md("- item"), "\\- item");
        assert_eq!(md("1. first"), "1\\. first");
        assert_eq!(escape("0.6", false), "0.6");
        assert_eq!(
            md("communication-style 2026-12-04"),
            "communication-style 2026-12-04"
        );
    }
}
