//! The documents Selfmodel writes for people — the transparency report, the data-subject packages
//! and the readable export — as one small typed model: headings, paragraphs, tables, lists,
//! belief cards and charts. Each document is built once; [`Document::to_html`] and
//! [`Document::to_markdown`] write any document, and each escapes every piece of text in one
//! place, so the two formats hold the same content and no text becomes markup.

mod cells;
mod chart;
mod html;
mod markdown;

pub(crate) use cells::{grant_dates, scope_lines};
pub(crate) use chart::{Bars, Chart, Stacked};

/// A piece of inline text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Span {
    /// Plain text.
    Plain(String),
    /// An identifier, hash or command, set as code.
    Code(String),
    /// Emphasised text.
    Strong(String),
    /// A line break (within a table cell above all).
    Break,
}

/// A run of inline text.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Text(pub(crate) Vec<Span>);

/// Plain text from anything displayable.
pub(crate) fn text(s: impl ToString) -> Text {
    Text(vec![Span::Plain(s.to_string())])
}

/// Text set as code.
pub(crate) fn code(s: impl ToString) -> Text {
    Text(vec![Span::Code(s.to_string())])
}

/// Emphasised text.
pub(crate) fn strong(s: impl ToString) -> Text {
    Text(vec![Span::Strong(s.to_string())])
}

impl Text {
    /// Text where `backquoted` words are set as code.
    pub(crate) fn with_code(s: &str) -> Self {
        let spans = s
            .split('`')
            .enumerate()
            .filter(|(_, part)| !part.is_empty());
        Self(
            spans
                .map(|(i, part)| {
                    if i % 2 == 1 {
                        Span::Code(part.into())
                    } else {
                        Span::Plain(part.into())
                    }
                })
                .collect(),
        )
    }

    /// This text followed by `more`.
    pub(crate) fn then(mut self, more: Text) -> Self {
        self.0.extend(more.0);
        self
    }

    /// This text followed by plain text.
    pub(crate) fn plain(self, s: impl ToString) -> Self {
        self.then(text(s))
    }

    /// This text followed by code.
    pub(crate) fn code(self, s: impl ToString) -> Self {
        self.then(code(s))
    }

    /// This text followed by a line break.
    pub(crate) fn br(mut self) -> Self {
        self.0.push(Span::Break);
        self
    }

    /// Texts joined by line breaks.
    pub(crate) fn lines(items: impl IntoIterator<Item = Text>) -> Self {
        let mut out = Self::default();
        for (i, t) in items.into_iter().enumerate() {
            if i > 0 {
                out = out.br();
            }
            out = out.then(t);
        }
        out
    }
}

/// How a paragraph reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Ordinary text.
    Plain,
    /// An aside.
    Muted,
    /// A check that passed.
    Ok,
    /// A check that failed, or something the reader must see.
    Bad,
}

/// A table: its columns and its rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// Column names, each with whether it holds numbers (set right-aligned).
    pub(crate) head: Vec<(String, bool)>,
    /// The rows, one cell per column.
    pub(crate) rows: Vec<Vec<Text>>,
}

impl Table {
    /// A table with these columns; a name starting with `#` is a number column (the `#` is
    /// dropped).
    pub(crate) fn new(head: &[&str]) -> Self {
        let head = head
            .iter()
            .map(|h| match h.strip_prefix('#') {
                Some(name) => (name.to_owned(), true),
                None => ((*h).to_owned(), false),
            })
            .collect();
        Self {
            head,
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub(crate) fn row(&mut self, cells: Vec<Text>) {
        debug_assert_eq!(cells.len(), self.head.len(), "one cell per column");
        self.rows.push(cells);
    }
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// A heading, level 1 to 4.
    Heading(u8, Text),
    /// A paragraph.
    Para(Tone, Text),
    /// A table.
    Table(Table),
    /// A bulleted list.
    List(Vec<Text>),
    /// One belief: a heading and what is known of it, set apart from what surrounds it.
    Card(Vec<Block>),
    /// A chart: a picture in HTML, its numbers as a table in Markdown.
    Chart(Chart),
}

/// A whole document: the page title and its blocks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Document {
    /// The title of the HTML page.
    pub(crate) title: String,
    /// The content, in order.
    pub(crate) blocks: Vec<Block>,
}

impl Document {
    /// An empty document with this page title.
    pub(crate) fn new(title: &str) -> Self {
        Self {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    /// Adds a block.
    pub(crate) fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }

    /// Adds a heading.
    pub(crate) fn heading(&mut self, level: u8, t: Text) {
        self.push(Block::Heading(level, t));
    }

    /// Adds a plain paragraph.
    pub(crate) fn para(&mut self, t: Text) {
        self.push(Block::Para(Tone::Plain, t));
    }

    /// Adds a paragraph in the given tone.
    pub(crate) fn note(&mut self, tone: Tone, t: Text) {
        self.push(Block::Para(tone, t));
    }

    /// Adds a table with these columns (named as for [`Table::new`]) and rows.
    pub(crate) fn table(&mut self, head: &[&str], rows: impl IntoIterator<Item = Vec<Text>>) {
        let mut t = Table::new(head);
        for cells in rows {
            t.row(cells);
        }
        self.push(Block::Table(t));
    }

    /// The document as one self-contained HTML page.
    pub(crate) fn to_html(&self) -> String {
        html::page(self)
    }

    /// The document as Markdown.
    pub(crate) fn to_markdown(&self) -> String {
        markdown::document(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "<script>alert(1)</script> | *bold* [x](y)\n# next";

    fn hostile() -> Document {
        let mut d = Document::new(HOSTILE);
        d.heading(2, text(HOSTILE));
        let mut t = Table::new(&["Name", "#Count"]);
        t.row(vec![text(HOSTILE), code(HOSTILE)]);
        d.push(Block::Table(t));
        d.push(Block::List(vec![text(HOSTILE), strong(HOSTILE)]));
        d
    }

    #[test]
    fn html_leaves_no_markup_from_text() {
        let page = hostile().to_html();
        assert!(!page.contains("<script>") && !page.contains("</script>"));
        assert!(page.contains(
            "<title>&lt;script&gt;alert(1)&lt;/script&gt; | *bold* [x](y)\n# next</title>"
        ));
        assert_eq!(page.matches("&lt;script&gt;").count(), 6, "{page}");
        assert!(page.contains("<li><strong>&lt;script&gt;"));
        assert!(page.contains("<td class=n><code>&lt;script&gt;"));
    }

    #[test]
    fn markdown_leaves_no_markup_from_text() {
        let md = hostile().to_markdown();
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*bold\\* \\[x\\](y) # next";
        assert!(md.contains(&format!("## {escaped}\n")), "{md}");
        assert!(
            md.contains(&format!(
                "| {escaped} | `&lt;script&gt;alert(1)&lt;/script&gt; \\| *bold* [x](y) # next` |"
            )),
            "{md}"
        );
        assert!(
            md.contains(&format!("- {escaped}\n- **{escaped}**\n")),
            "{md}"
        );
        assert!(!md.contains("<script"));
        // Every row of the table has its two cells and no more.
        for line in md.lines().filter(|l| l.starts_with('|')) {
            assert_eq!(line.replace("\\|", "").matches('|').count(), 3, "{line}");
        }
    }

    #[test]
    fn backquoted_words_become_code() {
        assert_eq!(
            Text::with_code("run `selfmodel report` now"),
            text("run ").code("selfmodel report").plain(" now")
        );
    }
}
