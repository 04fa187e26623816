#![allow(missing_docs, clippy::unwrap_used)]
//! SECURITY.md keeps its promises checkable: every row of its threat table names at least one
//! test as `path/to/file.rs::test_name`, every test it names (in the table or elsewhere) exists
//! as a `#[test]` function in that file, and the table covers the threats the project committed
//! to. The transparency report's control map is held to the same rule.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `` `path.rs::name` `` reference in `text`.
fn references(text: &str) -> Vec<(String, String)> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|code| {
            let (file, name) = code.split_once(".rs::")?;
            let ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            ok.then(|| (format!("{file}.rs"), name.to_owned()))
        })
        .collect()
}

/// The data rows of the markdown tables in `text`: header and separator rows left out.
fn table_rows(text: &str) -> Vec<&str> {
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if !in_table {
            in_table = true; // the header row
            continue;
        }
        if line
            .trim_matches(|c| c == '|' || c == '-' || c == ':' || c == ' ')
            .is_empty()
        {
            continue; // the separator row
        }
        rows.push(line);
    }
    rows
}

/// Whether `source` has a function `name` marked as a test: among the attributes (and doc
/// comments) right above it is `#[test]`, `#[tokio::test]` or the like.
fn has_test(source: &str, name: &str) -> bool {
    let lines: Vec<&str> = source.lines().map(str::trim_start).collect();
    lines.iter().enumerate().any(|(i, line)| {
        let decl = line
            .strip_prefix("async fn ")
            .or_else(|| line.strip_prefix("fn "));
        decl.is_some_and(|rest| rest.starts_with(&format!("{name}(")))
            && lines[..i]
                .iter()
                .rev()
                .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
                .any(|l| l.starts_with("#[") && l.contains("test"))
    })
}

#[test]
fn every_row_of_the_threat_table_names_tests_that_exist() {
    let doc = std::fs::read_to_string(root().join("SECURITY.md")).unwrap();
    let rows = table_rows(&doc);
    assert!(rows.len() >= 10, "the threat table has {} rows", rows.len());
    for row in &rows {
        assert!(
            !references(row).is_empty(),
            "a row names no test as `file.rs::test_name`: {row}"
        );
    }
    let missing = missing(&references(&doc));
    assert!(
        missing.is_empty(),
        "SECURITY.md names tests that do not exist:\n{}",
        missing.join("\n")
    );
}

/// The references among `refs` that do not name an existing test.
fn missing(refs: &[(String, String)]) -> Vec<String> {
    let mut missing = Vec::new();
    for (file, name) in refs {
        match std::fs::read_to_string(root().join(file)) {
            Ok(source) if has_test(&source, name) => {}
            Ok(_) => missing.push(format!("{file}::{name} (no such test in the file)")),
            Err(e) => missing.push(format!("{file}::{name} ({file}: {e})")),
        }
    }
    missing
}

#[test]
fn every_control_of_the_report_names_tests_that_exist() {
    let mut refs = Vec::new();
    for control in selfmodel::report::CONTROLS {
        assert!(
            !control.tests.is_empty(),
            "{} names no test",
            control.criterion
        );
        for t in control.tests {
            let parsed = references(&format!("`{t}`"));
            assert_eq!(parsed.len(), 1, "not a `file.rs::test_name` reference: {t}");
            refs.extend(parsed);
        }
    }
    let missing = missing(&refs);
    assert!(
        missing.is_empty(),
        "the report's control map names tests that do not exist:\n{}",
        missing.join("\n")
    );
    for right in [
        "5(1)(b)", "5(1)(c)", "Art. 15", "Art. 16", "Art. 17", "Art. 19", "Art. 20",
    ] {
        assert!(
            selfmodel::report::CONTROLS
                .iter()
                .any(|c| c.criterion.contains(right)),
            "the control map misses GDPR {right}"
        );
    }
}

#[test]
fn the_threat_table_covers_the_committed_threats() {
    let doc = std::fs::read_to_string(root().join("SECURITY.md")).unwrap();
    let table = table_rows(&doc).join("\n").to_lowercase();
    for threat in [
        "stolen laptop",
        "copied vault file",
        "brute-forced passphrase",
        "other local processes and os users",
        "dns rebinding",
        "csrf",
        "exceeding its grant",
        "revoked vendor",
        "token theft",
        "tampering with the audit log",
        "malicious, edited, truncated or oversized export files",
        "crashes, kills",
    ] {
        assert!(table.contains(threat), "no row about {threat:?}");
    }
    assert!(
        doc.contains("## Out of scope, or not yet defended"),
        "the honest list of what is not defended is missing"
    );
}

#[test]
fn the_checker_itself_catches_bad_references() {
    let source = "#[test]\nfn real_one() {}\n\nfn helper() {}\n#[tokio::test(flavor = \"multi_thread\")]\nasync fn async_one() {}\n";
    assert!(has_test(source, "real_one"));
    assert!(has_test(source, "async_one"));
    assert!(!has_test(source, "helper"), "not a test");
    assert!(!has_test(source, "real"), "a prefix is not a name");
    let doc = "| # | T | Proven by |\n|---|---|---|\n| 1 | x | `a/b.rs::c_d`, `e.rs::f` |\n| 2 | y | none |\n\ntext `g.rs::h`";
    let rows = table_rows(doc);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        references(rows[0]),
        [("a/b.rs".into(), "c_d".into()), ("e.rs".into(), "f".into())]
    );
    assert!(references(rows[1]).is_empty());
    assert_eq!(references(doc).len(), 3);
}
