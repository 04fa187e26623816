// The IPC commands of the main window, in one list shared by `build.rs` (which generates an
// `allow-<command>` permission for each), the capability test and the isolation allow-list test.
// Adding a command means adding it here, to `capabilities/main-window.json`, to the isolation
// app's allow-list and to `ui/src/lib/backend.ts`; the tests in `tests/ipc_surface.rs` say so
// when one of them is missing.

/// Every command the main window may invoke.
pub const COMMANDS: &[&str] = &[
    "vault_status",
    "create_vault",
    "create_demo_vault",
    "unlock",
    "lock",
    "touch",
    "catalogue",
    "list_beliefs",
    "get_belief",
    "add_belief",
    "rectify_belief",
    "delete_belief",
    "delete_beliefs",
    "erase_all",
    "destroy_vault",
    "verify_audit",
    "audit_log",
    "change_passphrase",
    "set_retention",
    "run_retention",
    "get_settings",
    "set_auto_lock",
    "api_status",
    "set_api",
    "export_beliefs",
    "import_choose",
    "import_preview",
    "import_commit",
    "import_cancel",
    "grant_requests",
    "preview_request",
    "approve_request",
    "deny_request",
    "list_grants",
    "revoke_grant",
    "access_log",
    "belief_recipients",
    "inbox",
    "accept_proposal",
    "reject_proposal",
];
