//! The person's decisions that take more than one step, each carried out whole: accepting a
//! proposal with an edit, and changing the passphrase after giving the current one; and what a
//! front end shows before a decision: the scope an approval would grant, and what a shorter
//! retention would erase.

use std::collections::BTreeSet;

use selfmodel::Selfmodel;
use selfmodel_core::{
    Actor, AuditAction, BeliefId, Narrowing, Passphrase, Provenance, Rectify, Status,
};

/// A vault with one vendor proposal waiting in the inbox.
fn with_proposal(dir: &tempfile::TempDir) -> (Selfmodel, BeliefId) {
    let mut model = crate::common::vault(dir);
    let vendor = crate::common::grant(
        &mut model,
        "com.example.writer",
        &["communication"],
        &["communication-style"],
    );
    let proposal = crate::common::proposal("Asked for bullet points three times");
    let id = model.vendor_propose(&vendor, proposal).unwrap().id;
    (model, id)
}

fn edit(statement: &str) -> Rectify {
    Rectify {
        statement: Some(statement.into()),
        confidence: None,
        purposes: None,
        reason: "said more precisely".into(),
    }
}

fn actions(model: &mut Selfmodel) -> Vec<String> {
    model
        .audit_log()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[test]
fn a_proposal_is_accepted_with_the_persons_edit_in_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let (mut model, id) = with_proposal(&dir);
    let before = actions(&mut model).len();

    let accepted = model
        .accept_proposal(id, Some(edit("Prefers short bullet points")))
        .unwrap();

    assert_eq!(accepted.status, Status::Active);
    assert_eq!(accepted.statement, "Prefers short bullet points");
    assert_eq!(accepted.history.len(), 1);
    assert_eq!(accepted.history[0].reason, "said more precisely");
    assert_eq!(model.belief(id).unwrap().statement, accepted.statement);
    let added = actions(&mut model).split_off(before);
    assert_eq!(
        added,
        [
            AuditAction::BeliefRectified.as_str(),
            AuditAction::ProposalAccepted.as_str()
        ]
    );
}

#[test]
fn a_proposal_is_accepted_as_proposed_without_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let (mut model, id) = with_proposal(&dir);
    let accepted = model.accept_proposal(id, None).unwrap();
    assert_eq!(accepted.status, Status::Active);
    assert_eq!(accepted.statement, "Prefers bullet points in summaries");
    assert!(accepted.history.is_empty());
}

#[test]
fn a_refused_acceptance_leaves_the_edit_undone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut model, id) = with_proposal(&dir);
    model.accept_proposal(id, None).unwrap();
    let before = actions(&mut model).len();

    let again = model
        .accept_proposal(id, Some(edit("Prefers numbered lists")))
        .unwrap_err();

    assert_eq!(again.code().as_str(), "not_pending");
    let belief = model.belief(id).unwrap();
    assert_eq!(belief.statement, "Prefers bullet points in summaries");
    assert!(belief.history.is_empty());
    assert_eq!(actions(&mut model).len(), before, "nothing audited");
}

#[test]
fn a_refused_edit_leaves_the_proposal_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let (mut model, id) = with_proposal(&dir);
    let no_reason = Rectify {
        reason: String::new(),
        ..edit("Prefers numbered lists")
    };
    assert!(model.accept_proposal(id, Some(no_reason)).is_err());
    let belief = model.belief(id).unwrap();
    assert_eq!(belief.status, Status::Pending);
    assert_eq!(belief.statement, "Prefers bullet points in summaries");
}

#[test]
fn the_passphrase_changes_only_after_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let current = Passphrase::new("report test passphrase".into());
    let next = Passphrase::new("another long passphrase".into());
    let mut model = crate::common::vault(&dir);
    let before = actions(&mut model).len();

    let wrong = Passphrase::new("not the passphrase at all".into());
    let refused = model.change_passphrase(&wrong, &next).unwrap_err();
    assert_eq!(refused.code().as_str(), "wrong_passphrase");
    let weak = Passphrase::new("short".into());
    let refused = model.change_passphrase(&current, &weak).unwrap_err();
    assert_eq!(refused.code().as_str(), "weak_passphrase");
    assert_eq!(actions(&mut model).len(), before, "nothing changed");

    model.change_passphrase(&current, &next).unwrap();
    assert_eq!(
        actions(&mut model).last().map(String::as_str),
        Some(AuditAction::PassphraseChanged.as_str())
    );
    model.close().unwrap();
    assert!(Selfmodel::open(&path, &current).is_err());
    Selfmodel::open(&path, &next).unwrap().close().unwrap();
}

#[test]
fn a_narrowed_request_shows_the_scope_the_approval_grants() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = crate::common::vault(&dir);
    let ask = crate::common::ask(
        "com.example.writer",
        &["communication", "personalisation"],
        &["communication-style"],
    );
    let id = model.request_grant(ask, None).unwrap().request.id;
    let narrowing = Narrowing {
        purposes: Some(BTreeSet::from(["communication".to_owned()])),
        ..Narrowing::default()
    };

    let (request, scope) = model.narrowed_request(&id, &narrowing).unwrap();

    assert_eq!(request.id, id);
    assert_eq!(request.scope.purposes.len(), 2, "the request as asked");
    assert_eq!(scope.purposes, BTreeSet::from(["communication".to_owned()]));
    let grant = model.approve_request(&id, &narrowing, "test").unwrap();
    assert_eq!(grant.scope, scope);
    assert_eq!(
        model
            .narrowed_request("no-such-request", &narrowing)
            .unwrap_err()
            .code()
            .as_str(),
        "not_found"
    );
}

#[test]
fn a_retention_change_tells_the_days_now_and_what_would_go_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = crate::common::vault(&dir);
    let person = Provenance {
        actor: Actor::Person,
        method: "test".into(),
    };
    model
        .add_belief(crate::common::proposal("said so"), person)
        .unwrap();
    let kept = model
        .catalogue()
        .unwrap()
        .belief_type("communication-style")
        .unwrap()
        .retention_days;

    let shorter = model.retention_change("communication-style", 1).unwrap();
    assert_eq!(shorter.current_days, kept);
    assert_eq!(
        shorter.erased_at_once, 0,
        "a belief made today outlives a day"
    );
    let none = model.retention_change("communication-style", 0).unwrap();
    assert_eq!(none.erased_at_once, 1);
    assert_eq!(
        model
            .retention_change("no-such-type", 1)
            .unwrap_err()
            .code()
            .as_str(),
        "unknown_category"
    );
}
