//! The report as one HTML page: inline CSS and SVG, no scripts, nothing loaded from elsewhere
//! (its content security policy forbids it too). Every string from the vault or a vendor is
//! escaped.

use std::fmt::Write as _;

use super::markdown::period_text;
use super::{Bucket, DisclosureSeries, Report};
use crate::render::{PALETTE, day, esc, joined, list, page_end, page_start, time};

/// The report as HTML.
pub(super) fn render(r: &Report) -> String {
    let inv = &r.inventory;
    let mut o = page_start("Selfmodel transparency report");
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

    vendors(&mut o, r);
    let _ = writeln!(o, "<h2>Disclosures over time</h2>");
    let _ = writeln!(o, "{}", timeline(&r.disclosures));
    integrity(&mut o, r);

    let _ = writeln!(
        o,
        "<h2>Control map</h2><table><tr><th>Framework</th><th>Criterion or right</th><th>Mechanism</th><th>Proven by</th></tr>"
    );
    for c in r.controls {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(c.framework),
            esc(c.criterion),
            esc(c.mechanism),
            c.tests
                .iter()
                .map(|t| format!("<code>{}</code>", esc(t)))
                .collect::<Vec<_>>()
                .join("<br>")
        );
    }
    let _ = writeln!(o, "</table>");
    o.push_str(page_end());
    o
}

fn vendors(o: &mut String, r: &Report) {
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
    let _ = writeln!(o, "<h3>Alerts</h3>");
    if r.alerts.is_empty() {
        let _ = writeln!(
            o,
            "<p>No unusual vendor access in the period (rate spikes, unusual hours, denial bursts).</p>"
        );
    } else {
        let _ = writeln!(o, "<ul>");
        for a in &r.alerts {
            let _ = writeln!(
                o,
                "<li><code>{}</code> {}</li>",
                a.kind.code(),
                esc(&a.describe())
            );
        }
        let _ = writeln!(o, "</ul>");
    }
}

fn integrity(o: &mut String, r: &Report) {
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

/// What one step of the series is called in words.
fn step_words(b: Bucket) -> (&'static str, &'static str) {
    match b {
        Bucket::Day => ("day", "on"),
        Bucket::Week => ("week", "in the week of"),
        Bucket::Month => ("month", "in the month of"),
    }
}

/// Disclosures over time as a stacked bar chart in inline SVG: one bar per step, one colour per
/// vendor, with a legend; each bar segment carries its numbers in a `<title>`.
fn timeline(s: &DisclosureSeries) -> String {
    let (step, when) = step_words(s.bucket);
    if s.vendors.is_empty() || s.starts.is_empty() {
        return "<p>No beliefs were disclosed in the period.</p>".into();
    }
    let totals = s.totals();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let (left, top, plot_w, plot_h) = (48.0_f64, 12.0_f64, 680.0_f64, 170.0_f64);
    let legend_top = top + plot_h + 34.0;
    let height = legend_top + 18.0 * s.vendors.len() as f64 + 4.0;
    let width = left + plot_w + 16.0;
    let base = top + plot_h;
    let mut o = format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"timeline-title\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\"><title id=\"timeline-title\">Beliefs disclosed per {step} and vendor, {} to {}</title>",
        day(s.starts[0]),
        day(s.starts[s.starts.len() - 1]),
    );
    // Axes and the scale: 0, half and the highest step.
    let _ = write!(
        o,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"></line><line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{base}\"></line>",
        left + plot_w
    );
    let mut ticks = vec![0, max];
    if max >= 4 {
        ticks.insert(1, max / 2);
    }
    for t in ticks {
        let y = base - plot_h * t as f64 / max as f64;
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{t}</text>",
            left - 6.0,
            y + 4.0
        );
    }
    let slot = plot_w / s.starts.len() as f64;
    let bar = (slot * 0.8).clamp(1.0, 40.0);
    for (i, start) in s.starts.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = base;
        for (k, v) in s.vendors.iter().enumerate() {
            let n = v.counts[i];
            if n == 0 {
                continue;
            }
            let h = plot_h * n as f64 / max as f64;
            y -= h;
            let _ = write!(
                o,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{}: {n} {when} {}</title></rect>",
                PALETTE[k % PALETTE.len()],
                esc(&v.name),
                day(*start)
            );
        }
    }
    // Dates under the first, middle and last steps.
    let n = s.starts.len();
    let mut labels = vec![(0, "start")];
    if n >= 3 {
        labels.push((n / 2, "middle"));
    }
    if n >= 2 {
        labels.push((n - 1, "end"));
    }
    for (i, anchor) in labels {
        let x = match anchor {
            "start" => left + slot * i as f64,
            "end" => left + slot * (i + 1) as f64,
            _ => left + slot * (i as f64 + 0.5),
        };
        let _ = write!(
            o,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            base + 16.0,
            day(s.starts[i])
        );
    }
    for (k, v) in s.vendors.iter().enumerate() {
        let y = legend_top + 18.0 * k as f64;
        let name: String = v.name.chars().take(60).collect();
        let _ = write!(
            o,
            "<rect x=\"{left}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"></rect><text x=\"{:.1}\" y=\"{:.1}\">{} — {}</text>",
            y - 10.0,
            PALETTE[k % PALETTE.len()],
            left + 18.0,
            y,
            esc(&name),
            v.total()
        );
    }
    let _ = write!(
        o,
        "</svg><figcaption class=muted>Beliefs disclosed per {step} (UTC{}), stacked per vendor; counted once per belief per request. {} in all.</figcaption></figure>",
        if s.bucket == Bucket::Week {
            "; weeks start on Monday"
        } else {
            ""
        },
        s.total()
    );
    o
}
