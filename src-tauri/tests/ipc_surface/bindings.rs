//! The UI's TypeScript types, declared from the IPC wire types by ts-rs.

use selfmodel::report;
use selfmodel_desktop::dto::*;
use ts_rs::TS;

/// The TypeScript declarations of every wire type, as committed in
/// `ui/src/lib/bindings/ipc.ts`.
pub fn typescript_bindings() -> String {
    // Every integer crosses as a JSON number.
    let cfg = ts_rs::Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from src-tauri/src/dto/ and crates/selfmodel/src/report/json.rs by ts-rs.\n\
         // Do not edit: run `SELFMODEL_BLESS=1 cargo test -p selfmodel-desktop --test ipc_surface`\n\
         // to regenerate.\n",
    );
    macro_rules! decl {
        ($($t:ty),+ $(,)?) => {$(
            out.push('\n');
            if let Some(docs) = <$t as TS>::docs() {
                out.push_str(&docs);
            }
            out.push_str("export ");
            out.push_str(&<$t as TS>::decl(&cfg));
            out.push('\n');
        )+};
    }
    decl!(
        Sensitivity,
        Status,
        EvidenceKind,
        ActorKind,
        Actor,
        Provenance,
        Evidence,
        Snapshot,
        Rectification,
        BeliefRow,
        BeliefDetail,
        NewEvidence,
        NewBelief,
        RectifyRequest,
        Acceptance,
        DueBelief,
        SameAs,
        MemoryFate,
        MemoryItem,
        MemoryImport,
        Purpose,
        BeliefType,
        Catalogue,
        AuditEvent,
        AuditVerdict,
        VaultStatus,
        Unlocked,
        Settings,
        ApiStatus,
        ExportEncryption,
        ExportRequest,
        ExportDone,
        ImportFile,
        ConflictChoice,
        ImportOutcome,
        Vendor,
        Scope,
        GrantRequest,
        Narrowing,
        PreviewPurpose,
        Grant,
        AccessEntry,
        AccessPage,
        AuditPage,
        Received,
        Recipient,
        ReportDocument,
        report::ReportFormat,
        report::ReportPeriod,
        report::ReportInventory,
        report::ReportSensitivity,
        report::ReportEvidence,
        report::ReportType,
        report::ReportRetention,
        report::ReportRetentionType,
        report::ReportLimits,
        report::ReportVendor,
        report::ReportVendorName,
        report::ReportScope,
        report::ReportVendorPeriod,
        report::ReportPurpose,
        report::ReportSeries,
        report::ReportSeriesLine,
        report::Bucket,
        report::ReportAlert,
        report::ReportIntegrity,
        report::ChainState,
        report::ReportChainEntry,
        report::ReportControl,
        DocumentFormat,
        SavedDocument,
        IpcError,
    );
    out.push_str(&error_codes());
    out
}

/// The TypeScript union of every [`ErrorCode`], from its one list.
fn error_codes() -> String {
    let names: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| format!("\n  | \"{c}\""))
        .collect();
    format!(
        "\n/**\n * A stable, machine-readable error code: one list for every boundary (the vendor \
         API,\n * the access log, IPC).\n */\nexport type ErrorCode ={};\n",
        names.concat()
    )
}
