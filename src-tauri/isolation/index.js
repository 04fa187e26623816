// The isolation application (Tauri's isolation pattern): every IPC message from the UI passes
// through this hook, in a sandboxed iframe, before Tauri encrypts it for the Rust core. It lets
// through only the commands the UI uses, each with exactly its known arguments of the right
// shape. Anything else is rewritten to a command that does not exist, so the call fails with an
// error instead of reaching the core. Keep this file dependency-free and in sync with
// src-tauri/src/command_names.rs (a test checks the command list).
"use strict";

(function () {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const str = (max) => (v) => typeof v === "string" && v.length <= max;
  const id = (v) => typeof v === "string" && UUID.test(v);
  const int = (min, max) => (v) => Number.isInteger(v) && v >= min && v <= max;
  const obj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const ids = (v) => Array.isArray(v) && v.length <= 100000 && v.every(id);
  const PASS = str(4096);
  const DAY = /^\d{4}-\d{2}-\d{2}$/;
  const DAY_OR_NULL = (v) => v === null || (typeof v === "string" && DAY.test(v));
  const FORMAT = (v) => v === "html" || v === "markdown" || v === "json";
  const EVENTS = ["vault-locked", "vault-status", "inbox-count", "vault-damaged"];

  // command -> { argument name (as the UI sends it, camelCase): check }
  const RULES = {
    vault_status: {},
    create_vault: { passphrase: PASS },
    create_demo_vault: {},
    unlock: { passphrase: PASS },
    lock: {},
    touch: {},
    catalogue: {},
    list_beliefs: {},
    get_belief: { id },
    add_belief: { belief: obj },
    rectify_belief: { id, change: obj },
    delete_belief: { id },
    delete_beliefs: { ids },
    erase_all: { confirmation: str(64) },
    destroy_vault: { confirmation: str(64) },
    verify_audit: {},
    audit_log: {
      before: (v) => v === null || int(1, Number.MAX_SAFE_INTEGER)(v),
      action: (v) => v === null || str(64)(v),
    },
    audit_actions: {},
    change_passphrase: { current: PASS, new: PASS },
    set_retention: { typeId: str(128), days: int(1, 36500) },
    run_retention: {},
    get_settings: {},
    set_auto_lock: { minutes: int(1, 1440) },
    access_log_retention: {},
    set_access_log_retention: { days: int(30, 36500) },
    api_status: {},
    set_api: { enabled: (v) => typeof v === "boolean", port: int(1024, 65535) },
    set_sharing_paused: { paused: (v) => typeof v === "boolean" },
    export_beliefs: { request: obj },
    import_choose: {},
    import_preview: { passphrase: (v) => v === null || PASS(v), identity: (v) => typeof v === "boolean" },
    import_commit: {
      onConflict: (v) => v === null || v === "keep" || v === "take",
      trustSigner: (v) => typeof v === "boolean",
      restoreErased: (v) => typeof v === "boolean",
    },
    import_cancel: {},
    import_memories_cancel: {},
    grant_requests: { pendingOnly: (v) => typeof v === "boolean" },
    preview_request: { id: str(128), narrowing: obj },
    approve_request: { id: str(128), narrowing: obj },
    deny_request: { id: str(128) },
    list_grants: {},
    revoke_grant: { id: str(128) },
    access_log: {
      before: (v) => v === null || int(1, Number.MAX_SAFE_INTEGER)(v),
      // Vendor ids are at most 100 characters (code points, not UTF-16 units).
      vendorId: (v) => v === null || (typeof v === "string" && [...v].length <= 100),
      purpose: (v) => v === null || str(128)(v),
      deniedOnly: (v) => typeof v === "boolean",
    },
    received: { grantId: (v) => v === null || id(v) },
    belief_recipients: { id },
    inbox: {},
    accept_proposal: { id, edit: (v) => v === null || obj(v) },
    accept_proposals: { ids, how: obj },
    reject_proposals: { ids },
    import_memories_preview: {
      source: (v) => ["chatgpt", "claude", "gemini", "mem0", "me-md", "text"].includes(v),
      pasted: (v) => v === null || str(4 * 1024 * 1024)(v),
    },
    import_memories_commit: {},
    inbox_matches: {},
    merge_proposal: { proposal: id, into: id },
    review_queue: {},
    confirm_beliefs: { ids },
    set_review_days: { typeId: str(128), days: int(1, 10000) },
    transparency_report: { from: DAY_OR_NULL, to: DAY_OR_NULL },
    save_report: { from: DAY_OR_NULL, to: DAY_OR_NULL, format: FORMAT },
    save_access_package: { format: FORMAT },
    save_right_to_know: { format: FORMAT },
    // The UI listens for exactly four events: the vault locked itself or was opened at start,
    // how many items wait in the inbox, and damage found by the background page check.
    "plugin:event|listen": {
      event: (v) => EVENTS.includes(v),
      target: obj,
      handler: int(0, Number.MAX_SAFE_INTEGER),
    },
    "plugin:event|unlisten": {
      event: (v) => EVENTS.includes(v),
      eventId: int(0, Number.MAX_SAFE_INTEGER),
    },
  };

  const REJECTED = "selfmodel_isolation_rejected";

  function allowed(message) {
    const rules = Object.prototype.hasOwnProperty.call(RULES, message.cmd)
      ? RULES[message.cmd]
      : null;
    if (rules === null) return false;
    const args = message.payload === undefined ? {} : message.payload;
    if (!obj(args)) return false;
    const given = Object.keys(args);
    const known = Object.keys(rules);
    if (given.some((k) => !known.includes(k))) return false;
    return known.every((k) => rules[k](args[k]));
  }

  window.__TAURI_ISOLATION_HOOK__ = (message) => {
    if (allowed(message)) return message;
    console.error("selfmodel isolation: refused an IPC call to", String(message.cmd));
    message.cmd = REJECTED;
    message.payload = {};
    return message;
  };
})();
