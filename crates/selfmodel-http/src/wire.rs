//! From the domain to the v1 wire types of `selfmodel-wire` (the one declaration of the
//! contract, shared with the Rust SDK). Exhaustive matches keep the two in step.

use selfmodel_core as domain;
pub use selfmodel_wire::*;

/// A domain operation on the wire.
pub fn operation(o: domain::Operation) -> Operation {
    match o {
        domain::Operation::Read => Operation::Read,
        domain::Operation::ReadEvidence => Operation::ReadEvidence,
        domain::Operation::Propose => Operation::Propose,
    }
}

/// A wire operation in the domain.
pub fn domain_operation(o: Operation) -> domain::Operation {
    match o {
        Operation::Read => domain::Operation::Read,
        Operation::ReadEvidence => domain::Operation::ReadEvidence,
        Operation::Propose => domain::Operation::Propose,
    }
}

/// A domain sensitivity on the wire.
pub fn sensitivity(s: domain::Sensitivity) -> Sensitivity {
    match s {
        domain::Sensitivity::Normal => Sensitivity::Normal,
        domain::Sensitivity::Special => Sensitivity::Special,
    }
}

/// A wire sensitivity in the domain.
pub fn domain_sensitivity(s: Sensitivity) -> domain::Sensitivity {
    match s {
        Sensitivity::Normal => domain::Sensitivity::Normal,
        Sensitivity::Special => domain::Sensitivity::Special,
    }
}

/// Who brought a belief in, without saying which vendor.
fn origin(a: &domain::Actor) -> Origin {
    match a {
        domain::Actor::Person => Origin::Person,
        domain::Actor::Vendor { .. } => Origin::Vendor,
        domain::Actor::Import => Origin::Import,
        domain::Actor::System => Origin::System,
    }
}

fn evidence_kind(k: domain::EvidenceKind) -> EvidenceKind {
    match k {
        domain::EvidenceKind::Stated => EvidenceKind::Stated,
        domain::EvidenceKind::Observed => EvidenceKind::Observed,
        domain::EvidenceKind::Inferred => EvidenceKind::Inferred,
        domain::EvidenceKind::Imported => EvidenceKind::Imported,
    }
}

/// A wire evidence kind in the domain.
pub fn domain_evidence_kind(k: EvidenceKind) -> domain::EvidenceKind {
    match k {
        EvidenceKind::Stated => domain::EvidenceKind::Stated,
        EvidenceKind::Observed => domain::EvidenceKind::Observed,
        EvidenceKind::Inferred => domain::EvidenceKind::Inferred,
        EvidenceKind::Imported => domain::EvidenceKind::Imported,
    }
}

fn strings<'a>(it: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    it.into_iter().cloned().collect()
}

fn ops(it: &std::collections::BTreeSet<domain::Operation>) -> Vec<Operation> {
    it.iter().copied().map(operation).collect()
}

fn consent(c: &domain::ConsentRecord) -> Consent {
    Consent {
        id: c.id.clone(),
        subject: c.subject.clone(),
        recipient: VendorInfo {
            id: c.recipient.id.clone(),
            name: c.recipient.name.clone(),
            url: c.recipient.url.clone(),
        },
        purposes: strings(&c.purposes),
        data_categories: strings(&c.data_categories),
        operations: ops(&c.operations),
        special_categories: c.special_categories,
        notice: c.notice.clone(),
        recipient_retention_days: c.recipient_retention_days,
        given_at: c.given_at,
        expires_at: c.expires_at,
        method: c.method.clone(),
    }
}

/// A grant on the wire.
pub fn grant(g: &domain::Grant) -> Grant {
    Grant {
        id: g.id.clone(),
        vendor: VendorInfo {
            id: g.vendor.id.clone(),
            name: g.vendor.name.clone(),
            url: g.vendor.url.clone(),
        },
        purposes: strings(&g.scope.purposes),
        categories: strings(&g.scope.categories),
        operations: ops(&g.scope.operations),
        max_sensitivity: sensitivity(g.scope.max_sensitivity),
        min_confidence: g.scope.min_confidence,
        origins: strings(&g.scope.origins),
        fresh_only: g.scope.fresh_only,
        vendor_retention_days: g.vendor_retention_days,
        created_at: g.created_at,
        expires_at: g.expires_at,
        revoked_at: g.revoked_at,
        consent: consent(&g.consent),
    }
}

/// A disclosed belief on the wire: what its grant lets the vendor see.
pub fn belief(b: &selfmodel::Disclosed) -> Belief {
    Belief {
        id: b.id().to_string(),
        statement: b.statement().to_owned(),
        category: b.category().to_owned(),
        confidence: b.confidence(),
        purposes: b.purposes().map(str::to_owned).collect(),
        sensitivity: sensitivity(b.sensitivity()),
        origin: origin(b.actor()),
        updated_at: b.updated_at(),
        confirmed_at: b.confirmed_at(),
        review_overdue: b.review_overdue(),
        evidence: b.evidence().map(|all| {
            all.iter()
                .map(|e| Evidence {
                    kind: evidence_kind(e.kind),
                    source: e.source.clone(),
                    summary: e.summary.clone(),
                    observed_at: e.observed_at,
                })
                .collect()
        }),
    }
}

/// A notice on the wire.
pub fn event(e: &domain::VendorEvent) -> Event {
    Event {
        seq: e.seq,
        at: e.at,
        kind: event_kind(e.kind),
        belief_id: e.belief_id.map(|b| b.to_string()),
    }
}

/// A notice's kind on the wire.
fn event_kind(k: domain::VendorEventKind) -> EventKind {
    match k {
        domain::VendorEventKind::BeliefRectified => EventKind::BeliefRectified,
        domain::VendorEventKind::BeliefErased => EventKind::BeliefErased,
        domain::VendorEventKind::GrantRevoked => EventKind::GrantRevoked,
    }
}
