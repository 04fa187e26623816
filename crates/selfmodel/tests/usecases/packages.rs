#![allow(missing_docs, clippy::unwrap_used)]
//! The data-subject packages against a real vault after a scripted vendor session: the GDPR
//! Art. 15 access package holds every belief with its evidence, provenance and recipients as the
//! vault and its access log say; the CCPA right-to-know disclosure's categories, sources,
//! purposes and third parties add up to the same; selling and sharing for advertising are
//! stated as the grants allow; each generation is on the audit chain with counts only; and the
//! HTML is self-contained and escapes belief text.

use crate::common;

use std::collections::BTreeMap;

use crate::common::{grant, read, scripted_session};
use selfmodel::package::{ACCESS_SUBJECT, RIGHT_TO_KNOW_SUBJECT};
use selfmodel::render::Format;
use selfmodel::{AccessFilter, Selfmodel};
use selfmodel_core::{
    Actor, BeliefFilter, ChainVerdict, EvidenceKind, NewBelief, NewEvidence, Outcome, Provenance,
    Status,
};

const MARKUP: &str = "Likes <script>alert('x')</script> & <b>bold</b> \"claims\"";

/// The demo vault and the scripted session, plus a belief made of markup that the writer
/// receives.
fn session(model: &mut Selfmodel) -> (String, String) {
    model
        .add_belief(
            NewBelief {
                statement: MARKUP.into(),
                category: "communication-style".into(),
                confidence: 0.9,
                purposes: ["communication".to_owned()].into(),
                sensitivity: None,
                evidence: vec![NewEvidence {
                    kind: EvidenceKind::Stated,
                    source: "<i>me</i>".into(),
                    summary: "Said so <img src=x>".into(),
                    observed_at: None,
                    content_sha256: None,
                }],
            },
            Provenance {
                actor: Actor::Person,
                method: "test".into(),
            },
        )
        .unwrap();
    scripted_session(model)
}

/// The sum of `count` over `items`.
fn total<T>(items: &[T], count: impl Fn(&T) -> u64) -> u64 {
    items.iter().map(count).sum()
}

fn events(model: &mut Selfmodel, subject: &str) -> Vec<selfmodel_core::AuditEvent> {
    model
        .audit_log()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "package.generated" && e.subject.as_deref() == Some(subject))
        .collect()
}

#[test]
fn the_access_package_holds_every_belief_with_its_recipients() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = common::vault(&dir);
    let (writer, shop) = session(&mut model);
    let before = model.audit_log().unwrap().len();
    let package = model.access_package().unwrap();

    // Every belief, whole, as the vault holds it.
    let all = model.beliefs(&BeliefFilter::default()).unwrap();
    assert_eq!(package.beliefs.len(), all.len());
    for (held, b) in package.beliefs.iter().zip(&all) {
        assert_eq!(&held.belief, b);
    }
    assert_eq!(
        package
            .beliefs
            .iter()
            .filter(|b| b.belief.status == Status::Pending)
            .count(),
        1
    );

    // Recipients of each belief, from the access log: which vendor, how often, for which purpose.
    let log = model.access_log(&AccessFilter::default()).unwrap();
    let mut from_log: BTreeMap<(String, String, Option<String>), u64> = BTreeMap::new();
    for a in log.iter().filter(|a| a.outcome == Outcome::Allowed) {
        for id in &a.disclosed {
            *from_log
                .entry((
                    id.to_string(),
                    a.grant_id.clone().unwrap(),
                    a.purpose.clone(),
                ))
                .or_default() += a.requests;
        }
    }
    let mut from_package: BTreeMap<(String, String, Option<String>), u64> = BTreeMap::new();
    for held in &package.beliefs {
        for r in &held.recipients {
            from_package.insert(
                (
                    held.belief.id.to_string(),
                    r.grant_id.clone(),
                    r.purpose.clone(),
                ),
                r.times(),
            );
        }
    }
    let held_ids: Vec<String> = all.iter().map(|b| b.id.to_string()).collect();
    let erased: u64 = from_log
        .iter()
        .filter(|((id, _, _), _)| !held_ids.contains(id))
        .map(|(_, n)| n)
        .sum();
    from_log.retain(|(id, _, _), _| held_ids.contains(id));
    assert_eq!(from_package, from_log);
    assert_eq!(package.erased_disclosures, erased);
    assert!(
        erased > 0,
        "the session erased a belief the writer received"
    );

    // The belief made of markup went to the writer three times, for communication.
    let markup = package
        .beliefs
        .iter()
        .find(|b| b.belief.statement == MARKUP)
        .unwrap();
    assert_eq!(markup.recipients.len(), 1);
    let r = &markup.recipients[0];
    assert_eq!(r.grant_id, writer);
    assert_eq!(r.vendor_id, "com.example.writer");
    assert_eq!(r.purpose.as_deref(), Some("communication"));
    assert_eq!(r.times(), 3);
    assert_eq!(model.recipients(markup.belief.id).unwrap()[0].times, 3);

    // Grants, purposes, types, rights and logic.
    assert_eq!(package.recipients.len(), 2);
    let shop_row = package
        .recipients
        .iter()
        .find(|r| r.grant.id == shop)
        .unwrap();
    assert_eq!(shop_row.state, "revoked");
    let catalogue = model.catalogue().unwrap();
    assert_eq!(package.purposes.len(), catalogue.purposes.len());
    assert_eq!(package.types.len(), catalogue.types.len());
    for t in &package.types {
        let ty = catalogue.belief_type(&t.type_id).unwrap();
        assert_eq!(t.retention_days, ty.retention_days);
        assert_eq!(
            t.beliefs,
            all.iter().filter(|b| b.category == t.type_id).count() as u64
        );
    }
    let comm = package
        .purposes
        .iter()
        .find(|p| p.purpose.id == "communication")
        .unwrap();
    assert_eq!(comm.vendors, vec!["com.example.writer".to_owned()]);
    let rights: Vec<&str> = package.rights.iter().map(|r| r.basis).collect();
    for basis in [
        "Art. 15", "Art. 16", "Art. 17", " 18 ", "Art. 20", "Art. 77",
    ] {
        assert!(rights.iter().any(|r| r.contains(basis)), "{basis}");
    }
    assert!(package.logic.iter().any(|l| l.text.contains("Art. 22")));

    // The generation is on the chain, with counts and no belief text; the chain still verifies.
    let recorded = events(&mut model, ACCESS_SUBJECT);
    assert_eq!(recorded.len(), 1);
    assert_eq!(model.audit_log().unwrap().len(), before + 1);
    let detail = recorded[0].detail.as_deref().unwrap();
    assert!(
        detail.contains(&format!("beliefs={}", all.len())),
        "{detail}"
    );
    assert!(detail.contains("vendors=2"), "{detail}");
    assert!(!detail.contains("Likes") && !detail.contains("script"));
    assert!(matches!(
        model.verify_audit().unwrap(),
        ChainVerdict::Intact { .. }
    ));

    // HTML: self-contained, belief text escaped; Markdown and JSON hold the same beliefs.
    let html = package.render(Format::Html);
    assert!(html.starts_with("<!doctype html>") && html.contains("Content-Security-Policy"));
    for forbidden in [
        "<script", "<img", "<b>", "<i>", "url(", "@import", "<link", "<iframe",
    ] {
        assert!(!html.contains(forbidden), "the page contains {forbidden}");
    }
    assert!(html.contains(
        "Likes &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &quot;claims&quot;"
    ));
    assert!(html.contains("Said so &lt;img src=x&gt;") && html.contains("&lt;i&gt;me&lt;/i&gt;"));
    let md = package.render(Format::Markdown);
    assert!(!md.contains("<script") && md.contains("Likes &lt;script&gt;"));
    let json: serde_json::Value = serde_json::from_str(&package.render(Format::Json)).unwrap();
    assert_eq!(json["format"], "selfmodel-gdpr-access-v1");
    assert_eq!(json["beliefs"].as_array().unwrap().len(), all.len());
    let b = json["beliefs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["statement"] == MARKUP)
        .unwrap();
    assert_eq!(b["recipients"][0]["times"], 3);
    assert_eq!(b["evidence"][0]["source"], "<i>me</i>");
    assert_eq!(json["automated_decisions"], false);
}

#[test]
fn the_right_to_know_adds_up_to_the_vault_and_states_sharing_as_granted() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = common::vault(&dir);
    session(&mut model);
    let k = model.right_to_know().unwrap();
    let all = model.beliefs(&BeliefFilter::default()).unwrap();
    let log = model.access_log(&AccessFilter::default()).unwrap();
    let disclosed: u64 = log
        .iter()
        .filter(|a| a.outcome == Outcome::Allowed)
        .map(|a| a.disclosed.len() as u64 * a.requests)
        .sum();

    // Categories and sources: every held belief once.
    let held = all.iter().filter(|b| b.status != Status::Rejected).count() as u64;
    assert_eq!(total(&k.categories, |c| c.active + c.pending), held);
    assert_eq!(total(&k.categories, |c| c.collected_in_period), held);
    let health = k.categories.iter().find(|c| c.type_id == "health").unwrap();
    assert!(health.statutory.contains("sensitive personal information"));
    assert_eq!(total(&k.sources, |s| s.beliefs), held);
    let source = |kind: &str| k.sources.iter().find(|s| s.kind == kind).unwrap().beliefs;
    assert_eq!(source("vendor"), 1, "the proposal waiting in the inbox");
    assert_eq!(source("person"), 1, "the belief added by hand");
    assert_eq!(source("system"), held - 2, "the demo beliefs");

    // Third parties and purposes, from the access log; categories of what each received,
    // including the erased belief's type, from the audit chain.
    assert_eq!(k.third_parties.len(), 2);
    assert_eq!(total(&k.third_parties, |t| t.disclosures), disclosed);
    assert_eq!(total(&k.categories, |c| c.disclosed_in_period), disclosed);
    assert_eq!(total(&k.purposes, |p| p.disclosed_in_period), disclosed);
    let writer = k
        .third_parties
        .iter()
        .find(|t| t.vendor_id == "com.example.writer")
        .unwrap();
    assert!(
        writer
            .categories
            .iter()
            .all(|(c, _)| c == "communication-style" || c == "expertise"),
        "the erased belief's type comes from the chain: {:?}",
        writer.categories
    );

    // Nothing sold; nothing shared for advertising: no grant included it.
    assert!(!k.shared_for_advertising());
    assert!(k.sale_statement().contains("Nothing was shared"));
    let json: serde_json::Value = serde_json::from_str(&k.render(Format::Json)).unwrap();
    assert_eq!(json["format"], "selfmodel-ccpa-right-to-know-v1");
    assert_eq!(json["sold"], false);
    assert_eq!(
        json["shared_for_cross_context_behavioral_advertising"],
        false
    );

    // Once a grant includes advertising and a vendor reads for it, the disclosure says so.
    let ads = grant(
        &mut model,
        "com.example.ads",
        &["advertising"],
        &["interests"],
    );
    let read = model.vendor_read(&ads, &read("advertising")).unwrap();
    assert!(
        !read.beliefs.is_empty(),
        "a demo belief carries advertising"
    );
    let k = model.right_to_know().unwrap();
    assert!(k.shared_for_advertising());
    assert_eq!(k.advertising_disclosures, read.beliefs.len() as u64);
    assert_eq!(k.advertising_grants.len(), 1);
    assert!(k.sale_statement().contains("com.example.ads"));

    // Each generation is on the chain, counts only; no belief text in any form.
    let recorded = events(&mut model, RIGHT_TO_KNOW_SUBJECT);
    assert_eq!(recorded.len(), 2);
    assert!(
        recorded[1]
            .detail
            .as_deref()
            .unwrap()
            .contains("third_parties=3")
    );
    for format in [Format::Html, Format::Markdown, Format::Json] {
        let text = k.render(format);
        for b in &all {
            assert!(!text.contains(&b.statement), "{format:?} holds belief text");
        }
    }
    let html = k.render(Format::Html);
    for forbidden in ["<script", "src=", "href=", "url(", "<link"] {
        assert!(!html.contains(forbidden), "the page contains {forbidden}");
    }
}
