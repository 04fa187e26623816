//! Reviews as a vendor sees them, against the real server: every belief carries when the person
//! last confirmed it, one past its type's review interval is marked overdue, `fresh=true` leaves
//! it out (and the access log holds exactly what was disclosed), and the person's confirmation
//! brings it back.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, SecondsFormat, Utc};
use selfmodel_client::BeliefQuery;

use crate::common::*;

#[tokio::test]
async fn an_overdue_belief_is_marked_and_left_out_of_fresh_reads_until_confirmed() {
    let s = Served::start();
    let (client, _) = s.reader("com.example.fresh", &["recommendations"]).await;
    let all = BeliefQuery::new("recommendations").limit(500);
    let before = client.beliefs(&all).await.unwrap().beliefs;
    assert!(before.len() > 2, "{before:?}");
    assert!(
        before
            .iter()
            .all(|b| b.confirmed_at.is_some() && !b.review_overdue)
    );

    // A year passes for one of them (interests and the like are reviewed within a year).
    let stale = before[1].id.clone();
    let year_ago = (Utc::now() - Duration::days(400)).to_rfc3339_opts(SecondsFormat::Micros, true);
    let n = s
        .sql()
        .execute(
            "UPDATE beliefs SET confirmed_at = ?2 WHERE id = ?1",
            [stale.as_str(), year_ago.as_str()],
        )
        .unwrap();
    assert_eq!(n, 1);

    let page = client.beliefs(&all).await.unwrap().beliefs;
    let marked: Vec<&str> = page
        .iter()
        .filter(|b| b.review_overdue)
        .map(|b| b.id.as_str())
        .collect();
    assert_eq!(marked, [stale.as_str()]);
    let overdue = page.iter().find(|b| b.id == stale).unwrap();
    assert!(overdue.confirmed_at.unwrap() < Utc::now() - Duration::days(399));

    let fresh = client.beliefs(&all.clone().fresh()).await.unwrap();
    let fresh_ids = ids(&fresh.beliefs);
    assert!(!fresh_ids.contains(&stale));
    assert_eq!(fresh_ids.len(), page.len() - 1);
    let log = s.access_log(&["--grant", &fresh.grant_id]);
    let last = log.last().unwrap();
    let disclosed: std::collections::BTreeSet<String> = last["disclosed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        disclosed, fresh_ids,
        "the log holds exactly what the fresh read disclosed"
    );

    s.cli(&["review", "confirm", &stale]);
    let again = client.beliefs(&all.fresh()).await.unwrap().beliefs;
    let back = again
        .iter()
        .find(|b| b.id == stale)
        .expect("confirmed again");
    assert!(!back.review_overdue);
    assert!(back.confirmed_at.unwrap() > Utc::now() - Duration::hours(1));
}

#[tokio::test]
async fn a_text_search_is_answered_by_the_server_and_logged_exactly() {
    let s = Served::start();
    let (client, _) = s.reader("com.example.search", &["recommendations"]).await;
    let all = client
        .beliefs(&BeliefQuery::new("recommendations").limit(500))
        .await
        .unwrap()
        .beliefs;
    let word = all[0]
        .statement
        .split_whitespace()
        .max_by_key(|w| w.len())
        .unwrap()
        .to_uppercase();
    let expected: std::collections::BTreeSet<String> = all
        .iter()
        .filter(|b| b.statement.to_uppercase().contains(&word))
        .map(|b| b.id.clone())
        .collect();
    assert!(!expected.is_empty() && expected.len() < all.len(), "{word}");

    let found = client
        .beliefs(
            &BeliefQuery::new("recommendations")
                .search(&format!("  {word} "))
                .limit(500),
        )
        .await
        .unwrap();
    assert_eq!(ids(&found.beliefs), expected);
    let log = s.access_log(&["--grant", &found.grant_id]);
    let disclosed: std::collections::BTreeSet<String> = log.last().unwrap()["disclosed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(disclosed, expected, "only what matched was disclosed");

    // Bad searches are refused, say why, disclose nothing, and are logged as refusals.
    for bad in ["x".repeat(201), "tab\there".to_owned()] {
        let e = client
            .beliefs(&BeliefQuery::new("recommendations").search(&bad))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("q"), "{e}");
    }
    let log = s.access_log(&["--grant", &found.grant_id]);
    assert!(
        log.last().unwrap()["disclosed"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_grant_for_fresh_beliefs_only_leaves_overdue_ones_out_of_every_read() {
    let s = Served::start();
    let request = |id| request_for(id, ["recommendations"], NORMAL_CATEGORIES.iter().copied());
    // One vendor asks for fresh beliefs only; the person narrows another to them.
    let (asked, grant) = s
        .vendor(&request("com.example.asks").fresh_only(), &[])
        .await;
    assert!(grant.fresh_only);
    let (narrowed, grant) = s
        .vendor(&request("com.example.narrowed"), &["--fresh-only"])
        .await;
    assert!(grant.fresh_only);
    let (plain, grant) = s.vendor(&request("com.example.plain"), &[]).await;
    assert!(!grant.fresh_only);

    let all = BeliefQuery::new("recommendations").limit(500);
    let before = plain.beliefs(&all).await.unwrap().beliefs;
    let stale = before[1].id.clone();
    let year_ago = (Utc::now() - Duration::days(400)).to_rfc3339_opts(SecondsFormat::Micros, true);
    s.sql()
        .execute(
            "UPDATE beliefs SET confirmed_at = ?2 WHERE id = ?1",
            [stale.as_str(), year_ago.as_str()],
        )
        .unwrap();

    for client in [&asked, &narrowed] {
        let page = client.beliefs(&all).await.unwrap().beliefs;
        assert!(!ids(&page).contains(&stale));
        assert_eq!(page.len(), before.len() - 1);
        // Asked for by its id, it is not there either.
        let e = client.belief(&stale, "recommendations").await.unwrap_err();
        assert!(matches!(e, selfmodel_client::Error::NotFound(_)), "{e}");
    }
    // A grant without the term still receives it, marked overdue.
    let page = plain.beliefs(&all).await.unwrap().beliefs;
    assert!(page.iter().any(|b| b.id == stale && b.review_overdue));
}
