//! The packages as self-contained HTML pages: inline CSS, no scripts, nothing loaded from
//! elsewhere. Every string from the vault — belief text above all — is escaped.

use std::fmt::Write as _;

use selfmodel_core::{Actor, Belief};

use super::{AccessPackage, BeliefRecipient, HeldBelief, RightToKnow};
use crate::render::{day, esc, joined, list, page_end, page_start, time};

/// Escapes text and shows `backquoted` words as code.
fn text_with_code(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in esc(s).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn actor(a: &Actor) -> String {
    match a {
        Actor::Person => "you".into(),
        Actor::Vendor { grant_id, name } => format!("{name} (grant {grant_id})"),
        Actor::Import => "an import".into(),
        Actor::System => "Selfmodel (demo data)".into(),
    }
}

fn recipient_text(r: &BeliefRecipient) -> String {
    let when = match (r.first(), r.last()) {
        (Some(f), Some(l)) if f == l => format!("on {}", day(f)),
        (Some(f), Some(l)) => format!("from {} to {}", day(f), day(l)),
        _ => String::new(),
    };
    format!(
        "{} ({}), for {}: {} {} {when} — grant {}",
        r.vendor_name,
        r.vendor_id,
        r.purpose.as_deref().unwrap_or("no named purpose"),
        r.times(),
        if r.times() == 1 { "time" } else { "times" },
        r.grant_id
    )
}

fn belief_html(o: &mut String, h: &HeldBelief) {
    let b: &Belief = &h.belief;
    let _ = writeln!(
        o,
        "<div class=belief><h3>{}</h3><p class=muted><code>{}</code> · {} · confidence {} · {} · {}</p>",
        esc(&b.statement),
        b.id,
        esc(&h.type_name),
        b.confidence,
        b.status.as_str(),
        if b.sensitivity == selfmodel_core::Sensitivity::Special {
            "special category"
        } else {
            "ordinary data"
        }
    );
    let _ = writeln!(
        o,
        "<p>May be used for: {}. Created {} by {} ({}); last changed {}; kept until {}.</p>",
        esc(&if b.purposes.is_empty() {
            "nothing".to_owned()
        } else {
            joined(&b.purposes)
        }),
        time(b.created_at),
        esc(&actor(&b.provenance.actor)),
        esc(&b.provenance.method),
        time(b.updated_at),
        b.expires_at.map_or("no expiry".into(), time)
    );
    if b.evidence.is_empty() {
        let _ = writeln!(o, "<p>Evidence: none.</p>");
    } else {
        let _ = writeln!(o, "<p>Evidence:</p><ul class=tight>");
        for e in &b.evidence {
            let _ = writeln!(
                o,
                "<li>{} — {} (source: {}, {}){}</li>",
                e.kind.as_str(),
                esc(&e.summary),
                esc(&e.source),
                time(e.observed_at),
                e.content_sha256
                    .as_deref()
                    .map_or(String::new(), |h| format!(
                        "; raw data discarded, SHA-256 <code>{}</code>",
                        esc(h)
                    ))
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    if !b.history.is_empty() {
        let _ = writeln!(o, "<p>Corrections:</p><ul class=tight>");
        for c in &b.history {
            let _ = writeln!(
                o,
                "<li>{} by {}: “{}” ({}) → “{}” ({}); reason: {}</li>",
                time(c.at),
                esc(&actor(&c.actor)),
                esc(&c.before.statement),
                c.before.confidence,
                esc(&c.after.statement),
                c.after.confidence,
                esc(&c.reason)
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    if h.recipients.is_empty() {
        let _ = writeln!(o, "<p>Recipients: none — never disclosed to a vendor.</p>");
    } else {
        let _ = writeln!(o, "<p>Recipients:</p><ul class=tight>");
        for r in &h.recipients {
            let _ = writeln!(o, "<li>{}</li>", esc(&recipient_text(r)));
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(o, "</div>");
}

/// The access package as HTML.
pub(super) fn access(p: &AccessPackage) -> String {
    let mut o = page_start("Your data: GDPR Art. 15 access package");
    let count =
        |s: selfmodel_core::Status| p.beliefs.iter().filter(|b| b.belief.status == s).count();
    let disclosures: u64 = p.recipients.iter().map(|r| r.disclosures).sum();
    let _ = writeln!(
        o,
        "<h1>Your data: access package (GDPR Art. 15)</h1><p class=muted>Generated {} from vault <code>{}</code>. It holds the text of your beliefs: keep it as private as the vault.</p>",
        time(p.generated_at),
        esc(p.vault_id.as_deref().unwrap_or("unknown"))
    );
    let _ = writeln!(
        o,
        "<h2>Summary</h2><p><strong>{}</strong> beliefs: {} active, {} proposed and waiting for you, {} rejected. {} vendors received {} disclosures in all ({} of them of beliefs since erased).</p>",
        p.beliefs.len(),
        count(selfmodel_core::Status::Active),
        count(selfmodel_core::Status::Pending),
        count(selfmodel_core::Status::Rejected),
        p.vendors().len(),
        disclosures,
        p.erased_disclosures
    );

    let _ = writeln!(
        o,
        "<h2>Your beliefs</h2><p class=muted>Each with its evidence, provenance, corrections and recipients (which vendor, when, for which purpose).</p>"
    );
    for t in &p.types {
        let of_type: Vec<&HeldBelief> = p
            .beliefs
            .iter()
            .filter(|b| b.belief.category == t.type_id)
            .collect();
        if of_type.is_empty() {
            continue;
        }
        let _ = writeln!(
            o,
            "<h3>{} <span class=muted>({})</span></h3>",
            esc(&t.name),
            of_type.len()
        );
        for h in of_type {
            belief_html(&mut o, h);
        }
    }
    let known: Vec<&str> = p.types.iter().map(|t| t.type_id.as_str()).collect();
    for h in p
        .beliefs
        .iter()
        .filter(|b| !known.contains(&b.belief.category.as_str()))
    {
        belief_html(&mut o, h);
    }

    let _ = writeln!(
        o,
        "<h2>Purposes</h2><table><tr><th>Purpose</th><th>What it means</th><th>DPV term</th><th>Opt-in</th><th class=n>Active beliefs</th><th>Vendors granted it</th></tr>"
    );
    for x in &p.purposes {
        let _ = writeln!(
            o,
            "<tr><td>{}<br><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td><td class=n>{}</td><td>{}</td></tr>",
            esc(&x.purpose.name),
            esc(&x.purpose.id),
            esc(&x.purpose.description),
            esc(&x.purpose.dpv_term),
            if x.purpose.opt_in { "yes" } else { "no" },
            x.beliefs,
            if x.vendors.is_empty() {
                "—".to_owned()
            } else {
                esc(&joined(&x.vendors))
            }
        );
    }
    let _ = writeln!(o, "</table>");

    let _ = writeln!(o, "<h2>Recipients</h2>");
    if p.recipients.is_empty() {
        let _ = writeln!(o, "<p>No vendor has ever held a grant.</p>");
    } else {
        let _ = writeln!(
            o,
            "<table><tr><th>Vendor</th><th>Grant</th><th>State</th><th>Allowed</th><th class=n>Disclosures</th><th class=n>Distinct beliefs</th><th>Per purpose</th></tr>"
        );
        for r in &p.recipients {
            let g = &r.grant;
            let _ = writeln!(
                o,
                "<tr><td>{}<br><code>{}</code>{}</td><td><code>{}</code><br>{} → {}{}</td><td>{}</td><td>purposes {}<br>types {}<br>up to {} sensitivity; vendor keeps data {} days</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>",
                esc(&g.vendor.name),
                esc(&g.vendor.id),
                g.vendor
                    .url
                    .as_deref()
                    .map_or(String::new(), |u| format!("<br>{}", esc(u))),
                esc(&g.id),
                time(g.created_at),
                time(g.expires_at),
                g.revoked_at
                    .map_or(String::new(), |t| format!("<br>revoked {}", time(t))),
                r.state,
                esc(&joined(&g.scope.purposes)),
                esc(&joined(&g.scope.categories)),
                g.scope.max_sensitivity.as_str(),
                g.vendor_retention_days,
                r.disclosures,
                r.distinct_beliefs,
                esc(&list(&r.by_purpose))
            );
        }
        let _ = writeln!(o, "</table>");
    }
    let _ = writeln!(
        o,
        "<p>Disclosures of beliefs erased since: {}. Their text is gone from the vault; the vendors were told of each erasure.</p>",
        p.erased_disclosures
    );

    let _ = writeln!(
        o,
        "<h2>How long each type is kept</h2><table><tr><th>Type</th><th>About</th><th class=n>Kept (days)</th><th class=n>Beliefs</th><th>Next expiry</th><th class=n>Confidence to share</th><th>Evidence required</th><th>Special category</th></tr>"
    );
    for t in &p.types {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td class=n>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.name),
            esc(&t.description),
            t.retention_days,
            t.beliefs,
            t.next_expiry.map_or("—".into(), time),
            t.min_share_confidence,
            if t.evidence_required { "yes" } else { "no" },
            if t.special { "yes" } else { "no" }
        );
    }
    let _ = writeln!(
        o,
        "</table><p class=muted>Beliefs past their type's retention are erased at every unlock.</p>"
    );

    let _ = writeln!(
        o,
        "<h2>Your rights</h2><table><tr><th>Right</th><th>Basis</th><th>How</th></tr>"
    );
    for r in p.rights {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(r.right),
            esc(r.basis),
            text_with_code(r.how)
        );
    }
    let _ = writeln!(o, "</table><h2>The logic involved</h2>");
    for l in p.logic {
        let _ = writeln!(o, "<h3>{}</h3><p>{}</p>", esc(l.title), esc(l.text));
    }
    o.push_str(page_end());
    o
}

/// The right-to-know disclosure as HTML.
pub(super) fn right_to_know(k: &RightToKnow) -> String {
    let mut o = page_start("Your data: CCPA right to know");
    let _ = writeln!(
        o,
        "<h1>Right to know (CCPA)</h1><p class=muted>Generated {} from vault <code>{}</code>. It covers the twelve months from {} to {} (Cal. Civ. Code §1798.100, §1798.110, §1798.115) and holds categories and counts, never the text of a belief.</p>",
        time(k.generated_at),
        esc(k.vault_id.as_deref().unwrap_or("unknown")),
        k.period.from.map_or("—".into(), time),
        time(k.generated_at)
    );
    let _ = writeln!(
        o,
        "<h2>Sale and sharing</h2><p class={}>{}</p>",
        if k.shared_for_advertising() {
            "bad"
        } else {
            "ok"
        },
        esc(&k.sale_statement())
    );

    let _ = writeln!(
        o,
        "<h2>Categories of personal information</h2><table><tr><th>Category</th><th>About</th><th>Statutory category</th><th class=n>Held</th><th class=n>Waiting for you</th><th class=n>Collected in the period</th><th class=n>Disclosed in the period</th></tr>"
    );
    for c in &k.categories {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(&c.name),
            esc(&c.description),
            esc(c.statutory),
            c.active,
            c.pending,
            c.collected_in_period,
            c.disclosed_in_period
        );
    }
    let _ = writeln!(
        o,
        "</table><h2>Categories of sources</h2><table><tr><th>Source</th><th class=n>Beliefs held</th><th class=n>Collected in the period</th></tr>"
    );
    for s in &k.sources {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(s.description),
            s.beliefs,
            s.collected_in_period
        );
    }
    let _ = writeln!(
        o,
        "</table><p>Evidence behind the beliefs, by kind: {}.</p>",
        esc(&list(&k.evidence_kinds))
    );
    let _ = writeln!(
        o,
        "<h2>Business or commercial purposes</h2><table><tr><th>Purpose</th><th>What it means</th><th>Opt-in</th><th class=n>Active beliefs</th><th class=n>Disclosed for it in the period</th></tr>"
    );
    for p in &k.purposes {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(&p.purpose.name),
            esc(&p.purpose.description),
            if p.purpose.opt_in { "yes" } else { "no" },
            p.beliefs,
            p.disclosed_in_period
        );
    }
    let _ = writeln!(
        o,
        "</table><h2>Third parties it was disclosed to</h2><p class=muted>Vendors — apps and services you approved — that received beliefs in the period.</p>"
    );
    if k.third_parties.is_empty() {
        let _ = writeln!(o, "<p>None: nothing was disclosed in the period.</p>");
    } else {
        let _ = writeln!(
            o,
            "<table><tr><th>Vendor</th><th class=n>Disclosures</th><th>Categories disclosed</th><th>For purposes</th><th>Grants</th></tr>"
        );
        for t in &k.third_parties {
            let _ = writeln!(
                o,
                "<tr><td>{}<br><code>{}</code>{}</td><td class=n>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&t.name),
                esc(&t.vendor_id),
                t.url
                    .as_deref()
                    .map_or(String::new(), |u| format!("<br>{}", esc(u))),
                t.disclosures,
                esc(&list(&t.categories)),
                esc(&list(&t.purposes)),
                t.grants
                    .iter()
                    .map(|g| format!("<code>{}</code>", esc(g)))
                    .collect::<Vec<_>>()
                    .join("<br>")
            );
        }
        let _ = writeln!(o, "</table>");
    }
    o.push_str(page_end());
    o
}
