//! Cells that the report and the access package both show for a grant.

use super::{Text, code, text};
use crate::render::joined;

/// A grant's id, then its dates (`from → to`) and what says it was revoked, if it was, on lines
/// of their own.
pub(crate) fn grant_dates(id: &str, from: String, to: String, revoked: Option<String>) -> Text {
    let dates = code(id).br().plain(format!("{from} → {to}"));
    match revoked {
        Some(line) => dates.br().plain(line),
        None => dates,
    }
}

/// What a grant allows: its purposes, its types, then `rest`, one line each.
pub(crate) fn scope_lines<'a>(
    purposes: impl IntoIterator<Item = &'a String>,
    categories: impl IntoIterator<Item = &'a String>,
    rest: String,
) -> Text {
    Text::lines([
        text(format!("purposes {}", joined(purposes))),
        text(format!("types {}", joined(categories))),
        text(rest),
    ])
}
