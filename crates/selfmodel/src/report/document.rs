//! The report's document as a [`Document`], written as HTML or Markdown alike. No belief text
//! is included.

use super::json::Counts;
use super::{Bucket, ChainState, ReportDocument, ReportPeriod, ReportSeries, ReportVendor};
use crate::document::{
    Bars, Block, Chart, Document, Stacked, Text, Tone, code, grant_dates, scope_lines, strong, text,
};
use crate::render::list;

/// A period in words: `all time`, `from …`, `until …` or `… to …`.
fn period_text(p: &ReportPeriod) -> String {
    match (&p.from, &p.to) {
        (None, None) => "all time".into(),
        (Some(f), None) => format!("from {f}"),
        (None, Some(t)) => format!("until {t}"),
        (Some(f), Some(t)) => format!("{f} to {t}"),
    }
}

/// Counts in words: `a 1, b 2`, or `none`.
fn counts(c: &Counts) -> String {
    list(&c.iter().map(|(k, n)| (k.clone(), *n)).collect::<Vec<_>>())
}

/// The report.
pub(super) fn document(r: &ReportDocument) -> Document {
    let title = "Selfmodel transparency report";
    let mut d = Document::new(title);
    d.heading(1, text(title));
    d.note(
        Tone::Muted,
        text(format!("Generated {} for vault ", r.generated_at))
            .code(r.vault_id.as_deref().unwrap_or("unknown"))
            .plain(format!(
                ". Period: {}. No belief text is included: counts, types, purposes, ids and hashes only.",
                period_text(&r.period)
            )),
    );
    inventory(&mut d, r);
    retention(&mut d, r);
    let l = &r.limits;
    d.heading(2, text("Limits every belief obeys"));
    d.para(text(format!(
        "Statements up to {} characters; evidence summaries up to {}; sources up to {}; at most {} pieces of evidence per belief; raw data is never stored, only its SHA-256.",
        l.statement_chars, l.evidence_summary_chars, l.source_chars, l.evidence_per_belief
    )));
    d.para(text(format!(
        "Refused in any text field, from the person, a vendor or an import: {}.",
        l.refused_data.join("; ")
    )));
    vendors(&mut d, r);
    d.heading(2, text("Disclosures over time"));
    d.push(disclosures(&r.disclosures_over_time));
    integrity(&mut d, r);
    d.heading(2, text("Control map"));
    d.table(
        &["Framework", "Criterion or right", "Mechanism", "Proven by"],
        r.controls.iter().map(|c| {
            vec![
                text(c.framework),
                text(c.criterion),
                text(c.mechanism),
                Text::lines(c.tests.iter().map(code)),
            ]
        }),
    );
    d
}

fn inventory(d: &mut Document, r: &ReportDocument) {
    let inv = &r.inventory;
    d.heading(2, text("Inventory"));
    d.para(strong(inv.total).plain(format!(
        " beliefs: {} active, {} pending proposals, {} rejected. Of the active: {} normal, {} special category; {} with evidence ({} pieces); {} below their type's confidence threshold (never shared).",
        inv.active,
        inv.pending_proposals,
        inv.rejected,
        inv.sensitivity.normal,
        inv.sensitivity.special,
        inv.evidence.beliefs_with_evidence,
        inv.evidence.items,
        inv.below_threshold
    )));
    d.table(
        &[
            "Type",
            "#Active",
            "#Pending",
            "#Special",
            "#With evidence",
            "#Below threshold",
            "#Threshold",
        ],
        inv.by_type.iter().map(|x| {
            vec![
                text(&x.name),
                text(x.active),
                text(x.pending),
                text(x.special),
                text(x.with_evidence),
                text(x.below_threshold),
                text(x.min_share_confidence),
            ]
        }),
    );
    d.para(text(format!(
        "Active beliefs per purpose: {}.",
        counts(&inv.by_purpose)
    )));
}

fn retention(d: &mut Document, r: &ReportDocument) {
    let past = r.retention.past_retention;
    d.heading(2, text("Retention"));
    d.note(
        if past == 0 { Tone::Ok } else { Tone::Bad },
        text(format!("{past} beliefs are past their type's retention.")),
    );
    d.note(
        Tone::Muted,
        text("Beliefs past their retention are withheld from every read from the moment the vault is unlocked and erased as soon as it can be written; the table shows each type's policy and the next expiry."),
    );
    d.table(
        &[
            "Type",
            "#Kept (days)",
            "#Beliefs",
            "Oldest",
            "Next expiry",
            "#Past retention",
        ],
        r.retention.by_type.iter().map(|x| {
            vec![
                text(&x.type_id),
                text(x.retention_days),
                text(x.beliefs),
                text(x.oldest_created.as_deref().unwrap_or("—")),
                text(x.next_expiry.as_deref().unwrap_or("—")),
                text(x.past_retention),
            ]
        }),
    );
}

fn vendors(d: &mut Document, r: &ReportDocument) {
    d.heading(2, text("Vendors"));
    if r.vendors.is_empty() {
        d.para(text("No vendor has ever held a grant."));
    } else {
        d.push(Block::Chart(Chart::Bars(Bars {
            title: "Beliefs disclosed per vendor in the period".into(),
            caption:
                "Beliefs disclosed per vendor in the period (one count per belief per request)."
                    .into(),
            head: ["Vendor", "Beliefs disclosed"],
            bars: r
                .vendors
                .iter()
                .map(|v| (v.vendor.name.clone(), v.period.disclosures))
                .collect(),
        })));
        d.table(
            &[
                "Vendor",
                "Grant",
                "State",
                "Scope",
                "#Requests",
                "#Disclosures",
                "Received (purpose: requests / disclosures / distinct; by type)",
                "Denied",
                "Notices",
            ],
            r.vendors.iter().map(vendor_row),
        );
    }
    d.para(text(format!(
        "Refused requests without a valid grant in the period: {}.",
        counts(&r.denied_without_grant)
    )));
    d.heading(3, text("Alerts"));
    if r.alerts.is_empty() {
        d.para(text(
            "No unusual vendor access in the period (rate spikes, unusual hours, denial bursts).",
        ));
    } else {
        d.push(Block::List(
            r.alerts
                .iter()
                .map(|a| code(&a.kind).plain(format!(" {}", a.description)))
                .collect(),
        ));
    }
}

/// One grant's row of the vendors table: who, the grant, its scope and what the vendor did in
/// the period.
fn vendor_row(v: &ReportVendor) -> Vec<Text> {
    let (scope, period) = (&v.scope, &v.period);
    let received = period.received.iter().map(|p| {
        text(format!(
            "{}: {} / {} / {}; {}",
            p.purpose,
            p.requests,
            p.disclosures,
            p.distinct_beliefs,
            counts(&p.by_type)
        ))
    });
    vec![
        text(&v.vendor.name).br().code(&v.vendor.id),
        grant_dates(
            &v.grant_id,
            v.created_at.clone(),
            v.expires_at.clone(),
            v.revoked_at
                .as_ref()
                .map(|at| format!("revoked {at} by {}", v.revoked_by.as_deref().unwrap_or("?"))),
        ),
        text(&v.state),
        scope_lines(
            &scope.purposes,
            &scope.categories,
            format!(
                "{}; up to {}; confidence ≥ {}; vendor keeps {} days",
                scope.operations.join(", "),
                scope.max_sensitivity,
                scope.min_confidence,
                v.vendor_retention_days
            ),
        ),
        text(period.requests),
        text(period.disclosures),
        if period.received.is_empty() {
            text("—")
        } else {
            Text::lines(received)
        },
        text(counts(&period.denied)),
        text(counts(&period.notices)),
    ]
}

/// Disclosures over time: a stacked column chart, one column per step and one colour per vendor.
fn disclosures(s: &ReportSeries) -> Block {
    if s.vendors.is_empty() || s.starts.is_empty() {
        return Block::Para(
            Tone::Plain,
            text("No beliefs were disclosed in the period."),
        );
    }
    let (step, when, step_head) = match s.bucket {
        Bucket::Day => ("day", "on", "Day"),
        Bucket::Week => ("week", "in the week of", "Week starting"),
        Bucket::Month => ("month", "in the month of", "Month"),
    };
    Block::Chart(Chart::Stacked(Stacked {
        title: format!(
            "Beliefs disclosed per {step} and vendor, {} to {}",
            s.starts[0],
            s.starts[s.starts.len() - 1],
        ),
        caption: format!(
            "Beliefs disclosed per {step} (UTC{}), per vendor; counted once per belief per request. {} in all.",
            if s.bucket == Bucket::Week {
                "; weeks start on Monday"
            } else {
                ""
            },
            s.totals.iter().sum::<u64>()
        ),
        step_head,
        when,
        starts: s.starts.clone(),
        series: s
            .vendors
            .iter()
            .map(|v| (v.name.clone(), v.counts.clone()))
            .collect(),
    }))
}

fn integrity(d: &mut Document, r: &ReportDocument) {
    let i = &r.integrity;
    d.heading(2, text("Integrity"));
    match (i.audit_chain, &i.head) {
        (ChainState::Intact, Some(head)) => d.note(
            Tone::Ok,
            text(format!(
                "The audit chain verifies: {} events, head ",
                i.events
            ))
            .code(head)
            .plain("."),
        ),
        (ChainState::Broken, _) => d.note(
            Tone::Bad,
            text(format!(
                "The audit chain is broken at event {}: {}.",
                i.first_bad_event.unwrap_or_default(),
                i.broken_reason.as_deref().unwrap_or_default()
            )),
        ),
        (ChainState::Intact, None) => {}
    }
    d.para(text(format!(
        "{} events in the period; {} exports and imports; {} erasures ({} beliefs).",
        i.events_in_period,
        i.exports_and_imports.len(),
        i.erasures.len(),
        i.beliefs_erased
    )));
    if !i.exports_and_imports.is_empty() || !i.erasures.is_empty() {
        d.table(
            &["#Event", "When", "Action", "#Beliefs"],
            i.exports_and_imports
                .iter()
                .chain(&i.erasures)
                .map(|e| vec![text(e.seq), text(&e.at), code(&e.action), text(e.beliefs)]),
        );
    }
}
