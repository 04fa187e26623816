//! `selfmodel report`: the transparency report as a self-contained HTML page (inline CSS and
//! SVG, no scripts, no external assets), Markdown, or JSON for machines. The data comes from
//! `selfmodel::report`; this module only renders it. No belief text is ever included: counts,
//! types, purposes, ids and hashes only.

use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::{Args, ValueEnum};
use selfmodel::report::{Period, Report};
use serde_json::{Value, json};

/// `selfmodel report`.
#[derive(Args)]
pub struct ReportArgs {
    /// Count vendor activity, exports and erasures from this date (YYYY-MM-DD, UTC, or RFC 3339)
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// ...up to and including this date (YYYY-MM-DD, UTC, or an RFC 3339 instant, exclusive)
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// html (self-contained page), md or json [default: from the file's extension, else html]
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The file to write (refuses to replace an existing file without --force)
    #[arg(long, short, value_name = "FILE")]
    out: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    force: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Html,
    Md,
    Json,
}

/// Runs `selfmodel report ...`.
pub fn report(vault: &Path, a: ReportArgs) -> Result<ExitCode> {
    let period = Period {
        from: a.from.as_deref().map(|d| instant(d, false)).transpose()?,
        to: a.to.as_deref().map(|d| instant(d, true)).transpose()?,
    };
    if let (Some(f), Some(t)) = (period.from, period.to)
        && f >= t
    {
        bail!("--from must be before --to");
    }
    let format = a
        .format
        .unwrap_or_else(|| match a.out.extension().and_then(|e| e.to_str()) {
            Some("json") => Format::Json,
            Some("md" | "markdown") => Format::Md,
            _ => Format::Html,
        });
    let mut model = crate::open(vault)?;
    let report = model.report(period)?;
    model.close()?;
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&to_json(&report))?;
            s.push('\n');
            s
        }
        Format::Md => markdown(&report),
        Format::Html => html(&report),
    };
    write_private(&a.out, text.as_bytes(), a.force)?;
    say!("wrote the transparency report to {}", a.out.display());
    Ok(ExitCode::SUCCESS)
}

/// A date (midnight UTC; for `--to`, the midnight after, so the day is included) or an
/// RFC 3339 instant.
fn instant(s: &str, end_of_day: bool) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("'{s}' is not a date (YYYY-MM-DD) or an RFC 3339 time"))?;
    let start = day.and_hms_opt(0, 0, 0).context("midnight")?.and_utc();
    Ok(if end_of_day {
        start + Duration::days(1)
    } else {
        start
    })
}

fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).mode(0o600);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).with_context(|| {
        if path.exists() && !force {
            format!("{} exists; add --force to replace it", path.display())
        } else {
            format!("cannot write {}", path.display())
        }
    })?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn opt_time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(time(t)))
}

fn pairs(v: &[(String, u64)]) -> Value {
    Value::Object(v.iter().map(|(k, n)| (k.clone(), json!(n))).collect())
}

/// The JSON wire form, built by hand so that the format does not follow refactors silently.
fn to_json(r: &Report) -> Value {
    let inv = &r.inventory;
    json!({
        "format": "selfmodel-report-v1",
        "generated_at": time(r.generated_at),
        "period": {"from": opt_time(r.period.from), "to": opt_time(r.period.to)},
        "vault_id": r.vault_id,
        "inventory": {
            "total": inv.total,
            "active": inv.active,
            "pending_proposals": inv.pending,
            "rejected": inv.rejected,
            "sensitivity": {"normal": inv.normal, "special": inv.special},
            "evidence": {"beliefs_with_evidence": inv.with_evidence, "items": inv.evidence_items},
            "below_threshold": inv.below_threshold,
            "by_type": inv.by_type.iter().map(|t| json!({
                "type": t.type_id,
                "name": t.name,
                "active": t.active,
                "pending": t.pending,
                "special": t.special,
                "with_evidence": t.with_evidence,
                "below_threshold": t.below_threshold,
                "min_share_confidence": t.min_share_confidence,
            })).collect::<Vec<_>>(),
            "by_purpose": pairs(&inv.by_purpose),
        },
        "retention": {
            "past_retention": r.retention.iter().map(|x| x.past_retention).sum::<u64>(),
            "by_type": r.retention.iter().map(|x| json!({
                "type": x.type_id,
                "retention_days": x.retention_days,
                "beliefs": x.beliefs,
                "oldest_created": opt_time(x.oldest_created),
                "next_expiry": opt_time(x.next_expiry),
                "past_retention": x.past_retention,
            })).collect::<Vec<_>>(),
        },
        "limits": {
            "statement_chars": r.limits.statement_chars,
            "evidence_summary_chars": r.limits.evidence_summary_chars,
            "source_chars": r.limits.source_chars,
            "evidence_per_belief": r.limits.evidence_per_belief,
            "refused_data": r.limits.refused_data,
            "allowed_purposes": r.limits.allowed_purposes.iter()
                .map(|(t, p)| (t.clone(), json!(p)))
                .collect::<serde_json::Map<_, _>>(),
        },
        "vendors": r.vendors.iter().map(|v| json!({
            "grant_id": v.grant.id,
            "vendor": {"id": v.grant.vendor.id, "name": v.grant.vendor.name, "url": v.grant.vendor.url},
            "state": v.state,
            "scope": {
                "purposes": v.grant.scope.purposes,
                "categories": v.grant.scope.categories,
                "operations": v.grant.scope.operations.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
                "max_sensitivity": v.grant.scope.max_sensitivity.as_str(),
                "min_confidence": v.grant.scope.min_confidence,
            },
            "vendor_retention_days": v.grant.vendor_retention_days,
            "created_at": time(v.grant.created_at),
            "expires_at": time(v.grant.expires_at),
            "revoked_at": opt_time(v.grant.revoked_at),
            "revoked_by": v.grant.revoked_by,
            "period": {
                "requests": v.requests,
                "disclosures": v.disclosures,
                "received": v.received.iter().map(|p| json!({
                    "purpose": p.purpose,
                    "requests": p.requests,
                    "disclosures": p.disclosures,
                    "distinct_beliefs": p.distinct_beliefs,
                    "by_type": pairs(&p.by_type),
                })).collect::<Vec<_>>(),
                "denied": pairs(&v.denied),
                "notices": pairs(&v.notices),
            },
        })).collect::<Vec<_>>(),
        "denied_without_grant": pairs(&r.denied_without_grant),
        "integrity": {
            "audit_chain": if r.integrity.intact { "intact" } else { "broken" },
            "events": r.integrity.events,
            "head": r.integrity.head,
            "first_bad_event": r.integrity.broken_at.as_ref().map(|b| b.0),
            "broken_reason": r.integrity.broken_at.as_ref().map(|b| b.1.clone()),
            "events_in_period": r.integrity.events_in_period,
            "exports_and_imports": r.integrity.transfers.iter().map(chain_entry).collect::<Vec<_>>(),
            "erasures": r.integrity.erasures.iter().map(chain_entry).collect::<Vec<_>>(),
            "beliefs_erased": r.integrity.beliefs_erased,
        },
        "controls": r.controls.iter().map(|c| json!({
            "framework": c.framework,
            "criterion": c.criterion,
            "mechanism": c.mechanism,
            "tests": c.tests,
        })).collect::<Vec<_>>(),
    })
}

fn chain_entry(e: &selfmodel::report::ChainEntry) -> Value {
    json!({"seq": e.seq, "at": time(e.at), "action": e.action, "beliefs": e.beliefs})
}

fn period_text(p: &Period) -> String {
    match (p.from, p.to) {
        (None, None) => "all time".into(),
        (Some(f), None) => format!("from {}", time(f)),
        (None, Some(t)) => format!("until {}", time(t)),
        (Some(f), Some(t)) => format!("{} to {}", time(f), time(t)),
    }
}

fn list(v: &[(String, u64)]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn joined<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    items
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report as Markdown. Vendor-supplied text is escaped for table cells.
fn markdown(r: &Report) -> String {
    let md = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('|', "\\|")
            .replace('`', "'")
            .replace(['\n', '\r'], " ")
    };
    let inv = &r.inventory;
    let mut o = String::new();
    let _ = writeln!(o, "# Selfmodel transparency report\n");
    let _ = writeln!(
        o,
        "Generated {} for vault `{}`. Period: {}.\n",
        time(r.generated_at),
        r.vault_id.as_deref().unwrap_or("unknown"),
        period_text(&r.period)
    );
    let _ = writeln!(o, "## Inventory\n");
    let _ = writeln!(
        o,
        "{} beliefs: {} active, {} pending proposals, {} rejected. Of the active: {} normal, {} special category; {} with evidence ({} pieces); {} below their type's confidence threshold (never shared).\n",
        inv.total,
        inv.active,
        inv.pending,
        inv.rejected,
        inv.normal,
        inv.special,
        inv.with_evidence,
        inv.evidence_items,
        inv.below_threshold
    );
    let _ = writeln!(
        o,
        "| Type | Active | Pending | Special | With evidence | Below threshold | Threshold |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for t in &inv.by_type {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&t.type_id),
            t.active,
            t.pending,
            t.special,
            t.with_evidence,
            t.below_threshold,
            t.min_share_confidence
        );
    }
    let _ = writeln!(
        o,
        "\nActive beliefs per purpose: {}.\n",
        list(&inv.by_purpose)
    );
    let _ = writeln!(o, "## Retention\n");
    let past: u64 = r.retention.iter().map(|x| x.past_retention).sum();
    let _ = writeln!(
        o,
        "{past} beliefs are past their type's retention (expired beliefs are erased at every unlock).\n"
    );
    let _ = writeln!(
        o,
        "| Type | Kept (days) | Beliefs | Oldest | Next expiry | Past retention |\n|---|---:|---:|---|---|---:|"
    );
    for x in &r.retention {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            md(&x.type_id),
            x.retention_days,
            x.beliefs,
            x.oldest_created.map_or("—".into(), time),
            x.next_expiry.map_or("—".into(), time),
            x.past_retention
        );
    }
    let l = &r.limits;
    let _ = writeln!(
        o,
        "\n## Limits every belief obeys\n\nStatements up to {} characters; evidence summaries up to {}; sources up to {}; at most {} pieces of evidence per belief; raw data is never stored, only its SHA-256. Refused in any text field: {}.\n",
        l.statement_chars,
        l.evidence_summary_chars,
        l.source_chars,
        l.evidence_per_belief,
        l.refused_data.join("; ")
    );
    let _ = writeln!(o, "## Vendors\n");
    if r.vendors.is_empty() {
        let _ = writeln!(o, "No vendor has ever held a grant.\n");
    }
    for v in &r.vendors {
        let g = &v.grant;
        let _ = writeln!(
            o,
            "### {} ({}) — {}\n\nGrant `{}`: purposes {}; types {}; operations {}; up to {} sensitivity; confidence at least {}; vendor keeps data {} days. Granted {}, expires {}{}.\n",
            md(&g.vendor.name),
            md(&g.vendor.id),
            v.state,
            g.id,
            joined(&g.scope.purposes),
            joined(&g.scope.categories),
            g.scope
                .operations
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            g.scope.max_sensitivity.as_str(),
            g.scope.min_confidence,
            g.vendor_retention_days,
            time(g.created_at),
            time(g.expires_at),
            g.revoked_at.map_or(String::new(), |t| format!(
                ", revoked {} by {}",
                time(t),
                g.revoked_by.as_deref().unwrap_or("?")
            ))
        );
        let _ = writeln!(
            o,
            "In the period: {} requests served (reads, proposals and grant calls), {} beliefs disclosed; denied: {}; notices sent: {}.\n",
            v.requests,
            v.disclosures,
            list(&v.denied),
            list(&v.notices)
        );
        if !v.received.is_empty() {
            let _ = writeln!(
                o,
                "| Purpose | Requests | Disclosures | Distinct beliefs | By type |\n|---|---:|---:|---:|---|"
            );
            for p in &v.received {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {} |",
                    md(&p.purpose),
                    p.requests,
                    p.disclosures,
                    p.distinct_beliefs,
                    md(&list(&p.by_type))
                );
            }
            let _ = writeln!(o);
        }
    }
    let _ = writeln!(
        o,
        "Refused requests without a valid grant in the period: {}.\n",
        list(&r.denied_without_grant)
    );
    integrity_md(&mut o, r);
    let _ = writeln!(
        o,
        "## Control map\n\n| Framework | Criterion or right | Mechanism | Proven by |\n|---|---|---|---|"
    );
    for c in r.controls {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            c.framework,
            md(c.criterion),
            md(c.mechanism),
            c.tests
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join("<br>")
        );
    }
    o
}

fn integrity_md(o: &mut String, r: &Report) {
    let i = &r.integrity;
    let _ = writeln!(o, "## Integrity\n");
    match (&i.head, &i.broken_at) {
        (Some(head), _) => {
            let _ = writeln!(
                o,
                "The audit chain verifies: {} events, head `{head}`. {} events in the period.\n",
                i.events, i.events_in_period
            );
        }
        (None, Some((seq, why))) => {
            let _ = writeln!(
                o,
                "**The audit chain is broken at event {seq}: {why}.** {} events.\n",
                i.events
            );
        }
        (None, None) => {}
    }
    let _ = writeln!(
        o,
        "Exports and imports in the period: {}. Erasures in the period: {} ({} beliefs).\n",
        i.transfers.len(),
        i.erasures.len(),
        i.beliefs_erased
    );
    for e in i.transfers.iter().chain(&i.erasures) {
        let _ = writeln!(
            o,
            "- #{} {} `{}`: {} beliefs",
            e.seq,
            time(e.at),
            e.action,
            e.beliefs
        );
    }
    if !i.transfers.is_empty() || !i.erasures.is_empty() {
        let _ = writeln!(o);
    }
}

/// HTML-escapes text.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}\
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #d5d9e0;padding-bottom:.2rem}\
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #d5d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right}th{background:#f2f4f7}code{font-size:.85em;word-break:break-all}\
.ok{color:#176b2c;font-weight:600}.bad{color:#a11;font-weight:600}.muted{color:#5b6472}\
figure{margin:1rem 0}svg text{font:12px system-ui,sans-serif}\
@media (prefers-color-scheme:dark){body{background:#14171c;color:#e4e7ec}th{background:#232831}th,td{border-color:#3a404b}.muted{color:#9aa3b2}svg text{fill:#e4e7ec}}";

/// The report as one HTML page: inline CSS and SVG, no scripts, nothing loaded from elsewhere
/// (the content security policy forbids it too).
fn html(r: &Report) -> String {
    let inv = &r.inventory;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>Selfmodel transparency report</title><style>{CSS}</style></head><body>\n"
    );
    let _ = writeln!(
        o,
        "<h1>Selfmodel transparency report</h1><p class=\"muted\">Generated {} for vault <code>{}</code>. Period: {}. No belief text is included: counts, types, purposes, ids and hashes only.</p>",
        time(r.generated_at),
        esc(r.vault_id.as_deref().unwrap_or("unknown")),
        esc(&period_text(&r.period))
    );

    let _ = writeln!(
        o,
        "<h2>Inventory</h2><p><b>{}</b> beliefs: {} active, {} pending proposals, {} rejected. Of the active: {} normal, {} special category; {} with evidence ({} pieces); {} below their type's confidence threshold (never shared).</p>",
        inv.total,
        inv.active,
        inv.pending,
        inv.rejected,
        inv.normal,
        inv.special,
        inv.with_evidence,
        inv.evidence_items,
        inv.below_threshold
    );
    let _ = writeln!(
        o,
        "<table><tr><th>Type</th><th class=n>Active</th><th class=n>Pending</th><th class=n>Special</th><th class=n>With evidence</th><th class=n>Below threshold</th><th class=n>Threshold</th></tr>"
    );
    for t in &inv.by_type {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(&t.name),
            t.active,
            t.pending,
            t.special,
            t.with_evidence,
            t.below_threshold,
            t.min_share_confidence
        );
    }
    let _ = writeln!(
        o,
        "</table><p>Active beliefs per purpose: {}.</p>",
        esc(&list(&inv.by_purpose))
    );

    let past: u64 = r.retention.iter().map(|x| x.past_retention).sum();
    let _ = writeln!(
        o,
        "<h2>Retention</h2><p class=\"{}\">{past} beliefs are past their type's retention.</p><p class=muted>Expired beliefs are erased at every unlock; the table shows each type's policy and the next expiry.</p>",
        if past == 0 { "ok" } else { "bad" }
    );
    let _ = writeln!(
        o,
        "<table><tr><th>Type</th><th class=n>Kept (days)</th><th class=n>Beliefs</th><th>Oldest</th><th>Next expiry</th><th class=n>Past retention</th></tr>"
    );
    for x in &r.retention {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td>{}</td><td class=n>{}</td></tr>",
            esc(&x.type_id),
            x.retention_days,
            x.beliefs,
            x.oldest_created.map_or("—".into(), time),
            x.next_expiry.map_or("—".into(), time),
            x.past_retention
        );
    }
    let l = &r.limits;
    let _ = writeln!(
        o,
        "</table><h2>Limits every belief obeys</h2><p>Statements up to {} characters; evidence summaries up to {}; sources up to {}; at most {} pieces of evidence per belief; raw data is never stored, only its SHA-256.</p><p>Refused in any text field, from the person, a vendor or an import: {}.</p>",
        l.statement_chars,
        l.evidence_summary_chars,
        l.source_chars,
        l.evidence_per_belief,
        esc(&l.refused_data.join("; "))
    );

    let _ = writeln!(o, "<h2>Vendors</h2>");
    let _ = writeln!(o, "{}", chart(r));
    if r.vendors.is_empty() {
        let _ = writeln!(o, "<p>No vendor has ever held a grant.</p>");
    } else {
        let _ = writeln!(
            o,
            "<table><tr><th>Vendor</th><th>Grant</th><th>State</th><th>Scope</th><th class=n>Requests</th><th class=n>Disclosures</th><th>Received (purpose: requests / disclosures / distinct; by type)</th><th>Denied</th><th>Notices</th></tr>"
        );
        for v in &r.vendors {
            let g = &v.grant;
            let received = v
                .received
                .iter()
                .map(|p| {
                    format!(
                        "{}: {} / {} / {}; {}",
                        esc(&p.purpose),
                        p.requests,
                        p.disclosures,
                        p.distinct_beliefs,
                        esc(&list(&p.by_type))
                    )
                })
                .collect::<Vec<_>>()
                .join("<br>");
            let _ = writeln!(
                o,
                "<tr><td>{}<br><code>{}</code></td><td><code>{}</code><br>{} → {}{}</td><td>{}</td><td>purposes {}<br>types {}<br>{}; up to {}; confidence ≥ {}; vendor keeps {} days</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&g.vendor.name),
                esc(&g.vendor.id),
                esc(&g.id),
                time(g.created_at),
                time(g.expires_at),
                g.revoked_at.map_or(String::new(), |t| format!(
                    "<br>revoked {} by {}",
                    time(t),
                    esc(g.revoked_by.as_deref().unwrap_or("?"))
                )),
                v.state,
                esc(&joined(&g.scope.purposes)),
                esc(&joined(&g.scope.categories)),
                g.scope
                    .operations
                    .iter()
                    .map(|o| o.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                g.scope.max_sensitivity.as_str(),
                g.scope.min_confidence,
                g.vendor_retention_days,
                v.requests,
                v.disclosures,
                if received.is_empty() {
                    "—".into()
                } else {
                    received
                },
                esc(&list(&v.denied)),
                esc(&list(&v.notices)),
            );
        }
        let _ = writeln!(o, "</table>");
    }
    let _ = writeln!(
        o,
        "<p>Refused requests without a valid grant in the period: {}.</p>",
        esc(&list(&r.denied_without_grant))
    );

    let i = &r.integrity;
    let _ = writeln!(o, "<h2>Integrity</h2>");
    match (&i.head, &i.broken_at) {
        (Some(head), _) => {
            let _ = writeln!(
                o,
                "<p class=ok>The audit chain verifies: {} events, head <code>{}</code>.</p>",
                i.events,
                esc(head)
            );
        }
        (None, Some((seq, why))) => {
            let _ = writeln!(
                o,
                "<p class=bad>The audit chain is broken at event {seq}: {}.</p>",
                esc(why)
            );
        }
        (None, None) => {}
    }
    let _ = writeln!(
        o,
        "<p>{} events in the period; {} exports and imports; {} erasures ({} beliefs).</p>",
        i.events_in_period,
        i.transfers.len(),
        i.erasures.len(),
        i.beliefs_erased
    );
    if !i.transfers.is_empty() || !i.erasures.is_empty() {
        let _ = writeln!(
            o,
            "<table><tr><th class=n>Event</th><th>When</th><th>Action</th><th class=n>Beliefs</th></tr>"
        );
        for e in i.transfers.iter().chain(&i.erasures) {
            let _ = writeln!(
                o,
                "<tr><td class=n>{}</td><td>{}</td><td><code>{}</code></td><td class=n>{}</td></tr>",
                e.seq,
                time(e.at),
                esc(&e.action),
                e.beliefs
            );
        }
        let _ = writeln!(o, "</table>");
    }

    let _ = writeln!(
        o,
        "<h2>Control map</h2><table><tr><th>Framework</th><th>Criterion or right</th><th>Mechanism</th><th>Proven by</th></tr>"
    );
    for c in r.controls {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.framework,
            esc(c.criterion),
            esc(c.mechanism),
            c.tests
                .iter()
                .map(|t| format!("<code>{}</code>", esc(t)))
                .collect::<Vec<_>>()
                .join("<br>")
        );
    }
    let _ = writeln!(o, "</table></body></html>");
    o
}

/// A horizontal bar chart of beliefs disclosed per vendor in the period, as inline SVG.
fn chart(r: &Report) -> String {
    let bars: Vec<(String, u64)> = r
        .vendors
        .iter()
        .map(|v| (v.grant.vendor.name.clone(), v.disclosures))
        .collect();
    if bars.is_empty() {
        return String::new();
    }
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (220u64, 380u64, 26u64);
    let height = row_h * bars.len() as u64 + 30;
    let mut s = format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\"><title id=\"chart-title\">Beliefs disclosed per vendor in the period</title>",
        label_w + bar_w + 60,
        label_w + bar_w + 60
    );
    for (i, (name, n)) in bars.iter().enumerate() {
        let y = 10 + row_h * i as u64;
        let w = (bar_w * n).div_ceil(max);
        let short: String = name.chars().take(28).collect();
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"#3b6fd8\"></rect><text x=\"{}\" y=\"{}\">{n}</text>",
            label_w - 8,
            y + 16,
            esc(&short),
            y + 3,
            row_h - 8,
            label_w + w + 6,
            y + 16,
        );
    }
    let _ = write!(
        s,
        "</svg><figcaption class=muted>Beliefs disclosed per vendor in the period (one count per belief per request).</figcaption></figure>"
    );
    s
}
