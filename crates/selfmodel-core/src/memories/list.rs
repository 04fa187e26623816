//! The list format: how ChatGPT, Claude and Gemini let people copy their saved memories, and
//! how a me.md file is written. One memory per line or Markdown list item; bullets (`-`, `*`,
//! `+`, `•`), numbering (`1.`, `1)`), task boxes and quote marks are trimmed; blank lines,
//! headings, rules, YAML front matter, code fences with their contents, HTML comments and short
//! labels ending in a colon ("Saved memories:") are skipped.

use super::{RawMemory, sha256_hex};

/// A label ending in a colon is skipped only when it is at most this many characters long.
const MAX_LABEL_CHARS: usize = 60;

/// The memories in a list. `file` names the file they came from, if any. Each memory's hash is
/// that of its whole original line, without the line break.
pub fn parse(text: &str, file: Option<&str>) -> Vec<RawMemory> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    // YAML front matter: a `---` first line up to the next `---` or `...`.
    if lines.peek().is_some_and(|(_, l)| l.trim_end() == "---") {
        let closes = text
            .lines()
            .skip(1)
            .any(|l| matches!(l.trim_end(), "---" | "..."));
        if closes {
            lines.next();
            for (_, l) in lines.by_ref() {
                if matches!(l.trim_end(), "---" | "...") {
                    break;
                }
            }
        }
    }
    let mut in_fence = false;
    for (i, line) in lines {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || skipped(trimmed) {
            continue;
        }
        let memory = unbullet(trimmed).replace('\t', " ");
        let memory = memory.trim();
        if memory.is_empty() || is_label(memory) {
            continue;
        }
        out.push(RawMemory {
            line: i + 1,
            file: file.map(str::to_owned),
            text: memory.to_owned(),
            sha256: sha256_hex(line.as_bytes()),
            observed_at: None,
        });
    }
    out
}

/// Blank lines, headings, horizontal rules and one-line HTML comments.
fn skipped(line: &str) -> bool {
    if line.is_empty() {
        return true;
    }
    let heading = line.trim_start_matches('#');
    if heading.len() < line.len() && (heading.is_empty() || heading.starts_with(' ')) {
        return true;
    }
    let rule = |c: char| line.chars().all(|x| x == c || x == ' ') && line.matches(c).count() >= 3;
    if rule('-') || rule('*') || rule('_') || rule('=') {
        return true;
    }
    line.starts_with("<!--") && line.ends_with("-->")
}

/// A short label such as "Saved memories:" or "Here is what I remember about you:".
fn is_label(s: &str) -> bool {
    s.ends_with(':') && s.chars().count() <= MAX_LABEL_CHARS
}

/// `s` without its quote marks, bullet or number, and task box.
fn unbullet(s: &str) -> &str {
    let mut s = s;
    while let Some(rest) = s.strip_prefix('>') {
        s = rest.trim_start();
    }
    for bullet in ['-', '*', '+', '•', '·', '‣', '◦', '–', '—'] {
        if let Some(rest) = s.strip_prefix(bullet)
            && (rest.is_empty() || rest.starts_with(char::is_whitespace))
        {
            s = rest.trim_start();
            break;
        }
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=4).contains(&digits)
        && let Some(rest) = s[digits..]
            .strip_prefix('.')
            .or_else(|| s[digits..].strip_prefix(')'))
        && (rest.is_empty() || rest.starts_with(char::is_whitespace))
    {
        s = rest.trim_start();
    }
    for task in ["[ ]", "[x]", "[X]"] {
        if let Some(rest) = s.strip_prefix(task) {
            s = rest.trim_start();
            break;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        parse(s, None).into_iter().map(|m| m.text).collect()
    }

    #[test]
    fn bullets_numbers_and_plain_lines_are_memories() {
        let list = "Saved memories:\n\
                    - Prefers concise answers\n\
                    * Is learning Rust\n\
                    + Has a dog named Pixel\n\
                    • Lives in Lyon\n\
                    1. Works as a nurse\n\
                    12) Wants to run a marathon\n\
                    - [x] Likes dark mode\n\
                    > Quoted memory\n\
                    Plain line memory\n";
        assert_eq!(
            texts(list),
            [
                "Prefers concise answers",
                "Is learning Rust",
                "Has a dog named Pixel",
                "Lives in Lyon",
                "Works as a nurse",
                "Wants to run a marathon",
                "Likes dark mode",
                "Quoted memory",
                "Plain line memory",
            ]
        );
    }

    #[test]
    fn headings_rules_front_matter_fences_and_blanks_are_skipped() {
        let md = "---\ntitle: me\nupdated: 2026-01-01\n---\n# Me\n\n## Work\n\n---\n\
                  ```\ncode - not a memory\n```\n<!-- note -->\n\
                  I drink my coffee black.\n   \n\t\n#hashtag is text\n";
        assert_eq!(texts(md), ["I drink my coffee black.", "#hashtag is text"]);
    }

    #[test]
    fn lines_are_numbered_and_hashed_as_they_were() {
        let m = parse("\u{FEFF}# Memories\r\n\r\n- Likes tea\r\n", Some("me.md"));
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].line, 3);
        assert_eq!(m[0].file.as_deref(), Some("me.md"));
        assert_eq!(m[0].sha256, sha256_hex(b"- Likes tea"));
        // The same memory with another bullet is another line.
        assert_ne!(parse("* Likes tea", None)[0].sha256, m[0].sha256);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        assert!(texts("").is_empty());
        assert!(texts("---").is_empty());
        assert_eq!(
            texts("---\nunclosed front matter"),
            ["unclosed front matter"]
        );
        assert!(texts("-\n*\n1.\n- [ ]").is_empty());
        assert_eq!(texts("1999 was a good year"), ["1999 was a good year"]);
        assert_eq!(
            texts("-5 degrees is cold for her"),
            ["-5 degrees is cold for her"]
        );
        assert_eq!(texts("Tab\tinside"), ["Tab inside"]);
        let long_label = format!("{}:", "x".repeat(MAX_LABEL_CHARS + 1));
        assert_eq!(texts(&long_label).len(), 1);
        for s in ["\u{0}\u{1}", "ééé\n\u{202E}", "#", "```", "> > - 3. [x]"] {
            let _ = parse(s, None);
        }
    }
}
