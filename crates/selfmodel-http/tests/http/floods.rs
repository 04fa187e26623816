#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! Nothing unauthenticated grows the vault, over real sockets against a real vault: refused
//! grant requests with huge, control-laden vendor ids, invented tokens and bad poll secrets are
//! counted (one access-log row per minute, operation and reason), nothing they sent is kept, a
//! burst of them raises an alert attributed to no vendor, and a self-asserted vendor id cannot
//! be framed with alerts.

use std::path::{Path, PathBuf};

use crate::common::{grant, post_json, second_connection};
use selfmodel::{AccessFilter, INVALID_PURPOSE, Selfmodel};
use selfmodel_core::{AccessEntry, Alert, AlertKind, Operation, Outcome, Passphrase};
use selfmodel_http::{RunningServer, ServerConfig, VaultHandle};
use serde_json::{Value, json};

/// The server and its vault; the temporary directory is declared last so it goes last.
struct Fixture {
    server: RunningServer,
    vault: VaultHandle,
    token: String,
    db: PathBuf,
    _dir: tempfile::TempDir,
}

/// A server whose rate limit never gets in the way, so every request reaches the vault.
async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    let mut model =
        Selfmodel::create_witnessed(&db, &Passphrase::new("test passphrase 1".into()), None)
            .unwrap();
    model.fill_demo().unwrap();
    let token = grant(&mut model, "com.example.reader", &[Operation::Read], &[]);
    let vault = VaultHandle::spawn(Some(model));
    let config = ServerConfig {
        port: 0,
        rate_per_sec: 1_000_000,
        rate_burst: 1_000_000,
        ..ServerConfig::default()
    };
    let server = selfmodel_http::start(vault.clone(), config).await.unwrap();
    Fixture {
        server,
        vault,
        token,
        db,
        _dir: dir,
    }
}

impl Fixture {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.server.port)
    }

    async fn log(&self) -> Vec<AccessEntry> {
        self.vault
            .call(|m| m.access_log(&AccessFilter::default()))
            .await
            .unwrap()
    }

    /// The alerts the vault has raised.
    async fn alerts(&self) -> Vec<Alert> {
        self.vault.call(|m| m.alerts(None, None)).await.unwrap()
    }

    /// Polls a grant request with its secret (the poll must succeed); returns the answer.
    async fn poll(&self, http: &reqwest::Client, secret: &str) -> Value {
        let r = http
            .post(self.url("/v1/grant-requests/poll"))
            .json(&json!({ "poll_secret": secret }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// Stops the server and closes the vault (writing what was counted).
    async fn close(self) -> (PathBuf, tempfile::TempDir) {
        self.server.shutdown().await;
        self.vault.lock().await.unwrap().close().unwrap();
        (self.db, self._dir)
    }
}

/// The vault's files on disk, in bytes.
fn vault_bytes(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum()
}

fn ask(vendor_id: &str) -> Value {
    json!({
        "vendor": {"id": vendor_id, "name": "n"},
        "purposes": ["communication"],
        "categories": ["communication-style"],
        "operations": ["read"],
        "duration_days": 1,
        "vendor_retention_days": 1,
        "justification": "j",
    })
}

/// Anonymous refusals in the log: (rows, requests they stand for) per (operation, reason).
fn anonymous(log: &[AccessEntry], op: &str, reason: &str) -> (usize, u64) {
    let rows: Vec<_> = log
        .iter()
        .filter(|e| e.grant_id.is_none() && e.operation == op)
        .filter(|e| e.outcome == Outcome::Denied(reason.into()))
        .collect();
    (rows.len(), rows.iter().map(|e| e.requests).sum())
}

fn assert_clean(log: &[AccessEntry], attacker: &str) {
    for e in log {
        let texts = [
            &e.grant_id,
            &e.vendor_id,
            &e.purpose,
            &Some(e.operation.clone()),
        ];
        for t in texts.into_iter().flatten() {
            assert!(
                t.chars().count() <= 100,
                "an unbounded text was logged: {e:?}"
            );
            assert!(
                !t.chars().any(char::is_control),
                "a control character: {e:?}"
            );
            assert!(!t.contains(attacker), "attacker text was logged: {e:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn anonymous_grant_requests_with_huge_vendor_ids_leave_no_trace() {
    let f = fixture().await;
    let http = reqwest::Client::new();
    let before = vault_bytes(&f.db);
    let attacker = format!("ZqZ{}\u{1b}[2J\u{7}\r\n", "Z".repeat(200 * 1024));
    for i in 0..200 {
        let mut r = http.post(f.url("/v1/grant-requests")).json(&ask(&attacker));
        if i % 2 == 0 {
            r = r.header("Origin", "https://evil.example");
        }
        let status = r.send().await.unwrap().status();
        assert!(status.is_client_error(), "{status}");
    }
    // A vendor with a token names a made-up purpose: it is logged as a marker, not as sent.
    let purpose = format!("ZqZ{}", "Q".repeat(5000));
    let r = http
        .get(f.url(&format!("/v1/beliefs?purpose={purpose}")))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let log = f.log().await;
    assert_clean(&log, "ZqZ");
    assert_eq!(anonymous(&log, "grant.request", "invalid_field").1, 200);
    assert!(
        anonymous(&log, "grant.request", "invalid_field").0 <= 20,
        "{log:#?}"
    );
    let refused_read = log.iter().find(|e| e.operation == "beliefs.read").unwrap();
    assert_eq!(refused_read.purpose.as_deref(), Some(INVALID_PURPOSE));
    let requests = f.vault.call(|m| m.grant_requests(false)).await.unwrap();
    assert!(requests.iter().all(|r| !r.vendor.id.contains("ZqZ")));

    let (db, dir) = f.close().await;
    let grown = vault_bytes(&db).saturating_sub(before);
    assert!(grown < 1_000_000, "the vault grew by {grown} bytes");
    drop(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn invented_tokens_and_poll_secrets_are_counted_and_raise_an_anonymous_alert() {
    let f = fixture().await;
    let http = reqwest::Client::new();
    for i in 0..500u32 {
        let invented = format!("smt_{i:016x}_{}", "ab".repeat(32));
        let r = http
            .get(f.url("/v1/beliefs?purpose=communication"))
            .bearer_auth(invented)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    for i in 0..50u32 {
        let r = http
            .post(f.url("/v1/grant-requests/poll"))
            .json(&json!({"poll_secret": format!("smp_{i:016x}_{}", "cd".repeat(32))}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }

    let log = f.log().await;
    let (rows, requests) = anonymous(&log, "beliefs.read", "invalid_token");
    assert_eq!(requests, 500);
    let (poll_rows, polls) = anonymous(&log, "grant.poll", "invalid_poll_secret");
    assert_eq!(polls, 50);
    assert!(
        rows + poll_rows <= 20,
        "one row per minute and kind: {log:#?}"
    );

    let alerts = f.alerts().await;
    assert!(
        alerts
            .iter()
            .any(|a| a.vendor_id.is_none() && matches!(a.kind, AlertKind::AnonymousBurst { .. })),
        "{alerts:?}"
    );
    let _ = f.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_claiming_a_vendor_id_never_raise_an_alert_on_it() {
    let f = fixture().await;
    let http = reqwest::Client::new();
    for _ in 0..15 {
        let mut refused = ask("org.innocent.notes");
        refused["duration_days"] = json!(0);
        let r = http
            .post(f.url("/v1/grant-requests"))
            .json(&refused)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error());
    }
    let log = f.log().await;
    assert!(
        log.iter()
            .all(|e| e.vendor_id.as_deref() != Some("org.innocent.notes")),
        "{log:#?}"
    );
    assert_eq!(anonymous(&log, "grant.request", "invalid_field").1, 15);
    let alerts = f.alerts().await;
    assert!(alerts.is_empty(), "{alerts:?}");
    let _ = f.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn polls_of_a_pending_request_are_counted_per_minute() {
    let f = fixture().await;
    let http = reqwest::Client::new();
    let filed: Value = post_json(
        &http,
        f.url("/v1/grant-requests"),
        &ask("com.example.patient"),
    )
    .await;
    let secret = filed["poll_secret"].as_str().unwrap();
    for _ in 0..300 {
        assert_eq!(f.poll(&http, secret).await["status"], "pending");
    }
    let log = f.log().await;
    let polls: Vec<_> = log
        .iter()
        .filter(|e| e.operation == "grant.poll" && e.outcome == Outcome::Allowed)
        .collect();
    assert_eq!(polls.iter().map(|e| e.requests).sum::<u64>(), 300);
    assert!(
        polls.len() <= 5,
        "one row per minute, not per poll: {polls:#?}"
    );
    assert!(
        polls
            .iter()
            .all(|e| e.vendor_id.as_deref() == Some("com.example.patient"))
    );

    // Once answered, the request's polls no longer count per vendor id (which anyone can make
    // up): they share one row per minute with every other such poll.
    let id = filed["request_id"].as_str().unwrap().to_owned();
    f.vault.call(move |m| m.deny_request(&id)).await.unwrap();
    for _ in 0..50 {
        f.poll(&http, secret).await;
    }
    let log = f.log().await;
    let answered: Vec<_> = log
        .iter()
        .filter(|e| e.operation == "grant.poll" && e.vendor_id.is_none())
        .collect();
    assert_eq!(answered.iter().map(|e| e.requests).sum::<u64>(), 50);
    let _ = f.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_that_expired_unanswered_do_not_pile_up() {
    let f = fixture().await;
    let http = reqwest::Client::new();
    let file = |vendor: &'static str| {
        let http = http.clone();
        let url = f.url("/v1/grant-requests");
        async move {
            let r = http.post(url).json(&ask(vendor)).send().await.unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            r.json::<Value>().await.unwrap()
        }
    };
    let old = file("com.example.forgotten").await;
    // It expired unanswered two days ago.
    let conn = second_connection(&f.db);
    conn.execute(
        "UPDATE grant_requests SET expires_at = '2000-01-01T00:00:00.000000Z' WHERE id = ?1",
        [old["request_id"].as_str().unwrap()],
    )
    .unwrap();
    drop(conn);
    file("com.example.next").await;

    let requests = f.vault.call(|m| m.grant_requests(false)).await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| r.vendor.id != "com.example.forgotten"),
        "{requests:#?}"
    );
    assert!(requests.iter().any(|r| r.vendor.id == "com.example.next"));
    let r = http
        .post(f.url("/v1/grant-requests/poll"))
        .json(&json!({ "poll_secret": old["poll_secret"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let _ = f.close().await;
}
