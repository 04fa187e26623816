//! The living model in the desktop app, end to end: pasted memories landing in the inbox, the
//! inbox triaged by the hundred, a belief due for review confirmed, and a memory that says what
//! a belief says merged into it.

use super::*;

/// 500 distinct memories, one a line, as a person would paste them from another assistant.
fn five_hundred_memories() -> String {
    const DOING: [&str; 25] = [
        "birdwatching",
        "baking sourdough",
        "sketching portraits",
        "playing chess",
        "trail running",
        "reading science fiction",
        "learning Japanese",
        "watching documentaries",
        "playing the cello",
        "growing tomatoes",
        "building furniture",
        "writing poetry",
        "cycling along rivers",
        "swimming in lakes",
        "knitting scarves",
        "solving crosswords",
        "climbing indoors",
        "visiting museums",
        "brewing tea",
        "painting watercolours",
        "playing board games",
        "kayaking",
        "listening to jazz",
        "restoring old bicycles",
        "cooking curries",
    ];
    const WHEN: [&str; 20] = [
        "on weekend mornings",
        "after work",
        "with friends",
        "alone",
        "in the summer",
        "in winter",
        "on holidays",
        "before breakfast",
        "late at night",
        "on rainy days",
        "with the family",
        "at a local club",
        "during lunch breaks",
        "on long trips",
        "in the park",
        "at home",
        "with a podcast on",
        "every Sunday",
        "to unwind",
        "with neighbours",
    ];
    DOING
        .iter()
        .flat_map(|doing| {
            WHEN.iter()
                .map(move |when| format!("Enjoys {doing} {when}\n"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn inbox_triage_of_500_proposals() -> Result<()> {
    use selfmodel::Selfmodel;
    use selfmodel_core::Passphrase;
    use selfmodel_core::memories::MemorySource;

    if !enabled("the inbox triage end-to-end test") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;

    step("before the app opens: a vault with 500 memories imported as pending proposals");
    {
        let mut model = Selfmodel::create(
            &dir.path().join("vault.db"),
            &Passphrase::new(PASSPHRASE.into()),
        )?;
        let memories =
            selfmodel::memories::parse(MemorySource::Text, five_hundred_memories().as_bytes())?;
        let import = model.import_memories(MemorySource::Text, &memories, false)?;
        let proposed = import.counts().proposed;
        ensure!(
            proposed == 500,
            "500 proposals were imported, not {proposed}"
        );
        ensure!(model.inbox()?.len() == 500, "500 proposals wait");
        model.close()?;
    }

    let app = launch(dir.path(), true).await?;
    let result = async {
        step("unlock: the inbox badge counts the 500 proposals");
        app.fill("#unlock-passphrase", PASSPHRASE).await?;
        app.click("form button[type=submit]").await?;
        app.wait_text("[data-testid=inbox-badge]", "500").await?;

        step("the Inbox lists them; select all");
        app.click("[data-testid=nav-inbox]").await?;
        app.wait_text("#prop-h", "Proposed beliefs (500)").await?;
        app.click("[data-testid=select-all]").await?;
        app.wait_text("[data-testid=selected-count]", "500 selected")
            .await?;

        step("accept all of them as Interests, for recommendations only, in one call");
        app.click("[data-testid=accept-as]").await?;
        app.choose("[data-testid=accept-as-type]", "interests")
            .await?;
        app.click("[data-testid=accept-as-purpose-recommendations]")
            .await?;
        app.wait_text("[data-testid=accept-as-submit]", "Accept 500 as Interests")
            .await?;
        app.click("[data-testid=accept-as-submit]").await?;
        app.wait_text(
            "[data-testid=inbox-message]",
            "Accepted 500 proposals: they are now part of your model.",
        )
        .await?;

        step("the Inbox is empty, and so is the core's");
        app.wait_text("body", "No vendor has proposed a belief about you.")
            .await?;
        ensure!(
            !app.has("[data-testid=proposal]").await?,
            "no proposal is left in the list"
        );
        app.wait_until(
            "the inbox badge to go",
            "return document.querySelector('[data-testid=inbox-badge]') === null",
            json!([]),
        )
        .await?;
        let waiting = app.call("inbox", json!({})).await?;
        ensure!(
            waiting.as_array().is_some_and(Vec::is_empty),
            "the core has no proposal left: {waiting}"
        );
        let beliefs = app.call("list_beliefs", json!({})).await?;
        let beliefs = beliefs.as_array().context("list_beliefs gives a list")?;
        ensure!(beliefs.len() == 500, "500 beliefs, not {}", beliefs.len());
        for b in beliefs {
            ensure!(
                b["status"] == "active"
                    && b["category"] == "interests"
                    && b["purposes"] == json!(["recommendations"]),
                "accepted as chosen: {b}"
            );
        }

        step("the Beliefs screen shows them, all of the chosen type");
        app.click("[data-testid=nav-beliefs]").await?;
        app.wait_text("[data-testid=count]", "500 beliefs").await?;
        app.choose("[data-testid=filter-type]", "interests").await?;
        app.wait_text("[data-testid=count]", "500 of 500 beliefs")
            .await?;
        app.el("[data-testid=belief-row]").await?;
        ensure!(
            !app.has("[data-testid=belief-row] .status-pending").await?,
            "no row shown is still pending"
        );
        Ok::<_, anyhow::Error>(())
    }
    .await;
    finish(app, result).await
}

/// A vault at `dir/vault.db`, made before the app opens, with the beliefs `add` adds.
fn seeded_vault(
    dir: &Path,
    add: impl FnOnce(&mut selfmodel::Selfmodel) -> Result<()>,
) -> Result<()> {
    let mut model = selfmodel::Selfmodel::create(
        &dir.join("vault.db"),
        &selfmodel_core::Passphrase::new(PASSPHRASE.into()),
    )?;
    add(&mut model)?;
    model.close()?;
    Ok(())
}

/// Adds a belief the person stated (confidence 0.8, no evidence) to a vault being seeded;
/// returns its id.
fn seeded_belief(
    model: &mut selfmodel::Selfmodel,
    statement: &str,
    category: &str,
) -> Result<String> {
    use selfmodel_core::{Actor, NewBelief, Provenance};
    let b = model.add_belief(
        NewBelief {
            statement: statement.into(),
            category: category.into(),
            confidence: 0.8,
            purposes: Default::default(),
            sensitivity: None,
            evidence: Vec::new(),
        },
        Provenance {
            actor: Actor::Person,
            method: "e2e".into(),
        },
    )?;
    Ok(b.id.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn import_memories_by_paste_lands_in_the_inbox() -> Result<()> {
    if !enabled("the memory import end-to-end test") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    seeded_vault(dir.path(), |_| Ok(()))?;
    let app = launch(dir.path(), true).await?;
    let result = async {
        unlock(&app).await?;

        step("the empty Inbox links to the import of memories, under Export and import");
        app.click("[data-testid=nav-inbox]").await?;
        app.click("[data-testid=inbox-import-memories]").await?;
        app.el("[data-testid=import-memories]").await?;

        step("paste five ChatGPT memories, one holding an email address, and preview them");
        app.choose("[data-testid=memory-source]", "chatgpt").await?;
        // Pasted: the text lands in the field at once, as one input event.
        app.js(
            "const t = document.querySelector(arguments[0]); t.value = arguments[1]; \
             t.dispatchEvent(new Event('input', { bubbles: true }));",
            json!([
                "[data-testid=memory-paste]",
                "Prefers concise answers\n\
                 Is learning Rust\n\
                 My email is jo.doe@example.org\n\
                 Enjoys baking sourdough on weekend mornings\n\
                 Reads science fiction before bed\n"
            ]),
        )
        .await?;
        app.click("[data-testid=memory-preview]").await?;
        app.wait_text(
            "[data-testid=memory-count-proposed]",
            "4 memories to propose",
        )
        .await?;
        app.wait_text("[data-testid=memory-count-refused]", "1 refused")
            .await?;
        let refused = app.text("[data-testid=memory-refused]").await?;
        ensure!(
            refused.starts_with("Line 3:") && refused.contains("email address"),
            "the refused line is named with its reason: {refused:?}"
        );
        let preview = app.text("[data-testid=memory-preview-result]").await?;
        ensure!(
            !preview.contains("jo.doe") && !preview.contains("example.org"),
            "the refused text is never shown: {preview:?}"
        );
        let shown = app
            .js(
                "return document.querySelectorAll('[data-testid=memory-proposed]').length",
                json!([]),
            )
            .await?;
        ensure!(shown == json!(4), "four proposals listed, not {shown}");
        let waiting = app.call("inbox", json!({})).await?;
        ensure!(
            waiting.as_array().is_some_and(Vec::is_empty),
            "a preview proposes nothing: {waiting}"
        );

        app.js(
            "document.querySelector('[data-testid=memory-preview-result]').scrollIntoView({block: 'center'})",
            json!([]),
        )
        .await?;
        app.screenshot(&root().join("docs/screenshots/import-memories.png")).await?;
        step("propose them: they wait in the Inbox, and its badge counts them");
        app.wait_text("[data-testid=memory-commit]", "Propose 4 memories")
            .await?;
        app.click("[data-testid=memory-commit]").await?;
        app.wait_text("[data-testid=memory-done]", "4 memories wait in your Inbox")
            .await?;
        app.wait_text("[data-testid=inbox-badge]", "4").await?;
        let waiting = app.call("inbox", json!({})).await?;
        let waiting = waiting.as_array().context("inbox gives a list")?;
        ensure!(
            waiting.len() == 4,
            "4 proposals wait, not {}",
            waiting.len()
        );
        ensure!(
            waiting.iter().all(|b| b["status"] == "pending"
                && !b["statement"].as_str().unwrap_or_default().contains('@')),
            "pending, and none holds the address: {waiting:?}"
        );

        step("the Inbox lists them");
        app.click("[data-testid=memory-go-inbox]").await?;
        app.wait_text("#prop-h", "Proposed beliefs (4)").await?;
        app.wait_text("body", "Is learning Rust").await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    finish(app, result).await
}

/// Makes the person's last confirmation of belief `id` lie years in the past, written into the
/// file directly (as time passing would): the vault's API has no way to do it, on purpose.
#[allow(clippy::disallowed_methods, clippy::disallowed_types)]
fn confirmed_long_ago(vault: &Path, id: &str) -> Result<()> {
    let conn = rusqlite::Connection::open(vault)?;
    conn.execute_batch(&format!("PRAGMA key = '{PASSPHRASE}';"))?;
    let n = conn.execute(
        "UPDATE beliefs SET confirmed_at = ?2 WHERE id = ?1",
        [id, "2020-01-01T00:00:00.000000Z"],
    )?;
    ensure!(n == 1, "{n} beliefs with id {id}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_belief_due_for_review_is_confirmed() -> Result<()> {
    if !enabled("the review end-to-end test") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;

    step("before the app opens: two beliefs, one last confirmed years ago");
    let mut hiking = String::new();
    seeded_vault(dir.path(), |model| {
        for (statement, category) in [
            ("Enjoys hiking in the mountains", "interests"),
            ("Writes in British English", "communication-style"),
        ] {
            let id = seeded_belief(model, statement, category)?;
            if category == "interests" {
                hiking = id;
            }
        }
        Ok(())
    })?;
    confirmed_long_ago(&dir.path().join("vault.db"), &hiking)?;

    let app = launch(dir.path(), true).await?;
    let result = async {
        unlock(&app).await?;

        step("the Review badge counts it; Review lists it, alone");
        app.wait_text("[data-testid=review-badge]", "1").await?;
        app.click("[data-testid=nav-review]").await?;
        app.wait_text(
            "[data-testid=due-statement]",
            "Enjoys hiking in the mountains",
        )
        .await?;
        app.wait_text("[data-testid=due-when]", "last confirmed")
            .await?;
        let due = app
            .js(
                "return document.querySelectorAll('[data-testid=due-belief]').length",
                json!([]),
            )
            .await?;
        ensure!(due == json!(1), "one belief is due, not {due}");

        app.screenshot(&root().join("docs/screenshots/review.png"))
            .await?;
        step("still true: it leaves the list, the badge goes, and the core has nothing due");
        app.click("[data-testid=review-still-true]").await?;
        app.wait_text("[data-testid=review-message]", "Confirmed 1 belief")
            .await?;
        app.el("[data-testid=review-empty]").await?;
        ensure!(
            !app.has("[data-testid=due-belief]").await?,
            "no belief is left in the list"
        );
        app.wait_until(
            "the review badge to go",
            "return document.querySelector('[data-testid=review-badge]') === null",
            json!([]),
        )
        .await?;
        let queue = app.call("review_queue", json!({})).await?;
        ensure!(
            queue.as_array().is_some_and(Vec::is_empty),
            "the core has nothing due: {queue}"
        );
        let log = app
            .call(
                "audit_log",
                json!({"before": null, "action": "belief.confirmed"}),
            )
            .await?;
        let confirmed = log["events"]
            .as_array()
            .context("events")?
            .iter()
            .filter(|e| e["action"] == "belief.confirmed")
            .count();
        ensure!(confirmed == 1, "{confirmed} belief.confirmed events");
        Ok::<_, anyhow::Error>(())
    }
    .await;
    finish(app, result).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_memory_the_same_as_a_belief_is_merged_into_it() -> Result<()> {
    use selfmodel_core::memories::MemorySource;

    if !enabled("the merge end-to-end test") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;

    step("before the app opens: a belief, and the same memory imported from Claude");
    let mut rust = String::new();
    seeded_vault(dir.path(), |model| {
        rust = seeded_belief(model, "Is learning Rust", "expertise")?;
        let memories = selfmodel::memories::parse(MemorySource::Claude, b"- learning RUST\n")?;
        model.import_memories(MemorySource::Claude, &memories, false)?;
        Ok(())
    })?;

    let app = launch(dir.path(), true).await?;
    let result = async {
        unlock(&app).await?;
        step("the Inbox shows the proposal as the same as the belief");
        app.click("[data-testid=nav-inbox]").await?;
        app.wait_text("[data-testid=same-as]", "Same as “Is learning Rust”")
            .await?;

        app.screenshot(&root().join("docs/screenshots/inbox-same-as.png"))
            .await?;
        step("merge it: the proposal is gone and its evidence is on the belief");
        app.click("[data-testid=same-as] button").await?;
        app.wait_text("[data-testid=inbox-message]", "Merged")
            .await?;
        let waiting = app.call("inbox", json!({})).await?;
        ensure!(
            waiting.as_array().is_some_and(Vec::is_empty),
            "no proposal is left: {waiting}"
        );
        let merged = app.call("get_belief", json!({ "id": rust })).await?;
        ensure!(
            merged["evidence"].as_array().map(Vec::len) == Some(1)
                && merged["evidence"][0]["kind"] == "imported",
            "the memory's evidence is on the belief: {merged}"
        );
        Ok::<_, anyhow::Error>(())
    }
    .await;
    finish(app, result).await
}
