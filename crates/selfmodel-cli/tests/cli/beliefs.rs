//! Beliefs through the binary: add, list with each filter, show, rectify and delete.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use crate::common::{TestVault, add_args, assert_uuid, belief_keys, edit_args, keys, rfc3339};
use serde_json::{Value, json};

/// `belief add ... EXTRA --json`: the new belief as printed.
fn add_json(
    v: &TestVault,
    statement: &str,
    category: &str,
    confidence: &str,
    extra: &[&str],
) -> Value {
    let mut args = add_args(statement, category, confidence);
    args.extend_from_slice(extra);
    args.push("--json");
    v.json(&args)
}

#[test]
fn add_prints_the_new_id() {
    let v = TestVault::init();
    let out = v.ok(&add_args("Prefers trains to planes", "preferences", "0.75"));
    assert_eq!(out.lines().count(), 1, "only the id: {out}");
    let id = out.trim();
    assert_uuid(id);
    let b = v.show(id);
    assert_eq!(b["id"], id);
    assert_eq!(b["statement"], "Prefers trains to planes");
    assert_eq!(v.ids(&[]), [id]);
}

#[test]
fn add_json_prints_the_belief_with_exactly_the_contract_keys() {
    let v = TestVault::init();
    let b = add_json(
        &v,
        "  Reads a novel a week  ",
        "interests",
        "0.65",
        &[
            "--purpose",
            "recommendations",
            "--purpose",
            "advertising",
            "--sensitive",
            "--evidence",
            "Finished 12 books in the last quarter",
            "--evidence-kind",
            "observed",
            "--source",
            "Reading app",
        ],
    );
    assert_eq!(keys(&b), belief_keys(&[]), "{b}");
    assert_uuid(b["id"].as_str().unwrap());
    assert_eq!(b["statement"], "Reads a novel a week", "trimmed");
    assert_eq!(b["category"], "interests");
    assert_eq!(b["confidence"], json!(0.65));
    assert_eq!(b["purposes"], json!(["advertising", "recommendations"]));
    assert_eq!(b["sensitivity"], "special");
    assert_eq!(b["status"], "active");
    let ev = b["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["kind"], "observed");
    assert_eq!(ev[0]["source"], "Reading app");
    assert_eq!(ev[0]["summary"], "Finished 12 books in the last quarter");
    rfc3339(&ev[0]["observed_at"]);
    assert_eq!(b["provenance"]["actor"], "person");
    assert_eq!(b["provenance"]["method"], "cli");

    let created = rfc3339(&b["created_at"]);
    let updated = rfc3339(&b["updated_at"]);
    let expires = rfc3339(&b["expires_at"]);
    assert_eq!(created, updated);
    assert_eq!(
        expires - created,
        chrono::Duration::days(365),
        "interests are kept 365 days"
    );
    let age = chrono::Utc::now().signed_duration_since(created);
    assert!(age.num_seconds().abs() < 60, "created now: {created}");

    // What was printed is what was stored.
    let mut shown = v.show(b["id"].as_str().unwrap());
    assert_eq!(shown["history"], json!([]));
    shown.as_object_mut().unwrap().remove("history");
    assert_eq!(shown, b);
}

#[test]
fn add_fills_in_the_types_defaults() {
    let v = TestVault::init();
    let interests = add_json(&v, "Likes jazz", "interests", "0.5", &[]);
    assert_eq!(
        interests["purposes"],
        json!(["personalisation", "recommendations"]),
        "the type's purposes without the opt-in ones"
    );
    assert_eq!(interests["sensitivity"], "normal");
    assert_eq!(interests["evidence"], json!([]));

    let health = add_json(
        &v,
        "Is allergic to peanuts",
        "health",
        "0.9",
        &["--evidence", "Mentioned it when ordering food"],
    );
    assert_eq!(health["sensitivity"], "special", "health is always special");
    assert_eq!(health["evidence"][0]["kind"], "stated", "the default kind");
    assert_eq!(health["evidence"][0]["source"], "selfmodel CLI");
    let created = rfc3339(&health["created_at"]);
    assert_eq!(
        rfc3339(&health["expires_at"]) - created,
        chrono::Duration::days(90)
    );
}

/// Five beliefs that the filters tell apart.
struct Fixture {
    v: TestVault,
    birds: String,
    scifi: String,
    rust: String,
    hay_fever: String,
    dark_mode: String,
}

fn fixture() -> Fixture {
    let v = TestVault::init();
    let birds = v.add("Enjoys birdwatching on weekends", "interests", "0.9", &[]);
    let scifi = v.add(
        "Reads science fiction",
        "interests",
        "0.4",
        &["--purpose", "advertising"],
    );
    let rust = v.add("Knows Rust well", "expertise", "0.8", &[]);
    let hay_fever = v.add(
        "Has mild hay fever",
        "health",
        "0.85",
        &["--evidence", "Asked about pollen forecasts"],
    );
    let dark_mode = v.add(
        "Uses dark mode 100% of the time",
        "preferences",
        "0.6",
        &["--purpose", "ui-personalisation"],
    );
    Fixture {
        v,
        birds,
        scifi,
        rust,
        hay_fever,
        dark_mode,
    }
}

#[test]
fn list_filters_by_each_field() {
    let f = fixture();
    let v = &f.v;
    let (birds, scifi, rust, hay_fever, dark_mode) = (
        f.birds.as_str(),
        f.scifi.as_str(),
        f.rust.as_str(),
        f.hay_fever.as_str(),
        f.dark_mode.as_str(),
    );
    let all = [birds, scifi, rust, hay_fever, dark_mode];
    assert_eq!(v.ids(&[]), all, "everything, oldest first");

    assert_eq!(v.ids(&["--category", "interests"]), [birds, scifi]);
    assert_eq!(v.ids(&["--category", "values"]), Vec::<String>::new());
    assert_eq!(v.ids(&["--purpose", "advertising"]), [scifi]);
    assert_eq!(v.ids(&["--purpose", "recommendations"]), [birds, rust]);
    assert_eq!(
        v.ids(&["--min-confidence", "0.8"]),
        [birds, rust, hay_fever],
        "at or above"
    );
    assert_eq!(v.ids(&["--min-confidence", "0.85"]), [birds, hay_fever]);
    assert_eq!(v.ids(&["--search", "birdwatching"]), [birds]);
    assert_eq!(v.ids(&["--search", "100%"]), [dark_mode]);
    assert_eq!(
        v.ids(&["--search", "%"]),
        [dark_mode],
        "% is literal text, not a wildcard"
    );
    assert_eq!(
        v.ids(&["--search", "_"]),
        Vec::<String>::new(),
        "_ is literal text, not a wildcard"
    );
    assert_eq!(v.ids(&["--status", "active"]), all);
    assert_eq!(v.ids(&["--status", "pending"]), Vec::<String>::new());
    assert_eq!(v.ids(&["--sensitivity", "special"]), [hay_fever]);
    assert_eq!(
        v.ids(&["--sensitivity", "normal"]),
        [birds, scifi, rust, dark_mode]
    );
    assert_eq!(
        v.ids(&["--category", "interests", "--min-confidence", "0.5"]),
        [birds],
        "filters combine"
    );
    for b in v.list(&[]) {
        assert_eq!(keys(&b), belief_keys(&[]), "no history in lists: {b}");
    }

    let text = v.ok(&["belief", "list"]);
    assert!(text.contains("5 beliefs"), "{text}");
    assert!(text.contains("Has mild hay fever [special]"), "{text}");
    let text = v.ok(&["belief", "list", "--category", "values"]);
    assert!(text.contains("no beliefs match"), "{text}");

    let err = v.fail(&["belief", "list", "--status", "maybe"]);
    assert!(err.contains("status") && err.contains("'maybe'"), "{err}");
    let err = v.fail(&["belief", "list", "--sensitivity", "secret"]);
    assert!(
        err.contains("sensitivity") && err.contains("'secret'"),
        "{err}"
    );
}

#[test]
fn show_json_adds_history_and_text_shows_everything() {
    let v = TestVault::init();
    let id = v.add(
        "Drinks coffee black",
        "preferences",
        "0.7",
        &[
            "--evidence",
            "Ordered it that way 9 times",
            "--source",
            "Café app",
        ],
    );
    let b = v.show(&id);
    assert_eq!(keys(&b), belief_keys(&["history"]), "{b}");
    assert_eq!(b["history"], json!([]));

    let text = v.ok(&["belief", "show", &id]);
    for part in [
        "Drinks coffee black",
        id.as_str(),
        "preferences",
        "0.70",
        "Ordered it that way 9 times",
        "Café app",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
}

#[test]
fn edit_with_a_reason_keeps_before_and_after_in_history() {
    let v = TestVault::init();
    let id = v.add("Works night shifts", "routines", "0.7", &[]);
    let before = v.show(&id);

    let out = v.edit(
        &id,
        &[
            "--statement",
            "Works early shifts",
            "--confidence",
            "0.95",
            "--purpose",
            "personalisation",
        ],
        "My schedule changed in March",
    );
    assert!(out.contains(&id) && out.contains("history: 1"), "{out}");

    let b = v.show(&id);
    assert_eq!(b["statement"], "Works early shifts");
    assert_eq!(b["confidence"], json!(0.95));
    assert_eq!(b["purposes"], json!(["personalisation"]));
    assert_eq!(b["created_at"], before["created_at"]);
    assert!(rfc3339(&b["updated_at"]) >= rfc3339(&before["updated_at"]));
    let history = b["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    let h = &history[0];
    assert_eq!(keys(h), ["actor", "after", "at", "before", "reason"]);
    assert_eq!(h["reason"], "My schedule changed in March");
    assert_eq!(h["actor"], "person");
    assert_eq!(rfc3339(&h["at"]), rfc3339(&b["updated_at"]));
    assert_eq!(
        h["before"],
        json!({
            "statement": "Works night shifts",
            "confidence": 0.7,
            "purposes": before["purposes"],
        })
    );
    assert_eq!(
        h["after"],
        json!({
            "statement": "Works early shifts",
            "confidence": 0.95,
            "purposes": ["personalisation"],
        })
    );

    // A second rectification appends; only the named field changes.
    v.edit(&id, &["--confidence", "0.5"], "Less sure now");
    let b = v.show(&id);
    assert_eq!(b["statement"], "Works early shifts");
    assert_eq!(b["purposes"], json!(["personalisation"]));
    assert_eq!(b["history"].as_array().unwrap().len(), 2);
    assert_eq!(b["history"][1]["before"]["confidence"], json!(0.95));
    assert_eq!(b["history"][1]["after"]["confidence"], json!(0.5));

    let text = v.ok(&["belief", "show", &id]);
    assert!(text.contains("My schedule changed in March"), "{text}");
    let actions: Vec<Value> = v.audit_log().iter().map(|e| e["action"].clone()).collect();
    assert_eq!(
        actions,
        [
            "vault.created",
            "belief.created",
            "belief.rectified",
            "belief.rectified"
        ]
    );
}

#[test]
fn edit_without_a_change_or_a_reason_fails_and_changes_nothing() {
    let v = TestVault::init();
    let id = v.add("Speaks Dutch", "context", "0.8", &["--evidence", "Said so"]);
    let before = v.show(&id);

    for (changes, reason, expected) in [
        (&[][..], "just because", "nothing to change"),
        (&["--confidence", "0.4"], "   ", "invalid reason"),
        (&["--confidence", "1.2"], "typo", "invalid confidence"),
        (&["--statement", " "], "typo", "invalid statement"),
        (
            &["--purpose", "advertising"],
            "typo",
            "purpose 'advertising' is not allowed for category 'context'",
        ),
    ] {
        let err = v.fail(&edit_args(&id, changes, reason));
        assert!(err.contains(expected), "{changes:?} {reason:?}: {err}");
    }

    // Without --reason at all, clap refuses (with its usage text).
    let stderr = v.usage_error(&["belief", "edit", &id, "--confidence", "0.4"]);
    assert!(stderr.contains("--reason"), "{stderr}");

    assert_eq!(v.show(&id), before, "nothing changed");
    assert_eq!(v.verified_events(), 2, "no audit event for refused edits");
}

#[test]
fn delete_removes_the_belief_with_its_evidence_and_history() {
    let v = TestVault::init();
    let keep = v.add(
        "Runs marathons",
        "interests",
        "0.8",
        &["--evidence", "Strava"],
    );
    let id = v.add(
        "Is training for a triathlon",
        "goals",
        "0.7",
        &["--evidence", "Bought a wetsuit"],
    );
    v.edit(&id, &["--confidence", "0.6"], "Only thinking about it");

    let out = v.ok(&["belief", "delete", &id]);
    assert!(out.contains(&format!("deleted {id}")), "{out}");

    let err = v.fail(&["belief", "show", &id]);
    assert!(err.contains(&format!("no belief with id {id}")), "{err}");
    assert_eq!(v.ids(&[]), [keep.as_str()]);

    let conn = v.sql();
    for table in ["evidence", "rectifications", "belief_purposes"] {
        let rows: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE belief_id = ?1"),
                [&id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows, 0, "{table} rows of the deleted belief remain");
        let kept: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE belief_id = ?1"),
                [keep.as_str()],
                |r| r.get(0),
            )
            .unwrap();
        if table != "rectifications" {
            assert!(kept > 0, "the other belief keeps its {table}");
        }
    }
    drop(conn);

    let log = v.audit_log();
    let last = log.last().unwrap();
    assert_eq!(last["action"], "belief.deleted");
    assert_eq!(last["subject"], id.as_str());
    assert_eq!(last["detail"], "category=goals");

    let err = v.fail(&["belief", "delete", &id]);
    assert!(err.contains("no belief with id"), "{err}");
    assert_eq!(v.verified_events(), 5);
}

#[test]
fn unknown_or_malformed_ids_fail_cleanly() {
    let v = TestVault::init();
    let err = v.fail(&["belief", "show", "not-an-id"]);
    assert!(err.contains("'not-an-id' is not a belief id"), "{err}");
    let err = v.fail(&["belief", "delete", "12345"]);
    assert!(err.contains("is not a belief id"), "{err}");
    let missing = "01890a5d-ac96-774b-bcce-b302099a8057";
    let err = v.fail(&["belief", "show", missing]);
    assert!(
        err.contains(&format!("no belief with id {missing}")),
        "{err}"
    );
    let err = v.fail(&edit_args(missing, &["--confidence", "0.3"], "x"));
    assert!(err.contains("no belief with id"), "{err}");
    assert_eq!(v.verified_events(), 1);
}
