//! A page of `GET /v1/beliefs` is written from per-belief parts kept between reads; these tests
//! hold it to the contract: byte for byte the JSON of the declared `BeliefPage`, whatever the
//! beliefs say, and each grant's purposes and evidence only, however the reads interleave.

use crate::common::{ask, pair};
use selfmodel::Selfmodel;
use selfmodel_core::{
    Actor, EvidenceKind, NewBelief, NewEvidence, Operation, Passphrase, Provenance,
};
use selfmodel_http::wire::{Belief, BeliefPage};
use selfmodel_http::{ServerConfig, VaultHandle};

/// Statements and evidence written to break a JSON writer that cuts and splices.
const HOSTILE: &[&str] = &[
    r#"Says ","purposes":[] when asked"#,
    r#"Writes ,"review_overdue":false},{ in notes"#,
    "Quotes \"double\" and \\back\\slashes",
    "Mixes scripts: Ελληνικά, العربية, 日本語, emoji 🧭",
    "Tags </script><b>bold</b> & ampersands; a lone \u{0301} accent",
];

#[tokio::test(flavor = "multi_thread")]
async fn a_page_is_the_declared_json_byte_for_byte_and_each_grant_sees_its_own_parts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut model = Selfmodel::create(
        &tmp.path().join("v.db"),
        &Passphrase::new("test passphrase 1".into()),
    )
    .unwrap();
    model.fill_demo().unwrap();
    for (i, text) in HOSTILE.iter().enumerate() {
        let new = NewBelief {
            statement: (*text).to_owned(),
            category: "communication-style".into(),
            confidence: 0.5 + i as f64 / 100.0,
            purposes: ["communication".to_owned(), "personalisation".to_owned()].into(),
            sensitivity: None,
            evidence: vec![NewEvidence {
                kind: EvidenceKind::Observed,
                source: (*text).to_owned(),
                summary: (*text).to_owned(),
                observed_at: None,
                content_sha256: None,
            }],
        };
        model
            .add_belief(
                new,
                Provenance {
                    actor: Actor::Person,
                    method: "test".into(),
                },
            )
            .unwrap();
    }
    let narrow = pair(
        &mut model,
        ask(
            "com.example.narrow",
            &["communication"],
            &[Operation::Read],
            &[],
        ),
    );
    let wide = pair(
        &mut model,
        ask(
            "com.example.wide",
            &["communication", "personalisation"],
            &[Operation::Read, Operation::ReadEvidence],
            &[],
        ),
    );
    let vault = VaultHandle::spawn(Some(model));
    let config = ServerConfig {
        port: 0,
        socket_dir: Some(tmp.path().join("run")),
        discovery_file: Some(tmp.path().join("run/api.json")),
        ..ServerConfig::default()
    };
    let server = selfmodel_http::start(vault.clone(), config).await.unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{}/v1/beliefs", server.port);
    let get = |token: String, query: String| {
        let http = http.clone();
        let url = format!("{base}{query}");
        async move {
            let r = http.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap().to_vec()
        }
    };

    // The reads alternate between the grants, so every part is made under one and reused by
    // the other; each is read twice.
    for round in 0..2 {
        for (token, purposes, evidence) in [
            (&narrow, vec!["communication"], false),
            (&wide, vec!["communication", "personalisation"], true),
        ] {
            let body = get(token.clone(), "?purpose=communication&limit=500".into()).await;
            let page: BeliefPage = serde_json::from_slice(&body).unwrap();
            assert_eq!(
                String::from_utf8(serde_json::to_vec(&page).unwrap()).unwrap(),
                String::from_utf8(body).unwrap(),
                "round {round}: the page is not the declared JSON"
            );
            assert!(page.beliefs.len() > HOSTILE.len(), "{}", page.beliefs.len());
            for text in HOSTILE {
                let b = page.beliefs.iter().find(|b| b.statement == *text).unwrap();
                assert_eq!(b.purposes, purposes);
                assert_eq!(
                    b.evidence.as_ref().map(|e| e[0].summary.as_str()),
                    evidence.then_some(*text)
                );
            }
            for b in &page.beliefs {
                assert!(
                    b.purposes.iter().all(|p| purposes.contains(&p.as_str())),
                    "{b:?}"
                );
                assert_eq!(b.evidence.is_some(), evidence, "{b:?}");
                let one = get(token.clone(), format!("/{}?purpose=communication", b.id)).await;
                let single: Belief = serde_json::from_slice(&one).unwrap();
                assert_eq!(&single, b, "a single read and the page agree");
            }
        }
    }
    server.shutdown().await;
    vault.close().await.unwrap();
}
