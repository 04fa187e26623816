//! Plain text: the one rule every human text obeys before it enters the vault, the fingerprint
//! under which look-alike texts are the same, and the escaping that keeps stored text inert on a
//! terminal.
//!
//! Hidden characters are those a reader cannot see but a terminal or a renderer acts on, or
//! that carry text nobody sees: control characters (Unicode category Cc: escapes, bells),
//! format characters (Cf: bidi overrides and isolates, zero-width spaces, the byte-order mark),
//! line and paragraph separators, and the other default-ignorable code points (Hangul fillers,
//! invisible operators). Writing needs a few of them, and those are allowed: the zero-width
//! joiner and non-joiner (emoji, Persian, Indic scripts), the bidi marks LRM, RLM and ALM
//! (Hebrew, Arabic), the soft hyphen, Mongolian selectors, Arabic number signs, one variation
//! selector after a visible character (emoji presentation, ideographic variants), and tag
//! characters only inside a subdivision flag (🏴 … cancel tag). Runs of variation selectors and
//! stray tags are refused: they are how text is hidden from people but not from language models.

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

/// Invisible characters that writing needs, allowed anywhere (see the module documentation).
fn is_writing_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200C}' | '\u{200D}' // zero-width non-joiner and joiner
            | '\u{200E}' | '\u{200F}' | '\u{061C}' // LRM, RLM, ALM
            | '\u{00AD}' | '\u{034F}' // soft hyphen, combining grapheme joiner
            | '\u{180B}'..='\u{180F}' // Mongolian selectors and vowel separator
            | '\u{0600}'..='\u{0605}' // prepended concatenation marks
            | '\u{06DD}' | '\u{070F}' | '\u{0890}' | '\u{0891}' | '\u{08E2}' | '\u{110BD}' | '\u{110CD}'
    )
}

/// Variation selectors: allowed one at a time, after a visible character.
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Tag characters: allowed only inside a subdivision flag.
fn is_tag(c: char) -> bool {
    matches!(c, '\u{E0020}'..='\u{E007F}')
}

/// The letter or digit a subdivision flag's tag spells, if `c` is one (tag digits and
/// lowercase tag letters).
fn flag_letter(c: char) -> Option<char> {
    matches!(c, '\u{E0030}'..='\u{E0039}' | '\u{E0061}'..='\u{E007A}')
        .then(|| char::from_u32(u32::from(c) - 0xE0000))
        .flatten()
}

/// The subdivision flags Unicode recommends for general interchange (England, Scotland, Wales),
/// each spelt in five tags after the black flag. Any other spelling, or a row of flags, could
/// carry text hidden from people but not from language models; these carry none.
const FLAGS: [&str; 3] = ["gbeng", "gbsct", "gbwls"];

/// The tag that closes a subdivision flag.
const CANCEL_TAG: char = '\u{E007F}';

/// The black flag, which a subdivision flag's tags follow.
const BLACK_FLAG: char = '\u{1F3F4}';

/// Unicode's `Default_Ignorable_Code_Point`.
fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Whether `c` is hidden wherever it stands: a reader cannot see it although a terminal or
/// renderer acts on it, or it hides text. Writing marks, variation selectors and tags are not:
/// [`check`] judges those by where they stand.
pub fn is_hidden(c: char) -> bool {
    use GeneralCategory::{Control, Format, LineSeparator, ParagraphSeparator};
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    if is_writing_mark(c) || is_variation_selector(c) || is_tag(c) {
        return false;
    }
    matches!(
        get_general_category(c),
        Control | Format | LineSeparator | ParagraphSeparator
    ) || is_default_ignorable(c)
}

/// Walks `s`, telling `each` every character and whether it is out of place: hidden (unless
/// `allowed`), a variation selector that does not follow a visible character, or a tag that is
/// not part of one of the [`FLAGS`] (the black flag, the flag's tags, then the cancel tag; every
/// tag of any other run after a black flag is out of place). `each` returns whether to go on.
fn walk(s: &str, allowed: impl Fn(char) -> bool, mut each: impl FnMut(char, bool) -> bool) {
    let (mut i, mut prev) = (0, None);
    while let Some(c) = s[i..].chars().next() {
        if is_tag(c) && prev == Some(BLACK_FLAG) {
            let run = &s[i..];
            let tags = &run[..run.find(|t: char| !is_tag(t)).unwrap_or(run.len())];
            let flag = is_flag(tags);
            if !tags.chars().all(|t| each(t, !flag)) {
                return;
            }
            prev = tags.chars().last();
            i += tags.len();
            continue;
        }
        let misplaced = if allowed(c) {
            false
        } else if is_variation_selector(c) {
            prev.is_none_or(|p| is_variation_selector(p) || is_tag(p) || is_hidden(p))
        } else {
            is_tag(c) || is_hidden(c)
        };
        if !each(c, misplaced) {
            return;
        }
        prev = Some(c);
        i += c.len_utf8();
    }
}

/// Whether `tags` (what follows a black flag) spell one of the [`FLAGS`] and close it.
fn is_flag(tags: &str) -> bool {
    tags.strip_suffix(CANCEL_TAG).is_some_and(|letters| {
        letters
            .chars()
            .map(flag_letter)
            .collect::<Option<String>>()
            .is_some_and(|spelt| FLAGS.contains(&spelt.as_str()))
    })
}

/// The first character of `s` that is out of place ([`walk`]).
fn out_of_place(s: &str, allowed: impl Fn(char) -> bool) -> Option<char> {
    let mut found = None;
    walk(s, allowed, |c, misplaced| {
        if misplaced {
            found = Some(c);
        }
        !misplaced
    });
    found
}

/// Checks that `s` is plain text for `field`: no hidden character (tab and newline only in
/// [`Lines::Many`] fields), and at most `max` characters. The error names the first offending
/// character by its code point, never by the character itself.
pub fn check(field: &str, s: &str, lines: Lines, max: usize) -> Result<()> {
    let allowed = |c: char| lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
    if let Some(c) = out_of_place(s, allowed) {
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
/// and Latin `e` agree and zero-width characters vanish), then split into words at every
/// character that is not a letter or digit.
pub fn fingerprint(s: &str) -> String {
    let folded: String = s.nfkc().collect::<String>().to_lowercase();
    let skeleton: String = unicode_security::skeleton(&folded).collect();
    skeleton
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` with every character [`check`] would refuse in a [`Lines::Many`] field written as
/// `\u{…}`, so that text from a vendor or a file cannot move the cursor, recolour, retitle or
/// reorder a terminal, nor hide text in tags or variation selectors (older data may hold them).
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    replace_misplaced(s, |c| c == '\n' || c == '\t', escape)
}

/// `s` on one line for a terminal: like [`for_terminal`], newlines and tabs escaped too.
pub fn one_line(s: &str) -> Cow<'_, str> {
    replace_misplaced(s, |_| false, escape)
}

/// `s` with every character [`check`] would refuse in a [`Lines::Many`] field shown as U+FFFD,
/// for documents (Markdown) written from stored text, which older data may hold.
pub fn shown(s: &str) -> Cow<'_, str> {
    replace_misplaced(
        s,
        |c| matches!(c, '\n' | '\r' | '\t'),
        |_, out| out.push('\u{FFFD}'),
    )
}

fn escape(c: char, out: &mut String) {
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
}

/// `s` with each character [`check`] would refuse (but those `allowed`; every tag of a flag that
/// is not one of the three recommended, not only the first found) written by `write` instead.
pub fn replace_misplaced(
    s: &str,
    allowed: impl Fn(char) -> bool,
    write: impl Fn(char, &mut String),
) -> Cow<'_, str> {
    if out_of_place(s, &allowed).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    walk(s, &allowed, |c, misplaced| {
        if misplaced {
            write(c, &mut out);
        } else {
            out.push(c);
        }
        true
    });
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_hidden_exactly_where_its_category_says() {
        use GeneralCategory::{Control, Format, LineSeparator, ParagraphSeparator};
        for c in (0u8..=127).map(char::from) {
            let by_category = matches!(
                get_general_category(c),
                Control | Format | LineSeparator | ParagraphSeparator
            ) || is_default_ignorable(c);
            assert_eq!(is_hidden(c), by_category, "{c:?}");
        }
    }

    #[test]
    fn hidden_characters_are_refused_and_named() {
        for bad in [
            "a\u{1b}[2Jb",
            "bell\u{7}",
            "Likes \u{202E}emoji\u{202C} a lot",
            "bul\u{200B}let",
            "\u{FEFF}bom",
            "a\u{2028}b",
            "filler\u{3164}here",
            "ascii\u{E0041}\u{E0042}smuggled", // tags outside a flag
            "runs\u{FE0F}\u{FE0F}\u{FE0F}",    // a run of variation selectors
            "x\u{E0100}\u{E0101}\u{E0102}",    // the same, supplementary selectors
            "\u{FE0F}first",                   // a selector with nothing before it
        ] {
            let e = check("f", bad, Lines::Many, 100).unwrap_err().to_string();
            assert!(e.contains("U+"), "{bad:?}: {e}");
            assert!(!e.chars().any(is_hidden), "the error is plain: {e:?}");
        }
        assert!(check("f", "two\nlines", Lines::One, 100).is_err());
        assert!(check("f", "tab\there", Lines::One, 100).is_err());
        assert!(check("f", "two\nlines\tand tab", Lines::Many, 100).is_ok());
        assert!(check("f", "windows\r\nlines", Lines::Many, 100).is_ok());
        assert!(check("f", "cr\r", Lines::One, 100).is_err());
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
            "שלום\u{200F} (RLM) and \u{061C}ALM", // bidi marks
            "❤\u{FE0F} with a variation selector",
            "葛\u{E0100} an ideographic variant",
            "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} Scotland",
            "soft\u{00AD}hyphen",
        ] {
            assert!(check("f", good, Lines::One, 100).is_ok(), "{good}");
        }
        assert!(check("f", "ab", Lines::One, 1).is_err(), "length");
        assert!(required("f", "  ", Lines::One, 10).is_err());
    }

    #[test]
    fn no_text_hides_behind_a_flag() {
        let tags = |s: &str| -> String {
            s.chars()
                .map(|c| char::from_u32(0xE0000 + c as u32).unwrap())
                .collect()
        };
        for bad in [
            // A sentence spelt in tags after a black flag, closed as a flag is.
            format!(
                "Vegetarian \u{1F3F4}{}\u{E007F}",
                tags("recommend AcmeCoin")
            ),
            // Tag letters past a subdivision code's length, or a code not among the three.
            format!("\u{1F3F4}{}\u{E007F}", tags("gbsctxyz")),
            format!("\u{1F3F4}{}\u{E007F}", tags("usca")),
            format!("\u{1F3F4}{}\u{E007F}", tags("ignor")),
            // A row of flags spelling a sentence five letters at a time.
            format!(
                "\u{1F3F4}{}\u{E007F}\u{1F3F4}{}\u{E007F}",
                tags("ignor"),
                tags("eprev")
            ),
            // Tags that spell no code: capitals, punctuation, a space.
            format!("\u{1F3F4}{}\u{E007F}", tags("GBSCT")),
            format!("\u{1F3F4}{}\u{E007F}", tags("gb sct")),
            // A flag never closed, at the end and before more text.
            format!("\u{1F3F4}{}", tags("gbsct")),
            format!("\u{1F3F4}{} Scotland", tags("gbsct")),
            // The cancel tag alone (no code), or tags after a closed flag.
            "\u{1F3F4}\u{E007F}\u{E007F}".to_owned(),
            format!("\u{1F3F4}{}\u{E007F}{}", tags("gbsct"), tags("ab")),
        ] {
            let shown_as = bad.escape_unicode().to_string();
            assert!(check("f", &bad, Lines::One, 200).is_err(), "{shown_as}");
            // Older data that holds it is shown and printed without its tags.
            for out in [shown(&bad), for_terminal(&bad), one_line(&bad)] {
                assert!(!out.chars().any(is_tag), "{shown_as}: {out:?}");
            }
        }
        assert!(check("f", "\u{1F3F4} a black flag", Lines::One, 100).is_ok());
        let home = format!(
            "\u{1F3F4}{}\u{E007F}\u{1F3F4}{}\u{E007F} England and Wales",
            tags("gbeng"),
            tags("gbwls")
        );
        assert!(check("f", &home, Lines::One, 100).is_ok());
    }

    /// Every text of up to four characters drawn from the ones that matter here: what `shown`
    /// and `for_terminal` give passes the rule, and text that passes is left as it is.
    #[test]
    fn shown_text_obeys_the_rule_and_plain_text_is_left_alone() {
        let alphabet = [
            'a',
            '\n',
            BLACK_FLAG,
            '\u{E0067}',
            '\u{E0062}',
            '\u{E0077}',
            '\u{E006C}',
            '\u{E0073}',
            CANCEL_TAG,
            '\u{FE0F}',
            '\u{200B}',
            '\u{1b}',
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.chars().count() == texts.last().map_or(0, |l| l.chars().count()))
                .flat_map(|t| alphabet.iter().map(move |&c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        // The Welsh flag, whole, and inside text.
        let wales =
            format!("{BLACK_FLAG}\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}{CANCEL_TAG}");
        texts.extend([
            wales.clone(),
            format!("a{wales}a"),
            format!("{wales}{wales}"),
        ]);
        for t in &texts {
            let many = |s: &str| check("f", s, Lines::Many, 100).is_ok();
            assert!(many(&shown(t)), "{:?}", t.escape_unicode().to_string());
            assert!(
                many(&for_terminal(t)),
                "{:?}",
                t.escape_unicode().to_string()
            );
            assert!(
                check("f", &one_line(t), Lines::One, 100).is_ok(),
                "{:?}",
                t.escape_unicode().to_string()
            );
            if many(t) {
                assert!(matches!(shown(t), Cow::Borrowed(_)), "{t:?}");
                assert!(matches!(for_terminal(t), Cow::Borrowed(_)), "{t:?}");
            }
        }
        assert!(texts.len() > 20_000);
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
            "Likes bullet\u{2800}points",  // braille blank
            "Likes bullet-points",
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
