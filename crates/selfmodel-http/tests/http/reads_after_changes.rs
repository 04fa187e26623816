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

/// A page is kept for the reads that ask the same until a belief on it falls due for review or
/// expires: each makes the next read pick the page again. Another process sets both times a
/// moment ahead, one after the other (which discards the kept model), then the page is read
/// (and kept) and read again after each time. Every read after a time is checked whatever the
/// timing; the reads before one are checked when they did come before it, and if the machine
/// stalled past the first time before the page was kept, the test starts over with more time.
#[tokio::test(flavor = "multi_thread")]
async fn a_kept_page_is_picked_again_when_a_belief_on_it_falls_due_and_when_one_expires() {
    use chrono::{DateTime, SecondsFormat, Utc};

    let f = fixture(ServerConfig::default()).await;
    let http = reqwest::Client::new();
    let page = || read_beliefs(&f, &http);
    let id = |b: &serde_json::Value| b["id"].as_str().unwrap().to_owned();
    let find =
        |page: &[serde_json::Value], wanted: &str| page.iter().find(|b| id(b) == wanted).cloned();
    let until = |t: DateTime<Utc>| async move {
        while Utc::now() <= t {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    let before = page().await;
    assert!(before.len() >= 2, "{before:?}");
    let (falling_due, expiring) = (id(&before[0]), id(&before[1]));
    let text = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Micros, true);
    let conn = second_connection(&f.dir.join("v.db"));
    let review_days: i64 = conn
        .query_row(
            "SELECT t.review_days FROM beliefs b JOIN belief_types t ON t.id = b.category \
             WHERE b.id = ?1",
            [&falling_due],
            |r| r.get(0),
        )
        .unwrap();

    for ahead in [1_000, 5_000, 20_000] {
        let due = Utc::now() + chrono::Duration::milliseconds(ahead);
        let expiry = due + chrono::Duration::milliseconds(ahead / 2);
        conn.execute(
            "UPDATE beliefs SET confirmed_at = ?2 WHERE id = ?1",
            [
                &falling_due,
                &text(due - chrono::Duration::days(review_days)),
            ],
        )
        .unwrap();
        conn.execute(
            "UPDATE beliefs SET expires_at = ?2 WHERE id = ?1",
            [&expiring, &text(expiry)],
        )
        .unwrap();

        let kept = page().await;
        let kept_in_time = Utc::now() < due;
        if kept_in_time {
            assert_eq!(find(&kept, &falling_due).unwrap()["review_overdue"], false);
            assert!(find(&kept, &expiring).is_some());
        }

        until(due).await;
        let after_due = page().await;
        assert_eq!(
            find(&after_due, &falling_due).unwrap()["review_overdue"],
            true,
            "a belief now due is shown overdue"
        );
        if Utc::now() < expiry {
            assert!(find(&after_due, &expiring).is_some(), "not expired yet");
        }

        until(expiry).await;
        let after_expiry = page().await;
        assert!(
            find(&after_expiry, &expiring).is_none(),
            "an expired belief is withheld"
        );
        assert_eq!(
            find(&after_expiry, &falling_due).unwrap()["review_overdue"],
            true
        );
        if kept_in_time {
            break;
        }
    }
    drop(conn);
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
