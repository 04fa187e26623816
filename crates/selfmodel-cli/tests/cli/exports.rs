#![allow(missing_docs, clippy::unwrap_used)]
//! What an export can be besides the whole vault, through the real binary: a subset, an age
//! file the reference `age` tool reads and writes, a Markdown file for reading; and the audit
//! chain's record of exports and imports.

use std::os::unix::fs::PermissionsExt;
use std::process::Command as Std;

use crate::archive::*;

#[test]
fn subsets_hold_only_what_was_asked_for() {
    let env = Env::new();
    env.demo("a.db");
    let doc = env.export(
        "a.db",
        "c.json",
        &["--category", "health", "--category", "values"],
    );
    let beliefs = doc["beliefs"].as_array().unwrap();
    assert!(!beliefs.is_empty());
    assert!(
        beliefs
            .iter()
            .all(|b| b["category"] == "health" || b["category"] == "values")
    );
    assert_eq!(ids_in(&doc["belief_types"]), ["health", "values"]);
    assert_eq!(
        doc["manifest"]["filter"],
        serde_json::json!({"categories": ["health", "values"], "purposes": [], "beliefs": []})
    );

    let doc = env.export("a.db", "p.json", &["--purpose", "advertising"]);
    let beliefs = doc["beliefs"].as_array().unwrap();
    assert!(!beliefs.is_empty());
    for b in beliefs {
        let purposes = b["purposes"].as_array().unwrap();
        assert!(purposes.iter().any(|p| p == "advertising"), "{b}");
    }

    let ids = env.belief_ids("a.db");
    let doc = env.export(
        "a.db",
        "i.json",
        &["--belief", &ids[3], "--belief", &ids[1]],
    );
    assert_eq!(ids_in(&doc["beliefs"]), [ids[1].as_str(), ids[3].as_str()]);
    assert_eq!(doc["manifest"]["counts"]["beliefs"], 2);

    // A subset imports on its own.
    env.ok("b.db", &["init"]);
    env.ok("b.db", &["import", "i.json"]);
    assert_eq!(env.belief_ids("b.db"), [ids[1].clone(), ids[3].clone()]);

    assert!(
        env.fail(
            "a.db",
            &["export", "--out", "x.json", "--category", "astrology"]
        )
        .contains("unknown category 'astrology'")
    );
    assert!(
        env.fail(
            "a.db",
            &[
                "export",
                "--out",
                "x.json",
                "--belief",
                "01900000-0000-7000-8000-000000000000",
            ]
        )
        .contains("no belief with id")
    );
    assert!(!env.path("x.json").exists());
}

#[test]
fn age_files_interoperate_with_the_age_tool() {
    if !age_available() {
        return;
    }
    let env = Env::new();
    env.demo("a.db");
    let plain = env.export("a.db", "plain.json", &[]);
    let (key, recipient) = keygen(&env, "key.txt");
    let (_, second) = keygen(&env, "key2.txt");

    for (file, armor) in [("r.age", false), ("r.asc", true)] {
        let mut args = vec!["export", "--out", file, "--recipient", &recipient];
        args.extend(["--recipient", &second]);
        if armor {
            args.push("--armor");
        }
        let out = env.sm("a.db").args(&args).output().unwrap();
        assert!(out.status.success());
        assert!(!String::from_utf8_lossy(&out.stderr).contains("not encrypted"));
        let raw = std::fs::read(env.path(file)).unwrap();
        let header: &[u8] = if armor {
            b"-----BEGIN AGE ENCRYPTED FILE-----"
        } else {
            b"age-encryption.org/v1"
        };
        assert!(raw.starts_with(header));
        // The reference tool decrypts it.
        let out = Std::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&key)
            .arg(env.path(file))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc = valid_export(&out.stdout);
        assert_eq!(content(&doc), content(&plain));
        let mode = std::fs::metadata(env.path(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        env.ok(
            "a.db",
            &[
                "export",
                "verify",
                file,
                "--identity",
                key.to_str().unwrap(),
            ],
        );
    }

    // The reference tool encrypts; selfmodel imports.
    let out = Std::new("age")
        .args(["-r", &recipient, "-o"])
        .arg(env.path("by-age.age"))
        .arg(env.path("plain.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = Std::new("age")
        .args(["-a", "-r", &recipient, "-o"])
        .arg(env.path("by-age.asc"))
        .arg(env.path("plain.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    for (vault, file) in [("b.db", "by-age.age"), ("c.db", "by-age.asc")] {
        env.ok(vault, &["init"]);
        env.ok(
            vault,
            &[
                "import",
                file,
                "--identity",
                key.to_str().unwrap(),
                "--trust-signer",
                &env.key("a.db"),
            ],
        );
        assert_eq!(
            env.json("a.db", &["belief", "list", "--json"]),
            env.json(vault, &["belief", "list", "--json"])
        );
    }
}

#[test]
fn the_audit_chain_records_exports_and_imports() {
    let env = Env::new();
    env.demo("a.db");
    let doc = env.export("a.db", "a.json", &[]);
    let log = env.json("a.db", &["audit", "log", "--json"]);
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "archive.exported");
    let detail = last["detail"].as_str().unwrap();
    let sha = doc["manifest"]["beliefs_sha256"].as_str().unwrap();
    assert!(
        detail.contains(&format!("beliefs_sha256={sha}")),
        "{detail}"
    );
    assert!(
        detail.contains("beliefs=40") && detail.contains("encryption=none"),
        "{detail}"
    );
    // The document's audit head is the chain just before its own export event.
    assert_eq!(doc["audit_head"]["hash"], last["prev"]);
    assert_eq!(
        doc["audit_head"]["events"].as_u64().unwrap() + 1,
        last["seq"].as_u64().unwrap()
    );

    env.ok("b.db", &["init"]);
    env.ok("b.db", &["import", "a.json"]);
    let file_sha =
        env.json("b.db", &["export", "verify", "a.json", "--json"])["file_sha256"].clone();
    let log = env.json("b.db", &["audit", "log", "--json"]);
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "archive.imported");
    let detail = last["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("file_sha256={}", file_sha.as_str().unwrap())),
        "{detail}"
    );
    assert!(detail.contains("new=40"), "{detail}");
    for vault in ["a.db", "b.db"] {
        assert_eq!(env.json(vault, &["audit", "verify", "--json"])["ok"], true);
    }
}

#[test]
fn a_markdown_export_is_for_reading_grouped_by_type_and_audited() {
    use crate::common::TestVault;
    let v = TestVault::init();
    let rust = v.add(
        "Is learning Rust [see](http://x.example)",
        "expertise",
        "0.8",
        &["--evidence", "Asked about *borrowing*"],
    );
    v.add("Enjoys hiking", "interests", "0.7", &[]);
    let out = v.dir().join("model.md");
    let out_s = out.display().to_string();
    let events = v.verified_events();
    let said = v.ok(&["export", "--format", "markdown", "--out", &out_s]);
    assert!(said.contains("wrote 2 beliefs as Markdown"), "{said}");
    let doc = std::fs::read_to_string(&out).unwrap();
    assert!(doc.starts_with("# Your self-model"), "{doc}");
    assert!(
        doc.contains("## Expertise (1)") && doc.contains("## Interests (1)"),
        "{doc}"
    );
    assert!(
        doc.find("## Expertise").unwrap() < doc.find("## Interests").unwrap(),
        "types in the catalogue's order"
    );
    assert!(doc.contains(&format!("Id `{rust}`")), "{doc}");
    assert!(
        doc.contains("Asked about \\*borrowing\\*"),
        "escaped evidence: {doc}"
    );
    assert!(
        !doc.replace("\\]", "").contains("](http"),
        "no live link from a belief's text: {doc}"
    );
    assert!(doc.contains("Last confirmed by you"), "{doc}");
    assert!(doc.contains("- Recipients: none"), "{doc}");
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(v.verified_events(), events + 1);
    let last = v.audit_log().last().unwrap().clone();
    assert_eq!(last["action"], "archive.exported");
    assert_eq!(last["detail"], "format=markdown beliefs=2");

    // A subset, an existing file, and encryption.
    let only = v.dir().join("interests.md");
    v.ok(&[
        "export",
        "--format",
        "markdown",
        "--category",
        "interests",
        "--out",
        &only.display().to_string(),
    ]);
    let doc = std::fs::read_to_string(&only).unwrap();
    assert!(
        doc.contains("## Interests (1)") && !doc.contains("Expertise"),
        "{doc}"
    );
    assert!(
        v.fail(&["export", "--format", "markdown", "--out", &out_s])
            .contains("exists")
    );
    let e = v.fail(&[
        "export",
        "--format",
        "markdown",
        "--passphrase",
        "--out",
        &v.dir().join("x.md").display().to_string(),
    ]);
    assert!(e.contains("written plain"), "{e}");
    assert!(!v.dir().join("x.md").exists());
}
