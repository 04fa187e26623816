//! Invalid beliefs are refused through the binary: a one-line error naming the field, a non-zero
//! exit, and nothing written (the belief count and the audit chain stay as they were).
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use crate::common;

use std::sync::OnceLock;

use crate::common::TestVault;

/// A vault with one belief and two audit events, copied for each test.
fn vault() -> TestVault {
    static TEMPLATE: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = TEMPLATE.get_or_init(|| {
        let v = TestVault::init();
        v.add("Already here", "interests", "0.5", &[]);
        v.bytes()
    });
    TestVault::from_bytes(bytes)
}

/// `belief add` with a valid statement, category and confidence unless `args` gives its own.
fn add_args<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut out = vec!["belief", "add"];
    for (flag, default) in [
        ("--statement", "A valid statement"),
        ("--category", "interests"),
        ("--confidence", "0.5"),
    ] {
        if !args
            .iter()
            .any(|a| *a == flag || a.starts_with(&format!("{flag}=")))
        {
            out.extend([flag, default]);
        }
    }
    out.extend_from_slice(args);
    out
}

/// Runs `belief add` with `args`; asserts it is refused with one `error:` line containing every
/// part of `expected`, and that nothing was written. Returns the line.
fn refused(args: &[&str], expected: &[&str]) -> String {
    let v = vault();
    let before = v.bytes();
    let err = v.fail(&add_args(args));
    for part in expected {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
    assert_eq!(v.bytes(), before, "a refused add must not touch the file");
    assert_eq!(v.count(), 1, "belief count unchanged");
    assert_eq!(v.verified_events(), 2, "no audit event");
    err
}

/// Runs `belief add` with `args`, which must succeed.
fn accepted(args: &[&str]) {
    let v = vault();
    let id = v.ok(&add_args(args));
    common::assert_uuid(id.trim());
    assert_eq!(v.count(), 2);
}

/// Runs `belief add` with `args`; asserts that clap refuses it as a usage error and that
/// nothing was added. Returns stderr.
fn usage_error(args: &[&str]) -> String {
    let v = vault();
    let stderr = v.usage_error(&add_args(args));
    assert_eq!(v.count(), 1, "belief count unchanged");
    stderr
}

/// Asserts that `flag` (given after `context`) takes `limit` characters, counted as characters
/// and not bytes, and refuses one more, naming `field`, the length and the limit.
fn assert_length_limit(context: &[&str], flag: &str, field: &str, limit: usize) {
    let multi_byte = "é".repeat(limit);
    accepted(&[context, &[flag, &multi_byte]].concat());
    let one_over = "x".repeat(limit + 1);
    let (length, limit) = ((limit + 1).to_string(), limit.to_string());
    refused(
        &[context, &[flag, &one_over]].concat(),
        &[field, &length, &limit],
    );
}

#[test]
fn confidence_above_one_is_refused() {
    refused(&["--confidence", "1.5"], &["invalid confidence", "1.5"]);
}

#[test]
fn confidence_below_zero_is_refused() {
    refused(&["--confidence=-0.1"], &["invalid confidence", "-0.1"]);
}

#[test]
fn confidence_below_zero_as_a_separate_argument_is_refused_naming_the_field() {
    refused(&["--confidence", "-0.1"], &["invalid confidence", "-0.1"]);
}

#[test]
fn confidence_nan_and_infinity_are_refused() {
    refused(&["--confidence", "NaN"], &["invalid confidence", "NaN"]);
    refused(&["--confidence", "inf"], &["invalid confidence", "inf"]);
}

#[test]
fn confidence_bounds_are_accepted() {
    accepted(&["--confidence", "0"]);
    accepted(&["--confidence", "1"]);
}

#[test]
fn non_numeric_confidence_is_a_usage_error_naming_the_flag() {
    let stderr = usage_error(&["--confidence", "high"]);
    assert!(
        stderr.contains("'high'") && stderr.contains("--confidence"),
        "{stderr}"
    );
}

#[test]
fn empty_statement_is_refused() {
    refused(
        &["--statement", ""],
        &["invalid statement", "must not be empty"],
    );
    refused(
        &["--statement", "   "],
        &["invalid statement", "must not be empty"],
    );
}

#[test]
fn a_statement_holds_500_characters() {
    assert_length_limit(&[], "--statement", "invalid statement", 500);
}

#[test]
fn multi_line_statement_is_refused() {
    refused(
        &["--statement", "first line\nsecond line"],
        &["invalid statement", "one line"],
    );
}

#[test]
fn unknown_category_is_refused() {
    refused(
        &["--category", "astrology"],
        &["unknown category 'astrology'"],
    );
}

#[test]
fn unknown_purpose_is_refused() {
    refused(
        &["--purpose", "telepathy"],
        &["unknown purpose 'telepathy'"],
    );
}

#[test]
fn purpose_not_allowed_for_the_type_is_refused() {
    let err = refused(
        &[
            "--category",
            "health",
            "--purpose",
            "advertising",
            "--evidence",
            "Told the assistant",
        ],
        &["purpose 'advertising' is not allowed for category 'health'"],
    );
    assert!(err.contains("allowed:"), "lists what is allowed: {err}");
}

#[test]
fn overlong_evidence_is_refused() {
    assert_length_limit(&[], "--evidence", "invalid evidence[0].summary", 280);
}

#[test]
fn empty_evidence_is_refused() {
    refused(
        &["--evidence", "  "],
        &["invalid evidence[0].summary", "must not be empty"],
    );
}

#[test]
fn an_evidence_source_holds_200_characters() {
    assert_length_limit(
        &["--evidence", "fine"],
        "--source",
        "invalid evidence[0].source",
        200,
    );
}

#[test]
fn health_without_evidence_is_refused() {
    refused(
        &["--category", "health", "--statement", "Has a bad knee"],
        &[
            "invalid evidence",
            "'health'",
            "at least one piece of evidence",
        ],
    );
}

#[test]
fn bad_evidence_kind_is_refused() {
    refused(
        &["--evidence", "Said so", "--evidence-kind", "hearsay"],
        &[
            "evidence",
            "'hearsay'",
            "stated, observed, inferred, imported",
        ],
    );
}

#[test]
fn evidence_kind_without_evidence_is_a_usage_error() {
    let stderr = usage_error(&["--evidence-kind", "observed"]);
    assert!(stderr.contains("--evidence"), "{stderr}");
}

#[test]
fn terminal_escapes_and_bidi_controls_are_refused_in_statements() {
    let err = refused(
        &["--statement", "Likes \u{202e}emoji\u{202c} a lot"],
        &["statement", "U+202E"],
    );
    assert!(
        !err.contains('\u{202e}'),
        "the error names, never echoes: {err}"
    );
    let err = refused(&["--statement", "ok\u{1b}[2J\u{1b}[31mALERT"], &["U+001B"]);
    assert!(!err.contains('\u{1b}'), "{err}");
}

/// Text stored by an older version, before hidden characters were refused, reaches the terminal
/// as visible `\u{…}` escapes: it cannot clear the screen, retitle the window or fake a line.
#[test]
fn text_already_in_the_vault_is_shown_not_obeyed() {
    let v = vault();
    let id = v.add("Prefers morning meetings", "interests", "0.5", &[]);
    // Escapes, a bidi override, and a sentence hidden in tags and variation selectors.
    let hostile = "Prefers\u{1b}]0;owned\u{7} \u{202e}meetings\u{1b}[2J\u{1b}[H \
                   \u{E0061}\u{E0064}\u{E0073}x\u{FE0F}\u{FE0E}";
    let hidden = |c: char| {
        matches!(
            c,
            '\u{1b}' | '\u{7}' | '\u{202e}' | '\u{E0000}'..='\u{E007F}' | '\u{FE0E}'
        )
    };
    let conn = v.sql();
    conn.execute(
        "UPDATE beliefs SET statement = ?1 WHERE id = ?2",
        [hostile, id.as_str()],
    )
    .unwrap();
    conn.execute(
        "UPDATE belief_types SET name = ?1 WHERE id = 'interests'",
        ["Interests\u{1b}[31m"],
    )
    .unwrap();
    drop(conn);
    for args in [
        vec!["belief", "show", id.as_str()],
        vec!["belief", "list"],
        vec!["types"],
    ] {
        let out = v.ok(&args);
        assert!(
            !out.chars().any(hidden),
            "{args:?} printed a raw control: {out:?}"
        );
        assert!(out.contains("\\u{1b}"), "{args:?}: {out}");
    }
    // JSON stays JSON, with the invisible characters as JSON escapes.
    let shown = v.show(&id);
    assert_eq!(shown["statement"], hostile);
    let raw = v.ok(&["belief", "show", id.as_str(), "--json"]);
    assert!(
        !raw.chars().any(hidden) && raw.contains("\\u202e") && raw.contains("\\udb40\\udc61"),
        "{raw}"
    );
}

#[test]
fn an_export_holding_what_the_screen_now_refuses_imports_the_rest_when_asked() {
    // A belief stored before the screen knew this way of writing a phone number.
    let a = vault();
    a.add("Prefers morning meetings", "interests", "0.5", &[]);
    let phone = a.add("Prefers calls after six", "preferences", "0.5", &[]);
    a.alter_one_row(&format!(
        "UPDATE beliefs SET statement = 'Prefers calls on (07911) 123456 after six' WHERE id = '{phone}'"
    ));
    let file = a.dir().join("older.json");
    let exported = a.run_with(
        Some(common::PASS),
        &["export", "--out", file.to_str().unwrap()],
    );
    assert!(exported.status.success(), "{exported:?}");

    let b = TestVault::init();
    let err = b.fail(&["import", file.to_str().unwrap()]);
    assert!(
        err.contains("a phone number") && err.contains("--leave-out-sensitive"),
        "{err}"
    );
    assert!(!err.contains("07911"), "the refusal echoes no data: {err}");
    assert_eq!(b.count(), 0);

    let path = file.to_str().unwrap();
    let out = b.ok(&["import", path, "--leave-out-sensitive"]);
    assert!(out.contains(&format!("left out   {phone}")), "{out}");
    assert!(!out.contains("07911"), "{out}");
    let again = b.json(&[
        "import",
        path,
        "--leave-out-sensitive",
        "--dry-run",
        "--json",
    ]);
    assert_eq!(again["left_out"][0]["id"], phone.as_str());
    // Signed by another vault, its beliefs wait in the inbox: the kept one, not the other.
    let inbox = b.json(&["inbox", "--json"]);
    let statements: Vec<_> = inbox
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["statement"].clone())
        .collect();
    assert!(
        statements.contains(&"Prefers morning meetings".into()),
        "{inbox}"
    );
    assert!(!inbox.to_string().contains("07911"), "{inbox}");
}

#[test]
fn days_beyond_any_calendar_are_never_a_crash() {
    let v = vault();
    // A retention of billions of days keeps beliefs of the type until the end of 9999.
    v.ok(&["types", "set-retention", "interests", "4000000000"]);
    let id = v.add("Added after", "interests", "0.5", &[]);
    let shown = v.ok(&["belief", "show", id.trim(), "--json"]);
    assert!(shown.contains("9999-12-31T23:59:59"), "{shown}");
    // Alerts for more days than there are: a usage error, not a panic.
    let err = v.usage_error(&["alerts", "--days", "4000000000"]);
    assert!(err.contains("36500"), "{err}");
    let err = v.fail(&["report", "--from=-262143-01-01", "--out", "r.json"]);
    assert!(err.contains("0000 to 9999"), "{err}");
}
