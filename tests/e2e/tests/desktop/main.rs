//! The desktop app, end to end, as a person uses it: the real binary over WebDriver, a real vault
//! file. Skipped unless `SELFMODEL_E2E=1` (run `scripts/e2e`).

mod living;

use std::path::Path;

use anyhow::{Context, Result, ensure};
use selfmodel_e2e::{App, DEMO_PASSPHRASE, enabled, root};
use serde_json::json;

const PASSPHRASE: &str = "orbit lantern fjord mosaic";

fn step(s: &str) {
    eprintln!("e2e: {s}");
}

/// Launches the app on a vault in `dir`; with `auto_confirm`, native confirmations are accepted
/// (an `e2e` build only), since WebDriver cannot click a GTK dialog.
/// The save dialog then "chooses" `dir/exports/<suggested name>` and the open dialog
/// `dir/to-import.json`.
async fn launch(dir: &Path, auto_confirm: bool) -> Result<App> {
    let exports = dir.join("exports");
    std::fs::create_dir_all(&exports)?;
    let (exports, import) = (
        exports.display().to_string(),
        dir.join("to-import.json").display().to_string(),
    );
    let env: Vec<(&str, &str)> = if auto_confirm {
        vec![
            ("SELFMODEL_E2E_AUTO_CONFIRM", "1"),
            ("SELFMODEL_E2E_SAVE_DIR", &exports),
            ("SELFMODEL_E2E_OPEN_FILE", &import),
        ]
    } else {
        vec![]
    };
    // The app's vendor API on a free port, so that tests never meet a real one on 7420.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    std::fs::write(
        dir.join("vault.db.settings.json"),
        serde_json::to_vec(&json!({ "api_enabled": true, "api_port": port }))?,
    )?;
    let run = dir.join("run");
    std::fs::create_dir_all(&run)?;
    let run = run.display().to_string();
    let mut env = env;
    env.push(("XDG_RUNTIME_DIR", &run));
    App::launch(&dir.join("vault.db"), &env).await
}

/// Quits the app after a test, first saving a screenshot to `target/e2e-failure.png` if the
/// test failed; returns the test's result.
async fn finish(app: App, result: Result<()>) -> Result<()> {
    if result.is_err() {
        let _ = app.screenshot(&root().join("target/e2e-failure.png")).await;
    }
    app.quit().await?;
    result
}

async fn add_belief(app: &App, statement: &str, category: &str) -> Result<()> {
    app.click("[data-testid=add]").await?;
    app.fill("#add-statement", statement).await?;
    app.choose("#add-type", category).await?;
    app.click("[data-testid=add-form] button[type=submit]")
        .await?;
    app.wait_until(
        "the add dialog to close",
        "return document.querySelector('[data-testid=add-form]') === null",
        json!([]),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_creates_corrects_deletes_locks_erases_and_destroys() -> Result<()> {
    if !enabled("the desktop end-to-end test") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let app = launch(dir.path(), true).await?;
    let result = journey(&app, dir.path()).await;
    finish(app, result).await
}

async fn journey(app: &App, dir: &Path) -> Result<()> {
    step("first run: create a vault");
    app.el("#new-passphrase").await?;
    let status = app.invoke("vault_status", json!({})).await?;
    let status = status.map_err(|e| anyhow::anyhow!("vault_status: {e}"))?;
    ensure!(
        status["confirmations_auto_accepted"] == true,
        "the app must be an e2e build (cargo build -p selfmodel-desktop --features e2e): {status}"
    );
    app.fill("#new-passphrase", PASSPHRASE).await?;
    app.fill("#repeat-passphrase", "not the same").await?;
    app.click("form button[type=submit]").await?;
    app.wait_text("body", "The two passphrases are not the same.")
        .await?;
    app.fill("#repeat-passphrase", PASSPHRASE).await?;
    app.click("form button[type=submit]").await?;
    app.wait_text("body", "No beliefs yet").await?;

    step("add a belief whose text looks like HTML: it is shown as text");
    let tricky = "Prefers tea <img src=x onerror=\"document.title='pwned'\"> over coffee";
    add_belief(app, tricky, "preferences").await?;
    app.wait_text("[data-testid=count]", "1 belief").await?;
    let row = app.text("[data-testid=belief-row] .statement").await?;
    ensure!(row == tricky, "the statement is shown verbatim: {row:?}");
    ensure!(
        !app.has("[data-testid=belief-row] img").await?,
        "no element was made from belief text"
    );
    ensure!(app.client.title().await? != "pwned", "no script ran");

    step("rectify it, with a reason");
    app.click("[data-testid=belief-row]").await?;
    app.wait_text("[data-testid=detail-statement]", "Prefers tea")
        .await?;
    app.click("[data-testid=rectify]").await?;
    app.fill("#rect-statement", "Prefers green tea over coffee")
        .await?;
    app.click("[data-testid=rectify-form] button[type=submit]")
        .await?;
    app.wait_text("body", "Say why you are correcting it")
        .await?;
    app.fill("#rect-reason", "It is green tea, specifically")
        .await?;
    app.click("[data-testid=rectify-form] button[type=submit]")
        .await?;
    app.wait_text(
        "[data-testid=detail-statement]",
        "Prefers green tea over coffee",
    )
    .await?;
    app.wait_text("[data-testid=history]", "It is green tea, specifically")
        .await?;

    step("delete it");
    app.click("[data-testid=delete]").await?;
    app.click("[data-testid=confirm-delete]").await?;
    app.wait_text("body", "No beliefs yet").await?;

    step("bulk delete: two beliefs, select all, delete");
    add_belief(app, "Reads science fiction", "interests").await?;
    add_belief(app, "Runs on weekday mornings", "routines").await?;
    app.wait_text("[data-testid=count]", "2 beliefs").await?;
    app.click("[data-testid=count] ~ button").await?; // "Select all shown"
    app.click("[data-testid=bulk-delete]").await?;
    app.click("[data-testid=confirm-delete]").await?;
    app.wait_text("body", "No beliefs yet").await?;

    step("lock; a wrong passphrase says so; the right one unlocks");
    add_belief(app, "Likes long walks", "interests").await?;
    app.click("[data-testid=lock]").await?;
    app.el("#unlock-passphrase").await?;
    let locked = app.invoke("list_beliefs", json!({})).await?;
    ensure!(
        locked.as_ref().err().and_then(|e| e["code"].as_str()) == Some("vault_locked"),
        "a locked vault answers nothing: {locked:?}"
    );
    app.fill("#unlock-passphrase", "wrong horse battery staple")
        .await?;
    app.click("form button[type=submit]").await?;
    app.wait_text("#unlock-error", "Wrong passphrase").await?;
    app.fill("#unlock-passphrase", PASSPHRASE).await?;
    app.click("form button[type=submit]").await?;
    app.wait_text("[data-testid=count]", "1 belief").await?;

    step("the IPC layer refuses what the window is not given");
    let refused = app
        .invoke("plugin:dialog|message", json!({ "message": "hi" }))
        .await?;
    ensure!(
        refused.is_err(),
        "plugin commands are not allowed: {refused:?}"
    );
    let refused = app
        .invoke(
            "erase_all",
            json!({ "confirmation": "erase everything", "extra": 1 }),
        )
        .await?;
    ensure!(
        refused.is_err(),
        "unknown arguments are refused by the isolation app"
    );
    let refused = app
        .invoke("erase_all", json!({ "confirmation": "yes" }))
        .await?;
    ensure!(
        refused.as_ref().err().and_then(|e| e["code"].as_str()) == Some("confirmation_required"),
        "erasing needs the typed phrase even from code: {refused:?}"
    );
    app.wait_text("[data-testid=count]", "1 belief").await?;

    step("export everything, plain; the file is a signed Selfmodel export");
    app.click("[data-testid=nav-transfer]").await?;
    app.click("[data-testid=export-plain]").await?;
    app.click("[data-testid=export]").await?;
    app.wait_text("[data-testid=export-done]", "Exported 1 belief")
        .await?;
    let exported: Vec<_> = std::fs::read_dir(dir.join("exports"))?
        .flatten()
        .map(|e| e.path())
        .collect();
    ensure!(exported.len() == 1, "one export file: {exported:?}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&exported[0])?)?;
    ensure!(
        doc["format"] == "selfmodel-export",
        "format: {}",
        doc["format"]
    );
    let beliefs = doc["beliefs"].as_array().context("beliefs")?;
    ensure!(beliefs.len() == 1 && beliefs[0]["statement"] == "Likes long walks");
    ensure!(doc.get("signature").is_some(), "the export is signed");
    std::fs::copy(&exported[0], dir.join("to-import.json"))?;
    app.click("[data-testid=nav-beliefs]").await?;

    step("erase everything with the typed confirmation");
    app.click("[data-testid=nav-settings]").await?;
    app.fill("[data-testid=erase-confirm]", "erase everything")
        .await?;
    app.click("[data-testid=erase-all]").await?;
    app.wait_text("[data-testid=erase-result]", "Erased 1 belief")
        .await?;
    app.click("[data-testid=nav-beliefs]").await?;
    app.wait_text("body", "No beliefs yet").await?;

    step("import the export back: a preview first, then the import");
    app.click("[data-testid=nav-transfer]").await?;
    app.click("[data-testid=import-choose]").await?;
    // Erasing left a tombstone: the belief comes back only when the person asks for it.
    app.wait_text(
        "[data-testid=import-erased]",
        "1 belief you erased or rejected before: skipped",
    )
    .await?;
    app.wait_text(
        "[data-testid=import-preview]",
        "0 new beliefs will be added",
    )
    .await?;
    app.click("[data-testid=import-restore]").await?;
    app.click("[data-testid=import-commit]").await?;
    app.wait_text("[data-testid=import-done]", "1 new belief added")
        .await?;
    app.click("[data-testid=nav-beliefs]").await?;
    app.wait_text("[data-testid=count]", "1 belief").await?;
    let back = app.text("[data-testid=belief-row] .statement").await?;
    ensure!(back == "Likes long walks", "{back}");

    step("the audit chain is intact and records each change");
    app.click("[data-testid=nav-audit]").await?;
    app.wait_text("[data-testid=verdict]", "The chain is intact")
        .await?;
    let actions = app
        .js(
            "return Array.from(document.querySelectorAll('[data-testid=audit-row] code')).map(c => c.textContent)",
            json!([]),
        )
        .await?;
    let actions = serde_json::to_string(&actions)?;
    for a in [
        "vault.created",
        "belief.created",
        "belief.rectified",
        "belief.deleted",
        "vault.erased_all",
        "archive.exported",
        "archive.imported",
    ] {
        ensure!(actions.contains(a), "audit log lacks {a}: {actions}");
    }

    step("destroy the vault: its files go and the first-run screen returns");
    app.click("[data-testid=nav-settings]").await?;
    app.fill("[data-testid=destroy-confirm]", "destroy this vault")
        .await?;
    app.click("[data-testid=destroy-vault]").await?;
    app.wait_text("body", "Create your vault").await?;
    for name in ["vault.db", "vault.db-wal", "vault.db-shm"] {
        ensure!(!dir.join(name).exists(), "{name} is still there");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn screenshots_of_each_screen_with_the_demo_data() -> Result<()> {
    if !enabled("the screenshot run") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let out = root().join("docs/screenshots");
    let app = launch(dir.path(), false).await?;
    let result = async {
        app.el("[data-testid=try-demo]").await?;
        app.screenshot(&out.join("first-run.png")).await?;
        app.click("[data-testid=try-demo]").await?;
        app.wait_until(
            "the demo beliefs",
            "return document.querySelectorAll('[data-testid=belief-row]').length > 5",
            json!([]),
        )
        .await?;
        // Open a belief that has a history: rectify one first.
        app.js(
            "document.querySelectorAll('[data-testid=belief-row]')[3].click()",
            json!([]),
        )
        .await?;
        app.el("[data-testid=rectify]").await?;
        app.click("[data-testid=rectify]").await?;
        app.fill("#rect-confidence", "").await.ok();
        app.js(
            "const r = document.querySelector('#rect-confidence'); r.value = '95'; \
             r.dispatchEvent(new Event('input', { bubbles: true }));",
            json!([]),
        )
        .await?;
        app.fill(
            "#rect-reason",
            "I write British English everywhere, not just at work",
        )
        .await?;
        app.click("[data-testid=rectify-form] button[type=submit]")
            .await?;
        app.wait_text("[data-testid=history]", "British English everywhere")
            .await?;
        app.screenshot(&out.join("beliefs.png")).await?;

        app.click("[data-testid=add]").await?;
        app.fill("#add-statement", "Is learning to play the cello")
            .await?;
        app.choose("#add-type", "goals").await?;
        app.screenshot(&out.join("add-belief.png")).await?;
        app.click("[data-testid=add-form] button[type=button]")
            .await?;

        app.fill("[data-testid=search]", "prefers").await?;
        app.wait_until(
            "the search",
            "return document.querySelector('[data-testid=count]').textContent.includes(' of ')",
            json!([]),
        )
        .await?;
        app.screenshot(&out.join("beliefs-search.png")).await?;

        app.click("[data-testid=nav-audit]").await?;
        app.wait_text("[data-testid=verdict]", "intact").await?;
        app.screenshot(&out.join("audit.png")).await?;

        app.click("[data-testid=nav-transfer]").await?;
        app.el("[data-testid=export-form]").await?;
        app.screenshot(&out.join("export-import.png")).await?;

        app.click("[data-testid=nav-settings]").await?;
        app.el("[data-testid=erase-confirm]").await?;
        app.screenshot(&out.join("settings.png")).await?;

        app.click("[data-testid=lock]").await?;
        app.el("[data-testid=demo-hint]").await?;
        app.screenshot(&out.join("unlock.png")).await?;
        app.fill("#unlock-passphrase", DEMO_PASSPHRASE).await?;
        app.click("form button[type=submit]").await?;
        app.el("[data-testid=belief-row]").await?;
        Ok::<_, anyhow::Error>(())
    }
    .await
    .context("screenshot run");
    finish(app, result).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reports_screen_saves_the_access_package_of_the_demo_vault() -> Result<()> {
    if !enabled("the reports end-to-end test") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let app = launch(dir.path(), true).await?;
    let result = reports(&app, dir.path()).await;
    finish(app, result).await
}

/// The one file in `dir/exports` whose name starts with `prefix`.
fn saved_file(dir: &Path, prefix: &str) -> Result<std::path::PathBuf> {
    let found: Vec<_> = std::fs::read_dir(dir.join("exports"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    ensure!(found.len() == 1, "one {prefix} file: {found:?}");
    Ok(found[0].clone())
}

async fn reports(app: &App, dir: &Path) -> Result<()> {
    step("the demo vault, and a belief whose text looks like HTML");
    app.click("[data-testid=try-demo]").await?;
    app.el("[data-testid=belief-row]").await?;
    let tricky = "Enjoys <b>bold</b> <img src=x> claims";
    add_belief(app, tricky, "preferences").await?;
    let beliefs = app.call("list_beliefs", json!({})).await?;
    let count = beliefs.as_array().context("beliefs")?.len();

    step("the Reports screen (Alt+8) shows the report for the last 30 days");
    app.js(
        "window.dispatchEvent(new KeyboardEvent('keydown', { key: '8', altKey: true }))",
        json!([]),
    )
    .await?;
    app.wait_text("[data-testid=report-total]", &count.to_string())
        .await?;
    app.wait_text("[data-testid=report-verdict]", "The chain is intact")
        .await?;
    app.el("[data-testid=report-chart-empty]").await?;

    step("save the access package as JSON: every belief, with its recipients, rights and logic");
    app.choose("[data-testid=save-format]", "json").await?;
    app.click("[data-testid=save-access]").await?;
    app.wait_text("[data-testid=saved]", "selfmodel-access-package")
        .await?;
    let file = saved_file(dir, "selfmodel-access-package")?;
    ensure!(
        file.extension().is_some_and(|e| e == "json"),
        "{}",
        file.display()
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file)?)?;
    ensure!(
        doc["format"] == "selfmodel-gdpr-access-v1",
        "{}",
        doc["format"]
    );
    let held = doc["beliefs"].as_array().context("beliefs")?;
    ensure!(
        held.len() == count,
        "{} beliefs, {count} in the vault",
        held.len()
    );
    ensure!(
        held.iter().any(|b| b["statement"] == tricky),
        "the added belief is in the package"
    );
    ensure!(
        held.iter().all(|b| b["recipients"] == json!([])),
        "the demo vault disclosed nothing"
    );
    ensure!(doc["rights"].as_array().is_some_and(|r| r.len() >= 5));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file)?.permissions().mode();
    ensure!(mode & 0o777 == 0o600, "the package is private: {mode:o}");

    step("the HTML package is self-contained and shows belief text as text");
    std::fs::remove_file(&file)?;
    app.choose("[data-testid=save-format]", "html").await?;
    app.click("[data-testid=save-access]").await?;
    app.wait_text("[data-testid=saved]", ".html").await?;
    let html = std::fs::read_to_string(saved_file(dir, "selfmodel-access-package")?)?;
    ensure!(html.contains("Enjoys &lt;b&gt;bold&lt;/b&gt; &lt;img src=x&gt; claims"));
    for forbidden in ["<script", "<img", "<b>", "<link", "url("] {
        ensure!(!html.contains(forbidden), "the page contains {forbidden}");
    }

    step("the CCPA disclosure and the report save too; each package is on the audit chain");
    app.click("[data-testid=save-right-to-know]").await?;
    app.wait_text("[data-testid=saved]", "selfmodel-right-to-know")
        .await?;
    let rtk = std::fs::read_to_string(saved_file(dir, "selfmodel-right-to-know")?)?;
    ensure!(rtk.contains("Right to know (CCPA)") && !rtk.contains(tricky));
    app.click("[data-testid=save-report]").await?;
    app.wait_text("[data-testid=saved]", "selfmodel-transparency-report")
        .await?;
    saved_file(dir, "selfmodel-transparency-report")?;
    let log = app
        .call(
            "audit_log",
            json!({"before": null, "action": "package.generated"}),
        )
        .await?;
    let generated = log["events"]
        .as_array()
        .context("events")?
        .iter()
        .filter(|e| e["action"] == "package.generated")
        .count();
    ensure!(generated == 3, "{generated} package.generated events");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vendor_asks_is_approved_reads_and_is_revoked() -> Result<()> {
    use selfmodel_client::{BeliefQuery, Client, Discovery, GrantRequest, Operation, Proposal};

    if !enabled("the vendor end-to-end test") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    // The app's vendor API on a free port, its discovery file in this test's runtime dir.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    std::fs::write(
        dir.path().join("vault.db.settings.json"),
        serde_json::to_vec(&json!({ "api_enabled": true, "api_port": port }))?,
    )?;
    let run = dir.path().join("run");
    std::fs::create_dir_all(&run)?;
    let run_dir = run.display().to_string();
    let app = App::launch(
        &dir.path().join("vault.db"),
        &[
            ("SELFMODEL_E2E_AUTO_CONFIRM", "1"),
            ("XDG_RUNTIME_DIR", &run_dir),
        ],
    )
    .await?;
    let result = async {
        step("the demo vault; the API starts with the unlock");
        app.click("[data-testid=try-demo]").await?;
        app.el("[data-testid=belief-row]").await?;
        app.click("[data-testid=nav-settings]").await?;
        app.wait_text(
            "[data-testid=api-status]",
            &format!("Listening on 127.0.0.1:{port}"),
        )
        .await?;

        step("a vendor finds the server, checks its identity and asks for a grant over HTTP");
        let discovery = Discovery::load(&run.join("selfmodel/api.json"))?;
        let (vendor, _key) = Client::pair(&discovery).await?;
        let ask = GrantRequest::new(
            "org.example.e2e-vendor",
            "E2E Vendor",
            "Match the tone of answers to how you like to be addressed",
        )
        .purposes(["communication"])
        .categories(["communication-style"])
        .operations([Operation::Read, Operation::Propose])
        .duration_days(7)
        .vendor_retention_days(1);
        let pending = vendor.request_grant(&ask).await?;

        step("the inbox badge counts it (the core's watcher also notifies the desktop)");
        app.wait_text("[data-testid=inbox-badge]", "1").await?;

        step("the request is in the inbox with its user code; approve it");
        app.click("[data-testid=nav-inbox]").await?;
        app.wait_text("[data-testid=grant-request]", "E2E Vendor")
            .await?;
        let code = app.text("[data-testid=user-code]").await?;
        ensure!(
            code == pending.user_code,
            "user code {code} vs {}",
            pending.user_code
        );
        let shots = root().join("docs/screenshots");
        app.screenshot(&shots.join("inbox.png")).await?;
        app.click("[data-testid=approve]").await?;
        app.wait_text("body", "Approved: E2E Vendor can now read")
            .await?;

        step("the vendor collects its token and reads for its purpose");
        let approval = vendor.wait_for_approval(&pending).await?;
        let reader = vendor.with_token(approval.token);
        let read = reader
            .all_beliefs(&BeliefQuery::new("communication"))
            .await?;
        ensure!(!read.is_empty(), "the vendor read beliefs");
        ensure!(
            read.iter().all(|b| b.category == "communication-style"),
            "only the granted type"
        );

        step("the vendor proposes a belief; the person accepts it from the inbox");
        let proposal = Proposal::new(
            "Prefers answers with a short summary first",
            "communication-style",
            0.7,
        )
        .purposes(["communication"]);
        let receipt = reader.propose(&proposal).await?;
        ensure!(
            receipt.status == selfmodel_client::ProposalStatus::Pending,
            "a proposal waits: {receipt:?}"
        );
        app.click("[data-testid=nav-inbox]").await?;
        app.wait_text(
            "[data-testid=proposal]",
            "Prefers answers with a short summary first",
        )
        .await?;
        app.click("[data-testid=proposal] button.primary").await?;
        app.wait_text("body", "Accepted: the belief is now part of your model")
            .await?;
        app.click("[data-testid=nav-beliefs]").await?;
        app.fill("[data-testid=search]", "short summary first")
            .await?;
        app.wait_text(
            "[data-testid=belief-row] .statement",
            "Prefers answers with a short summary first",
        )
        .await?;

        step("the read shows in Activity and under Vendors");
        app.click("[data-testid=nav-activity]").await?;
        app.wait_text("[data-testid=activity]", "E2E Vendor")
            .await?;
        app.wait_text("[data-testid=activity]", "disclosed").await?;
        app.screenshot(&shots.join("activity.png")).await?;
        app.click("[data-testid=nav-vendors]").await?;
        app.wait_text("[data-testid=grant]", "E2E Vendor").await?;
        app.screenshot(&shots.join("vendors.png")).await?;

        step("the read shows in the Reports screen's chart");
        app.click("[data-testid=nav-reports]").await?;
        app.wait_text("[data-testid=report-legend]", "E2E Vendor")
            .await?;
        app.el("[data-testid=report-bar]").await?;
        app.screenshot(&shots.join("reports.png")).await?;
        app.click("[data-testid=nav-vendors]").await?;
        app.el("[data-testid=grant]").await?;

        step("pause sharing from the header; the vendor is refused until the person resumes");
        let before = reader
            .all_beliefs(&BeliefQuery::new("communication"))
            .await?;
        app.click("[data-testid=pause-sharing]").await?;
        app.wait_text("[data-testid=sharing-paused]", "Sharing paused")
            .await?;
        let paused = reader.beliefs(&BeliefQuery::new("communication")).await;
        ensure!(
            matches!(paused, Err(selfmodel_client::Error::Paused(_))),
            "a paused vault shares nothing: {paused:?}"
        );
        app.click("[data-testid=resume-sharing]").await?;
        app.el("[data-testid=pause-sharing]").await?;
        let resumed = reader
            .all_beliefs(&BeliefQuery::new("communication"))
            .await?;
        ensure!(resumed == before, "resuming restores the grant as it was");

        step("Settings: the access log keeps requests in detail for the period chosen");
        app.click("[data-testid=nav-settings]").await?;
        app.fill("[data-testid=access-log-days]", "90").await?;
        app.click("[data-testid=save-access-log-days]").await?;
        app.wait_text(
            "[data-testid=access-log-message]",
            "requests are kept in detail for 90 days",
        )
        .await?;
        let kept = app.invoke("access_log_retention", json!({})).await?;
        ensure!(kept == Ok(json!(90)), "the core keeps 90 days: {kept:?}");
        let refused = app
            .invoke("set_access_log_retention", json!({ "days": 5 }))
            .await?;
        ensure!(refused.is_err(), "under a month is refused: {refused:?}");
        let kept = app.invoke("access_log_retention", json!({})).await?;
        ensure!(kept == Ok(json!(90)), "a refused call changes nothing");
        app.click("[data-testid=nav-vendors]").await?;
        app.el("[data-testid=grant]").await?;

        step("revoke; the vendor is refused from its next request");
        app.click("[data-testid=revoke]").await?;
        app.click("[data-testid=confirm-revoke]").await?;
        app.wait_text("body", "Revoked: E2E Vendor").await?;
        let refused = reader.beliefs(&BeliefQuery::new("communication")).await;
        ensure!(refused.is_err(), "a revoked grant reads nothing");
        let status = refused.err().and_then(|e| e.status());
        ensure!(
            matches!(status, Some(401 | 403)),
            "refused with 401/403, got {status:?}"
        );

        step("locking stops the API");
        app.click("[data-testid=lock]").await?;
        app.el("#unlock-passphrase").await?;
        let after_lock = vendor.verify_server().await;
        ensure!(after_lock.is_err(), "no API while locked");
        Ok::<_, anyhow::Error>(())
    }
    .await;
    finish(app, result).await
}

/// Unlocks the vault the app opened with this file's passphrase.
async fn unlock(app: &App) -> Result<()> {
    app.fill("#unlock-passphrase", PASSPHRASE).await?;
    app.click("form button[type=submit]").await?;
    app.el("[data-testid=nav-inbox]").await.map(drop)
}
