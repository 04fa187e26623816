//! Server identity: pairing pins the key the server proves; a server that cannot prove the pinned
//! key — another vault, a port squatter, a replayed proof — is refused before any token or poll
//! secret is sent. Also the discovery file and the Unix socket.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use crate::common::*;
use ed25519_dalek::{Signer, SigningKey};
use selfmodel_client::{
    BeliefQuery, Client, Discovery, Error, GrantRequest, PendingGrant, PollSecret, ServerKey,
    Token, proof_message,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn request() -> GrantRequest {
    GrantRequest::new("com.example.pinned", "Pinned", "t")
        .purposes(["communication"])
        .categories(["communication-style"])
}

fn stranger() -> SigningKey {
    SigningKey::from_bytes(&[9; 32])
}

#[tokio::test]
async fn pairing_pins_the_key_the_server_proves() {
    let s = Served::start();
    let d = s.discovery();
    assert_eq!(d.url, s.url);
    assert_eq!(d.port, s.port);
    let (client, key) = Client::pair(&d).await.unwrap();
    assert_eq!(key.to_hex(), d.public_key);
    assert_eq!(key, d.public_key.parse::<ServerKey>().unwrap());
    assert_eq!(client.server_key(), key);
    // Later sessions connect with the stored key, by URL or through the discovery file.
    Client::connect(&s.url, key).await.unwrap();
    let c = Client::from_discovery(&d, key).unwrap().build().unwrap();
    c.verify_server().await.unwrap();
    // localhost works as well as 127.0.0.1 (the server accepts either Host).
    Client::connect(&format!("http://localhost:{}", s.port), key)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_client_pinned_to_another_key_refuses_the_real_server_and_never_sends_its_token() {
    let s = Served::start();
    let (paired, approval) = s.approval(&request(), &[]).await;
    let v = paired.with_token(Token::new(approval.token.expose()));
    v.beliefs(&BeliefQuery::new("communication")).await.unwrap();
    let gid = approval.grant.id.clone();
    let logged = s.requests_logged(&["--grant", &gid]).len();

    let other = ServerKey(stranger().verifying_key().to_bytes());
    let wrong = Client::builder(&s.url, other)
        .token(approval.token)
        .build()
        .unwrap();
    for e in [
        wrong
            .beliefs(&BeliefQuery::new("communication"))
            .await
            .unwrap_err(),
        wrong.grant().await.unwrap_err(),
        wrong.give_up().await.unwrap_err(),
    ] {
        assert!(matches!(e, Error::ServerNotTrusted { .. }), "{e}");
        assert_eq!(e.code(), None);
    }
    let e = Client::connect(&s.url, other).await.unwrap_err();
    assert!(matches!(e, Error::ServerNotTrusted { .. }), "{e}");
    let e = Client::from_discovery(&s.discovery(), other).unwrap_err();
    assert!(matches!(e, Error::ServerNotTrusted { .. }), "{e}");

    // Nothing reached the server under that token: no log entry, the grant still live.
    assert_eq!(s.requests_logged(&["--grant", &gid]).len(), logged);
    assert!(v.grant().await.unwrap().revoked_at.is_none());
}

#[derive(Clone, Copy, Debug)]
enum Squat {
    /// Proves its own key.
    OwnKey,
    /// Claims the real key, signs with its own.
    ClaimsRealKey,
    /// Replays a proof the real server made for another nonce.
    Replay,
    /// Not a Selfmodel server at all.
    NotAnApi,
}

/// A port squatter: a bare HTTP server that records every request it sees.
async fn squatter(
    mode: Squat,
    real_key: String,
    replayed_sig: String,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let record = record.clone();
            let (real_key, replayed_sig) = (real_key.clone(), replayed_sig.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let len = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                while buf.len() < head_end + len {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
                record.lock().unwrap().push(format!("{head}{body}"));
                let nonce = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["nonce"].as_str().and_then(|n| hex::decode(n).ok()))
                    .unwrap_or_default();
                let own = stranger();
                let own_sig = hex::encode(own.sign(&proof_message(&nonce)).to_bytes());
                let (status, answer) = match mode {
                    Squat::OwnKey => (
                        "200 OK",
                        serde_json::json!({
                            "public_key": hex::encode(own.verifying_key().to_bytes()),
                            "signature": own_sig,
                        })
                        .to_string(),
                    ),
                    Squat::ClaimsRealKey => (
                        "200 OK",
                        serde_json::json!({"public_key": real_key, "signature": own_sig})
                            .to_string(),
                    ),
                    Squat::Replay => (
                        "200 OK",
                        serde_json::json!({"public_key": real_key, "signature": replayed_sig})
                            .to_string(),
                    ),
                    Squat::NotAnApi => ("404 Not Found", "<html>hello</html>".to_owned()),
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn a_port_squatter_is_refused_and_never_sees_a_token_or_poll_secret() {
    let s = Served::start();
    let key = s.key();
    // A genuine proof for some other nonce, for the replay attempt.
    let real: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/v1/server-proof", s.url))
        .json(&serde_json::json!({"nonce": "ab".repeat(32)}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let replayed = real["signature"].as_str().unwrap().to_owned();
    let (paired, approval) = s.approval(&request(), &[]).await;
    let pending = paired.request_grant(&request()).await.unwrap();
    let (token, poll) = (
        approval.token.expose().to_owned(),
        pending.poll_secret.expose().to_owned(),
    );

    for mode in [
        Squat::OwnKey,
        Squat::ClaimsRealKey,
        Squat::Replay,
        Squat::NotAnApi,
    ] {
        let (url, seen) = squatter(mode, key.to_hex(), replayed.clone()).await;
        let c = Client::builder(&url, key)
            .token(Token::new(token.clone()))
            .build()
            .unwrap();
        let stolen_poll = PendingGrant {
            request_id: pending.request_id.clone(),
            user_code: pending.user_code.clone(),
            poll_secret: PollSecret::new(poll.clone()),
            expires_at: pending.expires_at,
            interval: pending.interval,
        };
        let errors = [
            c.beliefs(&BeliefQuery::new("communication"))
                .await
                .unwrap_err(),
            c.grant().await.unwrap_err(),
            c.poll_once(&stolen_poll).await.unwrap_err(),
            c.request_grant(&request()).await.unwrap_err(),
            c.verify_server().await.unwrap_err(),
        ];
        for e in errors {
            assert!(matches!(e, Error::ServerNotTrusted { .. }), "{mode:?}: {e}");
        }
        let seen = seen.lock().unwrap().clone();
        assert!(!seen.is_empty(), "{mode:?}: the client did ask for a proof");
        for req in &seen {
            assert!(req.starts_with("POST /v1/server-proof "), "{mode:?}: {req}");
            let lower = req.to_ascii_lowercase();
            assert!(!lower.contains("authorization"), "{mode:?}: {req}");
            assert!(
                !req.contains(&token) && !req.contains(&poll),
                "{mode:?}: {req}"
            );
            assert!(
                !req.contains("smt_") && !req.contains("smp_"),
                "{mode:?}: {req}"
            );
        }
    }
    // The genuine server still serves the genuine client.
    paired.with_token(approval.token).grant().await.unwrap();
}

#[tokio::test]
async fn a_replaced_server_on_the_same_port_must_prove_itself_again() {
    let a = Served::start();
    let (_, approval) = a.approval(&request(), &[]).await;
    // Over TCP (a discovered client would use the socket, which a new server does not reuse).
    let v = Client::connect(&a.url, a.key())
        .await
        .unwrap()
        .with_token(approval.token);
    v.grant().await.unwrap();
    let port = a.port;
    drop(a);
    let e = v.grant().await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e}");
    // Another vault's server takes the port: its key differs, so the client refuses it.
    let b = Served::start_on(port, &[]);
    assert_ne!(b.key(), v.server_key(), "each vault has its own identity");
    let e = v.grant().await.unwrap_err();
    assert!(matches!(e, Error::ServerNotTrusted { .. }), "{e}");
    assert!(
        b.access_log(&[])
            .iter()
            .all(|e| e["operation"] != "grant.read"),
        "the token never reached the new server"
    );
}

#[tokio::test]
async fn the_discovery_file_is_private_and_checked() {
    let s = Served::start();
    let path = s.discovery_path();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dir & 0o777, 0o700);

        let private = s.dir.path().join("private");
        std::fs::create_dir(&private).unwrap();
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
        let copy = private.join("copy.json");
        std::fs::copy(&path, &copy).unwrap();
        let refused = |p: &std::path::Path, why: &str| {
            let e = Discovery::load(p).unwrap_err();
            assert!(matches!(e, Error::Discovery(_)), "{e}");
            assert!(e.to_string().contains(why), "{why}: {e}");
        };
        for mode in [0o666, 0o644, 0o640] {
            std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(mode)).unwrap();
            refused(&copy, "open to other users");
        }
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600)).unwrap();
        Discovery::load(&copy).unwrap();
        // A link to a good file, and a good file in a directory others can enter or write.
        let link = private.join("link.json");
        std::os::unix::fs::symlink(&copy, &link).unwrap();
        refused(&link, "symbolic link");
        let shared = s.dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::copy(&copy, shared.join("api.json")).unwrap();
        std::fs::set_permissions(
            shared.join("api.json"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
        refused(
            &shared.join("api.json"),
            "its directory is open to other users",
        );
        // Owned by another user (only root can arrange that here).
        if rustix::process::getuid().is_root() {
            std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o700)).unwrap();
            std::os::unix::fs::chown(shared.join("api.json"), Some(65534), None).unwrap();
            refused(&shared.join("api.json"), "belongs to another user");
        }
    }
    let e = Discovery::load(&s.dir.path().join("missing.json")).unwrap_err();
    assert!(matches!(e, Error::Discovery(_)), "{e}");
    // Only loopback http URLs.
    for url in [
        "http://example.com:7420",
        "https://127.0.0.1:7420",
        "http://10.0.0.1:7420",
    ] {
        let e = Client::builder(url, s.key()).build().unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{url}: {e}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_unix_socket_serves_the_same_api() {
    let s = Served::start();
    let d = s.discovery();
    let socket = d.unix_socket.clone().expect("the server opened a socket");
    let (_, approval) = s.approval(&request(), &[]).await;
    let c = Client::from_discovery(&d, s.key())
        .unwrap()
        .unix_socket(socket)
        .token(approval.token)
        .build()
        .unwrap();
    c.verify_server().await.unwrap();
    let page = c.beliefs(&BeliefQuery::new("communication")).await.unwrap();
    assert_eq!(page.grant_id, approval.grant.id);
    assert!(!page.beliefs.is_empty());
}

/// A client found through the discovery file (the MCP server is one) talks over the socket the
/// file offers: with the file's TCP address leading nowhere, pairing and the grant flow work.
#[cfg(unix)]
#[tokio::test]
async fn a_discovered_server_is_reached_over_its_socket() {
    let s = Served::start();
    let mut d = s.discovery();
    // A port held by this test and not listening: a TCP connection to it is refused at once.
    let nowhere = tokio::net::TcpSocket::new_v4().unwrap();
    nowhere.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    d.url = format!("http://{}", nowhere.local_addr().unwrap());
    let (client, key) = Client::pair(&d).await.unwrap();
    assert_eq!(key, s.key());
    let pending = client.request_grant(&request()).await.unwrap();
    assert!(!pending.user_code.is_empty());

    d.unix_socket = None;
    let e = Client::pair(&d).await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e}");
}
