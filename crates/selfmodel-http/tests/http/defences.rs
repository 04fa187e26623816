#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! The transport's defences, over real sockets against a real vault: exact Host, no secrets in
//! URLs, tokens on every route, strict JSON, body and rate limits, panic isolation, the Unix
//! socket, the discovery file and the OpenAPI document. Its fixture serves `web.rs` and
//! `reads_after_changes.rs` too.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use crate::common::{grant, new_vault, post_json, second_connection, served_from};
use axum::Router;
use axum::routing::get;
use selfmodel_core::Operation;
use selfmodel_http::{RunningServer, ServerConfig, VaultHandle};

/// Drops in declaration order: the server and vault before their directory.
pub(crate) struct Fixture {
    pub(crate) dir: PathBuf,
    pub(crate) server: RunningServer,
    pub(crate) vault: VaultHandle,
    pub(crate) token: String,
    pub(crate) web_token: String,
    pub(crate) public_key: [u8; 32],
    pub(crate) _dir: tempfile::TempDir,
}

impl Fixture {
    /// Stops the server, then closes the vault (joining its thread) before the directory goes.
    pub(crate) async fn stop(self) {
        self.server.shutdown().await;
        self.vault.close().await.unwrap();
    }

    /// Sends raw bytes over the server's Unix socket and returns the whole response text.
    pub(crate) fn over_socket(&self, request: &str) -> String {
        let socket = self.server.socket.as_ref().unwrap();
        let mut s = std::os::unix::net::UnixStream::connect(socket).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }
}

/// A request for the OpenAPI document, as sent over the Unix socket.
pub(crate) const OPENAPI_OVER_SOCKET: &str =
    "GET /v1/openapi.json HTTP/1.1\r\nHost: selfmodel\r\nConnection: close\r\n\r\n";

/// Starts a server on `vault` with its socket and discovery file in `dir`, which must fail;
/// returns the error's text.
pub(crate) async fn refused_start(vault: &VaultHandle, dir: &Path) -> String {
    let config = ServerConfig {
        port: 0,
        socket_dir: Some(dir.to_owned()),
        discovery_file: Some(dir.join("api.json")),
        ..ServerConfig::default()
    };
    match selfmodel_http::start(vault.clone(), config).await {
        Ok(_) => panic!("a server started in {}", dir.display()),
        Err(e) => e.to_string(),
    }
}

pub(crate) async fn fixture(config: ServerConfig) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let mut model = new_vault(&dir);
    model.fill_demo().unwrap();
    let token = grant(
        &mut model,
        "com.example.test",
        &[Operation::Read, Operation::Propose],
        &[],
    );
    let web_token = grant(
        &mut model,
        "com.example.test",
        &[Operation::Read, Operation::Propose],
        &["https://app.example"],
    );
    let public_key = model.identity().unwrap().public_key();
    let vault = VaultHandle::spawn(Some(model));
    let server = selfmodel_http::start(vault.clone(), served_from(&dir, config))
        .await
        .unwrap();
    Fixture {
        _dir: tmp,
        dir,
        server,
        vault,
        token,
        web_token,
        public_key,
    }
}

/// The default configuration with a rate limit of `per_sec` requests a second, in bursts of `burst`.
pub(crate) fn rate_limited(per_sec: u32, burst: u32) -> ServerConfig {
    ServerConfig {
        rate_per_sec: per_sec,
        rate_burst: burst,
        ..ServerConfig::default()
    }
}

/// Sends raw bytes and returns the status code and the whole response text.
pub(crate) fn raw(port: u16, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let code = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, out)
}

/// Sends only the head of a POST declaring a `length`-byte JSON body (with `extra` header lines),
/// and returns the response head the server sends before any of the body was written.
pub(crate) fn refused_head(
    port: u16,
    path: &str,
    token: &str,
    length: usize,
    extra: &str,
) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n{extra}\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap() == 1 {
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

pub(crate) fn url(f: &Fixture, path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", f.server.port)
}

/// GETs `path` with the bearer `token`.
pub(crate) async fn get_with(
    f: &Fixture,
    http: &reqwest::Client,
    path: &str,
    token: &str,
) -> reqwest::Response {
    http.get(url(f, path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// The beliefs a read for `communication` discloses (it must succeed).
pub(crate) async fn read_beliefs(f: &Fixture, http: &reqwest::Client) -> Vec<serde_json::Value> {
    let r = get_with(f, http, "/v1/beliefs?purpose=communication", &f.token).await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    body["beliefs"].as_array().unwrap().clone()
}

/// The ids a read for `communication` discloses (it must succeed).
pub(crate) async fn read_ids(f: &Fixture, http: &reqwest::Client) -> Vec<String> {
    read_beliefs(f, http)
        .await
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn only_an_exact_host_is_served() {
    let f = fixture(ServerConfig::default()).await;
    let port = f.server.port;
    let get = |host: &str| {
        let host_line = if host == "<none>" {
            String::new()
        } else {
            format!("Host: {host}\r\n")
        };
        raw(
            port,
            &format!(
                "GET /v1/grant HTTP/1.1\r\n{host_line}Authorization: Bearer {}\r\nConnection: close\r\n\r\n",
                f.token
            ),
        )
    };
    for ok in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(get(&ok).0, 200, "{ok}");
    }
    for bad in [
        String::new(),
        "<none>".into(),
        format!("evil.example:{port}"),
        format!(":{port}"),
        format!("foo.localhost:{port}"),
        format!("x.local:{port}"),
        format!("x.internal:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("LOCALHOST:{port}"),
        format!("localhost.:{port}"),
        "localhost".into(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
    ] {
        let (code, body) = get(&bad);
        assert!(
            code == 403 || code == 400,
            "Host {bad:?} got {code}: {body}"
        );
        assert!(
            !body.contains("communication-style"),
            "Host {bad:?} leaked data"
        );
    }
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_required_and_never_taken_from_the_url() {
    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    for path in [
        "/v1/grant",
        "/v1/beliefs?purpose=communication",
        "/v1/events",
    ] {
        let r = http.get(url(&f, path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
    }
    let r = http.get(url(&f, "/v1/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let served: serde_json::Value = r.json().await.unwrap();
    let committed =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json"))
            .unwrap();
    assert_eq!(
        served,
        serde_json::from_slice::<serde_json::Value>(&committed).unwrap(),
        "the served document is the committed one"
    );
    for bad in [
        "nonsense",
        "smt_0000000000000000_",
        &format!("{}x", f.token),
        &f.token.replace("smt_", "smp_"),
    ] {
        let r = get_with(&f, &http, "/v1/grant", bad).await;
        assert_eq!(r.status(), 401, "{bad}");
    }
    for param in ["token", "access_token", "Token"] {
        let r = http
            .get(url(
                &f,
                &format!("/v1/beliefs?purpose=communication&{param}={}", f.token),
            ))
            .bearer_auth(&f.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "token_in_url");
    }
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_are_strict_and_bounded() {
    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    // An oversized body is refused from its declared length, before it is read: the 413 comes
    // back while the body is still unsent, and the connection is closed.
    for path in ["/v1/beliefs/proposals", "/v1/grant-requests"] {
        let head = refused_head(f.server.port, path, &f.token, 300 * 1024, "");
        assert!(head.starts_with("HTTP/1.1 413 "), "{path}: {head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("\r\ncontent-type: application/json"),
            "a Problem like every other error: {head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains("\r\nconnection: close\r\n"),
            "{path}: {head}"
        );
    }
    // A page of a granted origin can read the 413 (its CORS headers stay on the Problem); a
    // request refused before its body for another reason is closed the same way.
    let head = refused_head(
        f.server.port,
        "/v1/beliefs/proposals",
        &f.web_token,
        300 * 1024,
        "Origin: https://app.example\r\n",
    )
    .to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 413 "), "{head}");
    assert!(
        head.contains("\r\naccess-control-allow-origin: https://app.example\r\n"),
        "{head}"
    );
    let head = refused_head(
        f.server.port,
        "/v1/beliefs/proposals?token=x",
        &f.token,
        300 * 1024,
        "",
    )
    .to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 400 "), "{head}");
    assert!(head.contains("\r\nconnection: close\r\n"), "{head}");
    // The limit is the body limit, not less: a body just under it is read and judged.
    let under = format!(
        "{{\"statement\": \"{}\"}}",
        "x".repeat(selfmodel_http::MAX_BODY - 100)
    );
    let r = http
        .post(url(&f, "/v1/beliefs/proposals"))
        .bearer_auth(&f.token)
        .header("content-type", "application/json")
        .body(under)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let r = http
        .post(url(&f, "/v1/grant-requests/poll"))
        .json(&serde_json::json!({"poll_secret": "smp_x", "sneaky": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sneaky"),
        "{body}"
    );

    let r = http
        .post(url(&f, "/v1/grant-requests/poll"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let r = http
        .post(url(&f, "/v1/beliefs/proposals"))
        .bearer_auth(&f.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = get_with(
        &f,
        &http,
        "/v1/beliefs?purpose=communication&limit=lots",
        &f.token,
    )
    .await;
    assert_eq!(r.status(), 400);
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_are_rate_limited_per_grant() {
    let f = fixture(rate_limited(1, 3)).await;
    let http = reqwest::Client::new();
    let mut codes = Vec::new();
    for _ in 0..6 {
        codes.push(
            get_with(&f, &http, "/v1/grant", &f.token)
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(codes.contains(&429), "{codes:?}");
    let r = get_with(&f, &http, "/v1/grant", &f.web_token).await;
    assert_eq!(r.status(), 200, "another grant has its own budget");
    f.stop().await;
}

pub(crate) async fn boom() -> &'static str {
    panic!("a handler bug")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panicking_handler_gives_500_and_the_server_keeps_serving() {
    let f = fixture(ServerConfig::default()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = selfmodel_http::defend(
        Router::new().route("/v1/boom", get(boom)),
        f.vault.clone(),
        &ServerConfig::default(),
    )
    .layer(axum::Extension(selfmodel_http::Via::Tcp { port }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let r = http
            .get(format!("http://127.0.0.1:{port}/v1/boom"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 500);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "internal");
    }
    // A panic inside a vault call is contained too.
    let err = f
        .vault
        .call(|_| -> selfmodel::Result<()> { panic!("a use-case bug") })
        .await;
    assert!(err.is_err());
    let r = get_with(&f, &http, "/v1/grant", &f.token).await;
    assert_eq!(r.status(), 200, "the vault thread survived");
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_unix_socket_and_discovery_file_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture(ServerConfig::default()).await;
    let run = f.dir.join("run");
    assert!(selfmodel_http::is_private(&run));
    let d = std::fs::metadata(run.join("api.json")).unwrap();
    assert_eq!(d.permissions().mode() & 0o777, 0o600);
    let disc: selfmodel_http::discovery::Discovery =
        serde_json::from_slice(&std::fs::read(run.join("api.json")).unwrap()).unwrap();
    assert_eq!(disc.port, f.server.port);
    assert_eq!(disc.public_key, hex::encode(f.public_key));

    let out = f.over_socket(&format!(
        "GET /v1/grant HTTP/1.1\r\nHost: selfmodel\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        f.token
    ));
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    f.stop().await;
    assert!(
        !run.join("api.json").exists(),
        "the discovery file goes with the server"
    );
}

/// A flood of calls without a token (here: the OpenAPI document, which a web page can fetch
/// with `no-cors`, and grant requests from a web page) empties only its own buckets: the
/// identity proof, native grant requests and the Unix socket keep being served.
#[tokio::test(flavor = "multi_thread")]
async fn an_anonymous_flood_does_not_starve_the_proof_the_grant_flow_or_the_socket() {
    let f = fixture(rate_limited(1, 3)).await;
    let http = reqwest::Client::new();
    let status = |r: reqwest::Response| r.status().as_u16();
    let mut flood = Vec::new();
    for _ in 0..10 {
        flood.push(status(
            http.get(url(&f, "/v1/openapi.json")).send().await.unwrap(),
        ));
        flood.push(status(
            http.post(url(&f, "/v1/grant-requests"))
                .header("Origin", "https://evil.example")
                .json(&serde_json::json!({"vendor": {"id": "x", "name": "x"}}))
                .send()
                .await
                .unwrap(),
        ));
    }
    assert!(flood.contains(&429), "the flood was limited: {flood:?}");
    let proof = http
        .post(url(&f, "/v1/server-proof"))
        .json(&serde_json::json!({"nonce": hex::encode([1u8; 32])}))
        .send()
        .await
        .unwrap();
    assert_eq!(proof.status(), 200, "the identity proof has its own bucket");
    let native = http
        .post(url(&f, "/v1/grant-requests"))
        .json(&serde_json::json!({"vendor": {"id": "x", "name": "x"}}))
        .send()
        .await
        .unwrap();
    assert_ne!(
        native.status(),
        429,
        "native grant requests have their own bucket"
    );
    let out = f.over_socket(OPENAPI_OVER_SOCKET);
    assert!(
        out.starts_with("HTTP/1.1 200"),
        "the socket has its own buckets: {out:.80}"
    );
    f.stop().await;
}

/// A second server for the same directory is refused; the first keeps its discovery file and
/// socket, during the attempt and after it.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_server_cannot_take_over_the_first_ones_files() {
    let f = fixture(ServerConfig::default()).await;
    let run = f.dir.join("run");
    let before = std::fs::read(run.join("api.json")).unwrap();
    let err = refused_start(&f.vault, &run).await;
    assert!(err.contains("already serving"), "{err}");
    assert_eq!(std::fs::read(run.join("api.json")).unwrap(), before);
    let out = f.over_socket(OPENAPI_OVER_SOCKET);
    assert!(out.starts_with("HTTP/1.1 200"), "{out:.80}");
    f.stop().await;
}

/// A server directory that other users can write to (a shared or misconfigured runtime
/// directory) is refused, not used: someone there could replace the discovery file.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_directory_open_to_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let linked = tmp.path().join("linked");
    let private = tmp.path().join("private");
    std::fs::create_dir(&private).unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::symlink(&private, &linked).unwrap();
    let vault = VaultHandle::spawn(Some(new_vault(tmp.path())));
    for dir in [&shared, &linked] {
        let err = refused_start(&vault, dir).await;
        assert!(err.contains("is not private"), "{err}");
        assert!(!dir.join("api.json").exists() && !dir.join("api.sock").exists());
    }
    vault.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_proves_its_identity() {
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};
    let f = fixture(ServerConfig::default()).await;
    let nonce = [7u8; 32];
    let r: serde_json::Value = post_json(
        &reqwest::Client::new(),
        url(&f, "/v1/server-proof"),
        &serde_json::json!({"nonce": hex::encode(nonce)}),
    )
    .await;
    assert_eq!(r["public_key"], hex::encode(f.public_key));
    let sig: [u8; 64] = hex::decode(r["signature"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = VerifyingKey::from_bytes(&f.public_key).unwrap();
    key.verify(
        &selfmodel_http::wire::proof_message(&nonce),
        &Signature::from_bytes(&sig),
    )
    .unwrap();
    assert!(
        key.verify(
            &selfmodel_http::wire::proof_message(&[8u8; 32]),
            &Signature::from_bytes(&sig)
        )
        .is_err()
    );
    f.stop().await;
}

#[test]
fn the_committed_openapi_document_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let current = selfmodel_http::openapi::document_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        #[allow(clippy::disallowed_methods)]
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "docs/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p selfmodel-http --test http -- defences::`"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_served_when_the_access_log_cannot_be_written() {
    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    let read = || {
        http.get(url(&f, "/v1/beliefs?purpose=communication"))
            .bearer_auth(&f.token)
            .send()
    };
    assert_eq!(read().await.unwrap().status(), 200);
    // Break the access log from outside, as a full disk or a damaged table would.
    let conn = second_connection(&f.dir.join("v.db"));
    conn.execute_batch(
        "CREATE TRIGGER broken_log BEFORE INSERT ON access_entries BEGIN SELECT RAISE(ABORT, 'log unavailable'); END; \
         CREATE TRIGGER broken_count BEFORE UPDATE ON access_entries BEGIN SELECT RAISE(ABORT, 'log unavailable'); END;",
    )
    .unwrap();
    let r = read().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "1", "told when to try again");
    let body = r.text().await.unwrap();
    assert!(
        !body.contains("communication-style") && !body.contains("statement"),
        "{body}"
    );
    conn.execute_batch("DROP TRIGGER broken_log; DROP TRIGGER broken_count;")
        .unwrap();
    assert_eq!(
        read().await.unwrap().status(),
        200,
        "service resumes once logging works"
    );
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_secrets_are_checked_and_tokens_handed_over_once() {
    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    let ask = serde_json::json!({
        "vendor": {"id": "com.example.poll", "name": "Poll"},
        "purposes": ["communication"], "categories": ["communication-style"], "operations": ["read"],
        "duration_days": 1, "vendor_retention_days": 0, "justification": "poll test"
    });
    let r: serde_json::Value = post_json(&http, url(&f, "/v1/grant-requests"), &ask).await;
    let poll = r["poll_secret"].as_str().unwrap().to_owned();
    let request_id = r["request_id"].as_str().unwrap().to_owned();
    let poll_with = |secret: String| {
        http.post(url(&f, "/v1/grant-requests/poll"))
            .json(&serde_json::json!({"poll_secret": secret}))
            .send()
    };
    // The same secret with its last digit changed (to another digit: a fixed replacement
    // would be the secret itself whenever it already ends in that digit).
    let last = if poll.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &poll[..poll.len() - 1]);
    assert_eq!(poll_with(wrong).await.unwrap().status(), 401);
    assert_eq!(
        poll_with("smp_nonsense".into()).await.unwrap().status(),
        401
    );
    let pending: serde_json::Value = poll_with(poll.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(pending["status"], "pending");
    f.vault
        .call(move |m| m.approve_request(&request_id, &Default::default(), "test"))
        .await
        .unwrap();
    let approved: serde_json::Value = poll_with(poll.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(approved["status"], "approved");
    assert!(approved["token"].as_str().unwrap().starts_with("smt_"));
    let replay = poll_with(poll).await.unwrap();
    assert_eq!(replay.status(), 410, "the token is handed over once");
    f.stop().await;
}

/// Bounds a step that must end: a hang becomes a failure after a minute, however loaded the
/// machine is, rather than a stuck test run.
pub(crate) async fn must_end<T>(what: &str, step: impl Future<Output = T>) -> T {
    tokio::time::timeout(std::time::Duration::from_secs(60), step)
        .await
        .unwrap_or_else(|_| panic!("{what} did not end"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_half_sent_request_cannot_keep_the_server_or_the_vault_open() {
    let f = fixture(ServerConfig {
        slow_client_timeout: std::time::Duration::from_secs(1),
        ..ServerConfig::default()
    })
    .await;
    let port = f.server.port;
    // A request head that never ends, and one that never gets its body.
    let mut stalled = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stalled,
        "GET /v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    )
    .unwrap();
    let mut bodiless = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        bodiless,
        "POST /v1/grant-requests/poll HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    )
    .unwrap();
    // The server gives up on the unfinished head by itself and closes the connection.
    stalled
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut rest = Vec::new();
    let closed = stalled.read_to_end(&mut rest);
    assert!(
        closed.is_ok(),
        "the server closed the stalled connection: {closed:?}"
    );

    // Shutting down does not wait for the client that still holds its body back.
    let wal = f.dir.join("v.db-wal");
    assert!(wal.exists());
    let vault = f.vault.clone();
    must_end("shutdown", f.stop()).await;
    // The vault was closed (its write-ahead log checkpointed away) before `close` returned,
    // and it stays closed.
    assert!(!wal.exists(), "the vault file is still open");
    assert!(matches!(
        vault.call(|m| m.verify_audit()).await,
        Err(selfmodel_http::CallError::Unavailable(_))
    ));
    vault.close().await.unwrap();
    drop(bodiless);
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_connections_cannot_take_every_slot_from_a_vendor() {
    // No deadline for a request's head within the test: only eviction can make room.
    let f = fixture(ServerConfig {
        slow_client_timeout: std::time::Duration::from_secs(3600),
        ..ServerConfig::default()
    })
    .await;
    let port = f.server.port;
    // The oldest connection is answering a request: its handler is reading the body (the
    // server says so with `100 Continue`), which has not come yet ...
    let body = r#"{"poll_secret": "smp_nonsense"}"#;
    let mut answering = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        answering,
        "POST /v1/grant-requests/poll HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len(),
    )
    .unwrap();
    answering
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut continue_line = [0u8; 25];
    answering.read_exact(&mut continue_line).unwrap();
    assert_eq!(&continue_line, b"HTTP/1.1 100 Continue\r\n\r\n");
    // ... and every other slot is held by a caller that never sends a byte.
    let mut idle: Vec<TcpStream> = (1..selfmodel_http::listen::MAX_CONNECTIONS)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();

    // A vendor is still served: the connection idle the longest made room.
    let http = reqwest::Client::new();
    let read = must_end(
        "a read while idle callers held every slot",
        get_with(&f, &http, "/v1/beliefs?purpose=communication", &f.token),
    )
    .await;
    assert_eq!(read.status(), 200);
    let evicted = &mut idle[0];
    evicted
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut rest = Vec::new();
    assert_eq!(
        evicted.read_to_end(&mut rest).unwrap(),
        0,
        "the connection idle the longest was closed"
    );
    // The connection answering a request was not closed, though it is older: it gets its answer.
    answering.write_all(body.as_bytes()).unwrap();
    let mut head = [0u8; 12];
    answering.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 401");
    drop(idle);
    must_end("shutdown", f.stop()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_squatter_on_the_ipv6_loopback_port_stops_the_server_from_starting() {
    // A port free on 127.0.0.1, taken on [::1] by someone else.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let Ok(squatter) = std::net::TcpListener::bind(("::1", port)) else {
        // No IPv6 loopback here (or the port went meanwhile): nobody can squat it either.
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let model = new_vault(tmp.path());
    let vault = VaultHandle::spawn(Some(model));
    let config = ServerConfig {
        port,
        ..ServerConfig::default()
    };
    let refused = selfmodel_http::start(vault.clone(), config).await;
    let Err(e) = refused else {
        panic!("the server started beside a squatter on [::1]:{port}");
    };
    // (Another test may have taken the 127.0.0.1 port meanwhile; refusing is what matters.)
    let e = e.to_string();
    assert!(
        e.contains(&format!("[::1]:{port}")) || e.contains(&format!("127.0.0.1:{port}")),
        "{e}"
    );
    drop(squatter);
    vault.close().await.unwrap();
}
