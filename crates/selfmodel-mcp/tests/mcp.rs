//! `selfmodel mcp` driven over stdio by a real MCP client (rmcp), against the real
//! `selfmodel serve` on a real vault, with the person's side played by the real CLI.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{Value, json};

const ASSISTANT: &str = "test-assistant";
const VENDOR: &str = "mcp:test-assistant";

/// The operations of the access log entries, in order.
fn operations(log: &[Value]) -> Vec<(String, String, Option<String>)> {
    log.iter()
        .map(|e| {
            (
                e["operation"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
                e["reason"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// The arguments of `propose_belief` for a belief held with confidence 0.8.
fn proposal(category: &str, statement: &str, evidence_summary: &str) -> Value {
    json!({
        "category": category,
        "statement": statement,
        "confidence": 0.8,
        "evidence_summary": evidence_summary,
    })
}

#[tokio::test]
async fn approval_then_purpose_bound_reads_proposals_and_refusals() {
    let s = Served::start();
    let state = s.dir.path().join("mcp-state/state.json");
    let a = assistant(
        &s,
        ASSISTANT,
        "1.2.3",
        &state,
        &[
            "--purpose",
            "communication",
            "--purpose",
            "personalisation",
            "--category",
            "communication-style",
            "--category",
            "expertise",
        ],
    )
    .await;

    // The tools and the resource are there, described for the model.
    let tools = a.client.list_all_tools().await.unwrap();
    let names: BTreeSet<_> = tools.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(
        names,
        BTreeSet::from(
            [
                "explain_belief",
                "my_grant",
                "propose_belief",
                "read_beliefs"
            ]
            .map(String::from)
        )
    );
    for t in &tools {
        assert!(t.description.as_deref().unwrap_or("").len() > 100, "{t:?}");
    }
    let read = tools.iter().find(|t| t.name == "read_beliefs").unwrap();
    let required = read.input_schema.get("required").unwrap();
    assert_eq!(required, &json!(["purpose"]));
    assert_eq!(
        read.annotations.as_ref().unwrap().read_only_hint,
        Some(true)
    );
    let propose = tools.iter().find(|t| t.name == "propose_belief").unwrap();
    assert_eq!(
        propose.annotations.as_ref().unwrap().read_only_hint,
        Some(false)
    );
    let resources = a.client.list_all_resources().await.unwrap();
    assert_eq!(resources.len(), 1);
    assert_eq!(resources[0].uri, "selfmodel://beliefs");

    // First use: a grant request named after the MCP client, and a waiting answer (no error)
    // with the user code the person sees.
    assert!(s.pending_requests().is_empty());
    let waiting = a
        .answered("read_beliefs", json!({"purpose": "communication"}))
        .await;
    assert!(
        waiting.text.starts_with("Waiting for approval"),
        "{waiting:?}"
    );
    let requests = s.pending_requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(r["vendor"]["id"], VENDOR);
    let vendor_name = r["vendor"]["name"].as_str().unwrap();
    assert!(
        vendor_name.contains("test-assistant 1.2.3"),
        "{vendor_name}"
    );
    assert!(vendor_name.contains("self-asserted"), "{vendor_name}");
    assert!(
        r["justification"]
            .as_str()
            .unwrap()
            .contains("\"test-assistant\" version \"1.2.3\": self-asserted"),
        "{r}"
    );
    assert_eq!(r["purposes"], json!(["communication", "personalisation"]));
    assert_eq!(r["categories"], json!(["communication-style", "expertise"]));
    assert_eq!(r["operations"], json!(["read", "read_evidence", "propose"]));
    let code = r["user_code"].as_str().unwrap();
    let request_id = r["id"].as_str().unwrap();
    assert_eq!(user_code(&waiting.text), code);
    assert!(
        waiting
            .text
            .contains(&format!("selfmodel grant approve {request_id}")),
        "{waiting:?}"
    );

    // Every tool and the resource wait the same way; no second request is filed.
    for (tool, args) in [
        ("my_grant", json!({})),
        (
            "explain_belief",
            json!({"id": "x", "purpose": "communication"}),
        ),
    ] {
        let w = a.answered(tool, args).await;
        assert_eq!(user_code(&w.text), code);
    }
    let doc = a.read("selfmodel://beliefs").await.unwrap();
    assert!(doc.contains("Waiting for approval"), "{doc}");
    assert_eq!(s.pending_requests().len(), 1);

    // The state file holds the pending request privately.
    #[cfg(unix)]
    {
        assert_eq!(mode(&state), 0o600);
        assert_eq!(mode(state.parent().unwrap()), 0o700);
    }
    let stored: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(stored["vendor_id"], VENDOR);
    assert_eq!(stored["pending"]["user_code"], code);
    assert!(stored.get("token").is_none());

    // The person approves, narrowed to one category.
    s.cli(&[
        "grant",
        "approve",
        request_id,
        "--category",
        "communication-style",
    ]);

    // Purpose-bound reads: exactly what the grant discloses for the purpose.
    let got = a
        .answered(
            "read_beliefs",
            json!({"purpose": "communication", "limit": 200}),
        )
        .await;
    let expected = s.expected("communication", &["communication-style"], false);
    assert!(!expected.is_empty());
    for id in &expected {
        assert!(got.text.contains(id.as_str()), "{id} missing: {}", got.text);
    }
    let listed = got.text.lines().filter(|l| l.starts_with("- ")).count();
    assert_eq!(listed, expected.len(), "{}", got.text);
    // A category the person narrowed away is not returned ...
    let expertise: Vec<Value> = s
        .all_beliefs()
        .into_iter()
        .filter(|b| b["category"] == "expertise")
        .collect();
    assert!(!expertise.is_empty());
    for b in &expertise {
        assert!(!got.text.contains(b["id"].as_str().unwrap()), "{b}");
        assert!(!got.text.contains(b["statement"].as_str().unwrap()), "{b}");
    }
    // ... and asking for it by name is refused.
    let refused = a
        .refused(
            "read_beliefs",
            json!({"purpose": "communication", "category": "expertise"}),
        )
        .await;
    assert!(refused.text.contains("category_not_granted"), "{refused:?}");
    // A purpose outside the grant is refused, with the server's message.
    let refused = a
        .refused("read_beliefs", json!({"purpose": "recommendations"}))
        .await;
    assert!(refused.text.contains("purpose_not_granted"), "{refused:?}");
    assert!(refused.text.contains("recommendations"), "{refused:?}");

    // The text filter and the limit.
    let one = a
        .call(
            "read_beliefs",
            json!({"purpose": "communication", "limit": 1}),
        )
        .await;
    assert_eq!(
        one.text.lines().filter(|l| l.starts_with("- ")).count(),
        1,
        "{one:?}"
    );
    if expected.len() > 1 {
        assert!(one.text.contains("More beliefs match"), "{one:?}");
    }
    let some_id = expected.iter().next().unwrap().clone();
    let statement = s
        .all_beliefs()
        .into_iter()
        .find(|b| b["id"] == some_id.as_str())
        .unwrap()["statement"]
        .as_str()
        .unwrap()
        .to_owned();
    let word = statement
        .split_whitespace()
        .max_by_key(|w| w.len())
        .unwrap()
        .to_uppercase();
    let filtered = a
        .call(
            "read_beliefs",
            json!({"purpose": "communication", "query": word}),
        )
        .await;
    assert!(filtered.text.contains(&some_id), "{filtered:?}");
    for line in filtered.text.lines().filter(|l| l.starts_with("- ")) {
        assert!(line.to_uppercase().contains(&word), "{line}");
    }
    // Filtered by the server: the access log holds exactly what the assistant was shown.
    let shown = filtered
        .text
        .lines()
        .filter(|l| l.starts_with("- "))
        .count();
    let log = s.access_log(&[]);
    let disclosed = log.last().unwrap()["disclosed"].as_array().unwrap().clone();
    assert_eq!(disclosed.len(), shown, "{log:?}");
    for id in &disclosed {
        assert!(
            filtered.text.contains(id.as_str().unwrap()),
            "{id} was not shown"
        );
    }

    // Explain: the belief with its evidence (the grant has read_evidence).
    let explained = a
        .answered(
            "explain_belief",
            json!({"id": some_id, "purpose": "communication"}),
        )
        .await;
    assert!(explained.text.contains(&statement), "{explained:?}");
    assert!(explained.text.contains("Evidence"), "{explained:?}");
    assert!(
        // The demo vault's beliefs were written by Selfmodel itself.
        explained.text.contains("Provenance: recorded by Selfmodel")
            && explained.text.contains("Last confirmed by the person: "),
        "{explained:?}"
    );
    assert!(!explained.text.contains("not disclosed"), "{explained:?}");
    let hidden = expertise[0]["id"].as_str().unwrap();
    let not_found = a
        .refused(
            "explain_belief",
            json!({"id": hidden, "purpose": "communication"}),
        )
        .await;
    assert!(
        !not_found
            .text
            .contains(expertise[0]["statement"].as_str().unwrap())
    );

    // The grant as approved.
    let grant = a.answered("my_grant", json!({})).await;
    assert!(
        grant
            .text
            .contains("Belief types you may see: communication-style\n"),
        "{grant:?}"
    );
    assert!(
        grant
            .text
            .contains("Purposes you may name: communication, personalisation"),
        "{grant:?}"
    );
    assert!(
        grant.text.contains("read, read_evidence, propose"),
        "{grant:?}"
    );

    // The resource: the granted slice for the first purpose, as Markdown.
    let doc = a.read("selfmodel://beliefs").await.unwrap();
    assert!(doc.starts_with("# What Selfmodel lets"), "{doc}");
    assert!(doc.contains("Purpose: **communication**"), "{doc}");
    for id in &expected {
        assert!(doc.contains(id.as_str()), "{id} missing: {doc}");
    }
    assert!(!doc.contains("## expertise"), "{doc}");
    let other = a.read("selfmodel://beliefs/personalisation").await.unwrap();
    assert!(other.contains("Purpose: **personalisation**"), "{other}");
    for id in s.expected("personalisation", &["communication-style"], false) {
        assert!(other.contains(&id), "{id} missing: {other}");
    }
    assert!(a.read("selfmodel://beliefs/advertising").await.is_err());
    assert!(a.read("selfmodel://other").await.is_err());

    // A proposal lands in the person's inbox, pending.
    let proposed = a
        .answered(
            "propose_belief",
            json!({
                "category": "communication-style",
                "statement": "Prefers answers that start with the code",
                "confidence": 0.7,
                "evidence_summary": "Asked twice for the code before the explanation",
                "evidence_kind": "stated",
                "purposes": ["communication"],
            }),
        )
        .await;
    assert!(proposed.text.contains("pending"), "{proposed:?}");
    let inbox = s.cli_json(&["inbox"]);
    let entry = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["statement"] == "Prefers answers that start with the code")
        .unwrap_or_else(|| panic!("not in the inbox: {inbox}"));
    assert_eq!(entry["status"], "pending");
    assert!(proposed.text.contains(entry["id"].as_str().unwrap()));
    // Minimisation: an identifier is refused, with the server's words, and nothing is filed.
    let email = "Prefers email at jane.doe@example.com";
    let args = proposal("communication-style", email, "Said so");
    let refused = a.refused("propose_belief", args).await;
    assert!(refused.text.contains("Selfmodel refused"), "{refused:?}");
    assert!(refused.text.contains("email"), "{refused:?}");
    assert!(
        !refused.text.contains("jane.doe@example.com"),
        "{refused:?}"
    );
    // A type outside the grant is refused too.
    let args = proposal(
        "expertise",
        "Knows Rust well",
        "Wrote Rust in the conversation",
    );
    let refused = a.refused("propose_belief", args).await;
    assert!(refused.text.contains("category_not_granted"), "{refused:?}");
    assert_eq!(
        s.cli_json(&["inbox"]).as_array().unwrap().len(),
        inbox.as_array().unwrap().len()
    );

    // The access log shows every call as a vendor request of this MCP client.
    let log = s.requests_logged(&["--vendor", VENDOR]);
    let ops = operations(&log);
    let count = |op: &str, outcome: &str, reason: Option<&str>| {
        ops.iter()
            .filter(|(o, out, r)| o == op && out == outcome && r.as_deref() == reason)
            .count()
    };
    assert_eq!(count("grant.request", "allowed", None), 1, "{ops:?}");
    assert_eq!(count("grant.claim", "allowed", None), 1, "{ops:?}");
    // Reads: all, limit 1, query, and the two resource reads (a short page may be followed by
    // another, so at least five requests).
    assert!(count("beliefs.read", "allowed", None) >= 5, "{ops:?}");
    assert_eq!(
        count("beliefs.read", "denied", Some("category_not_granted")),
        1,
        "{ops:?}"
    );
    // The tool's and the resource's (selfmodel://beliefs/advertising).
    assert_eq!(
        count("beliefs.read", "denied", Some("purpose_not_granted")),
        2,
        "{ops:?}"
    );
    assert_eq!(count("belief.read", "allowed", None), 1, "{ops:?}");
    assert_eq!(
        count("belief.read", "denied", Some("not_found")),
        1,
        "{ops:?}"
    );
    // my_grant, and the resource's first read of the grant.
    assert!(count("grant.read", "allowed", None) >= 1, "{ops:?}");
    assert_eq!(count("beliefs.propose", "allowed", None), 1, "{ops:?}");
    assert_eq!(
        ops.iter()
            .filter(|(o, out, _)| o == "beliefs.propose" && out == "denied")
            .count(),
        2,
        "{ops:?}"
    );
    let purposes: BTreeSet<_> = log
        .iter()
        .filter(|e| e["operation"] == "beliefs.read" && e["outcome"] == "allowed")
        .map(|e| e["purpose"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        purposes,
        BTreeSet::from(["communication".to_owned(), "personalisation".to_owned()])
    );
    let disclosed: BTreeSet<String> = log
        .iter()
        .filter(|e| e["purpose"] == "communication")
        .flat_map(|e| e["disclosed"].as_array().unwrap().clone())
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        disclosed, expected,
        "only what the grant allows left the vault"
    );

    // The token is on disk, private, and never in the MCP server's logs.
    let stored: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let token = stored["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("smt_"));
    assert!(stored.get("pending").is_none());
    #[cfg(unix)]
    assert_eq!(mode(&state), 0o600);
    let log = a.close().await;
    let logged = std::fs::read_to_string(log).unwrap();
    assert!(logged.contains("filed a grant request"), "{logged}");
    assert!(!logged.contains(&token), "the token was logged");
    let secret = token.rsplit('_').next().unwrap();
    assert!(!logged.contains(secret), "the token's secret was logged");
}

#[tokio::test]
async fn the_token_is_kept_across_runs_and_revocation_is_noticed_on_the_next_call() {
    let s = Served::start();
    let state = s.dir.path().join("state.json");
    let a = assistant(&s, ASSISTANT, "2.0", &state, &[]).await;
    let waiting = a
        .call("read_beliefs", json!({"purpose": "communication"}))
        .await;
    assert!(!waiting.is_error && waiting.text.starts_with("Waiting for approval"));
    let r = &s.pending_requests()[0];
    // The defaults: two purposes, five everyday types, all three operations.
    assert_eq!(r["purposes"], json!(["communication", "personalisation"]));
    assert_eq!(
        r["categories"],
        json!([
            "communication-style",
            "expertise",
            "goals",
            "interests",
            "preferences"
        ])
    );
    s.cli(&["grant", "approve", r["id"].as_str().unwrap()]);
    let first = a
        .answered("read_beliefs", json!({"purpose": "personalisation"}))
        .await;
    a.close().await;

    // A new run (the assistant restarted) uses the stored token: no new request.
    let a = assistant(&s, ASSISTANT, "2.0", &state, &[]).await;
    let again = a
        .answered("read_beliefs", json!({"purpose": "personalisation"}))
        .await;
    assert_eq!(again.text, first.text);
    assert!(s.pending_requests().is_empty());
    assert_eq!(
        operations(&s.access_log(&["--vendor", VENDOR]))
            .iter()
            .filter(|(o, _, _)| o == "grant.request")
            .count(),
        1
    );

    // The person revokes the grant: the next call says so and the token is deleted ...
    let grants = s.cli_json(&["grant", "list"]);
    let grant_id = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["vendor"]["id"] == VENDOR)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.cli(&["grant", "revoke", &grant_id]);
    let revoked = a
        .refused("read_beliefs", json!({"purpose": "personalisation"}))
        .await;
    assert!(revoked.text.contains("revoked"), "{revoked:?}");
    assert!(revoked.text.contains("token_revoked"), "{revoked:?}");
    let stored: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert!(stored.get("token").is_none(), "{stored}");
    assert!(stored.get("server_key").is_some(), "the pinned key stays");
    #[cfg(unix)]
    assert_eq!(mode(&state), 0o600);
    let log = operations(&s.access_log(&["--vendor", VENDOR]));
    assert!(
        log.contains(&(
            "beliefs.read".into(),
            "denied".into(),
            Some("token_revoked".into())
        )),
        "{log:?}"
    );

    // ... and the call after that asks the person again, with a new code.
    let fresh = a.answered("my_grant", json!({})).await;
    assert!(fresh.text.starts_with("Waiting for approval"), "{fresh:?}");
    let pending = s.pending_requests();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        user_code(&fresh.text),
        pending[0]["user_code"].as_str().unwrap()
    );
    assert_ne!(pending[0]["id"], r["id"]);
    a.close().await;
}

#[tokio::test]
async fn a_denied_request_is_reported_and_not_filed_again_in_the_same_run() {
    let s = Served::start();
    let state = s.dir.path().join("state.json");
    // Starts the assistant: a new run, with the same state file.
    let run = || {
        assistant(
            &s,
            "Other Client",
            "0.1",
            &state,
            &["--purpose", "communication"],
        )
    };
    let a = run().await;
    a.call("my_grant", json!({})).await;
    let r = &s.pending_requests()[0];
    assert_eq!(r["vendor"]["id"], "mcp:other-client");
    s.cli(&["grant", "deny", r["id"].as_str().unwrap()]);
    let denied = a
        .refused("read_beliefs", json!({"purpose": "communication"}))
        .await;
    assert!(denied.text.contains("denied"), "{denied:?}");
    let again = a
        .call("read_beliefs", json!({"purpose": "communication"}))
        .await;
    assert!(again.is_error && again.text == denied.text, "{again:?}");
    assert!(s.pending_requests().is_empty(), "no new request");
    a.close().await;

    // A new run asks again.
    let a = run().await;
    let waiting = a.call("my_grant", json!({})).await;
    assert!(
        waiting.text.starts_with("Waiting for approval"),
        "{waiting:?}"
    );
    assert_eq!(s.pending_requests().len(), 1);
    a.close().await;
}

#[tokio::test]
async fn without_a_running_server_tools_say_how_to_start_one() {
    let s = Served::start();
    let state = s.dir.path().join("state.json");
    std::fs::remove_file(s.discovery_path()).unwrap();
    let a = assistant(&s, ASSISTANT, "1", &state, &[]).await;
    let down = a
        .refused("read_beliefs", json!({"purpose": "communication"}))
        .await;
    assert!(down.text.contains("selfmodel serve"), "{down:?}");
    assert!(!state.exists(), "nothing to store yet");
    a.close().await;
}
