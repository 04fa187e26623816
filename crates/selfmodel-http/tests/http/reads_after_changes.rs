#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! A read never discloses what a change committed before it took away, over real sockets: a
//! lock (423 until unlocked), a retention that ran out, an erasure, and a revocation, also under
//! load.

use selfmodel_http::ServerConfig;

use crate::common::second_connection;
use crate::defences::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_vault_answers_423_and_unlocking_restores_service() {
    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    let model = f.vault.lock().await.expect("was unlocked");
    let r = get_with(&f, &http, "/v1/beliefs?purpose=communication", &f.token).await;
    assert_eq!(r.status(), 423);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "vault_locked");
    f.vault.unlock(model);
    let r = get_with(&f, &http, "/v1/beliefs?purpose=communication", &f.token).await;
    assert_eq!(r.status(), 200);
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_belief_past_its_retention_is_not_disclosed_while_the_server_runs() {
    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    let read = || read_ids(&f, &http);
    let before = read().await;
    assert!(before.len() >= 2, "{before:?}");
    // One belief's retention ran out while the server runs (retention has not erased it yet).
    let conn = second_connection(&f.dir.join("v.db"));
    conn.execute(
        "UPDATE beliefs SET expires_at = '2000-01-01T00:00:00Z' WHERE id = ?1",
        [&before[0]],
    )
    .unwrap();
    drop(conn);
    assert_eq!(
        read().await,
        before[1..],
        "the expired belief is not disclosed"
    );
    f.stop().await;
}

/// The first read of a page keeps it for the reads that ask the same; one of its beliefs
/// expiring, or falling due for review, while nothing else changes, makes the next read pick
/// the page again. Whenever the first read runs, the second runs after both times.
#[tokio::test(flavor = "multi_thread")]
async fn a_kept_page_is_picked_again_when_a_belief_on_it_expires_or_falls_due() {
    use chrono::{SecondsFormat, Utc};

    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    let page = || async {
        let r = get_with(&f, &http, "/v1/beliefs?purpose=communication", &f.token).await;
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        body["beliefs"].as_array().unwrap().clone()
    };
    let id = |b: &serde_json::Value| b["id"].as_str().unwrap().to_owned();
    let before = page().await;
    assert!(before.len() >= 2, "{before:?}");
    let (expiring, falling_due) = (id(&before[0]), id(&before[1]));
    assert_eq!(before[1]["review_overdue"], false);

    // Another process sets both times a moment ahead (which discards the kept model).
    let at = Utc::now() + chrono::Duration::milliseconds(1500);
    let text = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Micros, true);
    let conn = second_connection(&f.dir.join("v.db"));
    let review_days: i64 = conn
        .query_row(
            "SELECT t.review_days FROM beliefs b JOIN belief_types t ON t.id = b.category \
             WHERE b.id = ?1",
            [&falling_due],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE beliefs SET expires_at = ?2 WHERE id = ?1",
        [&expiring, &text(at)],
    )
    .unwrap();
    conn.execute(
        "UPDATE beliefs SET confirmed_at = ?2 WHERE id = ?1",
        [
            &falling_due,
            &text(at - chrono::Duration::days(review_days)),
        ],
    )
    .unwrap();
    drop(conn);

    // Read (and kept) before the times when the machine is not stalled; asserted only then.
    let kept = page().await;
    if Utc::now() < at {
        assert_eq!(
            kept.iter().map(id).collect::<Vec<_>>(),
            before.iter().map(id).collect::<Vec<_>>()
        );
        assert_eq!(kept[1]["review_overdue"], false);
    }
    while Utc::now() <= at {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let after = page().await;
    assert!(
        after.iter().all(|b| id(b) != expiring),
        "an expired belief is withheld from a kept page"
    );
    let due = after.iter().find(|b| id(b) == falling_due).unwrap();
    assert_eq!(
        due["review_overdue"], true,
        "a belief now due is shown overdue"
    );
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_belief_erased_between_two_reads_is_not_disclosed_by_the_second() {
    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    let read = || read_ids(&f, &http);
    let first = read().await;
    assert!(first.len() >= 3, "{first:?}");

    // Erased by the person through this process.
    let id: selfmodel_core::BeliefId = first[0].parse().unwrap();
    f.vault.call(move |m| m.delete_belief(id)).await.unwrap();
    assert_eq!(read().await, first[1..], "erased in this process");

    // Changed by another process on the same file (the CLI, say): rejected, so no longer
    // active.
    let conn = second_connection(&f.dir.join("v.db"));
    conn.execute(
        "UPDATE beliefs SET status = 'rejected' WHERE id = ?1",
        [&first[1]],
    )
    .unwrap();
    drop(conn);
    assert_eq!(read().await, first[2..], "changed by another connection");
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn under_load_no_read_that_starts_after_a_revocation_gets_data() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    let f = fixture(rate_limited(1_000_000, 1_000_000)).await;
    let http = reqwest::Client::new();
    let path = url(&f, "/v1/beliefs?purpose=communication");
    let first: serde_json::Value = http
        .get(&path)
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let grant_id = first["grant_id"].as_str().unwrap().to_owned();

    let revoked = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::new();
    for _ in 0..16 {
        let (http, path, token) = (http.clone(), path.clone(), f.token.clone());
        let (revoked, served) = (revoked.clone(), served.clone());
        readers.push(tokio::spawn(async move {
            // Reads until one starts after the revocation committed and is refused.
            loop {
                let after_revocation = revoked.load(Ordering::SeqCst);
                let status = http
                    .get(&path)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .status();
                if status == 200 {
                    assert!(
                        !after_revocation,
                        "a read that started after the revocation got data"
                    );
                    served.fetch_add(1, Ordering::SeqCst);
                } else {
                    assert_eq!(status, 401);
                    if after_revocation {
                        return;
                    }
                }
            }
        }));
    }
    // Revoke once the readers are well under way.
    while served.load(Ordering::SeqCst) < 200 && !readers.iter().any(|r| r.is_finished()) {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let g = grant_id.clone();
    f.vault.call(move |m| m.revoke_grant(&g)).await.unwrap();
    revoked.store(true, Ordering::SeqCst);
    for r in readers {
        r.await.unwrap();
    }

    // The log counts exactly one allowed read per response that carried data (and the first).
    let g = grant_id.clone();
    let log = f
        .vault
        .call(move |m| {
            m.access_log(&selfmodel::AccessFilter {
                grant_id: Some(g),
                ..Default::default()
            })
        })
        .await
        .unwrap();
    let allowed = log
        .iter()
        .filter(|e| e.operation == "beliefs.read" && e.outcome == selfmodel_core::Outcome::Allowed)
        .map(|e| e.requests)
        .sum::<u64>();
    assert_eq!(allowed, served.load(Ordering::SeqCst) + 1);
    f.stop().await;
}
