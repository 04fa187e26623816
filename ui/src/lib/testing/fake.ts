// An in-memory Backend for tests: the same contract as the core, no IPC.

import { BackendError, type Backend, type MemorySourceName } from "../backend";
import type {
  Acceptance,
  DueBelief,
  SameAs,
  MemoryImport,
  MemoryItem,
  AccessEntry,
  AccessPage,
  ApiStatus,
  AuditEvent,
  AuditPage,
  AuditVerdict,
  BeliefDetail,
  BeliefRow,
  BeliefType,
  Catalogue,
  ConflictChoice,
  DocumentFormat,
  ExportDone,
  ExportRequest,
  Grant,
  GrantRequest,
  ImportFile,
  ImportOutcome,
  Narrowing,
  NewBelief,
  PreviewPurpose,
  Received,
  Recipient,
  RectifyRequest,
  ReportDocument,
  SavedDocument,
  Settings,
  Unlocked,
  VaultStatus,
} from "../bindings/ipc";

/** The core's reason for refusing a memory that holds an email address (never the text). */
export const EMAIL_REFUSAL = "contains what looks like an email address; a self-model keeps no such data";

/** The source's name as the core reports it in an import. */
const MEMORY_SOURCE_DISPLAY: Record<MemorySourceName, string> = {
  chatgpt: "ChatGPT saved memories",
  claude: "Claude memory",
  gemini: "Gemini saved info",
  mem0: "mem0 export",
  "me-md": "me.md directory",
  text: "pasted list",
};

export const CATALOGUE: Catalogue = {
  types: [
    {
      id: "communication-style",
      name: "Communication style",
      description: "How you like to be addressed.",
      allowed_purposes: ["communication", "personalisation"],
      retention_days: 730,
      min_share_confidence: 0.5,
      evidence_required: false,
      default_sensitivity: "normal",
      review_days: 365,
    },
    {
      id: "health",
      name: "Health",
      description: "Physical or mental health.",
      allowed_purposes: ["personalisation"],
      retention_days: 90,
      min_share_confidence: 0.8,
      evidence_required: true,
      default_sensitivity: "special",
      review_days: 90,
    },
  ],
  purposes: [
    { id: "communication", name: "Communication style", description: "", dpv_term: "dpv:x", opt_in: false },
    { id: "personalisation", name: "Service personalisation", description: "", dpv_term: "dpv:y", opt_in: false },
    { id: "advertising", name: "Personalised advertising", description: "", dpv_term: "dpv:z", opt_in: true },
  ],
};

let counter = 0;
export function row(over: Partial<BeliefRow> = {}): BeliefRow {
  counter += 1;
  const n = String(counter).padStart(12, "0");
  const t = new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString();
  return {
    id: `0190aaaa-0000-7000-8000-${n}`,
    statement: `Belief number ${counter}`,
    category: "communication-style",
    confidence: 0.5,
    purposes: ["communication"],
    sensitivity: "normal",
    status: "active",
    actor: { kind: "person", label: "person", grant_id: null },
    created_at: t,
    updated_at: t,
    expires_at: null,
    confirmed_at: t,
    evidence_count: 0,
    history_count: 0,
    ...over,
  };
}

export class FakeBackend implements Backend {
  passphrase = "correct horse battery staple";
  exists = true;
  unlocked = false;
  rows: BeliefRow[] = [];
  settings: Settings = { auto_lock_minutes: 10, api_enabled: true, api_port: 7420 };
  calls: string[] = [];
  integrityWarning: string | null = null;
  /** The audit chain, oldest first; paged newest first like the core, `auditPage` at a time. */
  audit: AuditEvent[] = [];
  auditPage = 500;
  private lockedHandlers: (() => void)[] = [];

  private need() {
    if (!this.unlocked) throw new BackendError("vault_locked", "The vault is locked.");
  }
  private log(name: string) {
    this.calls.push(name);
  }

  async vaultStatus(): Promise<VaultStatus> {
    this.log("vault_status");
    return {
      path: "/tmp/vault.db",
      exists: this.exists,
      unlocked: this.unlocked,
      sharing_paused: this.unlocked && this.paused,
      demo: false,
      demo_passphrase: "demo passphrase",
      min_passphrase_chars: 10,
      confirmations_auto_accepted: false,
    };
  }
  async createVault(passphrase: string) {
    this.log("create_vault");
    if ([...passphrase].length < 10) throw new BackendError("weak_passphrase", "passphrase too weak");
    this.passphrase = passphrase;
    this.exists = this.unlocked = true;
  }
  async createDemoVault() {
    this.log("create_demo_vault");
    this.exists = this.unlocked = true;
    this.rows = [row(), row()];
    return 2;
  }
  async unlock(passphrase: string): Promise<Unlocked> {
    this.log("unlock");
    if (passphrase !== this.passphrase)
      throw new BackendError("wrong_passphrase", "wrong passphrase (or the file is not a Selfmodel vault)");
    this.unlocked = true;
    return { purged_at_open: 0, integrity_warning: this.integrityWarning };
  }
  async lock() {
    this.unlocked = false;
  }
  async touch() {}
  async catalogue() {
    this.need();
    const c = structuredClone(CATALOGUE);
    for (const t of c.types) t.review_days = this.reviewDays(t.id);
    return c;
  }
  async listBeliefs() {
    this.need();
    return [...this.rows];
  }
  async getBelief(id: string): Promise<BeliefDetail> {
    this.need();
    const r = this.rows.find((x) => x.id === id);
    if (!r) throw new BackendError("not_found", `no belief with id ${id}`);
    return {
      row: r,
      evidence: [],
      provenance: { actor: r.actor, method: "app" },
      history: [],
    };
  }
  async addBelief(b: NewBelief) {
    this.need();
    const r = row({ statement: b.statement, category: b.category, confidence: b.confidence, purposes: b.purposes });
    this.rows.push(r);
    return this.getBelief(r.id);
  }
  async rectifyBelief(id: string, change: RectifyRequest) {
    this.need();
    const r = this.rows.find((x) => x.id === id);
    if (!r) throw new BackendError("not_found", "no belief");
    if (change.statement !== null) r.statement = change.statement;
    if (change.confidence !== null) r.confidence = change.confidence;
    if (change.purposes !== null) r.purposes = [...change.purposes];
    r.history_count += 1;
    // As the core: the person correcting a belief also confirms it.
    r.confirmed_at = this.now.toISOString();
    return this.getBelief(id);
  }
  async deleteBelief(id: string) {
    this.need();
    this.rows = this.rows.filter((r) => r.id !== id);
  }
  async deleteBeliefs(ids: string[]) {
    this.need();
    const gone = new Set(ids);
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !gone.has(r.id));
    return before - this.rows.length;
  }
  async eraseAll(confirmation: string) {
    this.need();
    if (confirmation !== "erase everything") throw new BackendError("confirmation_required", "type it");
    const n = this.rows.length;
    this.rows = [];
    return n;
  }
  async destroyVault(confirmation: string) {
    this.log("destroy_vault");
    this.need();
    if (confirmation !== "destroy this vault") throw new BackendError("confirmation_required", "type it");
    this.rows = [];
    this.exists = this.unlocked = false;
    return 1;
  }
  async verifyAudit(): Promise<AuditVerdict> {
    this.need();
    return { verdict: "intact", events: Math.max(this.audit.length, 1), head: "ab".repeat(32) };
  }
  async auditLog(before: number | null, action: string | null): Promise<AuditPage> {
    this.need();
    this.log("audit_log");
    const found = this.audit
      .filter((e) => (before === null || e.seq < before) && (action === null || e.action === action))
      .reverse();
    return { events: found.slice(0, this.auditPage), more: found.length > this.auditPage };
  }
  async auditActions(): Promise<string[]> {
    return ["belief.created", "belief.deleted", "vault.created"];
  }
  async changePassphrase(current: string, next: string) {
    this.need();
    if (current !== this.passphrase) throw new BackendError("wrong_passphrase", "wrong passphrase");
    this.passphrase = next;
  }
  async setRetention(typeId: string, days: number): Promise<BeliefType> {
    this.need();
    const t = CATALOGUE.types.find((x) => x.id === typeId);
    if (!t) throw new BackendError("unknown_category", typeId);
    return { ...t, retention_days: days };
  }
  async runRetention() {
    return 0;
  }
  accessLogDays = 365;
  async accessLogRetention() {
    this.need();
    return this.accessLogDays;
  }
  async setAccessLogRetention(days: number) {
    this.log("set_access_log_retention");
    this.need();
    if (!Number.isInteger(days) || days < 30 || days > 36500)
      throw new BackendError("invalid_field", "access_log_retention_days: choose from 30 to 36500 days");
    const folded = days < this.accessLogDays ? 3 : 0;
    this.accessLogDays = days;
    return folded;
  }
  async getSettings() {
    return this.settings;
  }
  async setAutoLock(minutes: number) {
    this.settings = { ...this.settings, auto_lock_minutes: minutes };
    return this.settings;
  }
  async onLocked(handler: () => void) {
    this.lockedHandlers.push(handler);
    return () => {
      this.lockedHandlers = this.lockedHandlers.filter((h) => h !== handler);
    };
  }
  async apiStatus(): Promise<ApiStatus> {
    return {
      enabled: this.settings.api_enabled,
      port: this.settings.api_port,
      listening: this.unlocked && this.settings.api_enabled ? this.settings.api_port : null,
      error: null,
    };
  }
  paused = false;
  async setSharingPaused(paused: boolean) {
    this.log("set_sharing_paused");
    this.need();
    this.paused = paused;
  }
  async setApi(enabled: boolean, port: number) {
    this.settings = { ...this.settings, api_enabled: enabled, api_port: port };
    return this.apiStatus();
  }
  async onStatus(_handler: () => void) {
    return () => {};
  }
  async onInbox(_handler: (waiting: number) => void) {
    return () => {};
  }
  private damagedHandlers: ((why: string) => void)[] = [];
  async onDamaged(handler: (why: string) => void) {
    this.damagedHandlers.push(handler);
    return () => {
      this.damagedHandlers = this.damagedHandlers.filter((h) => h !== handler);
    };
  }
  /** The core's page check found damage. */
  damaged(why: string) {
    for (const h of this.damagedHandlers) h(why);
  }
  exported: ExportRequest[] = [];
  /** The size of the file an export writes. */
  exportBytes = 1234;
  async exportBeliefs(request: ExportRequest): Promise<ExportDone | null> {
    this.need();
    this.exported.push(request);
    return {
      path: "/tmp/selfmodel-export.json",
      bytes: this.exportBytes,
      importable: this.exportBytes <= 512 * 1024 * 1024,
      beliefs: this.rows.length,
      evidence: 0,
      history: 0,
      encryption: request.encryption,
      public_key: "cd".repeat(32),
      subset: request.categories.length > 0,
    };
  }
  async importChoose(): Promise<ImportFile | null> {
    this.need();
    return { path: "/tmp/in.age", bytes: 999, encryption: "passphrase" };
  }
  private outcome(dryRun: boolean): ImportOutcome {
    return {
      dry_run: dryRun,
      changed: !dryRun,
      exported_at: "2026-01-01T00:00:00.000Z",
      source_vault: "v1",
      signed_by: "ef".repeat(32),
      in_file: 3,
      new: 2,
      identical: 1,
      conflicting: [],
      types_added: [],
      purposes_added: [],
      types_differing: [],
      foreign: false,
      erased: 0,
      left_out: 0,
      left_out_first: [],
    };
  }
  async importPreview(passphrase: string | null, _identity: boolean) {
    this.need();
    if (passphrase !== "file pass") throw new BackendError("wrong_passphrase", "wrong passphrase for the file");
    return this.outcome(true);
  }
  async importCommit(_onConflict: ConflictChoice | null, _trustSigner: boolean, _restoreErased: boolean) {
    this.need();
    this.rows.push(row(), row());
    return this.outcome(false);
  }
  async importCancel() {}
  async importMemoriesCancel() {
    this.memories = null;
  }
  /** Memories previewed and waiting for the commit (as the core keeps them). */
  memories: { source: MemorySourceName; lines: { line: number; text: string }[] } | null = null;
  /** The paste the fake file dialog gives (`null`: the dialog is cancelled). */
  chosenFile: string | null = null;
  async importMemoriesPreview(source: MemorySourceName, pasted: string | null) {
    this.need();
    const text = pasted ?? this.chosenFile;
    if (text === null) return null;
    // As the core's list format: each memory keeps the number of its line in the input.
    const lines = text
      .split("\n")
      .map((l, i) => ({ line: i + 1, text: l.replace(/^\s*(?:[-*+•]|\d+[.)])\s*/, "").trim() }))
      .filter((l) => l.text !== "");
    if (lines.length === 0) throw new BackendError("bad_memory_input", "there are no memories in the input");
    this.memories = { source, lines };
    return this.memoryReport(true);
  }
  async importMemoriesCommit() {
    this.need();
    if (!this.memories) throw new BackendError("no_import", "Read the memories to import first.");
    const report = this.memoryReport(false);
    for (const item of report.items) {
      if (item.fate === "proposed") {
        this.rows.push(row({ statement: item.statement!, status: "pending", confirmed_at: null, evidence_count: 1 }));
      }
    }
    this.memories = null;
    return report;
  }
  /** What the fake's import would do: a line holding "@" is refused as an email address, one
   * already a statement is a duplicate, the rest are proposed as communication style. */
  private memoryReport(dryRun: boolean): MemoryImport {
    const seen = new Set(this.rows.map((r) => r.statement.toLowerCase()));
    const items = this.memories!.lines.map(({ line, text: statement }): MemoryItem => {
      const base = { line, file: null, statement: null, category: null, purposes: [] as string[], reason: null };
      if (statement.includes("@")) return { ...base, fate: "refused", reason: EMAIL_REFUSAL };
      if (seen.has(statement.toLowerCase())) return { ...base, fate: "duplicate" };
      seen.add(statement.toLowerCase());
      return { ...base, fate: "proposed", statement, category: "communication-style", purposes: ["communication"] };
    });
    const n = (fate: MemoryItem["fate"]) => items.filter((i) => i.fate === fate).length;
    return {
      dry_run: dryRun,
      changed: !dryRun && n("proposed") > 0,
      source: MEMORY_SOURCE_DISPLAY[this.memories!.source],
      items,
      proposed: n("proposed"),
      duplicates: n("duplicate"),
      previously_erased: n("previously_erased"),
      refused: n("refused"),
    };
  }
  /** As the core, roughly: a proposal is the same as an active belief with the same words. */
  async inboxMatches(): Promise<SameAs[]> {
    this.need();
    const key = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
    const active = this.rows.filter((r) => r.status === "active");
    return this.rows
      .filter((r) => r.status === "pending")
      .flatMap((p) => {
        const same = active.find((a) => key(a.statement) === key(p.statement));
        return same ? [{ proposal_id: p.id, id: same.id, statement: same.statement, similarity: 1 }] : [];
      });
  }
  /** Merges calls, as `proposal>into`. */
  merged: string[] = [];
  async mergeProposal(proposal: string, into: string) {
    this.need();
    const [from] = this.proposals([proposal]);
    const target = this.rows.find((r) => r.id === into && r.status === "active");
    if (!target) throw new BackendError("invalid_field", `into: ${into} is not an active belief`);
    target.evidence_count += from!.evidence_count;
    this.rows = this.rows.filter((r) => r !== from);
    this.merged.push(`${proposal}>${into}`);
    return this.getBelief(into);
  }
  /** Days each type's beliefs wait before review, as the fake's catalogue says. */
  private reviewDays(category: string) {
    return this.reviewOverrides.get(category) ?? CATALOGUE.types.find((t) => t.id === category)?.review_days ?? 180;
  }
  /** Review intervals set through setReviewDays (the shared catalogue stays as it is). */
  reviewOverrides = new Map<string, number>();
  /** The time the fake's review queue is computed at. */
  now = new Date(Date.UTC(2026, 11, 1));
  async reviewQueue(): Promise<DueBelief[]> {
    this.need();
    const day = 86_400_000;
    return this.rows
      .filter((r) => r.status === "active")
      .map((r) => ({
        row: { ...r },
        due_since: new Date(Date.parse(r.confirmed_at ?? r.created_at) + this.reviewDays(r.category) * day).toISOString(),
      }))
      .filter((d) => Date.parse(d.due_since) <= this.now.getTime())
      .sort((a, b) => a.due_since.localeCompare(b.due_since));
  }
  async confirmBeliefs(ids: string[]) {
    this.need();
    const rows = ids.map((id) => this.rows.find((r) => r.id === id && r.status === "active"));
    if (rows.some((r) => r === undefined)) throw new BackendError("invalid_field", "only an active belief is confirmed");
    for (const r of rows) r!.confirmed_at = this.now.toISOString();
    return new Set(ids).size;
  }
  async setReviewDays(typeId: string, days: number): Promise<BeliefType> {
    this.need();
    const t = CATALOGUE.types.find((x) => x.id === typeId);
    if (!t) throw new BackendError("unknown_category", typeId);
    if (!Number.isInteger(days) || days < 1 || days > 10000)
      throw new BackendError("invalid_field", "review_days: must be from 1 to 10000 days");
    this.reviewOverrides.set(typeId, days);
    return { ...t, review_days: days };
  }
  requests: GrantRequest[] = [];
  grants: Grant[] = [];
  accessEntries: AccessEntry[] = [];
  approved: { id: string; narrowing: Narrowing }[] = [];
  async grantRequests(pendingOnly: boolean) {
    this.need();
    return this.requests.filter((r) => !pendingOnly || r.status === "pending");
  }
  async previewRequest(_id: string, narrowing: Narrowing): Promise<PreviewPurpose[]> {
    this.need();
    const purposes = narrowing.purposes ?? ["communication"];
    return purposes.map((purpose) => ({ purpose, beliefs: this.rows.filter((r) => r.purposes.includes(purpose)) }));
  }
  async approveRequest(id: string, narrowing: Narrowing) {
    this.need();
    this.approved.push({ id, narrowing });
    const r = this.requests.find((x) => x.id === id);
    if (r) r.status = "approved";
    return true;
  }
  async denyRequest(id: string) {
    const r = this.requests.find((x) => x.id === id);
    if (r) r.status = "denied";
  }
  async listGrants() {
    this.need();
    return this.grants;
  }
  async revokeGrant(id: string) {
    const g = this.grants.find((x) => x.id === id);
    if (g) {
      g.revoked_at = new Date().toISOString();
      g.live = false;
    }
  }
  /** Entries in one page of `accessLog`, as the core pages them (newest first). */
  accessPage = 200;
  async accessLog(
    before: number | null,
    vendorId: string | null,
    purpose: string | null,
    deniedOnly: boolean,
  ): Promise<AccessPage> {
    this.need();
    this.log("access_log");
    const found = this.accessEntries
      .filter(
        (e) =>
          (before === null || e.seq < before) &&
          (vendorId === null || e.vendor_id === vendorId) &&
          (purpose === null || e.purpose === purpose) &&
          (!deniedOnly || !e.allowed),
      )
      .reverse();
    return { entries: found.slice(0, this.accessPage), more: found.length > this.accessPage };
  }
  async received(grantId: string | null): Promise<Received[]> {
    this.need();
    const byVendor = new Map<string, Set<string>>();
    for (const e of this.accessEntries) {
      if (!e.allowed || e.vendor_id === null || (grantId !== null && e.grant_id !== grantId)) continue;
      const ids = byVendor.get(e.vendor_id) ?? new Set<string>();
      e.disclosed.forEach((id) => ids.add(id));
      byVendor.set(e.vendor_id, ids);
    }
    return [...byVendor].map(([vendor_id, ids]) => ({ vendor_id, beliefs: [...ids] }));
  }
  async beliefRecipients(_id: string): Promise<Recipient[]> {
    return [];
  }
  async inbox() {
    this.need();
    return this.rows.filter((r) => r.status === "pending");
  }
  async acceptProposal(id: string, edit: RectifyRequest | null) {
    this.need();
    const r = this.rows.find((x) => x.id === id)!;
    if (edit?.statement) r.statement = edit.statement;
    r.status = "active";
    return this.getBelief(id);
  }
  /** Pending proposals, or the error the first id that is not one gives (nothing changes). */
  private proposals(ids: string[]) {
    const found = ids.map((id) => this.rows.find((r) => r.id === id && r.status === "pending"));
    if (found.some((r) => r === undefined)) {
      throw new BackendError("not_pending", "that belief is not a pending proposal");
    }
    return found as BeliefRow[];
  }
  /** Adds `n` pending proposals from a vendor (as an import or a vendor would); returns them. */
  seedProposals(n: number, over: Partial<BeliefRow> = {}): BeliefRow[] {
    const added = Array.from({ length: n }, (_, i) =>
      row({
        statement: `Proposal ${i + 1} of ${n}`,
        status: "pending",
        actor: { kind: "vendor", label: "Example vendor", grant_id: "grant-1" },
        evidence_count: 1,
        ...over,
      }),
    );
    this.rows.push(...added);
    return added;
  }
  /** The ids and how of each acceptProposals call, in order. */
  acceptCalls: { ids: string[]; how: Acceptance }[] = [];
  /** As the core: a new type must exist, require evidence only if it has some, and limits the
   * purposes; without purposes, a retyped belief keeps those the type allows, else its defaults. */
  async acceptProposals(ids: string[], how: Acceptance) {
    this.need();
    this.acceptCalls.push({ ids: [...ids], how: structuredClone(how) });
    const rows = this.proposals(ids);
    const typeOf = (id: string) => {
      const t = CATALOGUE.types.find((x) => x.id === id);
      if (!t) throw new BackendError("unknown_category", `unknown belief type '${id}'`);
      return t;
    };
    const next = rows.map((r) => {
      const retyped = how.category !== null && how.category !== r.category;
      const ty = typeOf(how.category ?? r.category);
      if (retyped && ty.evidence_required && r.evidence_count === 0)
        throw new BackendError("invalid_field", `category: beliefs of type '${ty.id}' need at least one piece of evidence`);
      let purposes = r.purposes;
      if (how.purposes !== null) {
        const bad = how.purposes.find((p) => !ty.allowed_purposes.includes(p));
        if (bad !== undefined) throw new BackendError("purpose_not_allowed", `purpose '${bad}' is not allowed for '${ty.id}'`);
        purposes = [...how.purposes];
      } else if (retyped) {
        purposes = r.purposes.filter((p) => ty.allowed_purposes.includes(p));
        if (purposes.length === 0)
          purposes = ty.allowed_purposes.filter((p) => CATALOGUE.purposes.some((x) => x.id === p && !x.opt_in));
      }
      const sensitivity = retyped && ty.default_sensitivity === "special" ? "special" : r.sensitivity;
      return { ...r, status: "active" as const, category: ty.id, purposes, sensitivity };
    });
    // All or none: only now, with every proposal checked, does anything change.
    const byId = new Map(next.map((r) => [r.id, r]));
    this.rows = this.rows.map((r) => byId.get(r.id) ?? r);
    return next.length;
  }
  async rejectProposals(ids: string[]) {
    this.need();
    const rows = this.proposals(ids);
    this.rows = this.rows.filter((r) => !rows.includes(r));
    return rows.length;
  }
  /** Periods the Reports screen asked for, as `from..to`. */
  reportPeriods: string[] = [];
  /** Documents saved, as `kind:format`. */
  saved: string[] = [];
  /** Whether the (fake) save dialog is cancelled. */
  cancelSave = false;
  /** Beliefs disclosed per vendor and day, for the report's series. */
  disclosures: { vendor_id: string; name: string; counts: number[] }[] = [
    { vendor_id: "com.example.writer", name: "Writer", counts: [0, 3, 0, 2] },
    { vendor_id: "com.example.shop", name: "Shop <b>&</b> Co", counts: [1, 0, 0, 4] },
  ];
  async transparencyReport(from: string | null, to: string | null): Promise<ReportDocument> {
    this.need();
    this.reportPeriods.push(`${from ?? ""}..${to ?? ""}`);
    const active = this.rows.filter((r) => r.status === "active");
    const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
    const starts = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"];
    return {
      format: "selfmodel-report-v1",
      generated_at: "2026-03-04T12:00:00Z",
      period: {
        from: from === null ? null : `${from}T00:00:00Z`,
        to: to === null ? null : `${to}T00:00:00Z`,
      },
      vault_id: "fake-vault",
      inventory: {
        total: this.rows.length,
        active: active.length,
        pending_proposals: this.rows.filter((r) => r.status === "pending").length,
        rejected: 0,
        sensitivity: {
          normal: active.filter((r) => r.sensitivity === "normal").length,
          special: active.filter((r) => r.sensitivity === "special").length,
        },
        evidence: {
          beliefs_with_evidence: active.filter((r) => r.evidence_count > 0).length,
          items: active.reduce((n, r) => n + r.evidence_count, 0),
        },
        below_threshold: 0,
        by_type: CATALOGUE.types.map((t) => ({
          type: t.id,
          name: t.name,
          active: active.filter((r) => r.category === t.id).length,
          pending: 0,
          special: 0,
          with_evidence: 0,
          below_threshold: 0,
          min_share_confidence: t.min_share_confidence,
        })),
        by_purpose: { communication: active.length },
      },
      retention: { past_retention: 0, by_type: [] },
      limits: {
        statement_chars: 500,
        evidence_summary_chars: 280,
        source_chars: 200,
        evidence_per_belief: 20,
        refused_data: [],
        allowed_purposes: {},
      },
      vendors: this.disclosures.map((d, i) => ({
        grant_id: `g${i}`,
        vendor: { id: d.vendor_id, name: d.name, url: null },
        state: i === 0 ? "active" : "revoked",
        scope: {
          purposes: ["communication"],
          categories: ["communication-style"],
          operations: ["read"],
          max_sensitivity: "normal",
          min_confidence: 0.5,
        },
        vendor_retention_days: 30,
        created_at: "2026-02-01T00:00:00Z",
        expires_at: "2026-05-01T00:00:00Z",
        revoked_at: i === 0 ? null : "2026-03-04T00:00:00Z",
        revoked_by: i === 0 ? null : "user",
        period: {
          requests: 2,
          disclosures: total(d.counts),
          received: [
            {
              purpose: "communication",
              requests: 2,
              disclosures: total(d.counts),
              distinct_beliefs: 1,
              by_type: { "communication-style": total(d.counts) },
            },
          ],
          denied: { grant_revoked: i },
          notices: {},
        },
      })),
      disclosures_over_time: {
        bucket: "day",
        starts,
        totals: starts.map((_, k) => total(this.disclosures.map((d) => d.counts[k] ?? 0))),
        vendors: this.disclosures.map((d) => ({ ...d, total: total(d.counts) })),
      },
      denied_without_grant: {},
      alerts: [],
      integrity: {
        audit_chain: "intact",
        events: 42,
        head: "ab".repeat(32),
        first_bad_event: null,
        broken_reason: null,
        events_in_period: 7,
        exports_and_imports: [{ seq: 40, at: "2026-03-02T09:00:00Z", action: "export", beliefs: 3 }],
        erasures: [],
        beliefs_erased: 0,
      },
      controls: [],
    };
  }
  private save(kind: string, format: DocumentFormat): SavedDocument | null {
    this.need();
    if (this.cancelSave) return null;
    this.saved.push(`${kind}:${format}`);
    const ext = format === "markdown" ? "md" : format;
    return { path: `/tmp/selfmodel-${kind}.${ext}`, bytes: 2048 };
  }
  async saveReport(_from: string | null, _to: string | null, format: DocumentFormat) {
    return this.save("report", format);
  }
  async saveAccessPackage(format: DocumentFormat) {
    return this.save("access", format);
  }
  async saveRightToKnow(format: DocumentFormat) {
    return this.save("right-to-know", format);
  }
  /** Simulates the core's auto-lock. */
  autoLock() {
    this.unlocked = false;
    for (const h of this.lockedHandlers) h();
  }
}
