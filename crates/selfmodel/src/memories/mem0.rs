//! mem0's JSON export: what `get_all` returns, `{"results": [...]}` (the platform and newer
//! open-source versions), or the bare list older versions return. Each item is an object whose
//! `memory` is the text; `created_at` (RFC 3339), when present and readable, becomes the
//! evidence's time. Other fields (`id`, `user_id`, `metadata`, …) are not kept.

use chrono::{DateTime, Utc};
use selfmodel_core::memories::{RawMemory, sha256_hex};
use serde_json::Value;

use crate::{Error, Result};

/// The memories of a mem0 export; `what` names the input in errors.
pub(super) fn parse(text: &str, what: &str) -> Result<Vec<RawMemory>> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Error::MemoryInput(format!("{what} is not a mem0 JSON export: {e}")))?;
    let items = match &value {
        Value::Array(items) => items,
        Value::Object(o) => match o.get("results").or_else(|| o.get("memories")) {
            Some(Value::Array(items)) => items,
            _ => return Err(shape(what, "an object without a \"results\" list")),
        },
        _ => return Err(shape(what, "neither a list nor an object")),
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let memory = item
                .get("memory")
                .and_then(Value::as_str)
                .ok_or_else(|| shape(what, &format!("item {} has no \"memory\" text", i + 1)))?;
            let observed_at = item
                .get("created_at")
                .and_then(Value::as_str)
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            Ok(RawMemory {
                line: i + 1,
                file: None,
                text: memory.split_whitespace().collect::<Vec<_>>().join(" "),
                sha256: sha256_hex(memory.as_bytes()),
                observed_at,
            })
        })
        .filter(|m| m.as_ref().map_or(true, |m| !m.text.is_empty()))
        .collect()
}

fn shape(what: &str, detail: &str) -> Error {
    Error::MemoryInput(format!(
        "{what} is not a mem0 export: {detail} (expected a list of objects with \"memory\", or \
         {{\"results\": [...]}})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_are_read() {
        let wrapped = r#"{"results": [
            {"id": "a1", "memory": "Prefers tea", "user_id": "u",
             "created_at": "2024-07-20T01:23:45.123456-07:00", "metadata": null},
            {"id": "a2", "memory": "  Lives   in Lyon ", "created_at": "yesterday"}
        ], "count": 2}"#;
        let m = parse(wrapped, "f").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].text, "Prefers tea");
        assert_eq!(m[0].sha256, sha256_hex(b"Prefers tea"));
        assert_eq!(
            m[0].observed_at.map(|t| t.to_rfc3339()),
            Some("2024-07-20T08:23:45.123456+00:00".into())
        );
        assert_eq!(m[1].text, "Lives in Lyon");
        assert_eq!(m[1].observed_at, None);
        let bare = r#"[{"memory": "Prefers tea"}, {"memory": "   "}]"#;
        assert_eq!(parse(bare, "f").unwrap().len(), 1);
    }

    #[test]
    fn wrong_shapes_are_named() {
        for (json, expected) in [
            ("{", "not a mem0 JSON export"),
            ("42", "neither a list nor an object"),
            (r#"{"memories": 3}"#, "without a \"results\" list"),
            (r#"[{"text": "x"}]"#, "item 1 has no \"memory\" text"),
            (r#"[{"memory": "ok"}, {"memory": 7}]"#, "item 2 has no"),
        ] {
            let e = parse(json, "mem0.json").unwrap_err().to_string();
            assert!(e.contains(expected), "{json}: {e}");
            assert!(e.starts_with("mem0.json "), "{e}");
        }
    }
}
