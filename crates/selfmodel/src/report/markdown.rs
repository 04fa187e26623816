//! The report as Markdown. Vendor-supplied text is escaped for table cells.

use std::fmt::Write as _;

use super::{Period, Report};
use crate::render::{day, joined, list, md, time};

pub(super) fn period_text(p: &Period) -> String {
    match (p.from, p.to) {
        (None, None) => "all time".into(),
        (Some(f), None) => format!("from {}", time(f)),
        (None, Some(t)) => format!("until {}", time(t)),
        (Some(f), Some(t)) => format!("{} to {}", time(f), time(t)),
    }
}

/// The report as Markdown.
pub(super) fn render(r: &Report) -> String {
    let inv = &r.inventory;
    let mut o = String::new();
    let _ = writeln!(o, "# Selfmodel transparency report\n");
    let _ = writeln!(
        o,
        "Generated {} for vault `{}`. Period: {}.\n",
        time(r.generated_at),
        md(r.vault_id.as_deref().unwrap_or("unknown")),
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
        md(&list(&inv.by_purpose))
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
    vendors(&mut o, r);
    disclosures(&mut o, r);
    integrity(&mut o, r);
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

fn vendors(o: &mut String, r: &Report) {
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
            md(&g.id),
            md(&joined(&g.scope.purposes)),
            md(&joined(&g.scope.categories)),
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
                md(g.revoked_by.as_deref().unwrap_or("?"))
            ))
        );
        let _ = writeln!(
            o,
            "In the period: {} requests served (reads, proposals and grant calls), {} beliefs disclosed; denied: {}; notices sent: {}.\n",
            v.requests,
            v.disclosures,
            md(&list(&v.denied)),
            md(&list(&v.notices))
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
        md(&list(&r.denied_without_grant))
    );
    let _ = writeln!(o, "### Alerts\n");
    if r.alerts.is_empty() {
        let _ = writeln!(
            o,
            "No unusual vendor access in the period (rate spikes, unusual hours, denial bursts).\n"
        );
    } else {
        for a in &r.alerts {
            let _ = writeln!(o, "- `{}` {}", a.kind.code(), md(&a.describe()));
        }
        let _ = writeln!(o);
    }
}

/// The disclosures over time as a table: one row per step in which anything was disclosed, one
/// column per vendor.
fn disclosures(o: &mut String, r: &Report) {
    let s = &r.disclosures;
    let _ = writeln!(o, "## Disclosures over time\n");
    if s.vendors.is_empty() {
        let _ = writeln!(o, "No beliefs were disclosed in the period.\n");
        return;
    }
    let (step, steps, head) = match s.bucket {
        super::Bucket::Day => ("day", "Days", "Day"),
        super::Bucket::Week => ("week (starting on Monday)", "Weeks", "Week starting"),
        super::Bucket::Month => ("month", "Months", "Month"),
    };
    let _ = writeln!(
        o,
        "Beliefs disclosed per {step} (UTC), counted once per belief per request. {steps} with no disclosures are left out.\n"
    );
    let mut head = format!("| {head} |");
    let mut rule = String::from("|---|");
    for v in &s.vendors {
        let _ = write!(head, " {} |", md(&v.name));
        rule.push_str("---:|");
    }
    let _ = writeln!(o, "{head} Total |\n{rule}---:|");
    for (i, (start, total)) in s.starts.iter().zip(s.totals()).enumerate() {
        if total == 0 {
            continue;
        }
        let mut row = format!("| {} |", day(*start));
        for v in &s.vendors {
            let _ = write!(row, " {} |", v.counts[i]);
        }
        let _ = writeln!(o, "{row} {total} |");
    }
    let mut row = String::from("| **Total** |");
    for v in &s.vendors {
        let _ = write!(row, " {} |", v.total());
    }
    let _ = writeln!(o, "{row} {} |\n", s.total());
}

fn integrity(o: &mut String, r: &Report) {
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
                "**The audit chain is broken at event {seq}: {}.** {} events.\n",
                md(why),
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
