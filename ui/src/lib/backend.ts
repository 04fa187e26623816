// The one seam between the UI and the Rust core. Components talk to a `Backend`; the app uses
// `TauriBackend` (IPC through `invoke`), tests use a fake. Every wire type comes from
// `bindings/ipc.ts`, generated from the Rust DTOs.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  Acceptance,
  AccessEntry,
  ApiStatus,
  AuditEvent,
  AuditVerdict,
  BeliefDetail,
  BeliefRow,
  BeliefType,
  Catalogue,
  ConflictChoice,
  DocumentFormat,
  DueBelief,
  ExportDone,
  ExportRequest,
  Grant,
  GrantRequest,
  ImportFile,
  ImportOutcome,
  IpcError,
  MemoryImport,
  Narrowing,
  NewBelief,
  PreviewPurpose,
  Recipient,
  RectifyRequest,
  Report,
  SameAs,
  SavedDocument,
  Settings,
  Unlocked,
  VaultStatus,
} from "./bindings/ipc";

export * from "./bindings/ipc";

/** Where memories come from, as `selfmodel import-memories --from` names them. */
export const MEMORY_SOURCES = ["chatgpt", "claude", "gemini", "mem0", "me-md", "text"] as const;
export type MemorySourceName = (typeof MEMORY_SOURCES)[number];

/** Everything the UI can ask of the core. */
export interface Backend {
  vaultStatus(): Promise<VaultStatus>;
  createVault(passphrase: string): Promise<void>;
  createDemoVault(): Promise<number>;
  unlock(passphrase: string): Promise<Unlocked>;
  lock(): Promise<void>;
  /** Tells the core the person is active, postponing auto-lock. */
  touch(): Promise<void>;
  catalogue(): Promise<Catalogue>;
  listBeliefs(): Promise<BeliefRow[]>;
  getBelief(id: string): Promise<BeliefDetail>;
  addBelief(belief: NewBelief): Promise<BeliefDetail>;
  rectifyBelief(id: string, change: RectifyRequest): Promise<BeliefDetail>;
  deleteBelief(id: string): Promise<void>;
  deleteBeliefs(ids: string[]): Promise<number>;
  /** Asks for a native confirmation in the core; `confirmation` is the typed phrase. */
  eraseAll(confirmation: string): Promise<number>;
  /** Deletes the vault file itself (after a native confirmation); returns how many files. */
  destroyVault(confirmation: string): Promise<number>;
  verifyAudit(): Promise<AuditVerdict>;
  auditLog(): Promise<AuditEvent[]>;
  changePassphrase(current: string, next: string): Promise<void>;
  setRetention(typeId: string, days: number): Promise<BeliefType>;
  runRetention(): Promise<number>;
  /** Days the access log keeps each vendor request in detail. */
  accessLogRetention(): Promise<number>;
  /** Sets that (a native confirmation when shortening); returns how many requests were folded. */
  setAccessLogRetention(days: number): Promise<number>;
  getSettings(): Promise<Settings>;
  setAutoLock(minutes: number): Promise<Settings>;
  apiStatus(): Promise<ApiStatus>;
  setApi(enabled: boolean, port: number): Promise<ApiStatus>;
  /** Pauses all sharing, or resumes it (after a native confirmation). */
  setSharingPaused(paused: boolean): Promise<void>;
  /** Exports after a native confirmation and save dialog (both in the core); `null` if cancelled. */
  exportBeliefs(request: ExportRequest): Promise<ExportDone | null>;
  /** Chooses a file with a native dialog; `null` if cancelled. */
  importChoose(): Promise<ImportFile | null>;
  /** Opens the chosen file (passphrase, or an identity file chosen natively) and dry-runs it. */
  importPreview(passphrase: string | null, identity: boolean): Promise<ImportOutcome>;
  importCommit(onConflict: ConflictChoice | null, trustSigner: boolean, restoreErased: boolean): Promise<ImportOutcome>;
  importCancel(): Promise<void>;
  grantRequests(pendingOnly: boolean): Promise<GrantRequest[]>;
  previewRequest(id: string, narrowing: Narrowing): Promise<PreviewPurpose[]>;
  /** Asks for a native confirmation in the core; `false` if the person cancelled. */
  approveRequest(id: string, narrowing: Narrowing): Promise<boolean>;
  denyRequest(id: string): Promise<void>;
  listGrants(): Promise<Grant[]>;
  revokeGrant(id: string): Promise<void>;
  accessLog(grantId: string | null): Promise<AccessEntry[]>;
  beliefRecipients(id: string): Promise<Recipient[]>;
  inbox(): Promise<BeliefRow[]>;
  acceptProposal(id: string, edit: RectifyRequest | null): Promise<BeliefDetail>;
  /** Accepts these proposals in one transaction (all or none), as `how` says; returns how many. */
  acceptProposals(ids: string[], how: Acceptance): Promise<number>;
  /** Rejects these proposals in one transaction (all or none); returns how many. */
  rejectProposals(ids: string[]): Promise<number>;
  /**
   * Reads memories saved by another assistant — `pasted` text, or (when `null`) a file, or a
   * folder for me.md, chosen in a native dialog — and previews their import; nothing changes.
   * `null` if the dialog was cancelled. `importCancel` forgets them.
   */
  importMemoriesPreview(source: MemorySourceName, pasted: string | null): Promise<MemoryImport | null>;
  /** Proposes the previewed memories: each waits in the inbox. */
  importMemoriesCommit(): Promise<MemoryImport>;
  /** The proposals that say the same as a belief in the model, with that belief. */
  inboxMatches(): Promise<SameAs[]>;
  /** Merges a proposal into the belief it says the same as: its evidence is added there. */
  mergeProposal(proposal: string, into: string): Promise<BeliefDetail>;
  /** The active beliefs due for review, longest overdue first. */
  reviewQueue(): Promise<DueBelief[]>;
  /** Confirms these beliefs are still true (one transaction, all or none); returns how many. */
  confirmBeliefs(ids: string[]): Promise<number>;
  /** Sets after how many days (1–10000) beliefs of a type are due for review. */
  setReviewDays(typeId: string, days: number): Promise<BeliefType>;
  /** The transparency report for the days `from` to `to` (`YYYY-MM-DD`, UTC; `null` = open). */
  transparencyReport(from: string | null, to: string | null): Promise<Report>;
  /** Saves the transparency report where the person chooses (native dialog); `null` if cancelled. */
  saveReport(from: string | null, to: string | null, format: DocumentFormat): Promise<SavedDocument | null>;
  /** Saves the GDPR Art. 15 access package (native dialog); `null` if cancelled. */
  saveAccessPackage(format: DocumentFormat): Promise<SavedDocument | null>;
  /** Saves the CCPA right-to-know disclosure (native dialog); `null` if cancelled. */
  saveRightToKnow(format: DocumentFormat): Promise<SavedDocument | null>;
  /** Calls `handler` when the core locks the vault by itself; returns a function to stop. */
  onLocked(handler: () => void): Promise<() => void>;
  /** Calls `handler` when the core opened or changed the vault by itself (the demo at start). */
  onStatus(handler: () => void): Promise<() => void>;
  /** Calls `handler` with how many items wait in the inbox, when that changes. */
  onInbox(handler: (waiting: number) => void): Promise<() => void>;
  onDamaged(handler: (why: string) => void): Promise<() => void>;
}

/** An error from the core, with its stable code. */
export class BackendError extends Error implements IpcError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = "BackendError";
  }

  /** Whatever `invoke` rejected with, as a BackendError. */
  static from(e: unknown): BackendError {
    if (e instanceof BackendError) return e;
    if (e !== null && typeof e === "object" && "code" in e && "message" in e) {
      return new BackendError(String(e.code), String(e.message));
    }
    return new BackendError("internal", e instanceof Error ? e.message : String(e));
  }
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw BackendError.from(e);
  }
}

/** The real backend: Tauri IPC. */
export class TauriBackend implements Backend {
  vaultStatus() {
    return call<VaultStatus>("vault_status");
  }
  createVault(passphrase: string) {
    return call<void>("create_vault", { passphrase });
  }
  createDemoVault() {
    return call<number>("create_demo_vault");
  }
  unlock(passphrase: string) {
    return call<Unlocked>("unlock", { passphrase });
  }
  lock() {
    return call<void>("lock");
  }
  touch() {
    return call<void>("touch");
  }
  catalogue() {
    return call<Catalogue>("catalogue");
  }
  listBeliefs() {
    return call<BeliefRow[]>("list_beliefs");
  }
  getBelief(id: string) {
    return call<BeliefDetail>("get_belief", { id });
  }
  addBelief(belief: NewBelief) {
    return call<BeliefDetail>("add_belief", { belief });
  }
  rectifyBelief(id: string, change: RectifyRequest) {
    return call<BeliefDetail>("rectify_belief", { id, change });
  }
  deleteBelief(id: string) {
    return call<void>("delete_belief", { id });
  }
  deleteBeliefs(ids: string[]) {
    return call<number>("delete_beliefs", { ids });
  }
  eraseAll(confirmation: string) {
    return call<number>("erase_all", { confirmation });
  }
  destroyVault(confirmation: string) {
    return call<number>("destroy_vault", { confirmation });
  }
  verifyAudit() {
    return call<AuditVerdict>("verify_audit");
  }
  auditLog() {
    return call<AuditEvent[]>("audit_log");
  }
  changePassphrase(current: string, next: string) {
    return call<void>("change_passphrase", { current, new: next });
  }
  setRetention(typeId: string, days: number) {
    return call<BeliefType>("set_retention", { typeId, days });
  }
  accessLogRetention() {
    return call<number>("access_log_retention");
  }
  setAccessLogRetention(days: number) {
    return call<number>("set_access_log_retention", { days });
  }
  runRetention() {
    return call<number>("run_retention");
  }
  getSettings() {
    return call<Settings>("get_settings");
  }
  setAutoLock(minutes: number) {
    return call<Settings>("set_auto_lock", { minutes });
  }
  apiStatus() {
    return call<ApiStatus>("api_status");
  }
  setApi(enabled: boolean, port: number) {
    return call<ApiStatus>("set_api", { enabled, port });
  }
  setSharingPaused(paused: boolean) {
    return call<void>("set_sharing_paused", { paused });
  }
  exportBeliefs(request: ExportRequest) {
    return call<ExportDone | null>("export_beliefs", { request });
  }
  importChoose() {
    return call<ImportFile | null>("import_choose");
  }
  importPreview(passphrase: string | null, identity: boolean) {
    return call<ImportOutcome>("import_preview", { passphrase, identity });
  }
  importCommit(onConflict: ConflictChoice | null, trustSigner: boolean, restoreErased: boolean) {
    return call<ImportOutcome>("import_commit", { onConflict, trustSigner, restoreErased });
  }
  importCancel() {
    return call<void>("import_cancel");
  }
  grantRequests(pendingOnly: boolean) {
    return call<GrantRequest[]>("grant_requests", { pendingOnly });
  }
  previewRequest(id: string, narrowing: Narrowing) {
    return call<PreviewPurpose[]>("preview_request", { id, narrowing });
  }
  approveRequest(id: string, narrowing: Narrowing) {
    return call<boolean>("approve_request", { id, narrowing });
  }
  denyRequest(id: string) {
    return call<void>("deny_request", { id });
  }
  listGrants() {
    return call<Grant[]>("list_grants");
  }
  revokeGrant(id: string) {
    return call<void>("revoke_grant", { id });
  }
  accessLog(grantId: string | null) {
    return call<AccessEntry[]>("access_log", { grantId });
  }
  beliefRecipients(id: string) {
    return call<Recipient[]>("belief_recipients", { id });
  }
  inbox() {
    return call<BeliefRow[]>("inbox");
  }
  acceptProposal(id: string, edit: RectifyRequest | null) {
    return call<BeliefDetail>("accept_proposal", { id, edit });
  }
  acceptProposals(ids: string[], how: Acceptance) {
    return call<number>("accept_proposals", { ids, how });
  }
  rejectProposals(ids: string[]) {
    return call<number>("reject_proposals", { ids });
  }
  importMemoriesPreview(source: MemorySourceName, pasted: string | null) {
    return call<MemoryImport | null>("import_memories_preview", { source, pasted });
  }
  importMemoriesCommit() {
    return call<MemoryImport>("import_memories_commit");
  }
  inboxMatches() {
    return call<SameAs[]>("inbox_matches");
  }
  mergeProposal(proposal: string, into: string) {
    return call<BeliefDetail>("merge_proposal", { proposal, into });
  }
  reviewQueue() {
    return call<DueBelief[]>("review_queue");
  }
  confirmBeliefs(ids: string[]) {
    return call<number>("confirm_beliefs", { ids });
  }
  setReviewDays(typeId: string, days: number) {
    return call<BeliefType>("set_review_days", { typeId, days });
  }
  transparencyReport(from: string | null, to: string | null) {
    return call<Report>("transparency_report", { from, to });
  }
  saveReport(from: string | null, to: string | null, format: DocumentFormat) {
    return call<SavedDocument | null>("save_report", { from, to, format });
  }
  saveAccessPackage(format: DocumentFormat) {
    return call<SavedDocument | null>("save_access_package", { format });
  }
  saveRightToKnow(format: DocumentFormat) {
    return call<SavedDocument | null>("save_right_to_know", { format });
  }
  async onLocked(handler: () => void) {
    return listen("vault-locked", () => handler());
  }
  async onStatus(handler: () => void) {
    return listen("vault-status", () => handler());
  }
  async onInbox(handler: (waiting: number) => void) {
    return listen<number>("inbox-count", (e) => handler(e.payload));
  }
  /** What the check of every page, started at unlock, found wrong with the vault file. */
  async onDamaged(handler: (why: string) => void) {
    return listen<string>("vault-damaged", (e) => handler(e.payload));
  }
}
