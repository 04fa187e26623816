//! The grant flow and purpose-bound reads, through the client crate against the real
//! `selfmodel serve` process, with the person's side driven by the real CLI.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::common::*;
use selfmodel_client::{
    BeliefQuery, Error, EvidenceIn, EvidenceKind, GrantRequest, Operation, PendingGrant,
    PollSecret, PollStatus, Proposal, Sensitivity,
};

#[tokio::test]
async fn grant_flow_pending_then_narrowed_approval_hands_the_token_over_once() {
    let s = Served::start();
    let client = s.paired().await;
    let pending = client
        .request_grant(
            &GrantRequest::new("com.example.notes", "Example Notes", "Adapt answers to you")
                .url("https://notes.example")
                .purposes(["communication", "personalisation"])
                .categories(["communication-style", "expertise", "interests"])
                .operations([Operation::Read, Operation::ReadEvidence, Operation::Propose])
                .duration_days(30)
                .vendor_retention_days(14),
        )
        .await
        .unwrap();
    assert_eq!(pending.user_code.len(), 9, "{pending:?}");
    assert_eq!(pending.interval, Duration::from_secs(2));
    assert!(
        !format!("{pending:?}").contains(pending.poll_secret.expose()),
        "Debug never shows the poll secret"
    );
    assert!(matches!(
        client.poll_once(&pending).await.unwrap(),
        PollStatus::Pending
    ));

    // The person sees the request with the same user code and the vendor's retention term.
    let requests = s.cli_json(&["grant", "requests"]);
    let r = &requests.as_array().unwrap()[0];
    assert_eq!(r["id"], pending.request_id.as_str());
    assert_eq!(r["user_code"], pending.user_code.as_str());
    assert_eq!(r["status"], "pending");
    assert_eq!(r["vendor_retention_days"], 14);

    // ... previews exactly what a narrowed grant would disclose, and approves it narrowed.
    let narrowing = [
        "--purpose",
        "communication",
        "--category",
        "communication-style",
        "--operation",
        "read",
        "--days",
        "7",
    ];
    let mut preview_args = vec!["grant", "preview", pending.request_id.as_str()];
    preview_args.extend_from_slice(&narrowing);
    let preview = s.cli_json(&preview_args);
    let previewed: BTreeSet<String> = preview.as_array().unwrap()[0]["beliefs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    let mut approve = vec!["grant", "approve", pending.request_id.as_str()];
    approve.extend_from_slice(&narrowing);
    s.cli(&approve);

    let PollStatus::Approved(approval) = client.poll_once(&pending).await.unwrap() else {
        panic!("expected approval");
    };
    let g = &approval.grant;
    assert_eq!(g.purposes, ["communication"]);
    assert_eq!(g.categories, ["communication-style"]);
    assert_eq!(g.operations, [Operation::Read]);
    assert_eq!(g.max_sensitivity, Sensitivity::Normal);
    assert_eq!(g.vendor_retention_days, 14);
    assert_eq!(g.vendor.url.as_deref(), Some("https://notes.example"));
    let days = (g.expires_at - g.created_at).num_days();
    assert_eq!(days, 7, "narrowed to 7 days");
    assert_eq!(g.consent.purposes, g.purposes);
    assert_eq!(g.consent.data_categories, g.categories);
    assert_eq!(g.consent.recipient_retention_days, 14);
    assert!(!g.consent.special_categories);
    assert!(approval.token.expose().starts_with("smt_"));
    assert!(!format!("{approval:?}").contains(approval.token.expose()));

    // The token is handed over once: a second poll is 410.
    let again = client.poll_once(&pending).await.unwrap_err();
    assert!(matches!(again, Error::Gone(_)), "{again}");
    assert_eq!(again.code(), Some("token_already_issued"));
    assert_eq!(again.status(), Some(410));

    let vendor = client.with_token(approval.token);
    assert_eq!(&vendor.grant().await.unwrap(), g);
    let page = vendor
        .beliefs(&BeliefQuery::new("communication"))
        .await
        .unwrap();
    assert_eq!(page.grant_id, g.id);
    assert_eq!(page.purpose, "communication");
    assert_eq!(
        ids(&page.beliefs),
        previewed,
        "the preview is what the vendor receives"
    );
    assert_eq!(
        previewed,
        s.expected("communication", &["communication-style"], false)
    );
    assert!(!previewed.is_empty());
    for b in &page.beliefs {
        assert_eq!(b.category, "communication-style");
        assert!(b.purposes.iter().any(|p| p == "communication"));
        assert!(b.evidence.is_none(), "no evidence without read_evidence");
    }
    // Narrowed away: the other purpose, the other categories, and proposing.
    let e = vendor
        .beliefs(&BeliefQuery::new("personalisation"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.code()),
        (Some(403), Some("purpose_not_granted"))
    );
    let e = vendor
        .beliefs(&BeliefQuery::new("communication").category("expertise"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("category_not_granted"));
    let e = vendor
        .propose(&Proposal::new("Likes tea", "communication-style", 0.8))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Forbidden(_)), "{e}");
    assert_eq!(e.code(), Some("operation_not_granted"));

    // A wrong poll secret is refused.
    let forged = PendingGrant {
        poll_secret: PollSecret::new(format!("smp_{}_{}", "1".repeat(16), "2".repeat(64))),
        ..pending
    };
    let e = client.poll_once(&forged).await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized(_)), "{e}");
    assert_eq!(e.code(), Some("invalid_poll_secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_approval_honours_the_interval_and_reports_a_denial() {
    let s = std::sync::Arc::new(Served::start());
    let client = s.paired().await;
    let ask = GrantRequest::new("com.example.waiter", "Waiter", "tests")
        .purposes(["communication"])
        .categories(["expertise"]);
    let pending = client.request_grant(&ask).await.unwrap();
    let (s2, id) = (s.clone(), pending.request_id.clone());
    let approver = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(2500));
        s2.cli(&["grant", "approve", &id]);
    });
    let started = Instant::now();
    let approval = client.wait_for_approval(&pending).await.unwrap();
    let waited = started.elapsed();
    approver.join().unwrap();
    assert!(waited >= Duration::from_millis(2500), "{waited:?}");
    assert_eq!(approval.grant.categories, ["expertise"]);
    // Polls were spaced by the interval: at most one per 2 s, plus the first.
    let polls = s
        .access_log(&["--vendor", "com.example.waiter"])
        .iter()
        .filter(|e| e["operation"] == "grant.poll" || e["operation"] == "grant.claim")
        .count();
    let most = waited.as_secs() / 2 + 1;
    assert!(polls as u64 <= most, "{polls} polls in {waited:?}");
    assert!(polls >= 2, "{polls}");

    let pending = client.request_grant(&ask).await.unwrap();
    s.cli(&["grant", "deny", &pending.request_id]);
    let e = client.wait_for_approval(&pending).await.unwrap_err();
    assert!(matches!(e, Error::Denied), "{e}");
}

#[tokio::test]
async fn two_vendors_with_different_purposes_and_categories_see_different_beliefs() {
    let s = Served::start();
    let a_cats = ["communication-style", "expertise"];
    let b_cats = ["interests", "preferences"];
    let a_asks = request_for("com.example.a", ["communication"], a_cats);
    let (a, ga) = s.vendor(&a_asks, &[]).await;
    let b_asks = request_for("com.example.b", ["recommendations"], b_cats);
    let (b, gb) = s.vendor(&b_asks, &[]).await;
    let seen_a = ids(&a
        .all_beliefs(&BeliefQuery::new("communication"))
        .await
        .unwrap());
    let seen_b = ids(&b
        .all_beliefs(&BeliefQuery::new("recommendations"))
        .await
        .unwrap());
    assert_eq!(seen_a, s.expected("communication", &a_cats, false));
    assert_eq!(seen_b, s.expected("recommendations", &b_cats, false));
    assert!(!seen_a.is_empty() && !seen_b.is_empty());
    assert!(
        seen_a.is_disjoint(&seen_b),
        "different scopes, different beliefs"
    );

    // Neither can read under the other's purpose or categories.
    let e = a
        .beliefs(&BeliefQuery::new("recommendations"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("purpose_not_granted"));
    let e = b
        .beliefs(&BeliefQuery::new("recommendations").category("expertise"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("category_not_granted"));
    let one_of_a = seen_a.iter().next().unwrap();
    let e = b.belief(one_of_a, "recommendations").await.unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e}");

    // The access log records, per vendor, exactly what each received.
    for (vendor, grant, seen) in [
        ("com.example.a", &ga, &seen_a),
        ("com.example.b", &gb, &seen_b),
    ] {
        let disclosed: BTreeSet<String> = s
            .access_log(&["--vendor", vendor])
            .iter()
            .filter(|e| e["outcome"] == "allowed" && e["grant_id"].is_string())
            .inspect(|e| assert_eq!(e["grant_id"], grant.id.as_str()))
            .flat_map(|e| e["disclosed"].as_array().unwrap().clone())
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(&disclosed, seen, "{vendor}");
    }
}

#[tokio::test]
async fn a_purpose_outside_the_grant_is_refused_and_the_refusal_logged() {
    let s = Served::start();
    let (v, g) = s.reader("com.example.narrow", &["communication"]).await;
    let some = v
        .beliefs(&BeliefQuery::new("communication").limit(1))
        .await
        .unwrap()
        .beliefs[0]
        .id
        .clone();
    let e = v
        .beliefs(&BeliefQuery::new("advertising"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Forbidden(_)), "{e}");
    assert_eq!(
        (e.status(), e.code()),
        (Some(403), Some("purpose_not_granted"))
    );
    let e = v.belief(&some, "recommendations").await.unwrap_err();
    assert_eq!(e.code(), Some("purpose_not_granted"));

    let log = s.access_log(&["--vendor", "com.example.narrow"]);
    let denied: Vec<_> = log.iter().filter(|e| e["outcome"] == "denied").collect();
    assert_eq!(denied.len(), 2, "{log:#?}");
    for (entry, purpose) in denied.iter().zip(["advertising", "recommendations"]) {
        assert_eq!(entry["reason"], "purpose_not_granted");
        assert_eq!(entry["purpose"], purpose);
        assert_eq!(entry["grant_id"], g.id.as_str());
        assert!(entry["disclosed"].as_array().unwrap().is_empty());
    }
    let by_purpose = s.access_log(&["--purpose", "advertising"]);
    assert_eq!(by_purpose.len(), 1);
}

#[tokio::test]
async fn evidence_is_disclosed_only_under_read_evidence() {
    let s = Served::start();
    let cats = ["expertise", "values"];
    let ask = |vendor| request_for(vendor, ["communication"], cats);
    let (plain, _) = s.vendor(&ask("com.example.plain"), &[]).await;
    let deep_asks = ask("com.example.deep").operations([Operation::Read, Operation::ReadEvidence]);
    let (deep, _) = s.vendor(&deep_asks, &[]).await;
    let q = BeliefQuery::new("communication");
    let without = plain.all_beliefs(&q).await.unwrap();
    let with = deep.all_beliefs(&q).await.unwrap();
    assert_eq!(ids(&without), ids(&with));
    assert!(!with.is_empty());
    assert!(without.iter().all(|b| b.evidence.is_none()));
    for b in &with {
        let ev = b.evidence.as_ref().expect("evidence under read_evidence");
        assert!(!ev.is_empty(), "demo beliefs carry evidence");
        assert!(!ev[0].summary.is_empty() && !ev[0].source.is_empty());
    }
    let id = &with[0].id;
    assert!(
        plain
            .belief(id, "communication")
            .await
            .unwrap()
            .evidence
            .is_none()
    );
    assert!(
        deep.belief(id, "communication")
            .await
            .unwrap()
            .evidence
            .is_some()
    );
}

#[tokio::test]
async fn special_category_beliefs_only_under_max_sensitivity_special() {
    let s = Served::start();
    let cats = ["health", "accessibility", "preferences"];
    let purposes = ["personalisation", "ui-personalisation"];
    let ask = |id| request_for(id, purposes, cats);
    let (normal, gn) = s.vendor(&ask("com.example.normal"), &[]).await;
    let (special, gs) = s
        .vendor(
            &ask("com.example.special").max_sensitivity(Sensitivity::Special),
            &[],
        )
        .await;
    assert_eq!(gn.max_sensitivity, Sensitivity::Normal);
    assert!(!gn.consent.special_categories);
    assert_eq!(gs.max_sensitivity, Sensitivity::Special);
    assert!(gs.consent.special_categories);

    let mut special_seen = 0;
    for p in purposes {
        let q = BeliefQuery::new(p);
        let n = normal.all_beliefs(&q).await.unwrap();
        let sp = special.all_beliefs(&q).await.unwrap();
        assert!(
            n.iter().all(|b| b.sensitivity == Sensitivity::Normal),
            "{n:?}"
        );
        assert_eq!(ids(&n), s.expected(p, &cats, false));
        assert_eq!(ids(&sp), s.expected(p, &cats, true));
        for b in sp.iter().filter(|b| b.sensitivity == Sensitivity::Special) {
            special_seen += 1;
            let e = normal.belief(&b.id, p).await.unwrap_err();
            assert!(matches!(e, Error::NotFound(_)), "{e}");
            assert_eq!(special.belief(&b.id, p).await.unwrap().id, b.id);
        }
    }
    assert!(special_seen >= 2, "the demo has shareable special beliefs");
}

#[tokio::test]
async fn paging_and_filters_follow_the_server() {
    let s = Served::start();
    let (v, _) = s.reader("com.example.pager", &["personalisation"]).await;
    let whole = v
        .beliefs(&BeliefQuery::new("personalisation").limit(500))
        .await
        .unwrap();
    assert!(whole.next.is_none());
    assert!(whole.beliefs.len() > 6);
    let mut pages = v.belief_pages(BeliefQuery::new("personalisation").limit(3));
    let mut paged = Vec::new();
    let mut count = 0;
    while let Some(page) = pages.next_page().await.unwrap() {
        assert!(page.beliefs.len() <= 3);
        paged.extend(page.beliefs);
        count += 1;
    }
    assert!(count >= 3, "{count} pages");
    assert_eq!(paged, whole.beliefs, "pages add up to the whole, in order");
    assert_eq!(
        v.all_beliefs(&BeliefQuery::new("personalisation").limit(2))
            .await
            .unwrap(),
        whole.beliefs
    );

    let high = v
        .all_beliefs(&BeliefQuery::new("personalisation").min_confidence(0.8))
        .await
        .unwrap();
    assert!(!high.is_empty() && high.len() < whole.beliefs.len());
    assert!(high.iter().all(|b| b.confidence >= 0.8));
    let goals = v
        .all_beliefs(&BeliefQuery::new("personalisation").category("goals"))
        .await
        .unwrap();
    assert!(!goals.is_empty());
    assert!(goals.iter().all(|b| b.category == "goals"));
}

#[tokio::test]
async fn errors_are_typed_with_the_servers_code_and_status() {
    let s = Served::start();
    let (v, _) = s.reader("com.example.errs", &["communication"]).await;
    let anon = s.paired().await;

    let e = anon
        .beliefs(&BeliefQuery::new("communication"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)), "a token is needed: {e}");
    let e = anon.with_token(bogus_token()).grant().await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized(_)), "{e}");
    assert_eq!((e.status(), e.code()), (Some(401), Some("invalid_token")));
    let e = anon
        .with_token(selfmodel_client::Token::new("not a token"))
        .grant()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("invalid_token"));

    let e = v
        .belief("01a20820-0000-7000-8000-000000000000", "communication")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e}");
    assert_eq!(e.status(), Some(404));
    let e = v.belief("no-such-id", "communication").await.unwrap_err();
    assert!(matches!(e, Error::BadRequest(_)), "{e}");
    let e = v
        .beliefs(&BeliefQuery::new("communication").min_confidence(2.0))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::BadRequest(_)), "{e}");
    assert_eq!(e.status(), Some(400));

    let e = anon
        .request_grant(
            &GrantRequest::new("x", "x", "t")
                .purposes(["no-such-purpose"])
                .categories(["goals"]),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::BadRequest(_)), "{e}");

    // A cursor beyond SQLite's integer range is simply past the end (it was a 503).
    let far = v.events(u64::MAX, Duration::ZERO).await.unwrap();
    assert!(far.events.is_empty());
    assert_eq!(far.cursor, u64::MAX);

    // A proposal needs the propose operation.
    let e = v
        .propose(
            &Proposal::new("Likes tea", "expertise", 0.8).evidence(EvidenceIn::new(
                EvidenceKind::Stated,
                "chat",
                "said so",
            )),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.code()),
        (Some(403), Some("operation_not_granted"))
    );
}

#[tokio::test]
async fn a_vendor_probing_beyond_its_grant_raises_an_alert_for_the_person() {
    let s = Served::start();
    let (vendor, _) = s.reader("com.example.prober", &["communication"]).await;
    // Nothing unusual yet: `selfmodel alerts` says so and exits 0.
    assert!(s.cli_output(&["alerts"]).status.success());

    // Nine refusals within the hour are tolerated ...
    for _ in 0..9 {
        let e = vendor
            .beliefs(&BeliefQuery::new("personalisation"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some("purpose_not_granted"));
    }
    assert!(s.cli_output(&["alerts"]).status.success());

    // ... the tenth is probing: an alert naming the vendor, and exit code 3.
    let _ = vendor
        .beliefs(&BeliefQuery::new("personalisation"))
        .await
        .unwrap_err();
    let out = s.cli_output(&["alerts", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let alerts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let alerts = alerts.as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["kind"], "denial_burst");
    assert_eq!(alerts[0]["vendor_id"], "com.example.prober");
    assert!(
        alerts[0]["description"]
            .as_str()
            .unwrap()
            .contains("refused 10 times")
    );
    // The transparency report lists it too.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    s.cli(&["report", "--out", out.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["alerts"][0]["kind"], "denial_burst", "{report}");
    assert_eq!(report["alerts"][0]["vendor_id"], "com.example.prober");
}
