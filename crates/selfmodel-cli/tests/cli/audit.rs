//! The audit chain through the binary: every change is an event, events hold ids and hashes
//! only, and an event altered through SQL is named by `audit verify`.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use crate::common::{TestVault, assert_hex64, keys, rfc3339};
use serde_json::Value;

/// `audit verify --json` on a broken chain: it must exit non-zero and print the verdict.
fn broken_verdict(v: &TestVault) -> Value {
    let out = v
        .cmd()
        .args(["audit", "verify", "--json"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a broken chain must fail");
    assert_ne!(out.status.code(), None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "invalid JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn verify_counts_every_change_and_the_log_links_them() {
    let v = TestVault::init();
    let a = v.add("Cooks Thai food", "interests", "0.7", &[]);
    let b = v.add("Speaks Spanish", "expertise", "0.6", &[]);
    let c = v.add("Wants to run a marathon", "goals", "0.5", &[]);
    v.edit(&b, &["--confidence", "0.4"], "Rusty");
    v.ok(&["belief", "delete", &c]);
    v.ok(&["types", "set-retention", "routines", "30"]);

    let verdict = v.json(&["audit", "verify", "--json"]);
    assert_eq!(keys(&verdict), ["events", "head", "ok"], "{verdict}");
    assert_eq!(verdict["ok"], true);
    assert_eq!(
        verdict["events"], 7,
        "created, 3 adds, edit, delete, retention change"
    );
    let head = verdict["head"].as_str().unwrap();
    assert_hex64(head);

    let text = v.ok(&["audit", "verify"]);
    assert!(
        text.contains("intact") && text.contains("7 events"),
        "{text}"
    );
    assert!(text.contains(head), "{text}");

    let log = v.audit_log();
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "vault.created",
            "belief.created",
            "belief.created",
            "belief.created",
            "belief.rectified",
            "belief.deleted",
            "catalogue.type_changed",
        ]
    );
    let subjects: Vec<&str> = log[1..]
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [a.as_str(), &b, &c, &b, &c, "routines"],
        "ids only"
    );
    let mut prev = "0".repeat(64);
    for (i, e) in log.iter().enumerate() {
        assert_eq!(
            keys(e),
            ["action", "at", "detail", "hash", "prev", "seq", "subject"],
            "{e}"
        );
        assert_eq!(e["seq"], i as u64 + 1);
        rfc3339(&e["at"]);
        assert_eq!(
            e["prev"],
            prev.as_str(),
            "event {} links to the one before",
            i + 1
        );
        prev = e["hash"].as_str().unwrap().to_owned();
        assert_hex64(&prev);
    }
    assert_eq!(prev, head, "the head is the last event's hash");

    // Reads add nothing to the chain.
    v.ok(&["belief", "list"]);
    v.ok(&["belief", "show", &a]);
    assert_eq!(v.verified_events(), 7);
}

#[test]
fn audit_log_never_holds_belief_text() {
    let v = TestVault::init();
    let texts = [
        "Secretly collects vintage typewriters",
        "Found three typewriter receipts in email",
        "Typewriter Emporium",
        "Collects vintage fountain pens instead",
        "I corrected the assistant about typewriters",
        "Has recurring migraines",
        "Mentioned migraine medication twice",
    ];
    let id = v.add(
        texts[0],
        "interests",
        "0.6",
        &["--evidence", texts[1], "--source", texts[2]],
    );
    v.edit(&id, &["--statement", texts[3]], texts[4]);
    let health = v.add(texts[5], "health", "0.8", &["--evidence", texts[6]]);
    v.ok(&["belief", "delete", &health]);

    let json = v.ok(&["audit", "log", "--json"]);
    let text = v.ok(&["audit", "log"]);
    for t in texts {
        for (what, out) in [("audit log --json", &json), ("audit log", &text)] {
            assert!(!out.contains(t), "{what} leaks {t:?}:\n{out}");
        }
    }
    for word in ["typewriter", "Typewriter", "migraine", "fountain"] {
        assert!(
            !json.contains(word),
            "audit log --json leaks {word:?}:\n{json}"
        );
    }
    // What it does hold: ids, categories, counts and hashes.
    assert!(json.contains(&id) && json.contains(&health), "{json}");
    let log: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(log.as_array().unwrap().len(), 5);
    // Written event by event, framed as one pretty-printed array; one line each as text.
    assert!(json.starts_with("[\n  {\n    \"seq\": 1,\n"), "{json}");
    assert!(json.ends_with("\n  }\n]\n"), "{json}");
    assert_eq!(json.matches("\n  },\n  {\n").count(), 4, "{json}");
    assert_eq!(text.lines().count(), 5);
}

#[test]
fn an_event_altered_through_sql_is_named() {
    let v = TestVault::init();
    for s in ["Likes chess", "Likes go", "Likes shogi", "Likes xiangqi"] {
        v.add(s, "interests", "0.5", &[]);
    }
    assert_eq!(v.verified_events(), 5);

    v.alter_one_row("UPDATE audit_events SET detail = 'x' WHERE seq = 3");

    let verdict = broken_verdict(&v);
    assert_eq!(verdict["ok"], false, "{verdict}");
    assert_eq!(verdict["first_bad_event"], 3, "{verdict}");
    assert!(
        !verdict["reason"].as_str().unwrap().is_empty(),
        "says what is wrong: {verdict}"
    );
    assert!(verdict.get("head").is_none() && verdict.get("events").is_none());

    let err = v.fail(&["audit", "verify"]);
    assert!(err.contains("broken at event 3"), "{err}");

    // The beliefs themselves are still readable: tampering is reported, not fatal.
    assert_eq!(v.count(), 4);
}

#[test]
fn a_removed_event_or_an_overwritten_hash_is_named() {
    for tampering in [
        "DELETE FROM audit_events WHERE seq = 2",
        "UPDATE audit_events SET hash = zeroblob(32) WHERE seq = 2",
    ] {
        let v = TestVault::init();
        for s in ["Likes chess", "Likes go", "Likes shogi"] {
            v.add(s, "interests", "0.5", &[]);
        }
        v.alter_one_row(tampering);
        let verdict = broken_verdict(&v);
        assert_eq!(verdict["ok"], false, "{tampering}: {verdict}");
        assert_eq!(verdict["first_bad_event"], 2, "{tampering}: {verdict}");
    }
}
