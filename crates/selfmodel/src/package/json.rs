//! The packages' JSON forms, `selfmodel-gdpr-access-v1` and `selfmodel-ccpa-right-to-know-v1`,
//! built by hand so that the formats do not follow refactors silently.

use selfmodel_core::{Actor, Belief, Purpose, Snapshot};
use serde::Serialize;
use serde_json::{Value, json};

use super::{AccessPackage, BeliefRecipient, RightToKnow};
use crate::render::{day, opt_time, time};

fn pairs(v: &[(String, u64)]) -> Value {
    Value::Object(v.iter().map(|(k, n)| (k.clone(), json!(n))).collect())
}

fn actor(a: &Actor) -> Value {
    match a {
        Actor::Vendor { grant_id, name } => {
            json!({"kind": "vendor", "grant_id": grant_id, "name": name})
        }
        other => json!({"kind": other.encode()}),
    }
}

fn snapshot(s: &Snapshot) -> Value {
    json!({"statement": s.statement, "confidence": s.confidence, "purposes": s.purposes})
}

/// A purpose as both packages list it: the catalogue's definition, how many active beliefs carry
/// it, and the field (`key`, `value`) that the package adds.
fn purpose(p: &Purpose, active_beliefs: u64, key: &str, value: impl Serialize) -> Value {
    let mut listed = json!({
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "dpv_term": p.dpv_term,
        "opt_in": p.opt_in,
        "active_beliefs": active_beliefs,
    });
    listed[key] = json!(value);
    listed
}

fn recipient(r: &BeliefRecipient) -> Value {
    json!({
        "grant_id": r.grant_id,
        "vendor_id": r.vendor_id,
        "vendor_name": r.vendor_name,
        "purpose": r.purpose,
        "times": r.times(),
        "first_day": r.first().map(day),
        "last_day": r.last().map(day),
        "days": r.days.iter().map(|(d, n)| (day(*d), json!(n))).collect::<serde_json::Map<_, _>>(),
    })
}

fn belief(b: &Belief, type_name: &str, recipients: &[BeliefRecipient]) -> Value {
    json!({
        "id": b.id.to_string(),
        "statement": b.statement,
        "type": b.category,
        "type_name": type_name,
        "confidence": b.confidence,
        "purposes": b.purposes,
        "sensitivity": b.sensitivity.as_str(),
        "status": b.status.as_str(),
        "created_at": time(b.created_at),
        "updated_at": time(b.updated_at),
        "expires_at": opt_time(b.expires_at),
        "provenance": {"actor": actor(&b.provenance.actor), "method": b.provenance.method},
        "evidence": b.evidence.iter().map(|e| json!({
            "kind": e.kind.as_str(),
            "source": e.source,
            "summary": e.summary,
            "observed_at": time(e.observed_at),
            "content_sha256": e.content_sha256,
        })).collect::<Vec<_>>(),
        "history": b.history.iter().map(|h| json!({
            "at": time(h.at),
            "actor": actor(&h.actor),
            "reason": h.reason,
            "before": snapshot(&h.before),
            "after": snapshot(&h.after),
        })).collect::<Vec<_>>(),
        "recipients": recipients.iter().map(recipient).collect::<Vec<_>>(),
    })
}

/// The access package as JSON.
pub(super) fn access(p: &AccessPackage) -> Value {
    json!({
        "format": "selfmodel-gdpr-access-v1",
        "legal_basis": "GDPR Art. 15",
        "generated_at": time(p.generated_at),
        "vault_id": p.vault_id,
        "beliefs": p.beliefs.iter()
            .map(|h| belief(&h.belief, &h.type_name, &h.recipients))
            .collect::<Vec<_>>(),
        "purposes": p.purposes.iter()
            .map(|x| purpose(&x.purpose, x.beliefs, "vendors_granted", &x.vendors))
            .collect::<Vec<_>>(),
        "types": p.types.iter().map(|t| json!({
            "type": t.type_id,
            "name": t.name,
            "description": t.description,
            "retention_days": t.retention_days,
            "beliefs": t.beliefs,
            "next_expiry": opt_time(t.next_expiry),
            "min_share_confidence": t.min_share_confidence,
            "evidence_required": t.evidence_required,
            "special_category": t.special,
        })).collect::<Vec<_>>(),
        "recipients": p.recipients.iter().map(|r| json!({
            "grant_id": r.grant.id,
            "vendor": {"id": r.grant.vendor.id, "name": r.grant.vendor.name, "url": r.grant.vendor.url},
            "state": r.state,
            "purposes": r.grant.scope.purposes,
            "types": r.grant.scope.categories,
            "max_sensitivity": r.grant.scope.max_sensitivity.as_str(),
            "vendor_retention_days": r.grant.vendor_retention_days,
            "created_at": time(r.grant.created_at),
            "expires_at": time(r.grant.expires_at),
            "revoked_at": opt_time(r.grant.revoked_at),
            "disclosures": r.disclosures,
            "distinct_beliefs": r.distinct_beliefs,
            "by_purpose": pairs(&r.by_purpose),
        })).collect::<Vec<_>>(),
        "erased_disclosures": p.erased_disclosures,
        "rights": p.rights.iter().map(|r| json!({
            "right": r.right, "basis": r.basis, "how": r.how,
        })).collect::<Vec<_>>(),
        "logic_involved": p.logic.iter().map(|l| json!({
            "title": l.title, "text": l.text,
        })).collect::<Vec<_>>(),
        "automated_decisions": false,
    })
}

/// The right-to-know disclosure as JSON.
pub(super) fn right_to_know(k: &RightToKnow) -> Value {
    json!({
        "format": "selfmodel-ccpa-right-to-know-v1",
        "legal_basis": "Cal. Civ. Code §1798.100, §1798.110, §1798.115",
        "generated_at": time(k.generated_at),
        "vault_id": k.vault_id,
        "period": {"from": opt_time(k.period.from), "to": time(k.generated_at)},
        "categories": k.categories.iter().map(|c| json!({
            "type": c.type_id,
            "name": c.name,
            "description": c.description,
            "statutory_category": c.statutory,
            "active": c.active,
            "pending": c.pending,
            "collected_in_period": c.collected_in_period,
            "disclosed_in_period": c.disclosed_in_period,
        })).collect::<Vec<_>>(),
        "sources": k.sources.iter().map(|s| json!({
            "kind": s.kind,
            "description": s.description,
            "beliefs": s.beliefs,
            "collected_in_period": s.collected_in_period,
        })).collect::<Vec<_>>(),
        "evidence_kinds": pairs(&k.evidence_kinds),
        "purposes": k.purposes.iter()
            .map(|p| purpose(&p.purpose, p.beliefs, "disclosed_in_period", p.disclosed_in_period))
            .collect::<Vec<_>>(),
        "third_parties": k.third_parties.iter().map(|t| json!({
            "vendor_id": t.vendor_id,
            "name": t.name,
            "url": t.url,
            "grants": t.grants,
            "disclosures": t.disclosures,
            "purposes": pairs(&t.purposes),
            "categories": pairs(&t.categories),
        })).collect::<Vec<_>>(),
        "sold": false,
        "shared_for_cross_context_behavioral_advertising": k.shared_for_advertising(),
        "advertising_grants": k.advertising_grants.iter()
            .map(|(id, name)| json!({"grant_id": id, "vendor_name": name}))
            .collect::<Vec<_>>(),
        "advertising_disclosures": k.advertising_disclosures,
    })
}
