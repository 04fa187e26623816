//! The person's side of vendor access on the command line — grant requests, grants, the inbox of
//! proposals, the access log — and `serve`, which runs the vendor API on the unlocked vault.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use selfmodel::{AccessFilter, Selfmodel};
use selfmodel_core::audit::canonical_time;
use selfmodel_core::{AccessEntry, BeliefId, GrantRequest, Narrowing, Operation, Outcome};
use serde_json::json;

use crate::output::JsonArray;

/// `selfmodel grant ...`
#[derive(Subcommand)]
pub enum GrantCmd {
    /// Grant requests waiting for you (all of them with --all)
    Requests {
        /// Include decided and lapsed requests
        #[arg(long)]
        all: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Exactly which beliefs a request would disclose, per purpose (optionally narrowed)
    Preview {
        /// The request id
        request: String,
        #[command(flatten)]
        narrow: NarrowArgs,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Approve a request, optionally narrowing it
    Approve {
        /// The request id
        request: String,
        #[command(flatten)]
        narrow: NarrowArgs,
    },
    /// Deny a request
    Deny {
        /// The request id
        request: String,
    },
    /// Every grant, with scope, expiry, last use and access count
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Revoke a grant: its token is refused from the next request on
    Revoke {
        /// The grant id
        grant: String,
    },
    /// Whether web pages may ask for grants (off until you turn it on); no argument shows it
    WebVendors {
        /// Turn web vendors on or off
        #[arg(value_parser = ["on", "off"])]
        state: Option<String>,
    },
}

/// How to narrow a request when approving or previewing it.
#[derive(Args)]
pub struct NarrowArgs {
    /// Allow only this purpose (repeatable)
    #[arg(long = "purpose", value_name = "PURPOSE")]
    purposes: Vec<String>,
    /// Allow only this category (repeatable)
    #[arg(long = "category", value_name = "CATEGORY")]
    categories: Vec<String>,
    /// Allow only this operation: read, read_evidence or propose (repeatable)
    #[arg(long = "operation", value_name = "OP")]
    operations: Vec<String>,
    /// Fewer days than asked
    #[arg(long)]
    days: Option<u32>,
    /// Allow only this web origin (repeatable; one the request asked for)
    #[arg(long = "origin", value_name = "ORIGIN", conflicts_with = "no_origins")]
    origins: Vec<String>,
    /// Allow no web origin: native use only
    #[arg(long)]
    no_origins: bool,
    /// Leave out special categories of data (health, beliefs, ...)
    #[arg(long)]
    no_special: bool,
    /// Disclose only beliefs you confirmed within their type's review interval, in every read
    #[arg(long)]
    fresh_only: bool,
}

impl NarrowArgs {
    fn narrowing(&self) -> Result<Narrowing> {
        let some = |v: &Vec<String>| (!v.is_empty()).then(|| v.iter().cloned().collect());
        Ok(Narrowing {
            purposes: some(&self.purposes),
            categories: some(&self.categories),
            operations: if self.operations.is_empty() {
                None
            } else {
                Some(
                    self.operations
                        .iter()
                        .map(|o| o.parse::<Operation>())
                        .collect::<Result<_, _>>()?,
                )
            },
            duration_days: self.days,
            origins: if self.no_origins {
                Some(Default::default())
            } else {
                some(&self.origins)
            },
            no_special: self.no_special,
            fresh_only: self.fresh_only,
        })
    }
}

/// `selfmodel serve`
#[derive(Args)]
pub struct ServeArgs {
    /// TCP port on 127.0.0.1 and ::1 (0 picks a free one)
    #[arg(long, default_value_t = selfmodel_http::DEFAULT_PORT)]
    port: u16,
    /// Do not open the Unix socket for native vendors
    #[arg(long)]
    no_socket: bool,
    /// Where to write the discovery file [default: $XDG_RUNTIME_DIR/selfmodel/api.json]
    #[arg(long, value_name = "FILE")]
    discovery: Option<PathBuf>,
    /// Requests per second allowed per grant
    #[arg(long, default_value_t = 50)]
    rate_limit: u32,
    /// Add the unlogged replay endpoint used as the load benchmark's baseline (never for real use)
    #[arg(long, hide = true)]
    bench_baseline: bool,
}

/// `selfmodel access-log`
#[derive(Args)]
pub struct AccessLogArgs {
    /// Only this vendor id
    #[arg(long)]
    vendor: Option<String>,
    /// Only this grant
    #[arg(long)]
    grant: Option<String>,
    /// Only this purpose
    #[arg(long)]
    purpose: Option<String>,
    /// Only requests that disclosed this belief ("who received it")
    #[arg(long, value_name = "ID")]
    belief: Option<String>,
    /// Only refused requests
    #[arg(long)]
    refused: bool,
    /// Only the newest N entries (still printed oldest first)
    #[arg(long, value_name = "N")]
    last: Option<u64>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Runs a `grant` subcommand.
pub fn grant(model: &mut Selfmodel, cmd: GrantCmd) -> Result<()> {
    match cmd {
        GrantCmd::Requests { all, json } => {
            let requests = model.grant_requests(!all)?;
            if json {
                crate::output::print_json(&requests.iter().map(request_json).collect::<Vec<_>>())?;
            } else if requests.is_empty() {
                say!("no grant requests are waiting");
            } else {
                for r in &requests {
                    print_request(r);
                }
            }
        }
        GrantCmd::Preview {
            request,
            narrow,
            json,
        } => {
            let preview = model.preview_request(&request, &narrow.narrowing()?)?;
            if json {
                let out: Vec<_> = preview
                    .iter()
                    .map(|(p, bs)| json!({"purpose": p, "beliefs": bs.iter().map(|b| crate::json::belief(b, false)).collect::<Vec<_>>()}))
                    .collect();
                crate::output::print_json(&out)?;
            } else {
                for (purpose, beliefs) in &preview {
                    say!(
                        "for purpose '{purpose}' the vendor would receive {} beliefs:",
                        beliefs.len()
                    );
                    for b in beliefs {
                        say!(
                            "  {}  {:<20} {:.2}  {}",
                            b.id,
                            b.category,
                            b.confidence,
                            b.statement
                        );
                    }
                }
            }
        }
        GrantCmd::Approve { request, narrow } => {
            let g = model.approve_request(&request, &narrow.narrowing()?, "cli")?;
            say!(
                "approved: grant {} for {} until {}",
                g.id,
                g.vendor.name,
                canonical_time(&g.expires_at)
            );
            say!("the vendor receives its token at its next poll");
        }
        GrantCmd::Deny { request } => {
            model.deny_request(&request)?;
            say!("denied request {request}");
        }
        GrantCmd::List { json } => {
            let grants = model.grants()?;
            if json {
                let out: Vec<_> = grants
                    .iter()
                    .map(|s| {
                        let g = &s.grant;
                        json!({
                            "id": g.id, "vendor": {"id": g.vendor.id, "name": g.vendor.name, "url": g.vendor.url},
                            "purposes": g.scope.purposes, "categories": g.scope.categories,
                            "operations": g.scope.operations.iter().map(Operation::as_str).collect::<Vec<_>>(),
                            "max_sensitivity": g.scope.max_sensitivity.as_str(), "origins": g.scope.origins,
                            "fresh_only": g.scope.fresh_only, "vendor_retention_days": g.vendor_retention_days,
                            "created_at": canonical_time(&g.created_at), "expires_at": canonical_time(&g.expires_at),
                            "revoked_at": g.revoked_at.as_ref().map(canonical_time), "revoked_by": g.revoked_by,
                            "last_used_at": g.last_used_at.as_ref().map(canonical_time), "access_count": s.access_count,
                        })
                    })
                    .collect();
                crate::output::print_json(&out)?;
            } else if grants.is_empty() {
                say!("no grants");
            } else {
                for s in &grants {
                    let g = &s.grant;
                    let state = match (&g.revoked_at, g.is_live(chrono::Utc::now())) {
                        (Some(at), _) => format!("revoked {}", canonical_time(at)),
                        (None, true) => format!("live until {}", canonical_time(&g.expires_at)),
                        (None, false) => "expired".into(),
                    };
                    say!("{}  {} ({})  {state}", g.id, g.vendor.name, g.vendor.id);
                    say!(
                        "    purposes: {}; categories: {}{}; {} requests; last used {}",
                        join(&g.scope.purposes),
                        join(&g.scope.categories),
                        if g.scope.fresh_only {
                            "; recently confirmed beliefs only"
                        } else {
                            ""
                        },
                        s.access_count,
                        g.last_used_at
                            .as_ref()
                            .map_or("never".into(), canonical_time)
                    );
                }
            }
        }
        GrantCmd::Revoke { grant } => {
            model.revoke_grant(&grant)?;
            say!("revoked {grant}; its token is refused from the next request on");
        }
        GrantCmd::WebVendors { state } => {
            if let Some(state) = state {
                model.set_web_vendors(state == "on")?;
            }
            if model.web_vendors()? {
                say!("web vendors: on (web pages may ask for grants; you approve each one)");
            } else {
                say!("web vendors: off (web pages cannot ask for grants)");
            }
        }
    }
    Ok(())
}

/// `selfmodel pause` and `selfmodel resume`.
pub fn pause(model: &mut Selfmodel, paused: bool) -> Result<()> {
    model.set_paused(paused)?;
    if paused {
        say!(
            "sharing paused: every vendor read and proposal is refused until `selfmodel resume`; nothing was revoked"
        );
    } else {
        say!("sharing resumed: grants work as they did before the pause");
    }
    Ok(())
}

fn join<'a>(it: impl IntoIterator<Item = &'a String>) -> String {
    it.into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_request(r: &GrantRequest) {
    say!(
        "{}  {}  code {}  [{}]",
        r.id,
        r.vendor.name,
        r.user_code,
        r.status.as_str()
    );
    if let Some(o) = &r.web_origin {
        say!("    requested by the web page {o} — not by an app on this machine");
    }
    say!(
        "    vendor id {} (self-asserted){}",
        r.vendor.id,
        r.vendor
            .url
            .as_deref()
            .map(|u| format!(", {u}"))
            .unwrap_or_default()
    );
    say!(
        "    purposes: {}; categories: {}",
        join(&r.scope.purposes),
        join(&r.scope.categories)
    );
    say!(
        "    operations: {}; sensitivity up to {}; {} days; keeps what it reads {} days",
        r.scope
            .operations
            .iter()
            .map(Operation::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        r.scope.max_sensitivity.as_str(),
        r.duration_days,
        r.vendor_retention_days
    );
    if !r.scope.origins.is_empty() {
        say!(
            "    web origins that may use it: {}",
            join(&r.scope.origins)
        );
    }
    if r.scope.fresh_only {
        say!("    only beliefs you confirmed within their type's review interval");
    }
    say!("    why: {}", r.justification);
}

fn request_json(r: &GrantRequest) -> serde_json::Value {
    json!({
        "id": r.id, "vendor": {"id": r.vendor.id, "name": r.vendor.name, "url": r.vendor.url},
        "purposes": r.scope.purposes, "categories": r.scope.categories,
        "operations": r.scope.operations.iter().map(Operation::as_str).collect::<Vec<_>>(),
        "max_sensitivity": r.scope.max_sensitivity.as_str(), "min_confidence": r.scope.min_confidence,
        "origins": r.scope.origins, "fresh_only": r.scope.fresh_only, "duration_days": r.duration_days,
        "vendor_retention_days": r.vendor_retention_days, "justification": r.justification,
        "user_code": r.user_code, "status": r.status.as_str(),
        "created_at": canonical_time(&r.created_at), "expires_at": canonical_time(&r.expires_at),
        "grant_id": r.grant_id, "web_origin": r.web_origin,
    })
}

/// `selfmodel inbox`: beliefs vendors proposed.
pub fn inbox(model: &mut Selfmodel, json: bool) -> Result<()> {
    let inbox = model.inbox_with_matches()?;
    if json {
        crate::output::print_json(
            &inbox
                .iter()
                .map(|(b, same)| {
                    let mut v = serde_json::to_value(crate::json::belief(b, false))?;
                    v["same_as"] =
                        serde_json::to_value(same.as_ref().map(crate::json::SameAsOut::from))?;
                    Ok(v)
                })
                .collect::<Result<Vec<_>>>()?,
        )?;
    } else if inbox.is_empty() {
        say!("the inbox is empty");
    } else {
        for (b, same) in &inbox {
            say!(
                "{}  {:<20} {:.2}  {}  (from {})",
                b.id,
                b.category,
                b.confidence,
                b.statement,
                b.provenance.actor
            );
            if let Some(s) = same {
                say!(
                    "    same as {} \"{}\" ({:.2}): `selfmodel belief merge {}` adds its evidence there",
                    s.id,
                    s.statement,
                    s.similarity,
                    b.id
                );
            }
        }
    }
    Ok(())
}

/// `selfmodel access-log`: written entry by entry as the log is read.
pub fn access_log(model: &mut Selfmodel, a: AccessLogArgs) -> Result<()> {
    let filter = AccessFilter {
        grant_id: a.grant,
        vendor_id: a.vendor,
        purpose: a.purpose,
        belief_id: a
            .belief
            .as_deref()
            .map(str::parse::<BeliefId>)
            .transpose()?,
        denied_only: a.refused,
        limit: a.last,
        newest_first: a.last.is_some(),
        ..Default::default()
    };
    let mut json = a.json.then(JsonArray::default);
    let mut printed = 0u64;
    let mut print = |e: &AccessEntry| -> Result<()> {
        printed += 1;
        match &mut json {
            Some(array) => array.push(&access_json(e)),
            None => {
                access_line(e);
                Ok(())
            }
        }
    };
    if a.last.is_some() {
        // The newest N, read newest first and printed in the log's order.
        let mut newest = model.access_log(&filter)?;
        newest.reverse();
        newest.iter().try_for_each(&mut print)?;
    } else {
        crate::output::stream(|visit| model.for_each_access(&filter, visit), |e| print(&e))?;
    }
    match json {
        Some(array) => array.finish(),
        None if printed == 0 => say!("no vendor requests recorded"),
        None => {}
    }
    Ok(())
}

/// An access-log entry as `access-log --json` prints it.
fn access_json(e: &AccessEntry) -> serde_json::Value {
    let (outcome, reason) = match &e.outcome {
        Outcome::Allowed => ("allowed", None),
        Outcome::Denied(r) => ("denied", Some(r.as_str())),
    };
    json!({
        "seq": e.seq, "at": canonical_time(&e.at), "grant_id": e.grant_id, "vendor_id": e.vendor_id,
        "purpose": e.purpose, "operation": e.operation, "outcome": outcome, "reason": reason,
        "disclosed": e.disclosed.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "requests": e.requests,
    })
}

/// An access-log entry as one line of `access-log`.
fn access_line(e: &AccessEntry) {
    let outcome = match &e.outcome {
        Outcome::Allowed if e.requests > 1 => format!(
            "allowed, {} beliefs, {} requests in this minute",
            e.disclosed.len(),
            e.requests
        ),
        Outcome::Allowed => format!("allowed, {} beliefs", e.disclosed.len()),
        Outcome::Denied(r) if e.requests > 1 => {
            format!("DENIED ({r}), {} requests in this minute", e.requests)
        }
        Outcome::Denied(r) => format!("DENIED ({r})"),
    };
    say!(
        "{:>6}  {}  {:<18} {:<16} {:<18} {outcome}",
        e.seq,
        canonical_time(&e.at),
        e.vendor_id.as_deref().unwrap_or("-"),
        e.operation,
        e.purpose.as_deref().unwrap_or("-")
    );
}

/// `selfmodel alerts`
#[derive(Args)]
pub struct AlertsArgs {
    /// Look at the last DAYS days (UTC), today included (1 to 36,500)
    #[arg(long, default_value_t = 30, value_name = "DAYS",
          value_parser = clap::value_parser!(u32).range(1..=36_500))]
    days: u32,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// `selfmodel alerts`: exits 3 when there is an alert, so scripts can watch.
pub fn alerts(model: &mut Selfmodel, a: AlertsArgs) -> Result<ExitCode> {
    let from = chrono::Utc::now() - chrono::Duration::days(i64::from(a.days) - 1);
    let alerts = model.alerts(Some(from), None)?;
    if a.json {
        let out: Vec<_> = alerts
            .iter()
            .map(|x| {
                json!({
                    "vendor_id": x.vendor_id, "day": x.day.to_string(), "at": canonical_time(&x.at),
                    "kind": x.kind.code(), "description": x.describe(),
                })
            })
            .collect();
        crate::output::print_json(&out)?;
    } else if alerts.is_empty() {
        say!("no unusual vendor access in the last {} days", a.days);
    } else {
        for x in &alerts {
            say!("{}  {}", x.kind.code(), x.describe());
        }
    }
    Ok(if alerts.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

/// `selfmodel serve`: the vendor API on this vault until interrupted; beliefs past their
/// retention are erased hourly (and never disclosed in between).
pub fn serve(model: Selfmodel, path: &Path, a: ServeArgs) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let dir = selfmodel_http::discovery::default_dir();
        let config = selfmodel_http::ServerConfig {
            port: a.port,
            socket_dir: if a.no_socket { None } else { dir.clone() },
            discovery_file: a.discovery.or_else(|| dir.map(|d| d.join("api.json"))),
            rate_per_sec: a.rate_limit,
            rate_burst: a.rate_limit.saturating_mul(2),
            bench_baseline: a.bench_baseline,
            ..selfmodel_http::ServerConfig::default()
        };
        let vault = selfmodel_http::VaultHandle::spawn(Some(model));
        vault.enforce_retention();
        let server = selfmodel_http::start(vault.clone(), config).await?;
        say!(
            "serving the vendor API for {} on http://127.0.0.1:{}",
            path.display(),
            server.port
        );
        if let Some(s) = &server.socket {
            say!("unix socket: {}", s.display());
        }
        if let Some(d) = &server.discovery_file {
            say!("discovery file: {}", d.display());
        }
        wait_for_signal().await;
        say!("stopping");
        server.shutdown().await;
        vault.close().await?;
        Ok(())
    })
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
