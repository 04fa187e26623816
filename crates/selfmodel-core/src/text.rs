//! Plain text: the one rule every human text obeys before it enters the vault, the fingerprint
//! under which look-alike texts are the same, and the escaping that keeps stored text inert on a
//! terminal.
//!
//! Hidden characters are those a reader cannot see but a terminal or a renderer acts on: control
//! characters (Unicode category Cc: escapes, bells, carriage returns), format characters (Cf:
//! bidi overrides and isolates, zero-width spaces, the byte-order mark) and the line and
//! paragraph separators (Zl, Zp). The zero-width joiner and non-joiner are the exception: they
//! are part of emoji sequences and of Persian and Indic writing, so text may hold them; the
//! fingerprint ignores them.

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;

use crate::error::{CoreError, Result};

/// Which whitespace controls a field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// One line: no tab, no newline (names, ids, statements, evidence).
    One,
    /// Free text: tabs and newlines allowed (descriptions, justifications, reasons).
    Many,
}

/// Zero-width non-joiner and joiner: format characters that writing systems and emoji need.
const JOINERS: [char; 2] = ['\u{200C}', '\u{200D}'];

/// Whether a reader cannot see `c` although a terminal or renderer acts on it.
pub fn is_hidden(c: char) -> bool {
    use GeneralCategory::{Control, Format, LineSeparator, ParagraphSeparator};
    match get_general_category(c) {
        Control | LineSeparator | ParagraphSeparator => true,
        Format => !JOINERS.contains(&c),
        _ => false,
    }
}

/// Checks that `s` is plain text for `field`: no hidden character (tab and newline only in
/// [`Lines::Many`] fields), and at most `max` characters. The error names the first offending
/// character by its code point, never by the character itself.
pub fn check(field: &str, s: &str, lines: Lines, max: usize) -> Result<()> {
    let allowed = |c: char| lines == Lines::Many && (c == '\n' || c == '\t');
    if let Some(c) = s.chars().find(|&c| is_hidden(c) && !allowed(c)) {
        let what = if lines == Lines::One && (c == '\n' || c == '\r') {
            "must be one line".to_owned()
        } else {
            format!(
                "contains the invisible or control character U+{:04X}; use plain text",
                u32::from(c)
            )
        };
        return Err(CoreError::invalid(field, what));
    }
    let n = s.chars().count();
    if n > max {
        return Err(CoreError::invalid(
            field,
            format!("is {n} characters long; the limit is {max}"),
        ));
    }
    Ok(())
}

/// Checks that `s` is non-empty (after trimming) plain text for `field`.
pub fn required(field: &str, s: &str, lines: Lines, max: usize) -> Result<()> {
    if s.trim().is_empty() {
        return Err(CoreError::invalid(field, "must not be empty"));
    }
    check(field, s, lines, max)
}

/// The form under which two texts a person would read as the same are equal: compatibility
/// normalised (NFKC), lower-cased, reduced to the UTS #39 confusable skeleton (so Cyrillic `е`
/// and Latin `e` agree and zero-width characters vanish), then split into words with their
/// surrounding punctuation dropped.
pub fn fingerprint(s: &str) -> String {
    let folded: String = s.nfkc().collect::<String>().to_lowercase();
    let skeleton: String = unicode_security::skeleton(&folded).collect();
    skeleton
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` with every hidden character but newline and tab written as `\u{…}`, so that text from a
/// vendor or a file cannot move the cursor, recolour, retitle or reorder a terminal.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    escape(s, |c| c != '\n' && c != '\t' && is_hidden(c))
}

/// `s` on one line for a terminal: like [`for_terminal`], newlines and tabs escaped too.
pub fn one_line(s: &str) -> Cow<'_, str> {
    escape(s, is_hidden)
}

fn escape(s: &str, hide: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&hide) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hide(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_refused_and_named() {
        for bad in [
            "a\u{1b}[2Jb",
            "bell\u{7}",
            "Likes \u{202E}emoji\u{202C} a lot",
            "bul\u{200B}let",
            "\u{FEFF}bom",
            "a\u{2028}b",
            "cr\r",
        ] {
            let e = check("f", bad, Lines::Many, 100).unwrap_err().to_string();
            assert!(e.contains("U+"), "{bad:?}: {e}");
            assert!(!e.chars().any(is_hidden), "the error is plain: {e:?}");
        }
        assert!(check("f", "two\nlines", Lines::One, 100).is_err());
        assert!(check("f", "tab\there", Lines::One, 100).is_err());
        assert!(check("f", "two\nlines\tand tab", Lines::Many, 100).is_ok());
    }

    #[test]
    fn ordinary_writing_passes() {
        for good in [
            "Prefers short answers",
            "Mag Käse, 🇩🇪 und Ümlaute",
            "می‌خواهم", // Persian with a zero-width non-joiner
            "👨‍👩‍👧 family emoji with joiners",
            "日本語のテキスト",
            "עברית ومرحبا",
        ] {
            assert!(check("f", good, Lines::One, 100).is_ok(), "{good}");
        }
        assert!(check("f", "ab", Lines::One, 1).is_err(), "length");
        assert!(required("f", "  ", Lines::One, 10).is_err());
    }

    #[test]
    fn look_alikes_share_a_fingerprint() {
        let base = fingerprint("Likes bullet points");
        for twin in [
            "likes BULLET points.",
            "Likes bull\u{435}t points",   // Cyrillic е
            "Likes bul\u{200B}let points", // zero-width space
            "Ｌｉｋｅｓ bullet points",    // full width
            "Likes  bullet\u{a0}points!",  // no-break space
            "Likes bul\u{200D}let points", // joiner
        ] {
            assert_eq!(fingerprint(twin), base, "{twin}");
        }
        assert_ne!(fingerprint("Likes bullet lists"), base);
        assert_ne!(fingerprint("Dislikes bullet points"), base);
    }

    #[test]
    fn terminal_output_is_inert() {
        let s = "ok\u{1b}]0;owned\u{7}\u{202E}x\ny";
        let t = for_terminal(s);
        assert_eq!(t, "ok\\u{1b}]0;owned\\u{7}\\u{202e}x\ny");
        assert_eq!(one_line("a\nb"), "a\\u{a}b");
        assert!(matches!(for_terminal("plain"), Cow::Borrowed(_)));
    }
}
