#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! Web pages as vendors, over real sockets: CORS answered only for the origins a grant lists,
//! and a page may ask for a grant only when the person allows web vendors, saying who it is,
//! without filling the person's queue.

use selfmodel_http::ServerConfig;

use crate::defences::*;

#[tokio::test(flavor = "multi_thread")]
async fn cors_only_for_origins_the_grant_lists() {
    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    let read = |token: &str, origin: &str| {
        http.get(url(&f, "/v1/beliefs?purpose=communication"))
            .bearer_auth(token.to_owned())
            .header("origin", origin)
            .send()
    };
    let r = read(&f.web_token, "https://app.example").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    // A page may read how long to wait when it is limited.
    assert_eq!(r.headers()["access-control-expose-headers"], "Retry-After");
    assert!(r.headers().get_all("vary").iter().any(|v| v == "Origin"));

    for (token, origin) in [
        (&f.web_token, "https://evil.example"),
        (&f.web_token, "null"),
    ] {
        let r = read(token, origin).await.unwrap();
        assert_eq!(r.status(), 403, "{origin}");
        assert!(r.headers().get("access-control-allow-origin").is_none());
        assert!(r.headers().get_all("vary").iter().any(|v| v == "Origin"));
    }
    // A granted origin may read why a call was refused (here: another grant's token).
    let r = read(&f.token, "https://app.example").await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let preflight = |origin: &str| {
        http.request(reqwest::Method::OPTIONS, url(&f, "/v1/beliefs"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let ok = preflight("https://app.example").await.unwrap();
    assert!(ok.status().is_success());
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let evil = preflight("https://evil.example").await.unwrap();
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    // What checks no origin is not readable cross-origin, by any page.
    for page in ["https://evil.example", "https://app.example"] {
        let r = http
            .get(url(&f, "/v1/openapi.json"))
            .header("origin", page)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers().get("access-control-allow-origin").is_none(),
            "{page}"
        );
    }
    // Without an Origin (a native vendor) nothing CORS-related is added.
    let r = get_with(&f, &http, "/v1/grant", &f.token).await;
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(r.headers()["cache-control"], "no-store");
    // Once its grant is revoked, the page may still read that it was (and no other page may).
    let web_grant = f
        .vault
        .call(|m| m.grants())
        .await
        .unwrap()
        .into_iter()
        .find(|g| !g.grant.scope.origins.is_empty())
        .unwrap()
        .grant
        .id;
    f.vault
        .call(move |m| m.revoke_grant(&web_grant))
        .await
        .unwrap();
    let r = read(&f.web_token, "https://app.example").await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "token_revoked");
    let r = read(&f.web_token, "https://evil.example").await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    f.stop().await;
}

/// A web page can file a grant request only once the person has turned web vendors on; its
/// request then carries the origin the browser sent, shown to the person, and one origin can
/// hold only a few places in the queue.
#[tokio::test(flavor = "multi_thread")]
async fn web_pages_ask_only_when_allowed_say_who_they_are_and_cannot_fill_the_queue() {
    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    let page = "https://notes-helper.example";
    let ask = |origin: Option<&str>| {
        let mut r = http.post(url(&f, "/v1/grant-requests")).json(&serde_json::json!({
            "vendor": {"id": "com.example.writer", "name": "Writer", "url": "https://writer.example"},
            "purposes": ["communication"], "categories": ["communication-style"],
            "operations": ["read"], "origins": [page], "duration_days": 1,
            "vendor_retention_days": 0, "justification": "x",
        }));
        if let Some(o) = origin {
            r = r.header("Origin", o);
        }
        r.send()
    };
    let preflight = || {
        http.request(reqwest::Method::OPTIONS, url(&f, "/v1/grant-requests"))
            .header("origin", page)
            .header("access-control-request-method", "POST")
            .send()
    };
    // Off (the default): refused, preflight included, and nothing waits for the person.
    assert_eq!(preflight().await.unwrap().status(), 403);
    let r = ask(Some(page)).await.unwrap();
    assert_eq!(r.status(), 403);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "web_vendors_off");
    let waiting = || f.vault.call(|m| m.grant_requests(true));
    assert!(waiting().await.unwrap().is_empty());

    // On: the request carries the page's origin, not only what it claims to be.
    f.vault.call(|m| m.set_web_vendors(true)).await.unwrap();
    assert!(preflight().await.unwrap().status().is_success());
    let first = ask(Some(page)).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: serde_json::Value = first.json().await.unwrap();
    assert_eq!(ask(None).await.unwrap().status(), 201);
    let requests = waiting().await.unwrap();
    let web: Vec<_> = requests
        .iter()
        .filter_map(|r| r.web_origin.as_deref())
        .collect();
    assert_eq!(web, [page], "the native request has no web origin");

    // One origin holds at most a few places; native callers still get theirs.
    let mut codes = Vec::new();
    for _ in 0..6 {
        codes.push(ask(Some(page)).await.unwrap().status().as_u16());
    }
    let placed = 1 + codes.iter().filter(|c| **c == 201).count() as u64;
    assert_eq!(placed, selfmodel::MAX_PENDING_PER_ORIGIN, "{codes:?}");
    assert!(codes.ends_with(&[429, 429]), "{codes:?}");
    assert_eq!(ask(None).await.unwrap().status(), 201);

    // Web pages together hold at most a part of the queue, whatever origins they use.
    let mut placed_web = selfmodel::MAX_PENDING_PER_ORIGIN;
    for i in 0.. {
        let other = format!("https://sub{i}.notes-helper.example");
        let r = http
            .post(url(&f, "/v1/grant-requests"))
            .header("Origin", &other)
            .json(&serde_json::json!({
                "vendor": {"id": "x", "name": "x"}, "purposes": ["communication"],
                "categories": ["communication-style"], "operations": ["read"],
                "origins": [other], "duration_days": 1, "vendor_retention_days": 0,
                "justification": "x",
            }))
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            break;
        }
        assert_eq!(r.status(), 201);
        placed_web += 1;
    }
    assert_eq!(placed_web, selfmodel::MAX_PENDING_WEB);
    assert_eq!(
        ask(None).await.unwrap().status(),
        201,
        "native places remain"
    );

    // An origin the person strikes when approving cannot collect the token.
    let id = first["request_id"].as_str().unwrap().to_owned();
    let strike = selfmodel_core::Narrowing {
        origins: Some(Default::default()),
        ..Default::default()
    };
    f.vault
        .call(move |m| m.approve_request(&id, &strike, "test"))
        .await
        .unwrap();
    let poll = |origin: Option<&str>| {
        let mut r = http
            .post(url(&f, "/v1/grant-requests/poll"))
            .json(&serde_json::json!({"poll_secret": first["poll_secret"]}));
        if let Some(o) = origin {
            r = r.header("Origin", o);
        }
        r.send()
    };
    let r = poll(Some(page)).await.unwrap();
    assert_eq!(r.status(), 403);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "origin_not_allowed");
    f.stop().await;
}
