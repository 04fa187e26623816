//! The packages as Markdown. Every string from the vault is escaped, so that no markup in a
//! belief becomes markup in the document.

use std::fmt::Write as _;

use selfmodel_core::Status;

use super::{AccessPackage, HeldBelief, RightToKnow};
use crate::render::{day, joined, list, md, time};

/// The package's beliefs under a heading (`level`) per type, in the catalogue's order.
fn beliefs_by_type(o: &mut String, p: &AccessPackage, level: &str) {
    for t in &p.types {
        let of_type: Vec<&HeldBelief> = p
            .beliefs
            .iter()
            .filter(|b| b.belief.category == t.type_id)
            .collect();
        if of_type.is_empty() {
            continue;
        }
        let _ = writeln!(o, "{level} {} ({})\n", md(&t.name), of_type.len());
        for h in of_type {
            belief_md(o, h);
        }
    }
}

/// The export for reading: the package's beliefs (as selected) grouped by type, each with its
/// evidence, provenance, history and who received it.
pub(crate) fn readable(p: &AccessPackage) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Your self-model\n\nExported {} from vault `{}`: {} beliefs. It holds their text: keep it as private as the vault. It is for reading; the JSON export is the one that imports.\n",
        time(p.generated_at),
        md(p.vault_id.as_deref().unwrap_or("unknown")),
        p.beliefs.len()
    );
    beliefs_by_type(&mut o, p, "##");
    o
}

fn belief_md(o: &mut String, h: &HeldBelief) {
    let b = &h.belief;
    let _ = writeln!(
        o,
        "#### {}\n\n- Id `{}`; {}; confidence {}; {}; {}",
        md(&b.statement),
        b.id,
        md(&h.type_name),
        b.confidence,
        b.status.as_str(),
        b.sensitivity.as_str()
    );
    let _ = writeln!(
        o,
        "- May be used for: {}",
        if b.purposes.is_empty() {
            "nothing".to_owned()
        } else {
            md(&joined(&b.purposes))
        }
    );
    let _ = writeln!(
        o,
        "- Created {} by {} ({}); last changed {}; kept until {}",
        time(b.created_at),
        md(&b.provenance.actor.to_string()),
        md(&b.provenance.method),
        time(b.updated_at),
        b.expires_at.map_or("no expiry".into(), time)
    );
    let _ = writeln!(
        o,
        "- {}",
        b.confirmed_at
            .map_or("Never confirmed by you".into(), |c| format!(
                "Last confirmed by you {}",
                time(c)
            ))
    );
    for e in &b.evidence {
        let _ = writeln!(
            o,
            "- Evidence ({}): {} — source {}, {}",
            e.kind.as_str(),
            md(&e.summary),
            md(&e.source),
            time(e.observed_at)
        );
    }
    for c in &b.history {
        let _ = writeln!(
            o,
            "- Corrected {} by {}: \"{}\" ({}) → \"{}\" ({}); reason: {}",
            time(c.at),
            md(&c.actor.to_string()),
            md(&c.before.statement),
            c.before.confidence,
            md(&c.after.statement),
            c.after.confidence,
            md(&c.reason)
        );
    }
    if h.recipients.is_empty() {
        let _ = writeln!(o, "- Recipients: none");
    }
    for r in &h.recipients {
        let _ = writeln!(
            o,
            "- Received by {} ({}) for {}: {} times, {} to {} (grant `{}`)",
            md(&r.vendor_name),
            md(&r.vendor_id),
            md(r.purpose.as_deref().unwrap_or("no named purpose")),
            r.times(),
            r.first().map_or("—".into(), day),
            r.last().map_or("—".into(), day),
            md(&r.grant_id)
        );
    }
    let _ = writeln!(o);
}

/// The access package as Markdown.
pub(super) fn access(p: &AccessPackage) -> String {
    let mut o = String::new();
    let count = |s: Status| p.beliefs.iter().filter(|b| b.belief.status == s).count();
    let _ = writeln!(
        o,
        "# Your data: access package (GDPR Art. 15)\n\nGenerated {} from vault `{}`. It holds the text of your beliefs: keep it as private as the vault.\n",
        time(p.generated_at),
        md(p.vault_id.as_deref().unwrap_or("unknown"))
    );
    let _ = writeln!(
        o,
        "## Summary\n\n{} beliefs: {} active, {} proposed and waiting for you, {} rejected. {} vendors received {} disclosures in all ({} of them of beliefs since erased).\n",
        p.beliefs.len(),
        count(Status::Active),
        count(Status::Pending),
        count(Status::Rejected),
        p.vendors().len(),
        p.recipients.iter().map(|r| r.disclosures).sum::<u64>(),
        p.erased_disclosures
    );
    let _ = writeln!(o, "## Your beliefs\n");
    beliefs_by_type(&mut o, p, "###");
    let _ = writeln!(
        o,
        "## Purposes\n\n| Purpose | What it means | DPV term | Opt-in | Active beliefs | Vendors granted it |\n|---|---|---|---|---:|---|"
    );
    for x in &p.purposes {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            md(&x.purpose.name),
            md(&x.purpose.description),
            md(&x.purpose.dpv_term),
            if x.purpose.opt_in { "yes" } else { "no" },
            x.beliefs,
            if x.vendors.is_empty() {
                "—".to_owned()
            } else {
                md(&joined(&x.vendors))
            }
        );
    }
    let _ = writeln!(o, "\n## Recipients\n");
    if p.recipients.is_empty() {
        let _ = writeln!(o, "No vendor has ever held a grant.\n");
    } else {
        let _ = writeln!(
            o,
            "| Vendor | Grant | State | Purposes | Types | Disclosures | Distinct beliefs | Per purpose |\n|---|---|---|---|---|---:|---:|---|"
        );
        for r in &p.recipients {
            let g = &r.grant;
            let _ = writeln!(
                o,
                "| {} ({}) | `{}` | {} | {} | {} | {} | {} | {} |",
                md(&g.vendor.name),
                md(&g.vendor.id),
                md(&g.id),
                r.state,
                md(&joined(&g.scope.purposes)),
                md(&joined(&g.scope.categories)),
                r.disclosures,
                r.distinct_beliefs,
                md(&list(&r.by_purpose))
            );
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(
        o,
        "Disclosures of beliefs erased since: {}.\n\n## How long each type is kept\n\n| Type | Kept (days) | Beliefs | Next expiry | Confidence to share | Evidence required | Special category |\n|---|---:|---:|---|---:|---|---|",
        p.erased_disclosures
    );
    for t in &p.types {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&t.name),
            t.retention_days,
            t.beliefs,
            t.next_expiry.map_or("—".into(), time),
            t.min_share_confidence,
            if t.evidence_required { "yes" } else { "no" },
            if t.special { "yes" } else { "no" }
        );
    }
    let _ = writeln!(o, "\n## Your rights\n");
    for r in p.rights {
        let _ = writeln!(o, "- **{}** ({}): {}", r.right, r.basis, r.how);
    }
    let _ = writeln!(o, "\n## The logic involved\n");
    for l in p.logic {
        let _ = writeln!(o, "**{}.** {}\n", l.title, l.text);
    }
    o
}

/// The right-to-know disclosure as Markdown.
pub(super) fn right_to_know(k: &RightToKnow) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Right to know (CCPA)\n\nGenerated {} from vault `{}`. It covers the twelve months from {} to {} (Cal. Civ. Code §1798.100, §1798.110, §1798.115) and holds categories and counts, never the text of a belief.\n",
        time(k.generated_at),
        md(k.vault_id.as_deref().unwrap_or("unknown")),
        k.period.from.map_or("—".into(), time),
        time(k.generated_at)
    );
    let _ = writeln!(o, "## Sale and sharing\n\n{}\n", md(&k.sale_statement()));
    let _ = writeln!(
        o,
        "## Categories of personal information\n\n| Category | Statutory category | Held | Waiting for you | Collected in the period | Disclosed in the period |\n|---|---|---:|---:|---:|---:|"
    );
    for c in &k.categories {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            md(&c.name),
            md(c.statutory),
            c.active,
            c.pending,
            c.collected_in_period,
            c.disclosed_in_period
        );
    }
    let _ = writeln!(
        o,
        "\n## Categories of sources\n\n| Source | Beliefs held | Collected in the period |\n|---|---:|---:|"
    );
    for s in &k.sources {
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            md(s.description),
            s.beliefs,
            s.collected_in_period
        );
    }
    let _ = writeln!(
        o,
        "\nEvidence behind the beliefs, by kind: {}.\n\n## Business or commercial purposes\n\n| Purpose | What it means | Opt-in | Active beliefs | Disclosed for it in the period |\n|---|---|---|---:|---:|",
        md(&list(&k.evidence_kinds))
    );
    for p in &k.purposes {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            md(&p.purpose.name),
            md(&p.purpose.description),
            if p.purpose.opt_in { "yes" } else { "no" },
            p.beliefs,
            p.disclosed_in_period
        );
    }
    let _ = writeln!(o, "\n## Third parties it was disclosed to\n");
    if k.third_parties.is_empty() {
        let _ = writeln!(o, "None: nothing was disclosed in the period.");
    } else {
        let _ = writeln!(
            o,
            "| Vendor | Disclosures | Categories disclosed | For purposes | Grants |\n|---|---:|---|---|---|"
        );
        for t in &k.third_parties {
            let _ = writeln!(
                o,
                "| {} ({}) | {} | {} | {} | {} |",
                md(&t.name),
                md(&t.vendor_id),
                t.disclosures,
                md(&list(&t.categories)),
                md(&list(&t.purposes)),
                t.grants
                    .iter()
                    .map(|g| format!("`{}`", md(g)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    o
}
