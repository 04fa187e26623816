//! The packages and the readable export as [`Document`]s, written as HTML or Markdown alike.

use selfmodel_core::{Actor, Sensitivity, Status};

use super::{AccessPackage, BeliefRecipient, HeldBelief, RightToKnow};
use crate::document::{Block, Document, Text, Tone, code, grant_dates, scope_lines, strong, text};
use crate::render::{day, joined, list, time};

/// Who did something, in words.
fn actor(a: &Actor) -> String {
    match a {
        Actor::Person => "you".into(),
        Actor::Vendor { grant_id, name } => format!("{name} (grant {grant_id})"),
        Actor::Import => "an import".into(),
        Actor::System => "Selfmodel (demo data)".into(),
    }
}

fn yes_no(b: bool) -> Text {
    text(if b { "yes" } else { "no" })
}

/// A vendor's name, then its id (and its address, if it gave one) on lines of their own.
fn vendor(name: &str, id: &str, url: Option<&str>) -> Text {
    let t = text(name).br().code(id);
    match url {
        Some(u) => t.br().plain(u),
        None => t,
    }
}

fn received(r: &BeliefRecipient) -> Text {
    let times = r.times();
    let when = match (r.first(), r.last()) {
        (Some(f), Some(l)) if f == l => format!(" on {}", day(f)),
        (Some(f), Some(l)) => format!(" from {} to {}", day(f), day(l)),
        _ => String::new(),
    };
    text(format!(
        "Received by {} ({}) for {}: {times} {}{when} (grant ",
        r.vendor_name,
        r.vendor_id,
        r.purpose.as_deref().unwrap_or("no named purpose"),
        if times == 1 { "time" } else { "times" },
    ))
    .code(&r.grant_id)
    .plain(")")
}

/// One belief with its evidence, provenance, corrections and recipients, under a heading of
/// `level`.
fn card(h: &HeldBelief, level: u8) -> Block {
    let b = &h.belief;
    let mut items = vec![
        text("Id ").code(b.id).plain(format!(
            "; {}; confidence {}; {}; {}",
            h.type_name,
            b.confidence,
            b.status.as_str(),
            if b.sensitivity == Sensitivity::Special {
                "special category"
            } else {
                "ordinary data"
            }
        )),
        text(format!(
            "May be used for: {}",
            if b.purposes.is_empty() {
                "nothing".to_owned()
            } else {
                joined(&b.purposes)
            }
        )),
        text(format!(
            "Created {} by {} ({}); last changed {}; kept until {}",
            time(b.created_at),
            actor(&b.provenance.actor),
            b.provenance.method,
            time(b.updated_at),
            b.expires_at.map_or("no expiry".into(), time)
        )),
        text(b.confirmed_at.map_or("Never confirmed by you".into(), |c| {
            format!("Last confirmed by you {}", time(c))
        })),
    ];
    for e in &b.evidence {
        let item = text(format!(
            "Evidence ({}): {} — source {}, {}",
            e.kind.as_str(),
            e.summary,
            e.source,
            time(e.observed_at)
        ));
        items.push(match &e.content_sha256 {
            Some(hash) => item.plain("; raw data discarded, SHA-256 ").code(hash),
            None => item,
        });
    }
    for c in &b.history {
        items.push(text(format!(
            "Corrected {} by {}: “{}” ({}) → “{}” ({}); reason: {}",
            time(c.at),
            actor(&c.actor),
            c.before.statement,
            c.before.confidence,
            c.after.statement,
            c.after.confidence,
            c.reason
        )));
    }
    if h.recipients.is_empty() {
        items.push(text("Recipients: none"));
    }
    items.extend(h.recipients.iter().map(received));
    Block::Card(vec![
        Block::Heading(level, text(&b.statement)),
        Block::List(items),
    ])
}

/// The package's beliefs under a heading of `level` per type, in the catalogue's order, then
/// those of types no longer in the catalogue.
fn beliefs_by_type(d: &mut Document, p: &AccessPackage, level: u8) {
    for t in &p.types {
        let of_type: Vec<&HeldBelief> = p
            .beliefs
            .iter()
            .filter(|b| b.belief.category == t.type_id)
            .collect();
        if !of_type.is_empty() {
            d.heading(level, text(format!("{} ({})", t.name, of_type.len())));
            d.blocks
                .extend(of_type.into_iter().map(|h| card(h, level + 1)));
        }
    }
    let known: Vec<&str> = p.types.iter().map(|t| t.type_id.as_str()).collect();
    let unknown = p
        .beliefs
        .iter()
        .filter(|b| !known.contains(&b.belief.category.as_str()));
    d.blocks.extend(unknown.map(|h| card(h, level + 1)));
}

/// The export for reading: the package's beliefs (as selected) grouped by type, each with its
/// evidence, provenance, history and who received it.
pub(crate) fn readable(p: &AccessPackage) -> Document {
    let title = "Your self-model";
    let mut d = Document::new(title);
    d.heading(1, text(title));
    d.para(
        text(format!("Exported {} from vault ", time(p.generated_at)))
            .code(p.vault_id.as_deref().unwrap_or("unknown"))
            .plain(format!(
                ": {} beliefs. It holds their text: keep it as private as the vault. It is for reading; the JSON export is the one that imports.",
                p.beliefs.len()
            )),
    );
    beliefs_by_type(&mut d, p, 2);
    d
}

/// The access package (GDPR Art. 15).
pub(super) fn access(p: &AccessPackage) -> Document {
    let mut d = Document::new("Your data: GDPR Art. 15 access package");
    let count = |s: Status| p.beliefs.iter().filter(|b| b.belief.status == s).count();
    d.heading(1, text("Your data: access package (GDPR Art. 15)"));
    d.note(
        Tone::Muted,
        text(format!("Generated {} from vault ", time(p.generated_at)))
            .code(p.vault_id.as_deref().unwrap_or("unknown"))
            .plain(". It holds the text of your beliefs: keep it as private as the vault."),
    );
    d.heading(2, text("Summary"));
    d.para(strong(p.beliefs.len()).plain(format!(
        " beliefs: {} active, {} proposed and waiting for you, {} rejected. {} vendors received {} disclosures in all ({} of them of beliefs since erased).",
        count(Status::Active),
        count(Status::Pending),
        count(Status::Rejected),
        p.vendors().len(),
        p.recipients.iter().map(|r| r.disclosures).sum::<u64>(),
        p.erased_disclosures
    )));
    d.heading(2, text("Your beliefs"));
    d.note(
        Tone::Muted,
        text("Each with its evidence, provenance, corrections and recipients (which vendor, when, for which purpose)."),
    );
    beliefs_by_type(&mut d, p, 3);

    d.heading(2, text("Purposes"));
    d.table(
        &[
            "Purpose",
            "What it means",
            "DPV term",
            "Opt-in",
            "#Active beliefs",
            "Vendors granted it",
        ],
        p.purposes.iter().map(|x| {
            vec![
                text(&x.purpose.name).br().code(&x.purpose.id),
                text(&x.purpose.description),
                code(&x.purpose.dpv_term),
                yes_no(x.purpose.opt_in),
                text(x.beliefs),
                text(if x.vendors.is_empty() {
                    "—".to_owned()
                } else {
                    joined(&x.vendors)
                }),
            ]
        }),
    );

    d.heading(2, text("Recipients"));
    if p.recipients.is_empty() {
        d.para(text("No vendor has ever held a grant."));
    } else {
        d.table(
            &[
                "Vendor",
                "Grant",
                "State",
                "Allowed",
                "#Disclosures",
                "#Distinct beliefs",
                "Per purpose",
            ],
            p.recipients.iter().map(|r| {
                let g = &r.grant;
                vec![
                    vendor(&g.vendor.name, &g.vendor.id, g.vendor.url.as_deref()),
                    grant_dates(
                        &g.id,
                        time(g.created_at),
                        time(g.expires_at),
                        g.revoked_at.map(|at| format!("revoked {}", time(at))),
                    ),
                    text(r.state),
                    scope_lines(
                        &g.scope.purposes,
                        &g.scope.categories,
                        format!(
                            "up to {} sensitivity; vendor keeps data {} days",
                            g.scope.max_sensitivity.as_str(),
                            g.vendor_retention_days
                        ),
                    ),
                    text(r.disclosures),
                    text(r.distinct_beliefs),
                    text(list(&r.by_purpose)),
                ]
            }),
        );
    }
    d.para(text(format!(
        "Disclosures of beliefs erased since: {}. Their text is gone from the vault; the vendors were told of each erasure.",
        p.erased_disclosures
    )));

    d.heading(2, text("How long each type is kept"));
    d.table(
        &[
            "Type",
            "About",
            "#Kept (days)",
            "#Beliefs",
            "Next expiry",
            "#Confidence to share",
            "Evidence required",
            "Special category",
        ],
        p.types.iter().map(|x| {
            vec![
                text(&x.name),
                text(&x.description),
                text(x.retention_days),
                text(x.beliefs),
                text(x.next_expiry.map_or("—".into(), time)),
                text(x.min_share_confidence),
                yes_no(x.evidence_required),
                yes_no(x.special),
            ]
        }),
    );
    d.note(
        Tone::Muted,
        text("Beliefs past their type's retention are withheld from every read from the moment the vault is unlocked, and erased as soon as it can be written."),
    );

    d.heading(2, text("Your rights"));
    d.table(
        &["Right", "Basis", "How"],
        p.rights
            .iter()
            .map(|r| vec![text(r.right), text(r.basis), Text::with_code(r.how)]),
    );
    d.heading(2, text("The logic involved"));
    for l in p.logic {
        d.heading(3, text(l.title));
        d.para(text(l.text));
    }
    d
}

/// The right-to-know disclosure (CCPA).
pub(super) fn right_to_know(k: &RightToKnow) -> Document {
    let mut d = Document::new("Your data: CCPA right to know");
    d.heading(1, text("Right to know (CCPA)"));
    d.note(
        Tone::Muted,
        text(format!("Generated {} from vault ", time(k.generated_at)))
            .code(k.vault_id.as_deref().unwrap_or("unknown"))
            .plain(format!(
                ". It covers the twelve months from {} to {} (Cal. Civ. Code §1798.100, §1798.110, §1798.115) and holds categories and counts, never the text of a belief.",
                k.period.from.map_or("—".into(), time),
                time(k.generated_at)
            )),
    );
    d.heading(2, text("Sale and sharing"));
    let tone = if k.shared_for_advertising() {
        Tone::Bad
    } else {
        Tone::Ok
    };
    d.note(tone, text(k.sale_statement()));

    d.heading(2, text("Categories of personal information"));
    d.table(
        &[
            "Category",
            "About",
            "Statutory category",
            "#Held",
            "#Waiting for you",
            "#Collected in the period",
            "#Disclosed in the period",
        ],
        k.categories.iter().map(|c| {
            vec![
                text(&c.name),
                text(&c.description),
                text(c.statutory),
                text(c.active),
                text(c.pending),
                text(c.collected_in_period),
                text(c.disclosed_in_period),
            ]
        }),
    );

    d.heading(2, text("Categories of sources"));
    d.table(
        &["Source", "#Beliefs held", "#Collected in the period"],
        k.sources.iter().map(|s| {
            vec![
                text(s.description),
                text(s.beliefs),
                text(s.collected_in_period),
            ]
        }),
    );
    d.para(text(format!(
        "Evidence behind the beliefs, by kind: {}.",
        list(&k.evidence_kinds)
    )));

    d.heading(2, text("Business or commercial purposes"));
    d.table(
        &[
            "Purpose",
            "What it means",
            "Opt-in",
            "#Active beliefs",
            "#Disclosed for it in the period",
        ],
        k.purposes.iter().map(|p| {
            vec![
                text(&p.purpose.name),
                text(&p.purpose.description),
                yes_no(p.purpose.opt_in),
                text(p.beliefs),
                text(p.disclosed_in_period),
            ]
        }),
    );

    d.heading(2, text("Third parties it was disclosed to"));
    d.note(
        Tone::Muted,
        text("Vendors — apps and services you approved — that received beliefs in the period."),
    );
    if k.third_parties.is_empty() {
        d.para(text("None: nothing was disclosed in the period."));
    } else {
        d.table(
            &[
                "Vendor",
                "#Disclosures",
                "Categories disclosed",
                "For purposes",
                "Grants",
            ],
            k.third_parties.iter().map(|p| {
                vec![
                    vendor(&p.name, &p.vendor_id, p.url.as_deref()),
                    text(p.disclosures),
                    text(list(&p.categories)),
                    text(list(&p.purposes)),
                    Text::lines(p.grants.iter().map(code)),
                ]
            }),
        );
    }
    d
}
