#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! Signed audit checkpoints over real sockets against a real vault: handed over with the token,
//! served on `GET /v1/checkpoint` (latest, or the vault's current statement of one event) to a
//! bearer of a live grant, signed by the key the server proves, and logged.

use ed25519_dalek::{Signature, VerifyingKey};
use selfmodel::{AccessFilter, Selfmodel, WitnessStore, checkpoint_message};
use selfmodel_core::{Actor, ChainVerdict, Narrowing, NewBelief, Outcome, Passphrase, Provenance};
use selfmodel_http::{ServerConfig, VaultHandle};
use serde_json::{Value, json};

use crate::common::post_json;

fn verify(cp: &Value, key_hex: &str) {
    let field = |k: &str| cp[k].as_str().unwrap().to_owned();
    assert_eq!(
        field("vault_key"),
        key_hex,
        "signed by the key the server proves"
    );
    let mut key = [0u8; 32];
    hex::decode_to_slice(key_hex, &mut key).unwrap();
    let mut sig = [0u8; 64];
    hex::decode_to_slice(field("signature"), &mut sig).unwrap();
    let msg = checkpoint_message(
        &field("vault_key"),
        cp["seq"].as_u64().unwrap(),
        &field("head"),
        &field("issued_at"),
    );
    VerifyingKey::from_bytes(&key)
        .unwrap()
        .verify_strict(&msg, &Signature::from_bytes(&sig))
        .expect("the checkpoint's signature verifies");
}

async fn head(vault: &VaultHandle) -> (u64, String) {
    match vault.call(|m| m.verify_audit()).await.unwrap() {
        ChainVerdict::Intact { events, head } => (events, head.to_hex()),
        broken => panic!("{broken:?}"),
    }
}

#[tokio::test]
async fn vendors_get_signed_checkpoints_with_their_token_and_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let model = Selfmodel::create_witnessed(
        &dir.join("v.db"),
        &Passphrase::new("test passphrase 1".into()),
        Some(WitnessStore::in_state_dir(&dir.join("state"))),
    )
    .unwrap();
    let vault = VaultHandle::spawn(Some(model));
    let server = selfmodel_http::start(
        vault.clone(),
        ServerConfig {
            port: 0,
            ..ServerConfig::default()
        },
    )
    .await
    .unwrap();
    let url = |p: &str| format!("http://127.0.0.1:{}{p}", server.port);
    let http = reqwest::Client::new();

    let proof: Value = post_json(
        &http,
        url("/v1/server-proof"),
        &json!({"nonce": "ab".repeat(32)}),
    )
    .await;
    let key = proof["public_key"].as_str().unwrap().to_owned();

    // The grant flow: the token comes with a first receipt.
    let asked: Value = post_json(
        &http,
        url("/v1/grant-requests"),
        &json!({
            "vendor": {"id": "com.example.witness", "name": "Witness"},
            "purposes": ["communication"],
            "categories": ["communication-style"],
            "operations": ["read"],
            "duration_days": 30,
            "vendor_retention_days": 0,
            "justification": "tests",
        }),
    )
    .await;
    let request_id = asked["request_id"].as_str().unwrap().to_owned();
    vault
        .call(move |m| m.approve_request(&request_id, &Narrowing::default(), "test"))
        .await
        .unwrap();
    let polled: Value = post_json(
        &http,
        url("/v1/grant-requests/poll"),
        &json!({"poll_secret": asked["poll_secret"]}),
    )
    .await;
    assert_eq!(polled["status"], "approved");
    let token = polled["token"].as_str().unwrap().to_owned();
    let receipt = polled["checkpoint"].clone();
    verify(&receipt, &key);
    let (events, hash) = head(&vault).await;
    assert_eq!(receipt["seq"], events, "the latest event at approval");
    assert_eq!(receipt["head"], hash.as_str());

    let get = |query: &'static str| {
        let req = http.get(url(&format!("/v1/checkpoint{query}")));
        let token = token.clone();
        async move { req.bearer_auth(token).send().await.unwrap() }
    };

    // A bearer token is required, as everywhere.
    let r = http.get(url("/v1/checkpoint")).send().await.unwrap();
    assert_eq!(r.status(), 401);

    // The person changes something: the latest checkpoint moves on ...
    vault
        .call(|m| {
            m.add_belief(
                NewBelief {
                    statement: "Prefers short answers".into(),
                    category: "communication-style".into(),
                    confidence: 0.8,
                    purposes: Default::default(),
                    sensitivity: None,
                    evidence: vec![],
                },
                Provenance {
                    actor: Actor::Person,
                    method: "test".into(),
                },
            )
        })
        .await
        .unwrap();
    let r = get("").await;
    assert_eq!(r.status(), 200);
    let latest: Value = r.json().await.unwrap();
    verify(&latest, &key);
    assert_eq!(latest["seq"], events + 1);
    assert_eq!(latest["head"], head(&vault).await.1.as_str());

    // ... and the vault's current statement of the receipt's event matches the receipt.
    let seq = receipt["seq"].as_u64().unwrap();
    let r = http
        .get(url(&format!("/v1/checkpoint?seq={seq}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let again: Value = r.json().await.unwrap();
    verify(&again, &key);
    assert_eq!(
        (&again["seq"], &again["head"]),
        (&receipt["seq"], &receipt["head"])
    );

    // No such event; malformed and unknown parameters.
    let r = get("?seq=100000").await;
    assert_eq!(r.status(), 404);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["error"]["code"], "not_found");
    // Past what SQLite can number (found by schemathesis): not found, not a storage error.
    assert_eq!(get("?seq=9223372036854775808").await.status(), 404);
    assert_eq!(get("?seq=lots").await.status(), 400);
    assert_eq!(get("?seq=1&purpose=x").await.status(), 400);

    // Every checkpoint request is in the access log: no purpose, nothing disclosed. The one
    // without a valid token is counted with its minute's others, attributed to nobody.
    let log = vault
        .call(|m| m.access_log(&AccessFilter::default()))
        .await
        .unwrap();
    let (checkpoints, anonymous): (Vec<_>, Vec<_>) = log
        .iter()
        .filter(|e| e.operation == "audit.checkpoint")
        .partition(|e| e.grant_id.is_some());
    // An entry stands for its requests (repeats within a minute).
    let outcomes: Vec<&Outcome> = checkpoints
        .iter()
        .flat_map(|e| std::iter::repeat_n(&e.outcome, e.requests as usize))
        .collect();
    assert_eq!(
        outcomes,
        [
            &Outcome::Allowed,
            &Outcome::Allowed,
            &Outcome::Denied("not_found".into()),
            &Outcome::Denied("not_found".into()),
        ],
        "{checkpoints:#?}"
    );
    assert_eq!(anonymous.iter().map(|e| e.requests).sum::<u64>(), 1);
    assert!(
        anonymous
            .iter()
            .all(|e| e.vendor_id.is_none() && e.outcome == Outcome::Denied("invalid_token".into()))
    );
    assert!(
        log.iter()
            .filter(|e| e.operation == "audit.checkpoint")
            .all(|e| e.purpose.is_none() && e.disclosed.is_empty())
    );
    assert!(
        checkpoints
            .iter()
            .all(|e| e.vendor_id.as_deref() == Some("com.example.witness"))
    );

    // A revoked grant gets no more checkpoints.
    let grant_id = checkpoints[0].grant_id.clone().unwrap();
    vault
        .call(move |m| m.revoke_grant(&grant_id))
        .await
        .unwrap();
    assert_eq!(get("").await.status(), 401);
    server.shutdown().await;
    vault.close().await.unwrap();
}
