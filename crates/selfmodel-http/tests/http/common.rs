//! What the HTTP tests share.

use std::path::Path;

use selfmodel::{GrantAsk, Selfmodel};
use selfmodel_core::{Operation, Passphrase, Scope, Sensitivity, Vendor};
use selfmodel_http::ServerConfig;
pub use selfmodel_testkit::in_process::pair;

/// The passphrase of every test vault.
pub const PASS: &str = "test passphrase 1";

/// A new, empty vault `v.db` in `dir`.
pub fn new_vault(dir: &Path) -> Selfmodel {
    Selfmodel::create(&dir.join("v.db"), &Passphrase::new(PASS.into())).unwrap()
}

/// `config` on a free port, with its Unix socket and discovery file in `dir/run`.
pub fn served_from(dir: &Path, config: ServerConfig) -> ServerConfig {
    ServerConfig {
        port: 0,
        socket_dir: Some(dir.join("run")),
        discovery_file: Some(dir.join("run/api.json")),
        ..config
    }
}

/// Grants `vendor_id` (purpose communication, type communication-style, normal sensitivity) the
/// `operations` through the real flow — request, approval, poll — and returns its bearer token.
pub fn grant(
    model: &mut Selfmodel,
    vendor_id: &str,
    operations: &[Operation],
    origins: &[&str],
) -> String {
    pair(
        model,
        ask(vendor_id, &["communication"], operations, origins),
    )
}

/// A request of `vendor_id` for the `purposes` and `operations` on type communication-style,
/// normal sensitivity, for 30 days.
pub fn ask(
    vendor_id: &str,
    purposes: &[&str],
    operations: &[Operation],
    origins: &[&str],
) -> GrantAsk {
    GrantAsk {
        vendor: Vendor {
            id: vendor_id.into(),
            name: "Test".into(),
            url: None,
        },
        scope: Scope {
            purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
            categories: ["communication-style".to_owned()].into(),
            operations: operations.iter().copied().collect(),
            max_sensitivity: Sensitivity::Normal,
            min_confidence: 0.0,
            origins: origins.iter().map(|o| (*o).to_owned()).collect(),
            fresh_only: false,
        },
        duration_days: 30,
        vendor_retention_days: 0,
        justification: "tests".into(),
    }
}

/// Another connection to a test vault (passphrase [`PASS`]), as another process
/// would open it, waiting for the server's transactions rather than failing on them.
pub fn second_connection(db: &Path) -> rusqlite::Connection {
    #[allow(
        clippy::disallowed_methods,
        reason = "another process's change to the real vault file"
    )]
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(&format!("PRAGMA key = '{PASS}';"))
        .unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(60))
        .unwrap();
    conn
}

/// POSTs `body` as JSON and reads the answer as JSON, whatever its status.
pub async fn post_json(
    http: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    body: &serde_json::Value,
) -> serde_json::Value {
    http.post(url)
        .json(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
