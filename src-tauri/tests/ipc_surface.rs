//! The IPC surface stays in one piece: the generated TypeScript types match the Rust wire types,
//! and the command list agrees with the capability, the isolation app's allow-list and the UI's
//! backend. Set `SELFMODEL_BLESS=1` to regenerate `ui/src/lib/bindings/ipc.ts`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use selfmodel_desktop::command_names::COMMANDS;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

fn commands() -> BTreeSet<String> {
    COMMANDS.iter().map(|c| (*c).to_owned()).collect()
}

#[test]
fn typescript_bindings_match_the_rust_wire_types() {
    let path = root().join("ui/src/lib/bindings/ipc.ts");
    let generated = selfmodel_desktop::dto::typescript_bindings();
    if std::env::var_os("SELFMODEL_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write bindings");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/lib/bindings/ipc.ts is out of date with src-tauri/src/dto.rs; regenerate it with \
         `SELFMODEL_BLESS=1 cargo test -p selfmodel-desktop --test ipc_surface` and commit it"
    );
}

#[test]
fn the_capability_allows_exactly_the_commands() {
    let cap: serde_json::Value =
        serde_json::from_str(&read("src-tauri/capabilities/main-window.json")).expect("json");
    assert_eq!(
        cap["windows"],
        serde_json::json!(["main"]),
        "one window, by label"
    );
    assert!(cap.get("remote").is_none(), "no remote URLs get IPC");
    let perms: BTreeSet<String> = cap["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .map(|p| p.as_str().expect("plain permission ids").to_owned())
        .collect();
    let app: BTreeSet<String> = perms
        .iter()
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert_eq!(app, commands(), "allow-<command> for exactly the commands");
    let other: BTreeSet<&str> = perms
        .iter()
        .filter(|p| !p.starts_with("allow-"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        other,
        BTreeSet::from(["core:event:allow-listen", "core:event:allow-unlisten"]),
        "no plugin permissions beyond listening for events"
    );
}

#[test]
fn the_isolation_app_allows_exactly_the_commands() {
    let js = read("src-tauri/isolation/index.js");
    let start = js.find("const RULES = {").expect("RULES table");
    let end = start + js[start..].find("\n  };").expect("end of RULES");
    let table = &js[start..end];
    let names: BTreeSet<String> = table
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let name = l.split(':').next()?.trim();
            (l.ends_with("{},") || l.contains(": {"))
                .then(|| name.to_owned())
                .filter(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !n.is_empty())
        })
        .collect();
    assert_eq!(names, commands());
}

/// The command names the UI's backend passes to `call` (written `call("name"` or
/// `call<Type>("name"`).
fn called_commands(ts: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, _) in ts.match_indices("call") {
        let mut rest = &ts[i + 4..];
        if rest.starts_with('<') {
            let mut depth = 0;
            let Some(close) = rest.char_indices().find_map(|(j, c)| {
                match c {
                    '<' => depth += 1,
                    '>' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j);
                        }
                    }
                    _ => {}
                }
                None
            }) else {
                continue;
            };
            rest = &rest[close + 1..];
        }
        if let Some(r) = rest.strip_prefix("(\"")
            && let Some(end) = r.find('"')
        {
            names.insert(r[..end].to_owned());
        }
    }
    names
}

#[test]
fn the_ui_backend_calls_exactly_the_commands() {
    assert_eq!(called_commands(&read("ui/src/lib/backend.ts")), commands());
}

#[test]
fn the_config_keeps_the_security_settings() {
    let conf: serde_json::Value =
        serde_json::from_str(&read("src-tauri/tauri.conf.json")).expect("json");
    let sec = &conf["app"]["security"];
    assert_eq!(sec["pattern"]["use"], "isolation");
    assert_eq!(sec["freezePrototype"], true);
    assert!(sec.get("dangerousDisableAssetCspModification").is_none());
    let csp = sec["csp"].as_object().expect("a CSP");
    // Only local sources: the app's own files and Tauri's IPC scheme (`http://ipc.localhost` is
    // its Windows form). No frame-src: frames fall back to default-src, to which Tauri adds the
    // isolation iframe's per-launch scheme (`isolation-<uuid>:`) and nothing else.
    let allowed = ["'self'", "'none'", "data:", "ipc:", "http://ipc.localhost"];
    for (directive, sources) in csp {
        for source in sources.as_str().expect("string sources").split_whitespace() {
            assert!(
                allowed.contains(&source),
                "{directive}: '{source}' is not allowed"
            );
        }
    }
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
    assert!(csp.get("frame-src").is_none() && csp.get("child-src").is_none());
    assert!(
        conf["build"].get("devUrl").is_none(),
        "no dev server URL in the product"
    );
    let cargo = read("src-tauri/Cargo.toml");
    for banned in [
        "tauri-plugin-shell",
        "tauri-plugin-fs",
        "tauri-plugin-localhost",
        "tauri-plugin-http",
    ] {
        assert!(!cargo.contains(banned), "{banned} must not be used");
    }
}

#[test]
fn tauri_is_at_least_2_11_1() {
    // CVE-2026-42184 (origin confusion) is fixed in 2.11.1; stay on the 2 line.
    let lock = read("Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"tauri\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_owned())
        .expect("tauri in Cargo.lock");
    let parts: Vec<u32> = version
        .split(['.', '-'])
        .take(3)
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    assert_eq!(
        parts.first(),
        Some(&2),
        "tauri {version}: stay on the 2 line"
    );
    assert!(
        parts >= vec![2, 11, 1],
        "tauri {version} is older than 2.11.1"
    );
}
