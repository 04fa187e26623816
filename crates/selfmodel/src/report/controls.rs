//! The control map: which mechanism answers which control or right, and the tests that prove it.

use super::ReportControl;

/// The control map. Every test named here must exist; `tests/security_doc.rs` checks.
pub const CONTROLS: &[ReportControl] = &[
    ReportControl {
        framework: "SOC 2",
        criterion: "C1.1 — confidential information is identified and protected",
        mechanism: "One SQLCipher file (AES-256, per-page HMAC-SHA512, key only from the passphrase); files 0600; no belief text in logs or the audit chain",
        tests: &[
            "crates/selfmodel-vault/tests/vault/at_rest.rs::canary_never_appears_in_any_file_open_or_closed",
            "crates/selfmodel-vault/tests/vault/at_rest.rs::files_are_private_to_the_owner",
        ],
    },
    ReportControl {
        framework: "SOC 2",
        criterion: "C1.2 — confidential information is disposed of",
        mechanism: "Deletion with secure_delete and a WAL checkpoint; erase-all; destroy deletes the file with its WAL and SHM",
        tests: &[
            "crates/selfmodel-vault/tests/vault/erasure.rs::deleted_belief_leaves_no_text_behind",
            "crates/selfmodel-cli/tests/cli/destroy.rs::destroy_deletes_the_vault_and_its_sidecars_and_nothing_else",
        ],
    },
    ReportControl {
        framework: "SOC 2",
        criterion: "P3.1 / P6.1 — collection and disclosure only for agreed purposes, with consent",
        mechanism: "Purpose-bound grants approved by the person; every read names a purpose and is filtered by the grant in the read transaction",
        tests: &[
            "crates/selfmodel-client/tests/client/flow.rs::a_purpose_outside_the_grant_is_refused_and_the_refusal_logged",
            "crates/selfmodel-core/src/grant/tests.rs::disclosure_rule",
        ],
    },
    ReportControl {
        framework: "SOC 2",
        criterion: "P6.7 — an accounting of disclosures",
        mechanism: "The access log: every vendor request, allowed or denied, with the beliefs disclosed, written before data leaves",
        tests: &[
            "crates/selfmodel-http/tests/http/defences.rs::nothing_is_served_when_the_access_log_cannot_be_written",
            "crates/selfmodel/tests/usecases/report.rs::report_numbers_match_the_vault",
        ],
    },
    ReportControl {
        framework: "SOC 2",
        criterion: "PI1.2 / PI1.3 — inputs are complete and accurate, processing is complete",
        mechanism: "Validation of every belief whoever writes it; one transaction per change with its audit event; crash-safe writes",
        tests: &[
            "crates/selfmodel-cli/tests/cli/validation.rs::purpose_not_allowed_for_the_type_is_refused",
            "crates/selfmodel-cli/tests/cli/crash.rs::sigkill_mid_write_leaves_an_intact_all_or_nothing_vault",
        ],
    },
    ReportControl {
        framework: "SOC 2",
        criterion: "PI1.5 — stored data is protected from alteration",
        mechanism: "A SHA-256 hash chain over every change; `audit verify` names the first altered event",
        tests: &[
            "crates/selfmodel-cli/tests/cli/audit.rs::an_event_altered_through_sql_is_named",
            "crates/selfmodel-vault/tests/vault/audit_tamper.rs::every_altered_field_is_named",
        ],
    },
    ReportControl {
        framework: "GDPR",
        criterion: "Art. 5(1)(b) — purpose limitation",
        mechanism: "Each type allows only its purposes; opt-in purposes are never defaulted; vendors read only for granted purposes",
        tests: &[
            "crates/selfmodel-core/src/validate/tests.rs::purpose_limitation_is_enforced",
            "crates/selfmodel-client/tests/client/flow.rs::two_vendors_with_different_purposes_and_categories_see_different_beliefs",
        ],
    },
    ReportControl {
        framework: "GDPR",
        criterion: "Art. 5(1)(c) — data minimisation",
        mechanism: "Bounded statements and summaries, raw data only as a hash, and secrets and identifiers refused in every text field",
        tests: &[
            "crates/selfmodel-http/tests/http/minimisation.rs::a_proposal_carrying_secrets_or_identifiers_is_refused_naming_the_kind",
            "crates/selfmodel-cli/tests/cli/validation.rs::overlong_evidence_is_refused",
        ],
    },
    ReportControl {
        framework: "GDPR",
        criterion: "Art. 5(1)(e) — storage limitation",
        mechanism: "Per-type retention: expired beliefs are withheld from every read at unlock and erased before the next change",
        tests: &[
            "crates/selfmodel-cli/tests/cli/retention.rs::opening_the_vault_erases_expired_beliefs",
            "crates/selfmodel/tests/usecases/use_cases.rs::retention_withholds_at_unlock_and_erases_before_the_first_write",
        ],
    },
    ReportControl {
        framework: "GDPR",
        criterion: "Art. 15 — right of access",
        mechanism: "The access package in one step (`package access`, or Reports in the app): every belief with its evidence, provenance, history and recipients, the purposes, retention, rights and the logic involved; also `belief show`, `access-log` and this report",
        tests: &[
            "crates/selfmodel/tests/usecases/packages.rs::the_access_package_holds_every_belief_with_its_recipients",
            "crates/selfmodel-cli/tests/cli/report.rs::packages_agree_with_the_vault_and_are_recorded",
            "crates/selfmodel-cli/tests/cli/beliefs.rs::show_json_adds_history_and_text_shows_everything",
        ],
    },
    ReportControl {
        framework: "GDPR",
        criterion: "Art. 16 — right to rectification",
        mechanism: "`belief edit` with a reason; the before and after are kept in the belief's history",
        tests: &[
            "crates/selfmodel-cli/tests/cli/beliefs.rs::edit_with_a_reason_keeps_before_and_after_in_history",
        ],
    },
    ReportControl {
        framework: "GDPR",
        criterion: "Art. 17 — right to erasure",
        mechanism: "Delete one, erase all, or destroy the vault; erased beliefs cannot be proposed again",
        tests: &[
            "crates/selfmodel-cli/tests/cli/beliefs.rs::delete_removes_the_belief_with_its_evidence_and_history",
            "crates/selfmodel-client/tests/client/lifecycle.rs::a_rejected_or_deleted_belief_proposed_again_is_dropped_and_the_vendor_cannot_tell",
        ],
    },
    ReportControl {
        framework: "GDPR",
        criterion: "Art. 19 — notifying recipients of rectification and erasure",
        mechanism: "Each vendor that received a belief gets a notice in its event feed when it is rectified or erased",
        tests: &[
            "crates/selfmodel-client/tests/client/lifecycle.rs::notices_tell_of_rectification_erasure_and_revocation",
        ],
    },
    ReportControl {
        framework: "GDPR",
        criterion: "Art. 20 — right to data portability",
        mechanism: "A signed, documented JSON export (optionally age-encrypted) that imports losslessly",
        tests: &[
            "crates/selfmodel-cli/tests/cli/archive.rs::round_trip_through_a_new_vault_is_lossless",
        ],
    },
    ReportControl {
        framework: "CCPA",
        criterion: "Right to know (§1798.100, §1798.110, §1798.115)",
        mechanism: "The right-to-know disclosure in one step (`package right-to-know`, or Reports in the app): categories, sources, purposes and the vendors disclosed to in the last 12 months, and whether anything was shared for advertising; every disclosure in the access log; the export",
        tests: &[
            "crates/selfmodel/tests/usecases/packages.rs::the_right_to_know_adds_up_to_the_vault_and_states_sharing_as_granted",
            "crates/selfmodel/tests/usecases/report.rs::report_numbers_match_the_vault",
            "crates/selfmodel-cli/tests/cli/archive.rs::round_trip_through_a_new_vault_is_lossless",
        ],
    },
    ReportControl {
        framework: "CCPA",
        criterion: "Right to delete (§1798.105)",
        mechanism: "Erasure in the vault, and notices to every vendor that received the belief",
        tests: &[
            "crates/selfmodel-vault/tests/vault/erasure.rs::delete_all_beliefs_leaves_no_text_behind",
            "crates/selfmodel-client/tests/client/lifecycle.rs::notices_tell_of_rectification_erasure_and_revocation",
        ],
    },
];
