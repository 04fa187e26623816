//! The Selfmodel desktop app: a thin Tauri v2 shell over the `selfmodel` use-case layer.
//!
//! - [`commands`]: the IPC commands, one-line calls into `selfmodel`.
//! - [`dto`]: the IPC wire types (TypeScript types are generated from them).
//! - [`state`]: the unlocked model (`None` = locked), settings and auto-lock.
//! - [`confirm`]: native confirmation dialogs, opened from Rust.
//!
//! Security rules (docs/desktop.md): the main window's capability allows exactly
//! [`command_names::COMMANDS`]; the isolation app vets every IPC message; a strict CSP; no remote
//! content, no shell or fs plugins.

/// The list of IPC commands, shared with `build.rs`.
pub mod command_names;
pub mod commands;
pub mod confirm;
pub mod dto;
pub mod settings;
pub mod state;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tauri::{Emitter, Manager, RunEvent};

use state::AppState;

/// The event the UI hears when the app locked the vault by itself (auto-lock).
pub const LOCKED_EVENT: &str = "vault-locked";

/// The event the UI hears when the vault's state changed without it asking (the demo vault was
/// opened at start).
pub const STATUS_EVENT: &str = "vault-status";

/// The event that carries how many items wait in the inbox (the badge).
pub const INBOX_EVENT: &str = "inbox-count";

/// How often, in watcher ticks, it looks for unusual vendor access (about once a minute).
const ALERT_TICKS: u64 = 12;

/// How often the watcher looks at the idle time and the inbox.
const WATCH_TICK: Duration = Duration::from_secs(5);

/// `SELFMODEL_VAULT`, else `vault.db` in the platform data directory (as the CLI does).
pub fn vault_path() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("SELFMODEL_VAULT").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("org", "Selfmodel", "selfmodel")
        .context("no home directory to keep the vault in; set SELFMODEL_VAULT")?;
    Ok(dirs.data_dir().join("vault.db"))
}

/// Builds and runs the app until its window closes.
pub fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SELFMODEL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let path = vault_path()?;
    tracing::info!(vault = %path.display(), "starting");
    let state = AppState::new(path);
    // `SELFMODEL_DEMO=1` (scripts/start): where there is no vault yet, open with the demo vault,
    // exactly as the "Try the demo" button makes it.
    let demo = std::env::var_os("SELFMODEL_DEMO").is_some_and(|v| v == "1")
        && !state.vault_path().exists();

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(state)
        .setup(move |app| {
            if let Some(w) = app
                .get_webview_window("main")
                .filter(|_| confirm::auto_confirm())
            {
                w.set_title("Selfmodel — TEST BUILD: confirmations are auto-accepted")?;
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                handle.state::<AppState>().enforce_retention();
                if demo {
                    open_demo(&handle).await;
                }
                watch(&handle).await;
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::vault_status,
            commands::create_vault,
            commands::create_demo_vault,
            commands::unlock,
            commands::lock,
            commands::touch,
            commands::catalogue,
            commands::list_beliefs,
            commands::get_belief,
            commands::add_belief,
            commands::rectify_belief,
            commands::delete_belief,
            commands::delete_beliefs,
            commands::erase_all,
            commands::destroy_vault,
            commands::verify_audit,
            commands::audit_log,
            commands::change_passphrase,
            commands::set_retention,
            commands::run_retention,
            commands::get_settings,
            commands::set_auto_lock,
            commands::access_log_retention,
            commands::set_access_log_retention,
            commands::api_status,
            commands::set_api,
            commands::set_sharing_paused,
            commands::export_beliefs,
            commands::import_choose,
            commands::import_preview,
            commands::import_commit,
            commands::import_cancel,
            commands::grant_requests,
            commands::preview_request,
            commands::approve_request,
            commands::deny_request,
            commands::list_grants,
            commands::revoke_grant,
            commands::access_log,
            commands::belief_recipients,
            commands::inbox,
            commands::accept_proposal,
            commands::reject_proposal,
            commands::transparency_report,
            commands::save_report,
            commands::save_access_package,
            commands::save_right_to_know,
        ])
        .build(tauri::generate_context!())
        .context("cannot start the desktop app")?;

    app.run(|handle, event| {
        if let RunEvent::Exit = event
            && let Err(e) = tauri::async_runtime::block_on(handle.state::<AppState>().shutdown())
        {
            tracing::warn!("closing the vault at exit: {e}");
        }
    });
    Ok(())
}

/// Creates and opens the demo vault at start (`SELFMODEL_DEMO=1`), then tells the window.
async fn open_demo(app: &tauri::AppHandle) {
    let state = app.state::<AppState>();
    let opened = async {
        let (model, n) = commands::demo_model(state.vault_path().to_path_buf()).await?;
        commands::mark_demo(&state)?;
        state.set_unlocked(model).await?;
        Ok::<_, dto::IpcError>(n)
    };
    match opened.await {
        Ok(n) => {
            tracing::info!(beliefs = n, "created the demo vault");
            let _ = app.emit(STATUS_EVENT, "unlocked");
        }
        Err(e) => tracing::error!("cannot create the demo vault: {e}"),
    }
}

/// Every few seconds: locks the vault when it has been idle for the configured time (and tells
/// the window), and while unlocked counts what waits in the inbox — grant requests and proposed
/// beliefs — telling the window (its badge) and, when more arrived, the desktop (a notification
/// shown from Rust; the webview has no notification permission).
async fn watch(app: &tauri::AppHandle) {
    use std::collections::BTreeSet;
    let mut waiting = BTreeSet::<String>::new();
    let mut alerted = BTreeSet::<String>::new();
    let mut tick: u64 = 0;
    loop {
        tokio::time::sleep(WATCH_TICK).await;
        tick += 1;
        let state = app.state::<AppState>();
        match state.lock_if_idle(Instant::now()).await {
            Ok(true) => {
                waiting.clear();
                if let Err(e) = app.emit(LOCKED_EVENT, "idle") {
                    tracing::warn!("cannot tell the window about auto-lock: {e}");
                }
                continue;
            }
            Ok(false) => {}
            Err(e) => tracing::warn!("auto-lock failed: {e}"),
        }
        if !state.is_unlocked() {
            waiting.clear();
            continue;
        }
        let now = state
            .peek(|m| {
                let requests = m.grant_requests(true)?.into_iter().map(|r| r.id);
                let proposals = m.inbox()?.into_iter().map(|b| b.id.to_string());
                Ok(requests.chain(proposals).collect::<BTreeSet<_>>())
            })
            .await;
        if tick % ALERT_TICKS == 1 {
            watch_alerts(app, &state, &mut alerted).await;
        }
        let Ok(now) = now else { continue };
        if now != waiting {
            let _ = app.emit(INBOX_EVENT, now.len());
            let new = now.difference(&waiting).count();
            if new > 0 {
                notify(app, new);
            }
            waiting = now;
        }
    }
}

/// Every [`ALERT_TICKS`] ticks while unlocked: today's unusual vendor access (rate spikes,
/// unusual hours, denial bursts; see `selfmodel_core::monitor`), each shown once as a desktop
/// notification. The same alerts are in `selfmodel alerts` and the transparency report.
async fn watch_alerts(
    app: &tauri::AppHandle,
    state: &AppState,
    alerted: &mut std::collections::BTreeSet<String>,
) {
    let today = chrono::Utc::now();
    let Ok(alerts) = state.peek(move |m| m.alerts(Some(today), None)).await else {
        return;
    };
    for alert in alerts {
        if alerted.insert(alert.key()) {
            tracing::warn!(
                vendor = alert.vendor_id.as_deref().unwrap_or("-"),
                kind = alert.kind.code(),
                "unusual vendor access"
            );
            show(
                app,
                &format!("Unusual vendor access: {}.", alert.describe()),
            );
        }
    }
}

fn notify(app: &tauri::AppHandle, new: usize) {
    let body = if new == 1 {
        "A vendor is waiting for your answer in the Inbox.".to_owned()
    } else {
        format!("{new} new items are waiting for your answer in the Inbox.")
    };
    show(app, &body);
}

/// Shows a desktop notification (from Rust: the webview has no notification permission).
fn show(app: &tauri::AppHandle, body: &str) {
    use tauri_plugin_notification::NotificationExt;
    if let Err(e) = app
        .notification()
        .builder()
        .title("Selfmodel")
        .body(body)
        .show()
    {
        tracing::info!("no desktop notification: {e}");
    }
}
