//! Signed audit checkpoints as receipts, through the client crate against the real
//! `selfmodel serve` process: a vendor gets one with its token and more on request, checks them
//! against the key it pinned, and later catches a vault that was rolled back or whose history was
//! rewritten — even when the local witness was not there to see it.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use selfmodel_client::{Client, Consistency, Error, Receipt, ServerKey};

fn add(s: &Served, statement: &str) {
    s.cli(&[
        "belief",
        "add",
        "--statement",
        statement,
        "--category",
        "communication-style",
        "--confidence",
        "0.8",
    ]);
}

/// After a restart, the client's pooled connection is dead: the first exchange fails with a
/// transport error, as a vendor would see, and the next one proves the server again.
async fn reconnect(client: &Client) {
    for _ in 0..3 {
        if client.verify_server().await.is_ok() {
            return;
        }
    }
    panic!("the restarted server never proved itself");
}

#[tokio::test]
async fn receipts_expose_a_rolled_back_or_rewritten_vault() {
    let mut s = Served::start();
    let (client, approval) = s
        .approval(
            &request_for(
                "com.example.witness",
                ["communication"],
                ["communication-style"],
            ),
            &[],
        )
        .await;
    // The token comes with a first receipt, signed by the key the vendor pinned: the server's
    // identity is the vault's.
    let first = approval
        .checkpoint
        .clone()
        .expect("a receipt with the token");
    assert_eq!(first.vault_key, client.server_key().to_hex());
    first.verify(&client.server_key()).unwrap();
    let stranger = ServerKey([7; 32]);
    assert!(matches!(
        first.verify(&stranger),
        Err(Error::InvalidCheckpoint(_))
    ));
    let v = client.with_token(approval.token);

    // The person keeps using the vault: receipts still agree with it.
    add(&s, "Prefers short answers");
    let latest = v.checkpoint(None).await.unwrap();
    assert_eq!(latest.seq, first.seq + 1);
    assert_eq!(first.compare(&latest).unwrap(), Consistency::Undecided);
    let again = v.checkpoint(Some(first.seq)).await.unwrap();
    assert_eq!(again.head, first.head);
    assert_eq!(first.compare(&again).unwrap(), Consistency::Consistent);
    assert_eq!(
        v.check_receipt(&first).await.unwrap(),
        Consistency::Consistent
    );

    // A copy of the vault file is taken now (the server stopped, the file closed cleanly) ...
    s.stop();
    s.cli(&["audit", "verify"]);
    let copy = std::fs::read(&s.vault).unwrap();
    s.restart();
    reconnect(&client).await;
    // ... the vault moves on, and the vendor keeps a receipt of that ...
    add(&s, "Likes examples before theory");
    add(&s, "Dislikes jargon");
    let receipt = v.checkpoint(None).await.unwrap();
    assert_eq!(receipt.seq, latest.seq + 2);

    // ... then the copy is put back, and the machine's own witness is gone too (a different
    // machine, or an attacker who also rolled back the state directory).
    s.stop();
    std::fs::write(&s.vault, &copy).unwrap();
    for sidecar in ["v.db-wal", "v.db-shm"] {
        let _ = std::fs::remove_file(s.dir.path().join(sidecar));
    }
    std::fs::remove_dir_all(s.dir.path().join("state")).unwrap();
    s.restart();
    reconnect(&client).await;
    assert!(
        !s.server_log().contains("older than the one last opened"),
        "no local witness left to notice: {}",
        s.server_log()
    );
    // The vendor's receipt still catches it: the vault cannot produce the event it signed.
    assert_eq!(
        v.check_receipt(&receipt).await.unwrap(),
        Consistency::RolledBack {
            receipt_seq: receipt.seq,
            current_seq: latest.seq
        }
    );
    let e = v.checkpoint(Some(receipt.seq)).await.unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e}");
    // The receipts from before the copy still agree.
    assert_eq!(
        v.check_receipt(&latest).await.unwrap(),
        Consistency::Consistent
    );

    // New history is written over the same positions: two validly signed statements of one
    // event with different hashes — the proof that the history was rewritten.
    add(&s, "Prefers bullet points");
    add(&s, "Reads slowly");
    let verdict = v.check_receipt(&receipt).await.unwrap();
    let Consistency::Rewritten {
        seq,
        receipt_head,
        current_head,
    } = verdict
    else {
        panic!("expected a rewritten history, got {verdict:?}");
    };
    assert_eq!(
        (seq, receipt_head.as_str()),
        (receipt.seq, receipt.head.as_str())
    );
    let proof = v.checkpoint(Some(receipt.seq)).await.unwrap();
    assert_eq!(proof.head, current_head);
    assert_eq!(proof.vault_key, receipt.vault_key);
    proof.verify(&client.server_key()).unwrap();
    receipt.verify(&client.server_key()).unwrap();
    assert_ne!(proof.head, receipt.head);

    // A receipt that was edited is no receipt.
    let mut forged = receipt.clone();
    forged.head = "00".repeat(32);
    assert!(matches!(
        v.check_receipt(&forged).await,
        Err(Error::InvalidCheckpoint(_))
    ));

    // The person sees the vendor's checkpoint requests in the access log: no purpose, nothing
    // disclosed (entries from before the copy went back with it).
    let log = s.requests_logged(&[]);
    let asked: Vec<_> = log
        .iter()
        .filter(|e| e["operation"] == "audit.checkpoint")
        .collect();
    assert!(asked.len() >= 6, "{asked:#?}");
    assert!(
        asked
            .iter()
            .all(|e| e["vendor_id"] == "com.example.witness" && e["purpose"].is_null())
    );
    assert!(
        asked
            .iter()
            .any(|e| e["outcome"] == "denied" && e["reason"] == "not_found"),
        "the refused request for an event the vault no longer has: {asked:#?}"
    );
}

#[tokio::test]
async fn a_copied_back_vault_is_reported_by_the_server_it_is_served_by() {
    let mut s = Served::start();
    add(&s, "Prefers short answers");
    s.stop();
    s.cli(&["audit", "verify"]);
    let copy = std::fs::read(&s.vault).unwrap();
    add(&s, "Likes examples before theory");
    std::fs::write(&s.vault, &copy).unwrap();
    s.restart();
    assert!(
        s.server_log()
            .contains("warning: this vault is older than the one last opened on this machine"),
        "{}",
        s.server_log()
    );
}
