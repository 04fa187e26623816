//! Writes a [`Document`] as one self-contained HTML page: inline CSS and SVG, no scripts, nothing
//! loaded from elsewhere (its content security policy forbids it too). All text is escaped here.

use std::fmt::Write as _;

use super::{Block, Document, Span, Table, Text, Tone};

/// HTML-escapes text (element content and attribute values alike). A hidden character (a
/// bidi override, a control, a tag or variation selector out of place) is shown as U+FFFD, as
/// in Markdown: the vault refuses them on entry, so this guards only what older data holds.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in selfmodel_core::text::shown(s).chars() {
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

/// The style of every page: light and dark, print-friendly tables.
const CSS: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}\
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #d5d9e0;padding-bottom:.2rem}\
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #d5d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right}th{background:#f2f4f7}code{font-size:.85em;word-break:break-all}\
.ok{color:#176b2c;font-weight:600}.bad{color:#a11;font-weight:600}.muted{color:#5b6472}\
figure{margin:1rem 0}svg text{font:12px system-ui,sans-serif}svg .axis{stroke:#9aa3b2}\
.belief{border:1px solid #d5d9e0;border-radius:6px;padding:.4rem .8rem;margin:.6rem 0;break-inside:avoid}\
.belief h4{font-size:1rem;margin:.2rem 0}.belief ul{margin:.2rem 0;padding-left:1.2rem}\
@media (prefers-color-scheme:dark){body{background:#14171c;color:#e4e7ec}th{background:#232831}th,td,.belief{border-color:#3a404b}.muted{color:#9aa3b2}svg text{fill:#e4e7ec}}";

/// The page: a content security policy that allows no script and no remote content, the inline
/// style, the title, then the blocks.
pub(super) fn page(d: &Document) -> String {
    let mut o = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{CSS}</style></head><body>\n",
        esc(&d.title)
    );
    blocks(&mut o, &d.blocks);
    o.push_str("</body></html>\n");
    o
}

fn blocks(o: &mut String, blocks: &[Block]) {
    for b in blocks {
        block(o, b);
    }
}

fn block(o: &mut String, b: &Block) {
    match b {
        Block::Heading(level, t) => {
            let _ = writeln!(o, "<h{level}>{}</h{level}>", inline(t));
        }
        Block::Para(tone, t) => {
            let class = match tone {
                Tone::Plain => "",
                Tone::Muted => " class=muted",
                Tone::Ok => " class=ok",
                Tone::Bad => " class=bad",
            };
            let _ = writeln!(o, "<p{class}>{}</p>", inline(t));
        }
        Block::Table(t) => table(o, t),
        Block::List(items) => {
            o.push_str("<ul>\n");
            for item in items {
                let _ = writeln!(o, "<li>{}</li>", inline(item));
            }
            o.push_str("</ul>\n");
        }
        Block::Card(inner) => {
            o.push_str("<div class=belief>\n");
            blocks(o, inner);
            o.push_str("</div>\n");
        }
        Block::Chart(c) => {
            let _ = writeln!(o, "{}", c.svg());
        }
    }
}

fn table(o: &mut String, t: &Table) {
    let class = |numeric: bool| if numeric { " class=n" } else { "" };
    o.push_str("<table><tr>");
    for (name, numeric) in &t.head {
        let _ = write!(o, "<th{}>{}</th>", class(*numeric), esc(name));
    }
    o.push_str("</tr>\n");
    for row in &t.rows {
        o.push_str("<tr>");
        for (cell, (_, numeric)) in row.iter().zip(&t.head) {
            let _ = write!(o, "<td{}>{}</td>", class(*numeric), inline(cell));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n");
}

fn inline(t: &Text) -> String {
    let mut o = String::new();
    for span in &t.0 {
        match span {
            Span::Plain(s) => o.push_str(&esc(s)),
            Span::Code(s) => {
                let _ = write!(o, "<code>{}</code>", esc(s));
            }
            Span::Strong(s) => {
                let _ = write!(o, "<strong>{}</strong>", esc(s));
            }
            Span::Break => o.push_str("<br>"),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            esc("<b a=\"x\">'&'</b>"),
            "&lt;b a=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;"
        );
        assert_eq!(
            esc("by Acme\u{202E}moc.\u{1b}[2J \u{E0041}\u{E0042}"),
            "by Acme\u{FFFD}moc.\u{FFFD}[2J \u{FFFD}\u{FFFD}"
        );
    }

    #[test]
    fn the_page_allows_no_script() {
        let p = Document::new("<x>").to_html();
        assert!(p.contains("default-src 'none'") && p.contains("<title>&lt;x&gt;</title>"));
        assert!(!p.contains("<script"));
    }
}
