//! The report's JSON form, `selfmodel-report-v1`, built by hand so that the format does not
//! follow refactors silently.

use serde_json::{Value, json};

use super::{ChainEntry, Report};
use crate::render::{day, opt_time, time};

fn pairs(v: &[(String, u64)]) -> Value {
    Value::Object(v.iter().map(|(k, n)| (k.clone(), json!(n))).collect())
}

fn chain_entry(e: &ChainEntry) -> Value {
    json!({"seq": e.seq, "at": time(e.at), "action": e.action, "beliefs": e.beliefs})
}

/// The report as JSON.
pub(super) fn to_json(r: &Report) -> Value {
    let inv = &r.inventory;
    let series = &r.disclosures;
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
        "disclosures_over_time": {
            "bucket": series.bucket.as_str(),
            "starts": series.starts.iter().map(|d| day(*d)).collect::<Vec<_>>(),
            "totals": series.totals(),
            "vendors": series.vendors.iter().map(|v| json!({
                "vendor_id": v.vendor_id,
                "name": v.name,
                "counts": v.counts,
                "total": v.total(),
            })).collect::<Vec<_>>(),
        },
        "denied_without_grant": pairs(&r.denied_without_grant),
        "alerts": r.alerts.iter().map(|a| json!({
            "vendor_id": a.vendor_id,
            "day": a.day.to_string(),
            "at": selfmodel_core::audit::canonical_time(&a.at),
            "kind": a.kind.code(),
            "description": a.describe(),
        })).collect::<Vec<_>>(),
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
