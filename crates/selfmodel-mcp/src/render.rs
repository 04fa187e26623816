//! What the assistant reads: plain Markdown, one line per belief, ids kept for follow-up calls.

use std::collections::BTreeMap;
use std::fmt::Write;

use selfmodel_client::{Belief, Grant, Operation, Origin, Sensitivity};

use crate::config::Config;
use crate::server::{BELIEFS_URI, ReadBeliefsArgs};

/// The server's instructions to the model (sent at initialisation).
pub(crate) fn instructions(config: &Config) -> String {
    format!(
        "Selfmodel holds what the person chose to let AI assistants know about them, as \
         beliefs with a type and a confidence. Read them with read_beliefs (or the resource \
         {BELIEFS_URI}) when knowing the person helps your answer; every read names a purpose \
         and is recorded in the person's access log. Purposes this server asks for: {}. Use \
         what you read only for the purpose you named. Propose lasting things the person tells \
         you about themselves with propose_belief; they land in the person's inbox for review. \
         The first call asks the person for access: until they approve, tools answer with a \
         user code to give them.",
        config.purposes.join(", ")
    )
}

/// One line of text from vault data: no line breaks, so a statement cannot pose as structure.
fn line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sensitivity(s: Sensitivity) -> &'static str {
    match s {
        Sensitivity::Normal => "normal",
        Sensitivity::Special => "special category",
    }
}

fn operation(o: Operation) -> &'static str {
    match o {
        Operation::Read => "read",
        Operation::ReadEvidence => "read_evidence",
        Operation::Propose => "propose",
    }
}

/// The answer to `read_beliefs`.
pub(crate) fn beliefs(
    found: &[Belief],
    args: &ReadBeliefsArgs,
    grant_id: &str,
    more: bool,
) -> String {
    let mut filters = Vec::new();
    if let Some(c) = &args.category {
        filters.push(format!("type {c}"));
    }
    if let Some(q) = args.query.as_deref().filter(|q| !q.trim().is_empty()) {
        filters.push(format!("containing \"{}\"", line(q)));
    }
    if let Some(m) = args.min_confidence {
        filters.push(format!("confidence ≥ {m:.2}"));
    }
    let filters = if filters.is_empty() {
        String::new()
    } else {
        format!(" ({})", filters.join(", "))
    };
    let mut out = String::new();
    if found.is_empty() {
        let _ = writeln!(
            out,
            "No beliefs for purpose '{}'{filters} under this assistant's grant.",
            args.purpose
        );
    } else {
        let _ = writeln!(
            out,
            "{} belief{} for purpose '{}'{filters}:",
            found.len(),
            if found.len() == 1 { "" } else { "s" },
            args.purpose
        );
        for b in found {
            let _ = writeln!(
                out,
                "- {} — {}, confidence {:.2}{}, id {}",
                line(&b.statement),
                b.category,
                b.confidence,
                if b.review_overdue {
                    ", overdue for review"
                } else {
                    ""
                },
                b.id
            );
        }
    }
    if more {
        let _ = writeln!(
            out,
            "More beliefs match: raise limit (at most 200) or narrow by category or query."
        );
    }
    let _ = write!(
        out,
        "Disclosed under grant {grant_id} for purpose '{}' only; this read is in the person's \
         access log.",
        args.purpose
    );
    out
}

/// The answer to `explain_belief`.
pub(crate) fn belief(b: &Belief, purpose: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Belief {}", b.id);
    let _ = writeln!(out, "Statement: {}", line(&b.statement));
    let _ = writeln!(
        out,
        "Type: {}; confidence {:.2}; sensitivity {}",
        b.category,
        b.confidence,
        sensitivity(b.sensitivity)
    );
    let _ = writeln!(
        out,
        "May be used for (within your grant): {}",
        b.purposes.join(", ")
    );
    let _ = writeln!(
        out,
        "Provenance: {}",
        match b.origin {
            Origin::Person => "written by the person",
            Origin::Vendor => "proposed by a vendor, accepted by the person",
            Origin::Import => "imported (an export file or another assistant's memories)",
            Origin::System => "recorded by Selfmodel",
        }
    );
    let _ = writeln!(
        out,
        "Last changed: {}",
        b.updated_at.format("%Y-%m-%d %H:%M UTC")
    );
    let _ = match b.confirmed_at {
        Some(at) if b.review_overdue => writeln!(
            out,
            "Last confirmed by the person: {} — overdue for review, it may no longer be true",
            at.format("%Y-%m-%d")
        ),
        Some(at) => writeln!(
            out,
            "Last confirmed by the person: {}",
            at.format("%Y-%m-%d")
        ),
        None => writeln!(out, "Never confirmed by the person"),
    };
    match &b.evidence {
        None => {
            let _ = writeln!(
                out,
                "Evidence: not disclosed — this assistant's grant does not include read_evidence."
            );
        }
        Some(ev) if ev.is_empty() => {
            let _ = writeln!(out, "Evidence: none recorded.");
        }
        Some(ev) => {
            let _ = writeln!(out, "Evidence ({}):", ev.len());
            for e in ev {
                let _ = writeln!(
                    out,
                    "- [{}] {} — source: {}, observed {}",
                    e.kind,
                    line(&e.summary),
                    line(&e.source),
                    e.observed_at.format("%Y-%m-%d")
                );
            }
        }
    }
    let _ = write!(
        out,
        "Read for purpose '{purpose}'; use it only for that purpose."
    );
    out
}

/// The answer to `my_grant`.
pub(crate) fn grant(g: &Grant) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Grant {} to {} ({})",
        g.id,
        line(&g.vendor.name),
        g.vendor.id
    );
    let _ = writeln!(out, "Purposes you may name: {}", g.purposes.join(", "));
    let _ = writeln!(out, "Belief types you may see: {}", g.categories.join(", "));
    let _ = writeln!(
        out,
        "Operations: {}",
        g.operations
            .iter()
            .map(|o| operation(*o))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "Sensitivity: up to {}; minimum confidence disclosed {:.2}",
        sensitivity(g.max_sensitivity),
        g.min_confidence
    );
    let _ = writeln!(
        out,
        "Granted {}; expires {}{}",
        g.created_at.format("%Y-%m-%d %H:%M UTC"),
        g.expires_at.format("%Y-%m-%d %H:%M UTC"),
        g.revoked_at
            .map(|r| format!("; revoked {}", r.format("%Y-%m-%d %H:%M UTC")))
            .unwrap_or_default()
    );
    let _ = write!(
        out,
        "The person can narrow or revoke it at any time (app: Vendors; CLI: selfmodel grant \
         revoke {}).",
        g.id
    );
    out
}

/// The resource: the granted beliefs for one purpose, grouped by type.
pub(crate) fn slice(g: &Grant, purpose: &str, beliefs: &[Belief]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# What Selfmodel lets {} know\n", line(&g.vendor.name));
    let _ = writeln!(
        out,
        "Purpose: **{purpose}** — use these beliefs only for it. Grant {} (types: {}), expires \
         {}. This read is in the person's access log.\n",
        g.id,
        g.categories.join(", "),
        g.expires_at.format("%Y-%m-%d")
    );
    if beliefs.is_empty() {
        let _ = writeln!(out, "No beliefs are disclosed for this purpose.");
        return out;
    }
    let mut by_type: BTreeMap<&str, Vec<&Belief>> = BTreeMap::new();
    for b in beliefs {
        by_type.entry(b.category.as_str()).or_default().push(b);
    }
    for (category, list) in by_type {
        let _ = writeln!(out, "## {category}\n");
        for b in list {
            let _ = writeln!(
                out,
                "- {} (confidence {:.2}, id {})",
                line(&b.statement),
                b.confidence,
                b.id
            );
        }
        out.push('\n');
    }
    out
}
