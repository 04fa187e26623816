//! A harness that drives the real Selfmodel desktop app over WebDriver: it starts `tauri-driver`
//! (which starts WebKitWebDriver, which starts the app binary), connects with fantoccini and
//! offers the few verbs the tests need. Run under Xvfb; see `scripts/e2e`.
//!
//! The tests are skipped (with a notice) unless `SELFMODEL_E2E=1`, so `cargo test --workspace`
//! stays fast and needs no display.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::{Value, json};

/// How long a step may take before the test fails.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// The passphrase of demo vaults (the app's `DEMO_PASSPHRASE`).
pub const DEMO_PASSPHRASE: &str = "demo passphrase";

/// Whether the end-to-end tests should run; prints why not when they should not.
pub fn enabled(what: &str) -> bool {
    if std::env::var("SELFMODEL_E2E").as_deref() == Ok("1") {
        return true;
    }
    eprintln!(
        "skipped: {what} drives the real desktop app and runs only with SELFMODEL_E2E=1 \
         (use scripts/e2e: it builds the app and runs this under Xvfb)"
    );
    false
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The app binary: `SELFMODEL_DESKTOP_BIN`, else `target/debug/selfmodel-desktop`.
pub fn app_binary() -> Result<PathBuf> {
    let path = match std::env::var_os("SELFMODEL_DESKTOP_BIN") {
        Some(p) => PathBuf::from(p),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| root().join("target"), PathBuf::from)
            .join("debug/selfmodel-desktop"),
    };
    let path = std::fs::canonicalize(&path).with_context(|| {
        format!(
            "no app binary at {}; build it with `cargo build -p selfmodel-desktop --features e2e`",
            path.display()
        )
    })?;
    Ok(path)
}

/// Two distinct free ports from the OS (both held until both are known).
fn free_ports() -> Result<(u16, u16)> {
    let a = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let b = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok((a.local_addr()?.port(), b.local_addr()?.port()))
}

/// A running app with a WebDriver session on it.
pub struct App {
    driver: Child,
    /// The WebDriver session.
    pub client: Client,
    /// When the session was requested (the app's launch).
    pub launched_at: Instant,
}

impl App {
    /// Starts the app on the vault at `vault`, with extra environment variables for the app.
    pub async fn launch(vault: &Path, env: &[(&str, &str)]) -> Result<Self> {
        let binary = app_binary()?;
        let (port, native) = free_ports()?;
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("SELFMODEL_VAULT", vault)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = cmd.spawn().context(
            "cannot start tauri-driver (cargo install tauri-driver --locked --version '^2')",
        )?;
        // tauri-driver listens at once and proxies to WebKitWebDriver, which it starts on the
        // native port: wait for both.
        let deadline = Instant::now() + Duration::from_secs(60);
        for p in [port, native] {
            while TcpStream::connect((Ipv4Addr::LOCALHOST, p)).is_err() {
                if Instant::now() > deadline {
                    bail!("tauri-driver / WebKitWebDriver did not listen on port {p}");
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let caps = json!({
            "browserName": "wry",
            "tauri:options": { "application": binary },
        });
        let launched_at = Instant::now();
        let mut attempt = 0;
        let client = loop {
            attempt += 1;
            match ClientBuilder::rustls()
                .context("TLS setup")?
                .capabilities(caps.as_object().cloned().unwrap_or_default())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if attempt < 3 => {
                    eprintln!("e2e: no WebDriver session yet ({e}); retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(e).context("cannot open a WebDriver session on the app"),
            }
        };
        let app = Self {
            driver,
            client,
            launched_at,
        };
        app.client.set_window_size(1200, 800).await.ok();
        Ok(app)
    }

    /// Waits for an element matching `css`.
    pub async fn el(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(STEP_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element '{css}'"))
    }

    /// Whether an element matching `css` is in the page now.
    pub async fn has(&self, css: &str) -> Result<bool> {
        Ok(self
            .js(
                "return document.querySelector(arguments[0]) !== null",
                json!([css]),
            )
            .await?
            .as_bool()
            .unwrap_or(false))
    }

    /// Clicks the element matching `css`, scrolled to the middle of the window first (so that
    /// nothing fixed at an edge, like the test-build banner, covers it).
    pub async fn click(&self, css: &str) -> Result<()> {
        let e = self.el(css).await?;
        self.js(
            "document.querySelector(arguments[0])?.scrollIntoView({ block: 'center' })",
            json!([css]),
        )
        .await?;
        e.click()
            .await
            .with_context(|| format!("cannot click '{css}'"))
    }

    /// Replaces the text of the input matching `css`.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let e = self.el(css).await?;
        e.clear().await.ok();
        e.send_keys(text)
            .await
            .with_context(|| format!("cannot type into '{css}'"))
    }

    /// Sets a `<select>`'s value as a person choosing an option would.
    pub async fn choose(&self, css: &str, value: &str) -> Result<()> {
        self.el(css).await?;
        self.js(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1]; \
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            json!([css, value]),
        )
        .await
        .map(drop)
    }

    /// The text of the first element matching `css` (empty if none).
    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self
            .js(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : ''",
                json!([css]),
            )
            .await?
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_owned())
    }

    /// Waits until the text of `css` contains `expected`.
    pub async fn wait_text(&self, css: &str, expected: &str) -> Result<String> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let t = self.text(css).await?;
            if t.contains(expected) {
                return Ok(t);
            }
            if Instant::now() > deadline {
                bail!("'{css}' says {t:?}, not {expected:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `script` (a JavaScript expression's body returning a boolean) is true.
    pub async fn wait_until(&self, what: &str, script: &str, args: Value) -> Result<()> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            if self.js(script, args.clone()).await?.as_bool() == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("timed out waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs JavaScript in the page.
    pub async fn js(&self, script: &str, args: Value) -> Result<Value> {
        let args = args.as_array().cloned().unwrap_or_default();
        self.client
            .execute(script, args)
            .await
            .context("script failed")
    }

    /// Runs asynchronous JavaScript (its last argument is the callback).
    pub async fn js_async(&self, script: &str, args: Value) -> Result<Value> {
        let args = args.as_array().cloned().unwrap_or_default();
        self.client
            .execute_async(script, args)
            .await
            .context("async script failed")
    }

    /// Calls an IPC command that must succeed, straight from the page; its answer, or an error
    /// naming the command and what it answered.
    pub async fn call(&self, cmd: &str, args: Value) -> Result<Value> {
        self.invoke(cmd, args)
            .await?
            .map_err(|e| anyhow::anyhow!("{cmd}: {e}"))
    }

    /// Calls an IPC command straight from the page, as injected code would; returns
    /// `Ok(value)` or `Err(error as JSON)`.
    pub async fn invoke(
        &self,
        cmd: &str,
        args: Value,
    ) -> Result<std::result::Result<Value, Value>> {
        let r = self
            .js_async(
                "const [cmd, args, done] = arguments; \
                 const t = setTimeout(() => done({ err: 'no answer in 5 s' }), 5000); \
                 window.__TAURI_INTERNALS__.invoke(cmd, args) \
                   .then(ok => { clearTimeout(t); done({ ok: ok === undefined ? null : ok }); }, \
                         err => { clearTimeout(t); done({ err }); });",
                json!([cmd, args]),
            )
            .await?;
        Ok(match r.get("ok") {
            Some(v) => Ok(v.clone()),
            None => Err(r.get("err").cloned().unwrap_or(Value::Null)),
        })
    }

    /// Saves a PNG of the window.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let png = self.client.screenshot().await.context("screenshot")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png).with_context(|| format!("cannot write {}", path.display()))
    }

    /// The process id of the app (the child of WebKitWebDriver running the binary).
    pub fn app_pid(&self) -> Option<u32> {
        let binary = app_binary().ok()?;
        let driver = self.driver.id();
        // tauri-driver -> WebKitWebDriver -> app
        let children = |pid: u32| -> Vec<u32> {
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect()
        };
        children(driver)
            .into_iter()
            .flat_map(children)
            .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).ok() == Some(binary.clone()))
    }

    /// Ends the session (closing the app) and stops tauri-driver with SIGTERM, which also stops
    /// WebKitWebDriver (SIGKILL would leave it holding its port).
    pub async fn quit(mut self) -> Result<()> {
        let closed = self.client.clone().close().await;
        self.stop_driver();
        closed.context("closing the session")
    }

    fn stop_driver(&mut self) {
        let pid = self.driver.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.driver.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Ok(None) = self.driver.try_wait() {
            self.stop_driver();
        }
    }
}

/// Resident memory of a process and all its descendants, in KiB (Linux `/proc`).
pub fn tree_rss_kib(pid: u32) -> u64 {
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0);
    let children: Vec<u32> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|t| {
            std::fs::read_to_string(t.path().join("children"))
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect();
    rss + children.into_iter().map(tree_rss_kib).sum::<u64>()
}
