//! Memories from other assistants, before they become proposals: where they come from, the list
//! format people copy their saved memories in ([`list`]), the screening every line passes
//! ([`screen`]) and the deterministic classifier that suggests a belief type ([`classify()`]).
//! Reading files and writing proposals are the use-case layer's (`selfmodel::memories`).

pub mod classify;
pub mod list;

use sha2::{Digest, Sha256};

use crate::sensitive::{self, SensitiveKind};
use crate::text::{self, Lines};
use crate::validate::MAX_STATEMENT_CHARS;

pub use classify::classify;

/// The confidence an imported memory is proposed with: the other assistant's saved memories
/// carry none, so it is an even guess until the person says otherwise.
pub const IMPORT_CONFIDENCE: f64 = 0.5;
/// Largest input accepted: a file, standard input, or the `.md` files of a me.md directory
/// together.
pub const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;
/// Most memories one import may hold; a larger input is refused before anything is written.
pub const MAX_ITEMS: usize = 10_000;

/// The system memories come from. The list sources share one format and differ only in what
/// the provenance records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemorySource {
    /// ChatGPT's saved memories, copied as a list.
    Chatgpt,
    /// Claude's memory, copied as a list.
    Claude,
    /// Gemini's saved info, copied as a list.
    Gemini,
    /// mem0's JSON export (`get_all`).
    Mem0,
    /// A me.md directory (`me.md`, `topics/`).
    MeMd,
    /// Any other list, one memory per line.
    Text,
}

str_enum!(MemorySource, "from" {
    Chatgpt => "chatgpt",
    Claude => "claude",
    Gemini => "gemini",
    Mem0 => "mem0",
    MeMd => "me-md",
    Text => "text",
});

impl MemorySource {
    /// What an evidence record calls it.
    pub fn display_name(&self) -> &'static str {
        match self {
            Self::Chatgpt => "ChatGPT saved memories",
            Self::Claude => "Claude memory",
            Self::Gemini => "Gemini saved info",
            Self::Mem0 => "mem0 export",
            Self::MeMd => "me.md directory",
            Self::Text => "pasted list",
        }
    }

    /// The provenance method of a proposal from this source, e.g. `import-memories:chatgpt`.
    pub fn method(&self) -> String {
        format!("{METHOD_PREFIX}{}", self.as_str())
    }
}

/// The prefix of every imported memory's provenance method.
pub const METHOD_PREFIX: &str = "import-memories:";

/// One memory as read from its source, before screening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMemory {
    /// Where it was: a 1-based line number (a list) or position (a JSON array).
    pub line: usize,
    /// The file it came from, relative to the imported directory (me.md only).
    pub file: Option<String>,
    /// The memory's text, bullets and numbering trimmed.
    pub text: String,
    /// Hex SHA-256 of the original line (or mem0 `memory` string), as it was in the source.
    pub sha256: String,
    /// When the source says it was made (mem0's `created_at`), if it says.
    pub observed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Why a memory is not proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// It carries a secret or an identifier (the minimisation boundary).
    Sensitive(SensitiveKind),
    /// It holds an invisible or control character.
    HiddenCharacter,
    /// It is longer than a statement may be.
    TooLong,
    /// It breaks another rule of beliefs.
    Invalid,
}

impl Refusal {
    /// A stable code: the sensitive kind's code (`email`, `phone`, `payment_card`, …),
    /// `hidden_character`, `too_long` or `invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Sensitive(k) => k.code(),
            Self::HiddenCharacter => "hidden_character",
            Self::TooLong => "too_long",
            Self::Invalid => "invalid",
        }
    }
}

/// Screens a memory's text as a statement: at most [`MAX_STATEMENT_CHARS`] characters, plain
/// text ([`text::check`]) and free of secrets and identifiers ([`sensitive::find`]). Returns the
/// refusal and its reason in words; the reason never repeats the text.
pub fn screen(statement: &str) -> Result<(), (Refusal, String)> {
    let n = statement.chars().count();
    if n > MAX_STATEMENT_CHARS {
        return Err((
            Refusal::TooLong,
            format!("is {n} characters long; a statement holds at most {MAX_STATEMENT_CHARS}"),
        ));
    }
    if let Err(e) = text::check("statement", statement, Lines::One, MAX_STATEMENT_CHARS) {
        return Err((Refusal::HiddenCharacter, e.to_string()));
    }
    if let Some(kind) = sensitive::find(statement) {
        return Err((
            Refusal::Sensitive(kind),
            format!(
                "contains what looks like {}; a self-model keeps no such data",
                kind.describe()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_round_trip() {
        for s in MemorySource::ALL {
            assert_eq!(s.as_str().parse::<MemorySource>(), Ok(*s));
            assert!(s.method().starts_with(METHOD_PREFIX));
        }
        let e = "bard".parse::<MemorySource>().unwrap_err().to_string();
        assert!(
            e.contains("chatgpt, claude, gemini, mem0, me-md, text"),
            "{e}"
        );
    }

    #[test]
    fn screening_names_the_kind_never_the_text() {
        assert_eq!(screen("Prefers concise answers"), Ok(()));
        for (line, code) in [
            ("Email is jo.doe@example.org", "email"),
            ("Phone number is +44 20 7946 0958", "phone"),
            ("Card 4111 1111 1111 1111 for subscriptions", "payment_card"),
            ("OpenAI key sk-proj-abcdefghijklmnopqrstuvwx1234", "api_key"),
            ("Likes \u{202E}reversed text", "hidden_character"),
            ("bell\u{7}", "hidden_character"),
        ] {
            let (refusal, reason) = screen(line).unwrap_err();
            assert_eq!(refusal.code(), code, "{line}");
            assert!(!reason.contains("example.org") && !reason.contains("4111"));
        }
        let long = "a".repeat(MAX_STATEMENT_CHARS + 1);
        assert_eq!(screen(&long).unwrap_err().0, Refusal::TooLong);
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
