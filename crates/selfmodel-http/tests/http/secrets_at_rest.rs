#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
//! Token theft from the vault: bearer tokens and poll secrets are kept only as SHA-256 hashes,
//! so someone who reads every row of an unlocked vault (or a backup of it, with the
//! passphrase) still holds nothing a vendor could present.

use selfmodel::{Credential, PollOutcome, Selfmodel};
use selfmodel_core::{Narrowing, Operation, Passphrase};

const PASS: &str = "test passphrase 1";

#[test]
fn vendor_secrets_are_stored_only_as_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let mut model = Selfmodel::create(&path, &Passphrase::new(PASS.into())).unwrap();
    let ask = crate::common::ask(
        "com.example.test",
        &["communication"],
        &[Operation::Read],
        &[],
    );
    let issued = model.request_grant(ask, None).unwrap();
    let poll_secret = issued.poll_secret.as_str().to_owned();
    model
        .approve_request(&issued.request.id, &Narrowing::default(), "test")
        .unwrap();
    let token = match model.poll_grant(&Credential::native(&poll_secret)).unwrap() {
        PollOutcome::Approved { token, .. } => token.as_str().to_owned(),
        _ => panic!("not approved"),
    };
    assert!(model.vendor_grant(&Credential::native(&token)).is_ok());
    model.close().unwrap();

    // Every cell of every table, as text and as hex, from a connection holding the key.
    #[allow(clippy::disallowed_methods)] // reading the vault behind Selfmodel's back on purpose
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = '{PASS}';"))
        .unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut cells = Vec::new();
    for table in &tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                cells.push(match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(b) => {
                        format!("{}{}", String::from_utf8_lossy(b), hex::encode(b))
                    }
                    _ => String::new(),
                });
            }
        }
    }
    assert!(tables.iter().any(|t| t == "grants"), "{tables:?}");
    for secret in [&token, &poll_secret] {
        // `smt_<public id>_<secret>`: the public id may be stored, the secret part never.
        let secret_part = secret.rsplit('_').next().unwrap();
        assert!(secret_part.len() >= 43, "a 256-bit secret: {secret}");
        assert!(
            !cells.iter().any(|c| c.contains(secret_part)),
            "a vendor secret is stored in the clear"
        );
    }
}
