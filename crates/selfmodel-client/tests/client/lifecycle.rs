//! After the grant: revocation from another process, giving a grant up, notices of
//! rectification, erasure and revocation, proposals and the inbox, and tombstones — through the
//! client crate against the real server, with the person's side on the real CLI.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::common::*;
use selfmodel_client::{
    BeliefQuery, Error, EventKind, EvidenceIn, EvidenceKind, GrantRequest, Operation, Proposal,
    ProposalStatus,
};

#[tokio::test]
async fn revocation_from_another_process_is_401_on_the_very_next_request() {
    let s = Served::start();
    let (v, g) = s.reader("com.example.revoked", &["communication"]).await;
    let q = BeliefQuery::new("communication");
    assert!(!v.beliefs(&q).await.unwrap().beliefs.is_empty());

    // The person revokes with the CLI: a second process on the same vault.
    s.cli(&["grant", "revoke", &g.id]);
    let e = v.beliefs(&q).await.unwrap_err();
    assert!(matches!(e, Error::Revoked(_)), "{e}");
    assert_eq!((e.status(), e.code()), (Some(401), Some("token_revoked")));
    let e = v.grant().await.unwrap_err();
    assert!(matches!(e, Error::Revoked(_)), "{e}");
    let e = v
        .belief(&s.belief_id("Writes in British English"), "communication")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Revoked(_)), "{e}");

    let log = s.access_log(&["--grant", &g.id]);
    let denied: Vec<_> = log.iter().filter(|e| e["outcome"] == "denied").collect();
    assert_eq!(denied.len(), 3, "{log:#?}");
    assert!(denied.iter().all(|e| e["reason"] == "token_revoked"));
    let grants = s.cli_json(&["grant", "list"]);
    let listed = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == g.id.as_str())
        .unwrap();
    assert!(listed["revoked_at"].is_string());
    assert_eq!(listed["revoked_by"], "person");

    // A revoked vendor still hears that it was revoked.
    let events = v.events(0, Duration::ZERO).await.unwrap();
    assert!(
        events
            .events
            .iter()
            .any(|e| e.kind == EventKind::GrantRevoked && e.belief_id.is_none()),
        "{events:?}"
    );
}

#[tokio::test]
async fn pausing_stops_every_read_and_proposal_and_resuming_restores_them() {
    let s = Served::start();
    let (v, g) = s
        .vendor(
            &request_for(
                "com.example.paused",
                ["communication"],
                ["communication-style"],
            )
            .operations([Operation::Read, Operation::Propose]),
            &[],
        )
        .await;
    let q = BeliefQuery::new("communication");
    let before = v.beliefs(&q).await.unwrap();
    assert!(!before.beliefs.is_empty());

    s.cli(&["pause"]);
    let e = v.beliefs(&q).await.unwrap_err();
    assert!(matches!(e, Error::Paused(_)), "{e}");
    assert_eq!((e.status(), e.code()), (Some(423), Some("paused")));
    let one = &before.beliefs[0].id;
    assert!(matches!(
        v.belief(one, "communication").await,
        Err(Error::Paused(_))
    ));
    let e = v
        .propose(&Proposal::new(
            "Likes short answers",
            "communication-style",
            0.7,
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Paused(_)), "{e}");
    assert!(s.cli_json(&["inbox"]).as_array().unwrap().is_empty());
    // Every refusal is in the person's access log, with why.
    let log = s.access_log(&["--grant", &g.id]);
    let paused: Vec<_> = log.iter().filter(|e| e["reason"] == "paused").collect();
    assert_eq!(paused.len(), 3, "{log:#?}");
    assert!(paused.iter().all(|e| e["outcome"] == "denied"));

    // Resuming restores the grant as it was: same token, same scope, same answer.
    s.cli(&["resume"]);
    assert_eq!(v.beliefs(&q).await.unwrap().beliefs, before.beliefs);
    assert_eq!(v.grant().await.unwrap().id, g.id);
    let actions: Vec<String> = s
        .cli_json(&["audit", "log"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .filter(|a| a.starts_with("api.sharing"))
        .collect();
    assert_eq!(actions, ["api.sharing_paused", "api.sharing_resumed"]);
}

#[tokio::test]
async fn a_vendor_can_give_up_its_grant() {
    let s = Served::start();
    let (v, g) = s.reader("com.example.quitter", &["communication"]).await;
    v.give_up().await.unwrap();
    let e = v
        .beliefs(&BeliefQuery::new("communication"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("token_revoked"));
    let e = v.give_up().await.unwrap_err();
    assert!(matches!(e, Error::Revoked(_)), "{e}");
    let grants = s.cli_json(&["grant", "list"]);
    let listed = &grants.as_array().unwrap()[0];
    assert_eq!(listed["id"], g.id.as_str());
    assert_eq!(listed["revoked_by"], "vendor");
    assert_eq!(
        listed["access_count"], 1,
        "giving up is a request; claiming the token is not"
    );
    let log = s.access_log(&["--grant", &g.id]);
    assert!(
        log.iter()
            .any(|e| e["operation"] == "grant.relinquish" && e["outcome"] == "allowed")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_tell_of_rectification_erasure_and_revocation() {
    let s = std::sync::Arc::new(Served::start());
    let (v, g) = s
        .vendor(
            &request_for(
                "com.example.listener",
                ["communication"],
                ["communication-style"],
            ),
            &[],
        )
        .await;
    let received = v
        .all_beliefs(&BeliefQuery::new("communication"))
        .await
        .unwrap();
    assert!(received.len() >= 2);
    let (first, second) = (received[0].id.clone(), received[1].id.clone());
    let mut feed = v.follow_events(0);
    assert!(feed.next_batch(Duration::ZERO).await.unwrap().is_empty());

    // Rectified: the recipient is told.
    s.cli(&[
        "belief",
        "edit",
        &first,
        "--confidence",
        "0.97",
        "--reason",
        "asked to correct",
    ]);
    // A belief the vendor never received changes silently for it.
    let other = s.belief_id("Experienced Rust programmer");
    s.cli(&[
        "belief",
        "edit",
        &other,
        "--confidence",
        "0.95",
        "--reason",
        "x",
    ]);
    let got = feed.next_batch(Duration::from_secs(5)).await.unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].kind, EventKind::BeliefRectified);
    assert_eq!(got[0].belief_id.as_deref(), Some(first.as_str()));
    let after_first = feed.cursor();
    assert_eq!(after_first, got[0].seq);
    assert_eq!(
        v.belief(&first, "communication").await.unwrap().confidence,
        0.97
    );

    // Erased, while the vendor is waiting in a long poll.
    let (s2, id2) = (s.clone(), second.clone());
    let eraser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        s2.cli(&["belief", "delete", &id2]);
    });
    let got = feed.next_batch(Duration::from_secs(60)).await.unwrap();
    eraser.join().unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].kind, EventKind::BeliefErased);
    assert_eq!(got[0].belief_id.as_deref(), Some(second.as_str()));
    let e = v.belief(&second, "communication").await.unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e}");

    // Revoked.
    s.cli(&["grant", "revoke", &g.id]);
    let got = feed.next_batch(Duration::from_secs(5)).await.unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].kind, EventKind::GrantRevoked);
    assert!(got[0].belief_id.is_none());

    // Resuming from 0 replays all three in order; from the stored cursor, only what came after.
    let all = v.events(0, Duration::ZERO).await.unwrap();
    let kinds: Vec<_> = all.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::BeliefRectified,
            EventKind::BeliefErased,
            EventKind::GrantRevoked
        ]
    );
    assert!(all.events.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(all.cursor, all.events[2].seq);
    let rest = v.events(after_first, Duration::ZERO).await.unwrap();
    assert_eq!(rest.events.len(), 2);
}

fn proposal(statement: &str) -> Proposal {
    observed(
        statement,
        "Example Vendor",
        "Seen in 3 of the last 5 conversations",
    )
}

/// A communication-style proposal backed by what was observed in `source`.
fn observed(statement: &str, source: &str, summary: &str) -> Proposal {
    Proposal::new(statement, "communication-style", 0.8)
        .purposes(["communication"])
        .evidence(EvidenceIn::new(EvidenceKind::Observed, source, summary))
}

async fn proposer(s: &Served) -> selfmodel_client::Client {
    s.vendor(
        // A name unlike the id: the inbox must show the vendor's name.
        &GrantRequest::new("com.example.proposer", "Proposer", "t")
            .purposes(["communication"])
            .categories(["communication-style"])
            .operations([Operation::Read, Operation::Propose]),
        &[],
    )
    .await
    .0
}

#[tokio::test]
async fn proposals_land_in_the_inbox_and_the_person_accepts_or_rejects_them() {
    let s = Served::start();
    let v = proposer(&s).await;
    let kept = v
        .propose(&proposal("Prefers bullet points for instructions"))
        .await
        .unwrap();
    let dropped = v
        .propose(&proposal("Likes answers in French"))
        .await
        .unwrap();
    assert_eq!(kept.status, ProposalStatus::Pending);

    let inbox = s.cli_json(&["inbox"]);
    let inbox = inbox.as_array().unwrap();
    assert_eq!(inbox.len(), 2, "{inbox:#?}");
    for b in inbox {
        assert_eq!(b["status"], "pending");
        let p = &b["provenance"];
        assert!(p["actor"].as_str().unwrap().starts_with("vendor:"), "{p}");
        assert_eq!(p["vendor_name"], "Proposer", "the vendor is the provenance");
    }
    // Pending proposals are not disclosed, not even to their proposer.
    let q = BeliefQuery::new("communication");
    let before = ids(&v.all_beliefs(&q).await.unwrap());
    assert!(!before.contains(&kept.id));

    s.cli(&["belief", "accept", &kept.id]);
    s.cli(&["belief", "reject", &dropped.id]);
    assert!(s.cli_json(&["inbox"]).as_array().unwrap().is_empty());
    let after = ids(&v.all_beliefs(&q).await.unwrap());
    assert!(after.contains(&kept.id), "accepted: active and shareable");
    assert!(!after.contains(&dropped.id));
    assert!(
        !s.all_beliefs()
            .iter()
            .any(|b| b["id"] == dropped.id.as_str())
    );
    // Deciding twice is refused.
    let out = s.cli_output(&["belief", "accept", &kept.id]);
    assert!(!out.status.success());
}

#[tokio::test]
async fn a_rejected_or_deleted_belief_proposed_again_is_dropped_and_the_vendor_cannot_tell() {
    let s = Served::start();
    let v = proposer(&s).await;
    let audit_seq =
        |v: selfmodel_client::Client| async move { v.checkpoint(None).await.unwrap().seq };

    let first = v
        .propose(&proposal("Likes answers in French"))
        .await
        .unwrap();
    s.cli(&["belief", "reject", &first.id]);
    let inbox_len = || s.cli_json(&["inbox"]).as_array().unwrap().len();
    assert_eq!(inbox_len(), 0);

    // The answer to a new proposal and to an erased one is the same: 201, a fresh id, pending,
    // and one more audit event. Case, spacing, punctuation, width and look-alike letters do not
    // make an erased belief new.
    let before = audit_seq(v.clone()).await;
    let fresh = v.propose(&proposal("Prefers bullet points")).await.unwrap();
    assert_eq!(audit_seq(v.clone()).await, before + 1);
    for again in [
        "Likes answers in French",
        "  likes ANSWERS in   french. ",
        "Likes answ\u{435}rs in Fr\u{435}nch", // Cyrillic е
        "Ｌｉｋｅｓ answers in French",        // full width
        "Likes ans\u{200d}wers in French",     // a joiner
    ] {
        let seq = audit_seq(v.clone()).await;
        let r = v.propose(&proposal(again)).await.unwrap();
        assert_eq!(r.status, fresh.status, "{again}");
        assert_ne!(r.id, first.id);
        assert_eq!(audit_seq(v.clone()).await, seq + 1, "{again}");
    }
    // None of them reached the inbox: only the new one waits there.
    assert_eq!(inbox_len(), 1);

    // The same for a belief the person deleted.
    let statement = "Writes in British English";
    let id = s.belief_id(statement);
    s.cli(&["belief", "delete", &id]);
    v.propose(&proposal(statement)).await.unwrap();
    assert_eq!(inbox_len(), 1);

    // The person's log says what happened; the audit log keeps no statement text.
    let log = s.requests_logged(&["--vendor", "com.example.proposer"]);
    let dropped = log
        .iter()
        .filter(|e| e["operation"] == "beliefs.propose" && e["reason"] == "tombstoned")
        .count();
    assert_eq!(dropped, 6);
    let audit = s.cli(&["audit", "log"]);
    assert_eq!(
        audit.matches("belief.proposal_dropped").count(),
        6,
        "{audit}"
    );
    assert!(!audit.contains("French"));
}

#[tokio::test]
async fn hidden_characters_in_a_proposal_are_refused_before_anything_is_kept() {
    let s = Served::start();
    let v = proposer(&s).await;
    let hostile = [
        proposal("Likes \u{202e}emoji\u{202c} a lot"),
        proposal("Likes bul\u{200b}let points"),
        observed(
            "Prefers morning meetings",
            "calendar\u{1b}]0;owned\u{7}",
            "seen often",
        ),
        observed(
            "Prefers morning meetings",
            "calendar",
            "seen often\n\u{1b}[2J\u{1b}[32mverified by Selfmodel",
        ),
    ];
    for p in &hostile {
        let e = v.propose(p).await.unwrap_err();
        assert_eq!(
            (e.status(), e.code()),
            (Some(400), Some("invalid_field")),
            "{e}"
        );
    }
    assert_eq!(s.cli_json(&["inbox"]).as_array().unwrap().len(), 0);
}
