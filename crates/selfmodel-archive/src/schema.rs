//! The published JSON Schema (`docs/export.schema.json`, draft 2020-12), embedded and compiled
//! once; documents are checked against it before anything else reads them.

use std::sync::LazyLock;

use serde_json::Value;

use crate::error::{ArchiveError, Result};

/// The schema's text, as published in `docs/export.schema.json`.
pub const SCHEMA_JSON: &str = include_str!("../../../docs/export.schema.json");

/// Violations counted beyond the first, before giving up counting.
const MAX_COUNTED: usize = 100;

static VALIDATOR: LazyLock<std::result::Result<jsonschema::Validator, String>> =
    LazyLock::new(|| compile(None));

/// The same schema's `#/$defs/belief`, for checking beliefs one at a time.
static BELIEF_VALIDATOR: LazyLock<std::result::Result<jsonschema::Validator, String>> =
    LazyLock::new(|| compile(Some("belief")));

/// The same schema's `#/$defs/access`, for checking access-log entries one at a time.
static ACCESS_VALIDATOR: LazyLock<std::result::Result<jsonschema::Validator, String>> =
    LazyLock::new(|| compile(Some("access")));

/// The whole schema, or only one of its definitions.
fn compile(definition: Option<&str>) -> std::result::Result<jsonschema::Validator, String> {
    let mut schema: Value = serde_json::from_str(SCHEMA_JSON).map_err(|e| e.to_string())?;
    if let Some(name) = definition {
        schema = serde_json::json!({
            "$schema": schema["$schema"].clone(),
            "$defs": schema["$defs"].clone(),
            "$ref": format!("#/$defs/{name}"),
        });
    }
    jsonschema::draft202012::new(&schema).map_err(|e| e.to_string())
}

/// Checks a document against the schema; the error names the first violation's JSON Pointer.
pub fn check(doc: &Value) -> Result<()> {
    run(&VALIDATOR, doc, "")
}

/// Checks one belief against the schema's belief definition; `path` is its JSON Pointer.
pub fn check_belief(belief: &Value, path: &str) -> Result<()> {
    run(&BELIEF_VALIDATOR, belief, path)
}

/// Checks one access-log entry against the schema's definition; `path` is its JSON Pointer.
pub fn check_access(entry: &Value, path: &str) -> Result<()> {
    run(&ACCESS_VALIDATOR, entry, path)
}

fn run(
    validator: &std::result::Result<jsonschema::Validator, String>,
    doc: &Value,
    prefix: &str,
) -> Result<()> {
    let validator = validator.as_ref().map_err(|e| {
        ArchiveError::Unsupported(format!("internal error: the export schema is invalid: {e}"))
    })?;
    // Valid documents take the fast path; only a failing one is walked for its errors.
    if validator.is_valid(doc) {
        return Ok(());
    }
    let mut errors = validator.iter_errors(doc);
    let Some(first) = errors.next() else {
        return Ok(());
    };
    let more = errors.take(MAX_COUNTED).count();
    Err(ArchiveError::Schema {
        path: format!("{prefix}{}", first.instance_path()),
        message: message(&first),
        more,
    })
}

/// The violation in words, without echoing long values back.
fn message(e: &jsonschema::ValidationError<'_>) -> String {
    let text = e.to_string();
    if text.chars().count() <= 200 {
        return text;
    }
    e.masked().to_string()
}
