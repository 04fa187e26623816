use selfmodel_core::Passphrase;

use super::*;

fn vault(dir: &tempfile::TempDir) -> Selfmodel {
    Selfmodel::create_witnessed(
        &dir.path().join("v.db"),
        &Passphrase::new("memories test passphrase".into()),
        None,
    )
    .unwrap()
}

const LIST: &str = "Saved memories:\n- Prefers concise answers\n- Is learning Rust\n\
                    - Email is jo@example.org\n- prefers CONCISE answers!\n";

#[test]
fn a_list_lands_as_pending_proposals_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = vault(&dir);
    let memories = parse(MemorySource::Chatgpt, LIST.as_bytes()).unwrap();
    let events = model.audit_log().unwrap().len();

    let dry = model
        .import_memories(MemorySource::Chatgpt, &memories, true)
        .unwrap();
    assert!(!dry.changed);
    assert_eq!(
        model.audit_log().unwrap().len(),
        events,
        "a dry run writes nothing"
    );

    let done = model
        .import_memories(MemorySource::Chatgpt, &memories, false)
        .unwrap();
    let c = done.counts();
    assert_eq!((c.proposed, c.duplicates, c.refused), (2, 1, 1));
    assert_eq!(c.refused_by_kind.get("email"), Some(&1));
    assert_eq!(dry.counts(), c, "the dry run foresaw it");
    let inbox = model.inbox().unwrap();
    assert_eq!(inbox.len(), 2);
    for b in &inbox {
        assert_eq!(b.status, Status::Pending);
        assert_eq!(b.provenance.actor, Actor::Import);
        assert_eq!(b.provenance.method, "import-memories:chatgpt");
        assert!((b.confidence - IMPORT_CONFIDENCE).abs() < f64::EPSILON);
        assert_eq!(b.evidence[0].kind, EvidenceKind::Imported);
        assert_eq!(
            b.evidence[0].content_sha256.as_ref().map(String::len),
            Some(64)
        );
    }
    assert_eq!(inbox[0].category, "communication-style");
    assert_eq!(inbox[1].category, "expertise");
    let log = model.audit_log().unwrap();
    assert_eq!(log.len(), events + 3, "two proposals and the import");
    assert_eq!(log[log.len() - 1].action, "memories.imported");
    assert!(
        !log.iter()
            .any(|e| e.detail.as_deref().unwrap_or("").contains("concise"))
    );

    let again = model
        .import_memories(MemorySource::Text, &memories, false)
        .unwrap();
    assert!(!again.changed);
    assert_eq!(again.counts().proposed, 0);
    assert_eq!(model.audit_log().unwrap().len(), events + 3);
}

#[test]
fn what_the_person_rejected_or_deleted_does_not_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = vault(&dir);
    let memories = parse(MemorySource::Claude, b"Is learning Rust\nLives in Lyon\n").unwrap();
    model
        .import_memories(MemorySource::Claude, &memories, false)
        .unwrap();
    let inbox = model.inbox().unwrap();
    model.reject_proposal(inbox[0].id).unwrap();
    let kept = model.accept_proposal(inbox[1].id, None).unwrap();
    model.delete_belief(kept.id).unwrap();
    // Another wording of the same memory, another source: still erased.
    let memories = parse(
        MemorySource::Gemini,
        b"* is learning rust.\n* Lives in LYON\n",
    )
    .unwrap();
    let report = model
        .import_memories(MemorySource::Gemini, &memories, false)
        .unwrap();
    assert_eq!(report.counts().previously_erased, 2);
    assert!(model.inbox().unwrap().is_empty());
}

#[test]
fn me_md_directories_read_the_person_s_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("me.md"), "# Me\n\n- Keep answers short.\n").unwrap();
    std::fs::create_dir_all(root.join("topics/food")).unwrap();
    std::fs::write(
        root.join("topics/coffee.md"),
        "---\nx: 1\n---\nI drink my coffee black.\n",
    )
    .unwrap();
    std::fs::write(root.join("topics/food/tea.md"), "- Likes green tea\n").unwrap();
    std::fs::create_dir_all(root.join("proposals")).unwrap();
    std::fs::write(root.join("proposals/0001.md"), "- Use tables\n").unwrap();
    std::fs::write(root.join("journal.md"), "- accepted 0001\n").unwrap();
    std::fs::write(root.join("policy.json"), "{}").unwrap();
    let m = read(MemorySource::MeMd, root).unwrap();
    let got: Vec<(Option<&str>, &str)> = m
        .iter()
        .map(|m| (m.file.as_deref(), m.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some("me.md"), "Keep answers short."),
            (Some("topics/coffee.md"), "I drink my coffee black."),
            (Some("topics/food/tea.md"), "Likes green tea"),
        ]
    );
    let e = read(MemorySource::Text, root).unwrap_err().to_string();
    assert!(e.contains("only a me.md import reads a directory"), "{e}");
    let empty = tempfile::tempdir().unwrap();
    let e = read(MemorySource::MeMd, empty.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no Markdown memory files"), "{e}");
}

#[test]
fn bad_inputs_are_refused_with_the_reason() {
    for (bytes, expected) in [
        (&b""[..], "no memories found"),
        (b"# Only a heading\n\n", "no memories found"),
        (b"abc\0def", "not a text file"),
        (
            b"caf\xe9 au lait",
            "not UTF-8 text (invalid byte at offset 3)",
        ),
    ] {
        let e = parse(MemorySource::Text, bytes).unwrap_err();
        assert_eq!(e.code().as_str(), "bad_memory_input");
        assert!(e.to_string().contains(expected), "{e}");
    }
    let many = "- x\n".repeat(MAX_ITEMS + 1);
    let e = parse(MemorySource::Text, many.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("at most 10000"), "{e}");
    let big = vec![b'a'; usize::try_from(selfmodel_core::memories::MAX_INPUT_BYTES).unwrap() + 1];
    let e = read_limited(&big[..], "standard input").unwrap_err();
    assert!(e.to_string().contains("larger than 4 MiB"), "{e}");
}
