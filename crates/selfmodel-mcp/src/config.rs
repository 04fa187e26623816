//! What the MCP server asks for, where it keeps its state, and who the MCP client says it is.

use std::path::PathBuf;

use selfmodel_client::Operation;

/// Purposes asked for when none are given: adapting how the assistant talks, and tailoring
/// what it suggests (ids from the purpose catalogue, `selfmodel purposes`).
pub const DEFAULT_PURPOSES: &[&str] = &["communication", "personalisation"];

/// Belief types asked for when none are given: what helps an assistant answer well, and no
/// special category (`selfmodel types`). The person can narrow them when approving.
pub const DEFAULT_CATEGORIES: &[&str] = &[
    "communication-style",
    "expertise",
    "goals",
    "interests",
    "preferences",
];

/// Operations asked for when none are given: read, see the evidence, propose.
pub const DEFAULT_OPERATIONS: &[Operation] =
    &[Operation::Read, Operation::ReadEvidence, Operation::Propose];

/// How the MCP server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Purposes the grant request names; the first is the resource's purpose.
    pub purposes: Vec<String>,
    /// Belief types the grant request names.
    pub categories: Vec<String>,
    /// Operations the grant request names.
    pub operations: Vec<Operation>,
    /// How many days the grant should last (1 to 365).
    pub duration_days: u32,
    /// The state file; default: `<config dir>/selfmodel/mcp/<client>.json`.
    pub state_file: Option<PathBuf>,
    /// The server's discovery file; default: the one `selfmodel serve` and the app write.
    pub discovery_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            purposes: DEFAULT_PURPOSES.iter().map(|s| (*s).to_owned()).collect(),
            categories: DEFAULT_CATEGORIES.iter().map(|s| (*s).to_owned()).collect(),
            operations: DEFAULT_OPERATIONS.to_vec(),
            duration_days: 30,
            state_file: None,
            discovery_file: None,
        }
    }
}

/// Who the MCP client says it is (its `clientInfo`): self-asserted, never verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientIdentity {
    pub name: String,
    pub title: Option<String>,
    pub version: String,
}

impl ClientIdentity {
    /// A client that did not say who it is.
    pub fn unknown() -> Self {
        Self {
            name: "unknown-client".into(),
            title: None,
            version: "unknown".into(),
        }
    }

    /// A file- and id-safe form of the name: lowercase ASCII letters, digits, `.`, `_`, `-`.
    pub fn slug(&self) -> String {
        let mut out = String::new();
        for c in self.name.trim().chars() {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_') {
                out.push(c);
            } else if !out.ends_with('-') {
                out.push('-');
            }
        }
        let out: String = out.trim_matches(['-', '.']).chars().take(60).collect();
        if out.is_empty() {
            "unknown-client".into()
        } else {
            out
        }
    }

    /// The vendor id the grant is asked under: `mcp:<slug>`.
    pub fn vendor_id(&self) -> String {
        format!("mcp:{}", self.slug())
    }

    /// The vendor name shown to the person, marked as self-asserted.
    pub fn vendor_name(&self) -> String {
        let shown = plain(self.title.as_deref().unwrap_or(&self.name), 50);
        let version = plain(&self.version, 20);
        let shown = if shown.is_empty() {
            "Unknown MCP client".to_owned()
        } else {
            shown
        };
        format!("{shown} {version} (MCP client, self-asserted)")
    }

    /// How the assistant appears as the source of evidence it proposes.
    pub fn evidence_source(&self) -> String {
        format!(
            "{} via MCP",
            plain(self.title.as_deref().unwrap_or(&self.name), 60)
        )
    }

    /// The client's own words about itself, quoted for the justification.
    pub fn quoted(&self) -> String {
        format!(
            "\"{}\" version \"{}\"",
            plain(&self.name, 60),
            plain(&self.version, 20)
        )
    }
}

/// Text without control, format (bidi, zero-width) or line-separator characters, trimmed and cut
/// to `max` characters: what the server accepts as plain text.
fn plain(s: &str, max: usize) -> String {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    let hidden = |c: char| {
        matches!(
            get_general_category(c),
            G::Control | G::Format | G::LineSeparator | G::ParagraphSeparator
        )
    };
    s.chars()
        .filter(|&c| !hidden(c))
        .collect::<String>()
        .trim()
        .chars()
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> ClientIdentity {
        ClientIdentity {
            name: name.into(),
            title: None,
            version: "1.0".into(),
        }
    }

    #[test]
    fn slugs_are_safe_for_file_names_and_ids() {
        assert_eq!(id("claude-ai").slug(), "claude-ai");
        assert_eq!(id("Visual Studio Code").slug(), "visual-studio-code");
        assert_eq!(id("../../etc/passwd").slug(), "etc-passwd");
        assert_eq!(id("").slug(), "unknown-client");
        assert_eq!(id("  ").slug(), "unknown-client");
        assert_eq!(id(&"x".repeat(200)).slug().len(), 60);
        assert_eq!(id("Cursor").vendor_id(), "mcp:cursor");
    }

    #[test]
    fn names_say_they_are_self_asserted_and_hold_no_control_characters() {
        let who = ClientIdentity {
            name: "evil\nname".into(),
            title: Some("Cla\u{202e}ude\u{200b}\u{7}".into()),
            version: "0.9\t".into(),
        };
        let n = who.vendor_name();
        assert_eq!(n, "Claude 0.9 (MCP client, self-asserted)");
        assert!(n.chars().count() <= 100);
        assert!(!who.quoted().chars().any(char::is_control));
    }
}
