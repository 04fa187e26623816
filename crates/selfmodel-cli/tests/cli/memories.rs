//! `selfmodel import-memories` through the binary: each source from a committed fixture
//! (`tests/fixtures/memories`) lands as pending proposals with its provenance; a dry run writes
//! nothing; importing again adds nothing; what the person erased stays erased; identifiers are
//! refused by kind; hostile inputs get one clear error and leave the vault as it was.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{TestVault, assert_hex64, parse_json};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/memories")
        .join(name)
        .display()
        .to_string()
}

/// `import-memories --json` with these arguments.
fn import(v: &TestVault, from: &str, path: &str, extra: &[&str]) -> Value {
    let mut args = vec!["import-memories", "--from", from, path, "--json"];
    args.extend_from_slice(extra);
    v.json(&args)
}

/// `import-memories --from FROM - EXTRA` with `input` pasted on standard input, which must
/// succeed; returns its stdout.
fn paste(v: &TestVault, from: &str, extra: &[&str], input: impl Into<Vec<u8>>) -> String {
    let mut args = vec!["import-memories", "--from", from, "-"];
    args.extend_from_slice(extra);
    v.ok_with_stdin(&args, input)
}

/// As [`paste`] with `--json`: the import's report.
fn paste_json(v: &TestVault, from: &str, extra: &[&str], input: impl Into<Vec<u8>>) -> Value {
    let extra = [extra, &["--json"]].concat();
    parse_json(&paste(v, from, &extra, input), extra)
}

fn summary(report: &Value) -> (u64, u64, u64, u64) {
    let s = &report["summary"];
    let n = |k: &str| s[k].as_u64().unwrap();
    (
        n("proposed"),
        n("duplicates"),
        n("previously_erased"),
        n("refused"),
    )
}

fn inbox(v: &TestVault) -> Vec<Value> {
    v.json_array(&["inbox", "--json"])
}

/// The id of the belief in `beliefs` that states `statement`.
fn id_of(beliefs: &[Value], statement: &str) -> String {
    beliefs
        .iter()
        .find(|b| b["statement"] == statement)
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .unwrap()
}

fn statements(beliefs: &[Value]) -> Vec<&str> {
    beliefs
        .iter()
        .map(|b| b["statement"].as_str().unwrap())
        .collect()
}

#[test]
fn a_pasted_list_lands_as_pending_proposals_with_provenance() {
    let v = TestVault::init();
    let events = v.verified_events();
    let report = import(&v, "chatgpt", &fixture("chatgpt.txt"), &[]);
    assert_eq!(summary(&report), (8, 0, 0, 3), "{report}");
    assert_eq!(report["changed"], true);
    assert_eq!(
        report["summary"]["refused_by_kind"],
        serde_json::json!({"email": 1, "phone": 1, "payment_card": 1})
    );
    let text = report.to_string();
    for secret in ["example.com", "555-2671", "4111"] {
        assert!(!text.contains(secret), "the report repeats {secret}");
    }

    let pending = inbox(&v);
    assert_eq!(pending.len(), 8);
    assert!(
        v.list(&["--status", "active"]).is_empty(),
        "nothing is active"
    );
    let proposed: Vec<&Value> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["outcome"] == "proposed")
        .collect();
    for (b, item) in pending.iter().zip(&proposed) {
        assert_eq!(b["status"], "pending");
        assert_eq!(b["confidence"], 0.5);
        assert_eq!(b["provenance"]["actor"], "import");
        assert_eq!(b["provenance"]["method"], "import-memories:chatgpt");
        assert_eq!(b["id"], item["proposal"]["id"]);
        let ev = &b["evidence"][0];
        assert_eq!(ev["kind"], "imported");
        assert_eq!(ev["source"], "ChatGPT saved memories");
        assert_eq!(ev["content_sha256"], item["sha256"]);
        assert_hex64(ev["content_sha256"].as_str().unwrap());
        assert!(
            ev["summary"]
                .as_str()
                .unwrap()
                .contains(&format!("line {}", item["line"]))
        );
    }
    let category = |s: &str| {
        pending
            .iter()
            .find(|b| b["statement"] == s)
            .map(|b| b["category"].as_str().unwrap().to_owned())
    };
    assert_eq!(category("Is learning Rust").as_deref(), Some("expertise"));
    assert_eq!(
        category("Wants to run a marathon next year").as_deref(),
        Some("goals")
    );
    let health = pending.iter().find(|b| b["category"] == "health").unwrap();
    assert_eq!(health["sensitivity"], "special");
    // Eight proposals and the import, each audited; the chain holds no text.
    assert_eq!(v.verified_events(), events + 9);
    let log = v.audit_log();
    assert_eq!(log.last().unwrap()["action"], "memories.imported");
    assert!(!serde_json::to_string(&log).unwrap().contains("Rust"));
}

#[test]
fn a_dry_run_shows_what_would_land_and_writes_nothing() {
    let v = TestVault::init();
    let before = v.bytes();
    let out = v.ok(&[
        "import-memories",
        "--from",
        "claude",
        &fixture("chatgpt.txt"),
        "--dry-run",
    ]);
    assert!(out.starts_with("dry run: nothing was written"), "{out}");
    assert!(
        out.contains("line 4  would propose  expertise [communication, customer-care, personalisation, recommendations]  Is learning Rust"),
        "{out}"
    );
    assert!(out.contains("line 10  refused (email): "), "{out}");
    assert!(
        out.contains("would propose 8, duplicates 0, previously erased 0, refused 3 (email 1, payment_card 1, phone 1)"),
        "{out}"
    );
    assert_eq!(v.bytes(), before, "a dry run must not touch the file");
    let report = import(&v, "claude", &fixture("chatgpt.txt"), &["--dry-run"]);
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["changed"], false);
    assert_eq!(report["items"][2]["proposal"]["id"], Value::Null);
    assert!(inbox(&v).is_empty());
}

#[test]
fn importing_again_adds_nothing() {
    let v = TestVault::init();
    import(&v, "chatgpt", &fixture("chatgpt.txt"), &[]);
    let events = v.verified_events();
    let again = import(&v, "chatgpt", &fixture("chatgpt.txt"), &[]);
    assert_eq!(summary(&again), (0, 8, 0, 3));
    assert_eq!(again["changed"], false);
    // The same memories reworded or from another source are the same memories.
    let out = paste(
        &v,
        "gemini",
        &[],
        "1. is learning RUST!\n2) Enjoys hiking in the alps\n",
    );
    assert!(out.contains("proposed 0, duplicates 2"), "{out}");
    assert_eq!(v.verified_events(), events, "nothing written");
    assert_eq!(inbox(&v).len(), 8);
}

#[test]
fn an_erased_or_rejected_memory_does_not_come_back() {
    let v = TestVault::init();
    import(&v, "chatgpt", &fixture("chatgpt.txt"), &[]);
    let pending = inbox(&v);
    let id = |s: &str| id_of(&pending, s);
    v.ok(&["belief", "reject", &id("Is learning Rust")]);
    let kept = id("Enjoys hiking in the Alps");
    v.ok(&["belief", "accept", &kept]);
    v.ok(&["belief", "delete", &kept]);
    let report = import(&v, "text", &fixture("chatgpt.txt"), &[]);
    assert_eq!(summary(&report), (0, 6, 2, 3), "{report}");
    let left = inbox(&v);
    assert_eq!(left.len(), 6);
    assert!(!statements(&left).contains(&"Is learning Rust"));
    assert!(v.list(&["--search", "hiking"]).is_empty());
}

#[test]
fn a_proposal_corrected_as_it_is_accepted_is_one_transaction() {
    let v = TestVault::init();
    import(&v, "chatgpt", &fixture("chatgpt.txt"), &[]);
    let pending = inbox(&v);
    let id = |s: &str| id_of(&pending, s);
    let (hiking, rust) = (id("Enjoys hiking in the Alps"), id("Is learning Rust"));
    let events = v.verified_events();

    // A correction names one proposal and says why.
    let two = v.fail(&[
        "belief",
        "accept",
        &hiking,
        &rust,
        "--statement",
        "Hikes",
        "--reason",
        "shorter",
    ]);
    assert!(two.contains("name its id alone"), "{two}");
    let unexplained = v.usage_error(&["belief", "accept", &hiking, "--statement", "Hikes"]);
    assert!(unexplained.contains("--reason <REASON>"), "{unexplained}");
    // A correction the vault refuses accepts nothing: the proposal stays as it was.
    let refused = v.fail(&[
        "belief",
        "accept",
        &hiking,
        "--statement",
        "Writes to sam.doe@example.org about hikes",
        "--reason",
        "more precise",
    ]);
    assert!(
        refused.contains("a self-model keeps no such data"),
        "{refused}"
    );
    assert_eq!(v.verified_events(), events, "nothing written");
    assert_eq!(inbox(&v).len(), pending.len());

    let out = v.ok(&[
        "belief",
        "accept",
        &hiking,
        "--statement",
        "Hikes in the Alps most summers",
        "--confidence",
        "0.8",
        "--reason",
        "more precise",
    ]);
    assert!(out.contains("it is now active"), "{out}");
    let b = v.json(&["belief", "show", &hiking, "--json"]);
    assert_eq!(b["status"], "active");
    assert_eq!(b["statement"], "Hikes in the Alps most summers");
    assert_eq!(b["confidence"], 0.8);
    let history = b["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{b}");
    assert_eq!(history[0]["reason"], "more precise");
    assert_eq!(inbox(&v).len(), pending.len() - 1);
}

#[test]
fn identifiers_are_refused_with_their_kind() {
    let v = TestVault::init();
    let out = paste(
        &v,
        "text",
        &[],
        "- Work address is sam.doe@example.org\n\
         - Mobile is +44 7700 900123\n\
         - Card 5555 5555 5555 4444 is for travel\n\
         - Stores the key AKIAIOSFODNN7EXAMPLE in a notebook\n\
         - Likes \u{1b}]0;owned\u{7} terminals\n",
    );
    for kind in [
        "email",
        "phone",
        "payment_card",
        "aws_access_key",
        "hidden_character",
    ] {
        assert!(out.contains(&format!("refused ({kind})")), "{kind}: {out}");
    }
    assert!(
        out.contains("proposed 0, duplicates 0, previously erased 0, refused 5"),
        "{out}"
    );
    for secret in ["example.org", "900123", "4444", "AKIA", "owned", "\u{1b}"] {
        assert!(
            !out.contains(secret),
            "the output repeats {secret:?}: {out}"
        );
    }
    assert!(inbox(&v).is_empty());
}

#[test]
fn a_mem0_export_lands_with_its_times() {
    let v = TestVault::init();
    let report = import(&v, "mem0", &fixture("mem0.json"), &[]);
    assert_eq!(summary(&report), (3, 0, 0, 0), "{report}");
    let pending = inbox(&v);
    assert_eq!(
        statements(&pending),
        [
            "Prefers morning meetings and async communication",
            "Is leading the API redesign project, targeting a Q2 launch",
            "Is vegetarian",
        ]
    );
    assert_eq!(pending[0]["provenance"]["method"], "import-memories:mem0");
    assert_eq!(pending[0]["evidence"][0]["source"], "mem0 export");
    assert_eq!(
        pending[0]["evidence"][0]["observed_at"],
        "2025-03-14T16:26:53.589793Z"
    );
    assert_eq!(pending[2]["category"], "preferences");
    assert!(
        pending[0]["evidence"][0]["summary"]
            .as_str()
            .unwrap()
            .ends_with("item 1")
    );
}

#[test]
fn a_me_md_directory_lands_without_its_proposals_projects_or_journal() {
    let v = TestVault::init();
    let report = import(&v, "me-md", &fixture("me-md"), &[]);
    assert_eq!(summary(&report), (4, 0, 0, 1), "{report}");
    let files: Vec<&str> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "me.md",
            "me.md",
            "me.md",
            "topics/coffee.md",
            "topics/coffee.md"
        ]
    );
    assert_eq!(report["items"][4]["reason_code"], "email");
    assert_eq!(
        statements(&inbox(&v)),
        [
            "I'm training for my first marathon. Sundays are my long runs.",
            "Keep things short. I'm new to a lot of this.",
            "Ask me before you send anything to anyone.",
            "I drink my coffee black.",
        ]
    );
    let b = &inbox(&v)[3];
    assert_eq!(b["provenance"]["method"], "import-memories:me-md");
    assert!(
        b["evidence"][0]["summary"]
            .as_str()
            .unwrap()
            .ends_with("topics/coffee.md, line 6"),
        "{b}"
    );
}

#[test]
fn hostile_inputs_get_one_clear_error_and_lose_nothing() {
    let v = TestVault::init();
    import(&v, "text", &fixture("chatgpt.txt"), &[]);
    let before = v.bytes();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let cases: Vec<(&str, PathBuf, &str)> = vec![
        ("text", file("empty.txt", b""), "no memories found in"),
        (
            "chatgpt",
            file("headings.md", b"# Memories\n\n## None yet\n"),
            "no memories found in",
        ),
        (
            "text",
            file("binary.bin", &[0x7f, b'E', b'L', b'F', 0, 1, 2, 0xff]),
            "is not a text file (it holds NUL bytes)",
        ),
        (
            "text",
            file("latin1.txt", b"- Likes caf\xe9\n"),
            "is not UTF-8 text (invalid byte at offset 11)",
        ),
        (
            "text",
            file("huge.txt", &vec![b'a'; 4 * 1024 * 1024 + 1]),
            "is larger than 4 MiB",
        ),
        (
            "text",
            file("many.txt", "- a memory\n".repeat(10_001).as_bytes()),
            "holds 10001 memories; one import takes at most 10000",
        ),
        (
            "mem0",
            file("bad.json", b"{\"results\": [ {\"memory\": \"x\" }"),
            "is not a mem0 JSON export: EOF while parsing",
        ),
        (
            "mem0",
            file("shape.json", b"{\"memories\": {\"a\": 1}}"),
            "without a \"results\" list",
        ),
        (
            "mem0",
            file("items.json", b"[{\"text\": \"Likes tea\"}]"),
            "item 1 has no \"memory\" text",
        ),
        (
            "text",
            dir.path().to_path_buf(),
            "only a me.md import reads a directory",
        ),
        ("text", dir.path().join("missing.txt"), "cannot read"),
    ];
    for (from, path, expected) in cases {
        let err = v.fail(&[
            "import-memories",
            "--from",
            from,
            &path.display().to_string(),
        ]);
        assert!(err.contains(expected), "{}: {err}", path.display());
        assert_eq!(v.bytes(), before, "{}: the vault changed", path.display());
    }
    // Huge or hidden lines are refused one by one; the rest lands.
    let mixed = file(
        "mixed.txt",
        format!(
            "- {}\n- Likes \u{202E}reversed\n- Collects old maps\n",
            "word ".repeat(2_000)
        )
        .as_bytes(),
    );
    let report = import(&v, "text", &mixed.display().to_string(), &[]);
    assert_eq!(summary(&report), (1, 0, 0, 2), "{report}");
    assert_eq!(
        report["summary"]["refused_by_kind"],
        serde_json::json!({"too_long": 1, "hidden_character": 1})
    );
    assert_eq!(inbox(&v).len(), 9);
}

#[test]
fn memories_in_many_scripts_and_right_to_left_land_as_written() {
    let v = TestVault::init();
    let lines = [
        "喜欢简洁的回答",
        "يفضل الإجابات القصيرة",
        "מעדיף תשובות קצרות\u{200F}",
        "छोटे उत्तर पसंद करते हैं",
        "Предпочитает краткие ответы",
        "Προτιμά σύντομες απαντήσεις",
        "簡潔な回答を好む",
        "간결한 답변을 선호함",
        "ชอบคำตอบสั้นๆ",
        "پاسخ‌های کوتاه را ترجیح می‌دهد",
    ];
    let input: String = lines.iter().map(|l| format!("- {l}\n")).collect();
    let report = paste_json(&v, "text", &[], input);
    assert_eq!(summary(&report), (10, 0, 0, 0), "{report}");
    assert_eq!(statements(&inbox(&v)), lines);
}

#[test]
fn an_oversized_paste_is_refused_before_the_vault_is_opened() {
    let v = TestVault::init();
    let before = v.bytes();
    // No passphrase: the input is refused before one is asked for.
    let out = v
        .cmd_with(None)
        .args(["import-memories", "--from", "chatgpt", "-"])
        .write_stdin("- Likes tea\n".repeat(500_000))
        .output()
        .unwrap();
    let err = crate::common::one_error_line(&out);
    assert!(err.contains("standard input is larger than 4 MiB"), "{err}");
    assert_eq!(v.bytes(), before);
}

/// 500 distinct memories, one per line.
fn five_hundred_memories() -> String {
    const THINGS: [&str; 25] = [
        "hiking",
        "chess",
        "sailing",
        "pottery",
        "jazz",
        "cycling",
        "baking",
        "poetry",
        "rowing",
        "opera",
        "climbing",
        "knitting",
        "birding",
        "fencing",
        "origami",
        "surfing",
        "tennis",
        "gardening",
        "astronomy",
        "calligraphy",
        "woodwork",
        "archery",
        "judo",
        "skiing",
        "tango",
    ];
    const VERBS: [&str; 2] = ["Enjoys", "Is learning"];
    let mut lines = Vec::new();
    for verb in VERBS {
        for (i, a) in THINGS.iter().enumerate() {
            for b in &THINGS[i + 1..] {
                lines.push(format!("{verb} {a} together with {b}"));
            }
        }
    }
    lines.truncate(500);
    lines.join("\n")
}

#[test]
fn five_hundred_proposals_are_triaged_in_two_commands_each_one_transaction() {
    let v = TestVault::init();
    let report = paste_json(&v, "text", &[], five_hundred_memories());
    assert_eq!(summary(&report), (500, 0, 0, 0), "{report}");
    let pending = inbox(&v);
    let ids: Vec<&str> = pending.iter().map(|b| b["id"].as_str().unwrap()).collect();
    let events = v.verified_events();

    // All or nothing: one id that is not a proposal leaves every other one pending.
    let missing = "00000000-0000-4000-8000-000000000000";
    let mut args = vec!["belief", "accept", "--category", "expertise"];
    args.extend(&ids[..10]);
    args.push(missing);
    assert!(v.fail(&args).contains(missing));
    assert_eq!(v.verified_events(), events, "nothing written");
    assert_eq!(inbox(&v).len(), 500);

    // The 300 "Enjoys" lines (proposed as interests) as expertise, for one purpose; the rest
    // rejected with --all.
    assert!(pending[..300].iter().all(|b| b["category"] == "interests"));
    let mut args = vec![
        "belief",
        "accept",
        "--category",
        "expertise",
        "--purpose",
        "communication",
    ];
    args.extend(&ids[..300]);
    assert!(v.ok(&args).contains("accepted 300 proposals"));
    let accepted = v.list(&["--category", "expertise", "--status", "active"]);
    assert_eq!(accepted.len(), 300);
    assert!(
        accepted
            .iter()
            .all(|b| b["status"] == "active"
                && b["purposes"] == serde_json::json!(["communication"]))
    );
    let again = v.fail(&["belief", "accept", ids[0]]);
    assert!(
        again.contains("not pending") || again.contains("active"),
        "{again}"
    );

    assert!(
        v.ok(&["belief", "reject", "--all"])
            .contains("rejected 200 proposals")
    );
    assert!(inbox(&v).is_empty());
    assert!(
        v.fail(&["belief", "reject", "--all"])
            .contains("inbox is empty")
    );
    assert_eq!(
        v.verified_events(),
        events + 500,
        "one audit event per belief"
    );
    let log = v.audit_log();
    let count = |action: &str| log.iter().filter(|e| e["action"] == action).count();
    assert_eq!(
        (
            count("belief.proposal_accepted"),
            count("belief.proposal_rejected")
        ),
        (300, 200)
    );

    // Rejected memories do not come back.
    let again = paste_json(&v, "text", &[], five_hundred_memories());
    assert_eq!(summary(&again), (0, 300, 200, 0), "{again}");
}

#[test]
fn a_memory_that_says_the_same_as_a_belief_is_shown_and_merged_into_it() {
    let v = TestVault::init();
    let rust = v.add(
        "Is learning Rust",
        "expertise",
        "0.8",
        &["--evidence", "Asked about borrowing"],
    );
    v.edit(&rust, &["--confidence", "0.7"], "Only a beginner");
    let berlin = v.add(
        "Lives in Berlin",
        "context",
        "0.9",
        &["--evidence", "Said so"],
    );
    // The import's own report already says which memory is the same as a belief.
    let pasted = "- learning RUST\n- Lives in Munich\n";
    let dry = paste_json(&v, "claude", &["--dry-run"], pasted);
    assert_eq!(dry["summary"]["same_as"], 1);
    assert_eq!(dry["items"][0]["proposal"]["same_as"]["id"], rust.as_str());
    assert!(dry["items"][1]["proposal"]["same_as"].is_null());
    paste(&v, "claude", &[], pasted);
    let pending = inbox(&v);
    let by = |s: &str| {
        pending
            .iter()
            .find(|b| b["statement"] == s)
            .unwrap()
            .clone()
    };
    let (same, other) = (by("learning RUST"), by("Lives in Munich"));
    assert_eq!(same["same_as"]["id"], rust.as_str());
    assert!(same["same_as"]["similarity"].as_f64().unwrap() >= 0.75);
    assert!(
        other["same_as"].is_null(),
        "a different fact in the same words: {other}"
    );
    let text = v.ok(&["inbox"]);
    assert!(
        text.contains(&format!("same as {rust} \"Is learning Rust\"")),
        "{text}"
    );
    assert!(!text.contains(&berlin), "{text}");

    // Munich is not the same as Berlin: merging without --into says so and changes nothing.
    let events = v.verified_events();
    let other_id = other["id"].as_str().unwrap();
    assert!(v.fail(&["belief", "merge", other_id]).contains("--into"));
    assert!(
        v.fail(&["belief", "merge", &rust, "--into", &berlin])
            .contains("not a proposal")
    );
    assert_eq!(v.verified_events(), events);

    let out = v.ok(&["belief", "merge", same["id"].as_str().unwrap()]);
    assert!(out.contains("2 pieces of evidence"), "{out}");
    let merged = v.show(&rust);
    assert_eq!(
        merged["statement"], "Is learning Rust",
        "the belief keeps its words"
    );
    assert_eq!(merged["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(merged["evidence"][1]["kind"], "imported");
    assert_eq!(
        merged["history"].as_array().unwrap().len(),
        1,
        "and its history"
    );
    assert_eq!(inbox(&v).len(), 1);
    let log = v.audit_log();
    let last = log.last().unwrap();
    assert_eq!(last["action"], "belief.merged");
    assert_eq!(last["subject"], rust.as_str());
    assert_eq!(v.verified_events(), events + 1);

    // The merged memory is already there: importing it again adds nothing.
    let again = paste_json(&v, "claude", &[], "- learning RUST\n");
    assert_eq!(summary(&again).0, 0, "{again}");
}
