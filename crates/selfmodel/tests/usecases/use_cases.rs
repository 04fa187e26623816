#![allow(missing_docs, clippy::unwrap_used)]
//! The use-case layer against real vault files: every change is audited, validation holds,
//! erasure and retention work, and the identity survives a re-key.

use std::collections::BTreeSet;

use selfmodel::report::Period;
use selfmodel::{Credential, Error, Selfmodel, VaultError};
use selfmodel_core::{
    Actor, BeliefFilter, ChainVerdict, CoreError, ErrorCode, Operation, Passphrase, Rectify,
    Sensitivity,
};

use crate::common::{person, stated};

fn pass() -> Passphrase {
    Passphrase::new("a long test passphrase".into())
}

fn events(model: &mut Selfmodel) -> u64 {
    match model.verify_audit().unwrap() {
        ChainVerdict::Intact { events, .. } => events,
        broken => panic!("chain broken: {broken:?}"),
    }
}

#[test]
fn every_change_appends_one_audit_event_without_content() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = Selfmodel::create(&dir.path().join("v.db"), &pass()).unwrap();
    let start = events(&mut m);
    let b = m
        .add_belief(stated("Enjoys hiking in the Alps", "interests"), person())
        .unwrap();
    let change = Rectify {
        confidence: Some(0.9),
        reason: "confirmed".into(),
        ..Default::default()
    };
    m.rectify(b.id, change, Actor::Person).unwrap();
    m.delete_belief(b.id).unwrap();
    m.add_belief(stated("Runs every Sunday", "routines"), person())
        .unwrap();
    m.erase_all().unwrap();
    assert_eq!(events(&mut m), start + 5);
    let log = m.audit_log().unwrap();
    let actions: Vec<&str> = log
        .iter()
        .skip(start as usize)
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "belief.created",
            "belief.rectified",
            "belief.deleted",
            "belief.created",
            "vault.erased_all"
        ]
    );
    for e in &log {
        let text = format!("{:?} {:?}", e.subject, e.detail);
        assert!(
            !text.contains("Alps") && !text.contains("Sunday"),
            "content in audit: {text}"
        );
    }
}

#[test]
fn a_refused_change_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = Selfmodel::create(&dir.path().join("v.db"), &pass()).unwrap();
    let before = events(&mut m);
    let mut bad = stated("Has asthma", "health");
    bad.purposes.insert("advertising".into());
    let err = m.add_belief(bad, person()).unwrap_err();
    assert!(
        matches!(err, Error::Invalid(CoreError::PurposeNotAllowed { .. })),
        "{err}"
    );
    assert_eq!(events(&mut m), before);
    assert!(m.beliefs(&BeliefFilter::default()).unwrap().is_empty());
}

#[test]
fn special_types_stay_special_and_filters_combine() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = Selfmodel::create(&dir.path().join("v.db"), &pass()).unwrap();
    let mut h = stated("Is lactose intolerant", "health");
    h.sensitivity = Some(Sensitivity::Normal);
    assert_eq!(
        m.add_belief(h, person()).unwrap().sensitivity,
        Sensitivity::Special
    );
    m.add_belief(stated("Likes 100% rye bread", "preferences"), person())
        .unwrap();
    let special = BeliefFilter {
        sensitivity: Some(Sensitivity::Special),
        ..Default::default()
    };
    assert_eq!(m.beliefs(&special).unwrap().len(), 1);
    // LIKE wildcards in the search text are literal.
    let pct = BeliefFilter {
        search: Some("100%".into()),
        ..Default::default()
    };
    assert_eq!(m.beliefs(&pct).unwrap().len(), 1);
    let underscore = BeliefFilter {
        search: Some("_".into()),
        ..Default::default()
    };
    assert!(m.beliefs(&underscore).unwrap().is_empty());
}

#[test]
fn demo_covers_every_type_with_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = Selfmodel::create(&dir.path().join("v.db"), &pass()).unwrap();
    let n = m.fill_demo().unwrap();
    assert!((35..=60).contains(&n), "{n} demo beliefs");
    let all = m.beliefs(&BeliefFilter::default()).unwrap();
    for t in m.catalogue().unwrap().types {
        assert!(
            all.iter().any(|b| b.category == t.id),
            "no demo belief of type {}",
            t.id
        );
    }
    assert!(all.iter().all(|b| !b.evidence.is_empty()));
}

/// How many `retention.purged` events the chain holds.
fn purges(m: &mut Selfmodel) -> usize {
    let log = m.audit_log().unwrap();
    log.iter()
        .filter(|e| e.action == "retention.purged")
        .count()
}

/// A vault at `path` holding `keep` (values) and a routine past its retention, left by a front
/// end that dropped the model instead of closing it (closing would erase the routine). Returns
/// the routine.
fn vault_with_a_belief_due(path: &std::path::Path, keep: &str) -> selfmodel_core::Belief {
    let mut m = Selfmodel::create(path, &pass()).unwrap();
    m.add_belief(stated(keep, "values"), person()).unwrap();
    let due = m
        .add_belief(stated("Reads before bed", "routines"), person())
        .unwrap();
    m.set_retention("routines", 0).unwrap();
    drop(m);
    due
}

#[test]
fn retention_withholds_at_unlock_and_erases_before_the_first_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let due = vault_with_a_belief_due(&path, "Values honesty");

    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    assert_eq!(m.purged_at_open(), [due.id]);
    // Unlocking wrote nothing, and no read returns the belief.
    assert_eq!(purges(&mut m), 0);
    let left = m.beliefs(&BeliefFilter::default()).unwrap();
    let left: Vec<&str> = left.iter().map(|b| b.statement.as_str()).collect();
    assert_eq!(left, ["Values honesty"]);
    assert!(matches!(
        m.belief(due.id),
        Err(Error::Vault(VaultError::BeliefNotFound(_)))
    ));
    // The transparency report still counts it as past retention until it is erased.
    let report = m.report(Period::days(None, None)).unwrap();
    assert_eq!(report.retention.past_retention, 1);
    // The first write erases it first, in a transaction of its own, even a write that then
    // fails (rectifying the belief: it is gone).
    assert!(matches!(
        m.rectify(due.id, Rectify::default(), Actor::Person),
        Err(Error::Vault(VaultError::BeliefNotFound(_)))
    ));
    assert_eq!(purges(&mut m), 1);
    m.add_belief(stated("Cycles to work", "values"), person())
        .unwrap();
    assert_eq!(purges(&mut m), 1);
    let report = m.report(Period::days(None, None)).unwrap();
    assert_eq!(report.retention.past_retention, 0);
    assert!(m.run_retention().unwrap().is_empty());
    assert!(matches!(
        m.set_retention("nope", 1),
        Err(Error::Invalid(CoreError::UnknownCategory(_)))
    ));
}

#[test]
fn what_unlocking_withheld_is_erased_by_upkeep_once_checked_and_by_closing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let due = vault_with_a_belief_due(&path, "Values honesty");

    // A front end that stays unlocked: once the check of every page has passed.
    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    m.ensure_pages_intact().unwrap();
    assert_eq!(m.upkeep_when_checked().unwrap(), [due.id]);
    assert!(m.upkeep_when_checked().unwrap().is_empty());
    assert_eq!(purges(&mut m), 1);
    let again = m
        .add_belief(stated("Reads before bed", "routines"), person())
        .unwrap();
    drop(m);

    // A front end that only reads, then locks.
    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    assert_eq!(m.purged_at_open(), [again.id]);
    let listed = m.beliefs(&BeliefFilter::default()).unwrap();
    assert!(listed.iter().all(|b| b.id != again.id));
    m.close().unwrap();
    let mut m = Selfmodel::open(&path, &pass()).unwrap();
    assert!(m.purged_at_open().is_empty());
    assert_eq!(purges(&mut m), 2);
    m.close().unwrap();
}

#[test]
fn passphrase_change_keeps_data_and_identity() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let mut m = Selfmodel::create(&path, &pass()).unwrap();
    let key = m.identity().unwrap().public_key();
    m.add_belief(stated("Speaks Portuguese", "expertise"), person())
        .unwrap();
    assert!(matches!(
        m.change_passphrase(&pass(), &Passphrase::new("short".into())),
        Err(Error::WeakPassphrase(_))
    ));
    let next = Passphrase::new("another long passphrase".into());
    m.change_passphrase(&pass(), &next).unwrap();
    m.close().unwrap();

    assert!(Selfmodel::open(&path, &pass()).is_err());
    let mut m = Selfmodel::open(&path, &next).unwrap();
    assert_eq!(m.identity().unwrap().public_key(), key);
    assert_eq!(m.beliefs(&BeliefFilter::default()).unwrap().len(), 1);
    assert!(
        m.audit_log()
            .unwrap()
            .iter()
            .any(|e| e.action == "vault.passphrase_changed")
    );
    events(&mut m);
}

#[test]
fn bulk_delete_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = Selfmodel::create(&dir.path().join("v.db"), &pass()).unwrap();
    let ids: Vec<_> = ["Likes tea", "Likes chess", "Likes rain"]
        .iter()
        .map(|s| m.add_belief(stated(s, "interests"), person()).unwrap().id)
        .collect();
    let before = events(&mut m);

    // One id that does not exist: nothing is deleted and nothing is audited.
    let ghost = "01890000-0000-7000-8000-000000000000".parse().unwrap();
    let err = m.delete_beliefs(&[ids[0], ghost]).unwrap_err();
    assert!(err.to_string().contains("no belief with id"), "{err}");
    assert_eq!(m.beliefs(&BeliefFilter::default()).unwrap().len(), 3);
    assert_eq!(events(&mut m), before);

    // Duplicates count once; each deletion is its own audit event.
    assert_eq!(m.delete_beliefs(&[ids[0], ids[1], ids[0]]).unwrap(), 2);
    let left = m.beliefs(&BeliefFilter::default()).unwrap();
    assert_eq!(left.iter().map(|b| b.id).collect::<Vec<_>>(), vec![ids[2]]);
    assert_eq!(events(&mut m), before + 2);
    assert_eq!(m.delete_beliefs(&[]).unwrap(), 0);
}

#[test]
fn a_proposal_naming_no_purpose_gets_only_granted_purposes_that_are_not_opt_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = crate::common::vault(&dir);
    let vendor = crate::common::grant(
        &mut model,
        "com.example.ads",
        &["recommendations", "advertising"],
        &["interests"],
    );
    let mut proposal = crate::common::proposal("Reads about telescopes");
    proposal.category = "interests".into();
    proposal.purposes = BTreeSet::new();
    let proposed = model.vendor_propose(&vendor, proposal.clone()).unwrap();
    let purposes: Vec<_> = proposed.purposes.iter().map(String::as_str).collect();
    assert_eq!(purposes, ["recommendations"], "advertising is opt-in");

    // Only opt-in purposes granted: nothing can be defaulted, so the proposal is refused.
    let only_ads = crate::common::grant(
        &mut model,
        "com.example.adsonly",
        &["advertising"],
        &["interests"],
    );
    let refused = model.vendor_propose(&only_ads, proposal).unwrap_err();
    assert_eq!(refused.code().as_str(), "purpose_not_granted");
}

/// Reads asking the same under the same grant share one page until the model changes; another
/// grant asking the same gets its own, shown as its own grant decides. A proposal waiting in the
/// inbox changes no page; accepted, it is read.
#[test]
fn each_grant_is_served_its_own_page_and_a_change_makes_a_new_one() {
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let mut model = crate::common::vault(&dir);
    model.fill_demo().unwrap();
    let narrow = crate::common::grant(
        &mut model,
        "com.example.narrow",
        &["recommendations"],
        &["interests"],
    );
    let mut wide = crate::common::ask(
        "com.example.wide",
        &["recommendations", "advertising"],
        &["interests", "preferences"],
    );
    wide.scope.operations.insert(Operation::ReadEvidence);
    let wide = crate::common::grant_as_asked(&mut model, wide);
    let recommendations = crate::common::read("recommendations");
    let mut read = |who: &Credential| model_read(&mut model, who, &recommendations);

    let first = read(&narrow);
    let by_wide = read(&wide);
    let again = read(&narrow);
    assert!(Arc::ptr_eq(&first, &again), "a re-read shares the page");
    assert!(
        !Arc::ptr_eq(&first, &by_wide),
        "another grant has its own page"
    );
    assert!(first.beliefs.iter().all(|b| b.category() == "interests"
        && b.evidence().is_none()
        && b.purposes().eq(["recommendations"])));
    assert!(
        by_wide
            .beliefs
            .iter()
            .any(|b| b.category() == "preferences")
    );
    assert!(
        by_wide
            .beliefs
            .iter()
            .any(|b| b.evidence().is_some_and(|e| !e.is_empty()))
    );
    assert!(by_wide.beliefs.iter().any(|b| b.purposes().count() == 2));

    let gone = first.beliefs[0].id();
    model.delete_belief(gone).unwrap();
    let after = model_read(&mut model, &narrow, &recommendations);
    assert!(!Arc::ptr_eq(&first, &after), "a change makes a new page");
    assert!(after.beliefs.iter().all(|b| b.id() != gone));
    assert_eq!(after.beliefs.len(), first.beliefs.len() - 1);

    // A vendor's proposal waits in the inbox: the page stays. Accepted, it is read.
    let proposed = model
        .vendor_propose(&narrow, stated("Likes trains", "interests"))
        .unwrap();
    let kept = model_read(&mut model, &narrow, &recommendations);
    assert!(
        Arc::ptr_eq(&after, &kept),
        "a waiting proposal makes no page"
    );
    model.accept_proposal(proposed.id, None).unwrap();
    let accepted = model_read(&mut model, &narrow, &recommendations);
    assert!(accepted.beliefs.iter().any(|b| b.id() == proposed.id));
}

/// A grant's kept pages are bounded: a vendor that reads many large pages drops its own kept
/// pages, never another grant's.
#[test]
fn a_vendor_outgrowing_its_kept_pages_drops_its_own_only() {
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let mut model = crate::common::vault(&dir);
    // 100 beliefs of about 10 KB each as a grant with evidence sees them: a page of them is
    // about a quarter of what one grant may keep.
    for i in 0..100 {
        let mut new = stated(&format!("Enjoys long walks, number {i}"), "interests");
        new.evidence = (0..20)
            .map(|k| selfmodel_core::NewEvidence {
                kind: selfmodel_core::EvidenceKind::Stated,
                source: format!("conversation {k} ").repeat(12),
                summary: format!("said so in a long conversation {k} ").repeat(8),
                observed_at: None,
                content_sha256: None,
            })
            .collect();
        model.add_belief(new, person()).unwrap();
    }
    let narrow = crate::common::grant(
        &mut model,
        "com.example.narrow",
        &["recommendations"],
        &["interests"],
    );
    let mut wide = crate::common::ask("com.example.wide", &["recommendations"], &["interests"]);
    wide.scope.operations.insert(Operation::ReadEvidence);
    let wide = crate::common::grant_as_asked(&mut model, wide);
    let read = crate::common::read("recommendations");
    let at_least = |m: f64| selfmodel::VendorRead {
        min_confidence: Some(m),
        ..read.clone()
    };

    let by_narrow = model_read(&mut model, &narrow, &read);
    let first_wide = model_read(&mut model, &wide, &at_least(0.0));
    assert_eq!(first_wide.beliefs.len(), 100);
    assert!(
        first_wide
            .beliefs
            .iter()
            .all(|b| b.evidence().is_some_and(|e| e.len() == 20))
    );
    for step in 1..6 {
        model_read(&mut model, &wide, &at_least(f64::from(step) / 100.0));
    }
    let again = model_read(&mut model, &wide, &at_least(0.0));
    assert!(
        !Arc::ptr_eq(&first_wide, &again),
        "the wide grant's first page was dropped"
    );
    let narrow_again = model_read(&mut model, &narrow, &read);
    assert!(
        Arc::ptr_eq(&by_narrow, &narrow_again),
        "another grant's page is kept"
    );
}

fn model_read(
    model: &mut Selfmodel,
    who: &Credential,
    read: &selfmodel::VendorRead,
) -> std::sync::Arc<selfmodel::Page> {
    model.vendor_read(who, read).unwrap()
}

/// What a vendor reads is minimised the same way on a page and one at a time: only its granted
/// purposes, no evidence unless granted, never a belief's history.
#[test]
fn a_vendor_never_receives_history_or_ungranted_evidence_or_purposes() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = crate::common::vault(&dir);
    model.fill_demo().unwrap();
    let target = model
        .beliefs(&BeliefFilter::default())
        .unwrap()
        .into_iter()
        .find(|b| {
            b.category == "interests"
                && b.purposes.contains("recommendations")
                && b.purposes.len() > 1
                && !b.evidence.is_empty()
        })
        .expect("a demo interest with evidence and several purposes");
    let rectified = model
        .rectify(
            target.id,
            Rectify {
                statement: None,
                confidence: Some(0.5),
                purposes: None,
                reason: "checked with the person".into(),
            },
            Actor::Person,
        )
        .unwrap();
    assert!(!rectified.history.is_empty(), "the belief has a history");
    let vendor = crate::common::grant(
        &mut model,
        "com.example.shop",
        &["recommendations"],
        &["interests"],
    );
    let page = model
        .vendor_read(&vendor, &crate::common::read("recommendations"))
        .unwrap();
    let mut one = crate::common::read("recommendations");
    one.belief = Some(target.id);
    let single = model.vendor_read(&vendor, &one).unwrap();
    assert!(page.beliefs.iter().any(|b| b.id() == target.id));
    // History and the rest of the stored belief have no accessor on a disclosed belief; what is
    // left to check is what the grant decides.
    let seen = |b: &selfmodel::Disclosed| {
        (
            b.id(),
            b.statement().to_owned(),
            b.purposes().map(str::to_owned).collect::<Vec<_>>(),
            b.evidence().map(<[_]>::len),
            b.confidence(),
        )
    };
    for b in page.beliefs.iter().chain(&single.beliefs) {
        assert!(
            b.evidence().is_none(),
            "evidence disclosed without the grant: {b:?}"
        );
        assert_eq!(
            b.purposes().collect::<Vec<_>>(),
            ["recommendations"],
            "{b:?}"
        );
    }
    let on_page = page.beliefs.iter().find(|b| b.id() == target.id).unwrap();
    assert_eq!(
        seen(on_page),
        seen(&single.beliefs[0]),
        "a page and a single read agree"
    );
    assert_eq!(on_page.statement(), rectified.statement);
}

/// A native vendor's request to read communication style for communication, for a day.
fn native_ask(id: &str, url: Option<&str>) -> selfmodel::GrantAsk {
    use selfmodel_core::{Operation, Scope, Vendor};
    selfmodel::GrantAsk {
        vendor: Vendor {
            id: id.into(),
            name: "Vendor".into(),
            url: url.map(Into::into),
        },
        scope: Scope {
            purposes: ["communication".to_owned()].into(),
            categories: ["communication-style".to_owned()].into(),
            operations: [Operation::Read].into(),
            max_sensitivity: Sensitivity::Normal,
            min_confidence: 0.0,
            origins: BTreeSet::new(),
            fresh_only: false,
        },
        duration_days: 1,
        vendor_retention_days: 0,
        justification: "t".into(),
    }
}

/// A grant revoked before its vendor came for the token hands out no token: the poll is refused
/// and nothing is claimed.
#[test]
fn a_grant_revoked_before_it_is_claimed_hands_out_no_token() {
    use selfmodel::{Credential, PollOutcome};
    use selfmodel_core::Narrowing;
    let dir = tempfile::tempdir().unwrap();
    let mut model = Selfmodel::create(&dir.path().join("v.db"), &pass()).unwrap();
    let ask = native_ask("com.example.late", None);
    let issued = model.request_grant(ask, None).unwrap();
    let grant = model
        .approve_request(&issued.request.id, &Narrowing::default(), "test")
        .unwrap();
    model.revoke_grant(&grant.id).unwrap();
    let polled = model.poll_grant(&Credential::native(&issued.poll_secret));
    assert!(
        matches!(polled, Err(Error::Unauthorized(ErrorCode::TokenRevoked))),
        "{:?}",
        polled
            .as_ref()
            .map(|p| matches!(p, PollOutcome::Approved { .. }))
    );
    let claimed = model
        .access_log(&selfmodel::AccessFilter::default())
        .unwrap()
        .iter()
        .filter(|e| e.operation == "grant.claim")
        .count();
    assert_eq!(claimed, 0);
}

/// A vendor's link is shown to the person and opened from the app, so only web links are taken:
/// a `javascript:` or `file:` URL is refused and nothing waits in the inbox.
#[test]
fn a_vendor_url_must_be_a_web_link() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = Selfmodel::create(&dir.path().join("v.db"), &pass()).unwrap();
    let ask = |url: &str| native_ask("com.example.linked", Some(url));
    for bad in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,x",
        "ftp://x.example",
        "HTTPS//x",
    ] {
        let Err(err) = model.request_grant(ask(bad), None) else {
            panic!("{bad} was taken");
        };
        assert_eq!(err.code().as_str(), "invalid_field", "{bad}");
    }
    assert!(model.grant_requests(true).unwrap().is_empty());
    model
        .request_grant(ask("https://linked.example"), None)
        .unwrap();
    assert_eq!(model.grant_requests(true).unwrap().len(), 1);
}

/// A dropped proposal (one the person erased before) holds a pending place exactly as a kept one
/// does, so a vendor cannot tell them apart by when the cap is reached.
#[test]
fn a_dropped_proposal_holds_a_pending_place_like_a_kept_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = crate::common::vault(&dir);
    let vendor = crate::common::grant(
        &mut model,
        "com.example.prober",
        &["communication"],
        &["communication-style"],
    );
    let with = |statement: &str| {
        let mut p = crate::common::proposal("seen");
        p.statement = statement.into();
        p
    };
    let erased = model
        .vendor_propose(&vendor, with("Likes answers in French"))
        .unwrap();
    model.reject_proposal(erased.id).unwrap();
    // The erased one again (dropped), then new ones up to the cap: one place fewer is left.
    model
        .vendor_propose(&vendor, with("Likes answers in French"))
        .unwrap();
    for i in 1..selfmodel::MAX_PENDING_PROPOSALS {
        model
            .vendor_propose(&vendor, with(&format!("Prefers topic number {i}")))
            .unwrap();
    }
    let over = model.vendor_propose(&vendor, with("One too many"));
    assert!(matches!(over, Err(Error::TooManyProposals)), "{over:?}");
    assert_eq!(
        model.inbox().unwrap().len() as u64,
        selfmodel::MAX_PENDING_PROPOSALS - 1
    );
}

#[test]
fn a_vendor_asking_for_ever_new_pages_is_refused_past_its_allowance_and_still_rereads() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = Selfmodel::create(&dir.path().join("v.db"), &pass()).unwrap();
    let statements: Vec<String> = (0..64)
        .map(|i| format!("Enjoys the puzzle series in volume {}", i + 1))
        .collect();
    for s in &statements {
        let mut b = stated(s, "interests");
        b.purposes = BTreeSet::from(["recommendations".to_owned()]);
        model.add_belief(b, person()).unwrap();
    }
    let vendor = crate::common::grant(
        &mut model,
        "com.example.shop",
        &["recommendations"],
        &["interests"],
    );
    let all: Vec<_> = model
        .vendor_read(&vendor, &crate::common::read("recommendations"))
        .unwrap()
        .beliefs
        .iter()
        .map(|b| b.id())
        .collect();
    assert_eq!(all.len(), 64);
    // Every window of the list is a page of its own: 2,080 sets the vault has not stored.
    let max = selfmodel_vault::MAX_NEW_SETS_PER_DAY as usize;
    let windows: Vec<_> = (0..all.len())
        .flat_map(|start| (1..=all.len() - start).map(move |len| (start, len)))
        .filter(|&(start, len)| !(start == 0 && len == all.len()))
        .take(max)
        .map(|(start, len)| selfmodel::VendorRead {
            after: start.checked_sub(1).map(|i| all[i]),
            limit: Some(len as u64),
            ..crate::common::read("recommendations")
        })
        .collect();
    assert_eq!(windows.len(), max);
    // Served in batches, as the vendor API serves them: the first page read above plus
    // `max - 1` windows are new sets; the last window is one too many.
    for batch in windows.chunks(500) {
        let asked: Vec<_> = batch.iter().map(|r| (&vendor, r)).collect();
        let served = model.vendor_reads(&asked).unwrap();
        for (i, outcome) in served.into_iter().enumerate() {
            let last = std::ptr::eq(&batch[i], windows.last().unwrap());
            match outcome {
                Ok(d) => assert!(
                    !last,
                    "the read past the allowance disclosed {:?}",
                    d.beliefs.len()
                ),
                Err(e) => {
                    assert!(last, "{e}");
                    assert_eq!(e.code(), ErrorCode::RateLimited);
                }
            }
        }
    }
    // The refusal is on the access log, and a page the vendor already received still reads.
    let log = model
        .access_log(&selfmodel::AccessFilter::default())
        .unwrap();
    let refused = log.last().unwrap();
    assert_eq!(
        refused.outcome,
        selfmodel_core::Outcome::Denied("rate_limited".into())
    );
    assert!(refused.disclosed.is_empty());
    let again = model
        .vendor_read(&vendor, &crate::common::read("recommendations"))
        .unwrap();
    assert_eq!(again.beliefs.len(), 64);
}
