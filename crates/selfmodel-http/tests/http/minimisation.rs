#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! Data minimisation through the real HTTP API: a vendor proposal that carries a secret or an
//! identifier (here a payment card number, an API key, an email address) is refused with a 400
//! naming what was found, without echoing it, nothing is stored, and the refusal is logged.

use crate::common::{grant, new_vault, served_from};
use selfmodel::AccessFilter;
use selfmodel_core::{Operation, Outcome};
use selfmodel_http::{RunningServer, ServerConfig, VaultHandle};

/// Drops in declaration order: the server and vault before their directory.
struct Fixture {
    server: RunningServer,
    vault: VaultHandle,
    token: String,
    _dir: tempfile::TempDir,
}

impl Fixture {
    /// Stops the server, then closes the vault (joining its thread) before the directory goes.
    async fn stop(self) {
        self.server.shutdown().await;
        self.vault.close().await.unwrap();
    }
}

async fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let mut model = new_vault(&dir);
    let token = grant(
        &mut model,
        "com.example.test",
        &[Operation::Read, Operation::Propose],
        &[],
    );
    let vault = VaultHandle::spawn(Some(model));
    let server = selfmodel_http::start(vault.clone(), served_from(&dir, ServerConfig::default()))
        .await
        .unwrap();
    Fixture {
        _dir: tmp,
        server,
        vault,
        token,
    }
}

fn proposal(statement: &str, summary: &str, source: &str) -> serde_json::Value {
    serde_json::json!({
        "statement": statement,
        "category": "communication-style",
        "confidence": 0.7,
        "purposes": ["communication"],
        "evidence": [{"kind": "observed", "source": source, "summary": summary}],
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proposal_carrying_secrets_or_identifiers_is_refused_naming_the_kind() {
    let f = fixture().await;
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{}/v1/beliefs/proposals", f.server.port);
    let post = |body: serde_json::Value| http.post(&url).bearer_auth(&f.token).json(&body).send();

    let card = "4111 1111 1111 1111";
    let r = post(proposal(
        "Prefers short receipts",
        &format!("Paid with {card} and asked for no receipt"),
        "Checkout assistant",
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(!text.contains("4111"), "the card number is echoed: {text}");
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"]["code"], "sensitive_data", "{body}");
    assert_eq!(
        body["error"]["message"],
        "evidence[0].summary contains what looks like a payment card number; \
         a self-model keeps no such data"
    );

    for (proposal, field, kind) in [
        (
            proposal(
                "Automates deployments with sk-proj-4fT9sLq2XbW8mN3vR6yK1pZ0",
                "Pasted a deploy script",
                "Coding assistant",
            ),
            "statement",
            "an API key",
        ),
        (
            proposal(
                "Answers email quickly",
                "Replied within minutes",
                "Mail from alice@example.com",
            ),
            "evidence[0].source",
            "an email address",
        ),
    ] {
        let r = post(proposal).await.unwrap();
        assert_eq!(r.status(), 400);
        let body: serde_json::Value = r.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field} contains what looks like {kind};")),
            "{message}"
        );
        assert!(!message.contains("sk-proj") && !message.contains("alice"));
    }

    // The same proposal without the number is accepted: the rule is about the data, not the vendor.
    let r = post(proposal(
        "Prefers short receipts",
        "Asked for no receipt at checkout",
        "Checkout assistant",
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), 201);

    let mut model = f.vault.lock().await.expect("was unlocked");
    assert_eq!(
        model.inbox().unwrap().len(),
        1,
        "only the clean proposal is stored"
    );
    let denied: Vec<_> = model
        .access_log(&AccessFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.outcome == Outcome::Denied("sensitive_data".into()))
        .collect();
    assert_eq!(
        denied.iter().map(|e| e.requests).sum::<u64>(),
        3,
        "each refusal is in the access log"
    );
    f.vault.unlock(model);
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn proposals_stay_within_the_grant_and_are_capped_per_vendor() {
    let f = fixture().await;
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{}/v1/beliefs/proposals", f.server.port);
    let post = |i: u64, purposes: serde_json::Value| {
        http.post(&url)
            .bearer_auth(&f.token)
            .json(&serde_json::json!({
                "statement": format!("Prefers replies in the form number {i}"),
                "category": "communication-style",
                "confidence": 0.7,
                "purposes": purposes,
                "evidence": [{"kind": "observed", "source": "Chat", "summary": "Said so"}],
            }))
            .send()
    };

    // No purposes named: the grant's (communication), not the type's defaults beyond it.
    let r = post(0, serde_json::json!([])).await.unwrap();
    assert_eq!(r.status(), 201);
    let inbox = f.vault.call(|m| m.inbox()).await.unwrap();
    let purposes: Vec<_> = inbox[0].purposes.iter().cloned().collect();
    assert_eq!(purposes, ["communication"]);

    // The cap: the proposals waiting for the person, per grant.
    for i in 1..selfmodel::MAX_PENDING_PROPOSALS {
        let r = post(i, serde_json::json!(["communication"])).await.unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    let r = post(999, serde_json::json!(["communication"]))
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_proposals");
    assert_eq!(
        f.vault.call(|m| m.inbox()).await.unwrap().len() as u64,
        selfmodel::MAX_PENDING_PROPOSALS
    );
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_evidence_time_past_the_calendar_is_refused_and_the_inbox_still_lists() {
    let f = fixture().await;
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{}/v1/beliefs/proposals", f.server.port);
    let post = |body: &serde_json::Value| http.post(&url).bearer_auth(&f.token).json(body).send();
    let mut far = proposal("Writes at night", "Sent mail at 3am", "Mail client");
    // A valid RFC 3339 time whose offset carries it into the year 10000 (UTC).
    far["evidence"][0]["observed_at"] = "9999-12-31T23:00:00-05:00".into();
    let r = post(&far).await.unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_field", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("evidence[0].observed_at"),
        "{body}"
    );
    far["evidence"][0]["observed_at"] = "2026-03-01T03:00:00-05:00".into();
    assert_eq!(post(&far).await.unwrap().status(), 201);
    let inbox = f.vault.call(|m| m.inbox()).await.unwrap();
    assert_eq!(inbox.len(), 1);
    f.stop().await;
}
