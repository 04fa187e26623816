// Generated from src-tauri/src/dto/ and crates/selfmodel/src/report/json.rs by ts-rs.
// Do not edit: run `SELFMODEL_BLESS=1 cargo test -p selfmodel-desktop --test ipc_surface`
// to regenerate.

/**
 * Ordinary or special-category personal data (GDPR Art. 9).
 */
export type Sensitivity = "normal" | "special";

/**
 * Where a belief stands in the person's review.
 */
export type Status = "active" | "pending" | "rejected";

/**
 * How a piece of evidence came to be.
 */
export type EvidenceKind = "stated" | "observed" | "inferred" | "imported";

/**
 * Who did something.
 */
export type ActorKind = "person" | "vendor" | "import" | "system";

/**
 * Who did something, ready to display.
 */
export type Actor = { 
/**
 * The kind of actor.
 */
kind: ActorKind, 
/**
 * A display label, e.g. `person` or `Acme (grant g1)`.
 */
label: string, 
/**
 * The grant's id when a vendor acted.
 */
grant_id: string | null, };

/**
 * Who created a belief and by what method.
 */
export type Provenance = { 
/**
 * Who created it.
 */
actor: Actor, 
/**
 * By what channel or method (`app`, `cli`, `api`, `import`, `demo`).
 */
method: string, };

/**
 * One piece of evidence behind a belief.
 */
export type Evidence = { 
/**
 * How it came to be.
 */
kind: EvidenceKind, 
/**
 * Where it came from.
 */
source: string, 
/**
 * A short summary.
 */
summary: string, 
/**
 * When it was observed (RFC 3339, UTC).
 */
observed_at: string, 
/**
 * Hex SHA-256 of a discarded raw source.
 */
content_sha256: string | null, };

/**
 * The rectifiable parts of a belief at one time.
 */
export type Snapshot = { 
/**
 * The statement.
 */
statement: string, 
/**
 * The confidence, in `[0, 1]`.
 */
confidence: number, 
/**
 * The purposes' ids.
 */
purposes: Array<string>, };

/**
 * One rectification in a belief's history.
 */
export type Rectification = { 
/**
 * When (RFC 3339, UTC).
 */
at: string, 
/**
 * Who.
 */
actor: Actor, 
/**
 * Why.
 */
reason: string, 
/**
 * Before.
 */
before: Snapshot, 
/**
 * After.
 */
after: Snapshot, };

/**
 * A belief as the list shows it: everything but its evidence and history.
 */
export type BeliefRow = { 
/**
 * The belief's id (a UUIDv7, sorts by creation).
 */
id: string, 
/**
 * What is believed.
 */
statement: string, 
/**
 * The belief type's id.
 */
category: string, 
/**
 * Confidence in `[0, 1]`.
 */
confidence: number, 
/**
 * The purposes' ids.
 */
purposes: Array<string>, 
/**
 * Normal or special.
 */
sensitivity: Sensitivity, 
/**
 * Review status.
 */
status: Status, 
/**
 * Who created it.
 */
actor: Actor, 
/**
 * When it was created (RFC 3339, UTC).
 */
created_at: string, 
/**
 * When it last changed (RFC 3339, UTC).
 */
updated_at: string, 
/**
 * When retention erases it (RFC 3339, UTC).
 */
expires_at: string | null, 
/**
 * When the person last confirmed it (RFC 3339, UTC); `null` for a proposal.
 */
confirmed_at: string | null, 
/**
 * How many pieces of evidence it has.
 */
evidence_count: number, 
/**
 * How many times it was rectified.
 */
history_count: number, };

/**
 * A belief, whole: the detail pane.
 */
export type BeliefDetail = { 
/**
 * The list's view of it.
 */
row: BeliefRow, 
/**
 * Evidence, oldest first.
 */
evidence: Array<Evidence>, 
/**
 * Who created it and how.
 */
provenance: Provenance, 
/**
 * Rectifications, oldest first.
 */
history: Array<Rectification>, };

/**
 * Evidence as the person enters it.
 */
export type NewEvidence = { 
/**
 * How it came to be.
 */
kind: EvidenceKind, 
/**
 * Where it came from.
 */
source: string, 
/**
 * A short summary.
 */
summary: string, };

/**
 * A belief as the person enters it.
 */
export type NewBelief = { 
/**
 * What is believed.
 */
statement: string, 
/**
 * The belief type's id.
 */
category: string, 
/**
 * Confidence in `[0, 1]`.
 */
confidence: number, 
/**
 * Purposes' ids; empty means the type's allowed purposes.
 */
purposes: Array<string>, 
/**
 * Mark it special-category data; `false` takes the type's default.
 */
special: boolean, 
/**
 * Evidence, if any.
 */
evidence: Array<NewEvidence>, };

/**
 * A rectification as the person asks for it; `null` fields stay as they are.
 */
export type RectifyRequest = { 
/**
 * A new statement.
 */
statement: string | null, 
/**
 * A new confidence.
 */
confidence: number | null, 
/**
 * A new purpose set.
 */
purposes: Array<string> | null, 
/**
 * Why (required).
 */
reason: string, };

/**
 * What the person decides for the proposals they accept together; `null` keeps what was
 * proposed.
 */
export type Acceptance = { 
/**
 * Another belief type.
 */
category: string | null, 
/**
 * Another purpose set.
 */
purposes: Array<string> | null, };

/**
 * A belief due for review, and since when.
 */
export type DueBelief = { 
/**
 * The belief.
 */
row: BeliefRow, 
/**
 * When it fell due (RFC 3339, UTC): its type's interval after the person last confirmed it.
 */
due_since: string, };

/**
 * A proposal that says the same as a belief in the model.
 */
export type SameAs = { 
/**
 * The proposal.
 */
proposal_id: string, 
/**
 * The belief it says the same as.
 */
id: string, 
/**
 * That belief's statement.
 */
statement: string, 
/**
 * How alike the two are, from 0.75 to 1.
 */
similarity: number, };

/**
 * What became of one memory.
 */
export type MemoryFate = "proposed" | "duplicate" | "previously_erased" | "refused";

/**
 * One memory of an import.
 */
export type MemoryItem = { 
/**
 * Its line (a list) or position (mem0).
 */
line: number, 
/**
 * Its file within a me.md folder.
 */
file: string | null, 
/**
 * What became of it.
 */
fate: MemoryFate, 
/**
 * The statement proposed (only when proposed: a refused memory's text is never repeated).
 */
statement: string | null, 
/**
 * The suggested type (when proposed).
 */
category: string | null, 
/**
 * The type's default purposes (when proposed).
 */
purposes: Array<string>, 
/**
 * Why it was refused, in words (never the text).
 */
reason: string | null, };

/**
 * What an import of memories would do (the preview) or did.
 */
export type MemoryImport = { 
/**
 * Nothing was changed: this is the preview.
 */
dry_run: boolean, 
/**
 * Whether the vault changed.
 */
changed: boolean, 
/**
 * The source system's display name.
 */
source: string, 
/**
 * Each memory, in input order.
 */
items: Array<MemoryItem>, 
/**
 * How many were (or would be) proposed.
 */
proposed: number, 
/**
 * How many were already there.
 */
duplicates: number, 
/**
 * How many were erased or rejected before.
 */
previously_erased: number, 
/**
 * How many were refused.
 */
refused: number, };

/**
 * A purpose a belief may be used for.
 */
export type Purpose = { 
/**
 * Stable id.
 */
id: string, 
/**
 * Display name.
 */
name: string, 
/**
 * Plain-language description.
 */
description: string, 
/**
 * The W3C DPV term.
 */
dpv_term: string, 
/**
 * Never given by default, only when asked for.
 */
opt_in: boolean, };

/**
 * A belief type and its rules.
 */
export type BeliefType = { 
/**
 * Stable id, a belief's `category`.
 */
id: string, 
/**
 * Display name.
 */
name: string, 
/**
 * What beliefs of this type are about.
 */
description: string, 
/**
 * Purposes beliefs of this type may carry.
 */
allowed_purposes: Array<string>, 
/**
 * Days after which beliefs of this type are erased.
 */
retention_days: number, 
/**
 * Minimum confidence before sharing.
 */
min_share_confidence: number, 
/**
 * Whether evidence is required.
 */
evidence_required: boolean, 
/**
 * Sensitivity given to new beliefs.
 */
default_sensitivity: Sensitivity, 
/**
 * Days after the person last confirmed a belief before it is due for review.
 */
review_days: number, };

/**
 * The belief types and purposes of the vault.
 */
export type Catalogue = { 
/**
 * Belief types.
 */
types: Array<BeliefType>, 
/**
 * Purposes.
 */
purposes: Array<Purpose>, };

/**
 * One audit event: ids, counts and hashes, never content.
 */
export type AuditEvent = { 
/**
 * Position in the chain, from 1.
 */
seq: number, 
/**
 * When (RFC 3339, UTC).
 */
at: string, 
/**
 * The stable action name, e.g. `belief.created`.
 */
action: string, 
/**
 * The id it changed.
 */
subject: string | null, 
/**
 * Further ids, counts or hashes.
 */
detail: string | null, 
/**
 * This event's hash (hex).
 */
hash: string, };

/**
 * The result of recomputing the audit chain.
 */
export type AuditVerdict = { "verdict": "intact", 
/**
 * How many events.
 */
events: number, 
/**
 * The last event's hash (hex).
 */
head: string, } | { "verdict": "broken", 
/**
 * The first event that does not verify.
 */
first_bad_event: number, 
/**
 * Why.
 */
reason: string, };

/**
 * Where the vault is and whether it is open.
 */
export type VaultStatus = { 
/**
 * The vault file's path.
 */
path: string, 
/**
 * Whether a vault file exists there.
 */
exists: boolean, 
/**
 * Whether it is unlocked in this app.
 */
unlocked: boolean, 
/**
 * Whether the person paused all sharing (known only while unlocked).
 */
sharing_paused: boolean, 
/**
 * Whether this vault was created as the demo (its passphrase is [`VaultStatus::demo_passphrase`]).
 */
demo: boolean, 
/**
 * The demo vault's passphrase, shown to the person for demo vaults.
 */
demo_passphrase: string, 
/**
 * The shortest passphrase a new vault accepts.
 */
min_passphrase_chars: number, 
/**
 * A test build that auto-accepts native confirmations (see `confirm::auto_confirm`); the
 * UI shows a warning banner whenever this is true.
 */
confirmations_auto_accepted: boolean, };

/**
 * What unlocking did besides unlocking.
 */
export type Unlocked = { 
/**
 * Beliefs past their retention at unlock: no read returns them, and they are erased once the
 * check of every page has passed.
 */
purged_at_open: number, 
/**
 * Set when the vault is older than the one last opened on this machine, or its audit
 * history was rewritten since (the rollback witness); the sentence to show.
 */
integrity_warning: string | null, };

/**
 * The desktop app's own settings (not secret; kept beside the vault).
 */
export type Settings = { 
/**
 * Lock the vault after this many minutes without activity.
 */
auto_lock_minutes: number, 
/**
 * Run the vendor API while the vault is unlocked.
 */
api_enabled: boolean, 
/**
 * The vendor API's port.
 */
api_port: number, };

/**
 * The in-process vendor API.
 */
export type ApiStatus = { 
/**
 * On in the settings.
 */
enabled: boolean, 
/**
 * The port it is set to.
 */
port: number, 
/**
 * The port it listens on now (only while unlocked).
 */
listening: number | null, 
/**
 * Why it did not start, if it did not.
 */
error: string | null, };

/**
 * How an export file is protected.
 */
export type ExportEncryption = "none" | "passphrase" | "recipients";

/**
 * What to export, and how.
 */
export type ExportRequest = { 
/**
 * Only these belief types (empty: any).
 */
categories: Array<string>, 
/**
 * Only beliefs carrying one of these purposes (empty: any).
 */
purposes: Array<string>, 
/**
 * Only these beliefs (empty: any).
 */
beliefs: Array<string>, 
/**
 * Plain, passphrase or recipients.
 */
encryption: ExportEncryption, 
/**
 * The passphrase, for `passphrase`.
 */
passphrase: string | null, 
/**
 * age public keys, for `recipients`.
 */
recipients: Array<string>, 
/**
 * ASCII-armor an age file.
 */
armor: boolean, };

/**
 * What an export wrote.
 */
export type ExportDone = { 
/**
 * The file.
 */
path: string, 
/**
 * Its size in bytes.
 */
bytes: number, 
/**
 * Beliefs in it.
 */
beliefs: number, 
/**
 * Evidence in it.
 */
evidence: number, 
/**
 * History entries in it.
 */
history: number, 
/**
 * `none`, `passphrase` or `recipients`.
 */
encryption: string, 
/**
 * The vault's signing key (hex), to give with the file.
 */
public_key: string, 
/**
 * Whether only a subset was exported.
 */
subset: boolean, 
/**
 * Whether an import reads the file back (at most 512 MiB): a whole export past it usually
 * holds a long access log in detail.
 */
importable: boolean, };

/**
 * A file chosen for import, before it is opened.
 */
export type ImportFile = { 
/**
 * The file's path.
 */
path: string, 
/**
 * Its size in bytes.
 */
bytes: number, 
/**
 * How it is protected: `none`, `passphrase` or `recipients`.
 */
encryption: ExportEncryption, };

/**
 * How to resolve beliefs that are in both the vault and the file with different content.
 */
export type ConflictChoice = "keep" | "take";

/**
 * What an import would do (a dry run) or did.
 */
export type ImportOutcome = { 
/**
 * Nothing was changed: this is the preview.
 */
dry_run: boolean, 
/**
 * Whether the vault changed.
 */
changed: boolean, 
/**
 * When the file was exported (RFC 3339, UTC).
 */
exported_at: string, 
/**
 * The vault it came from.
 */
source_vault: string, 
/**
 * The key that signed it (hex; the signature checked out).
 */
signed_by: string, 
/**
 * Beliefs in the file.
 */
in_file: number, 
/**
 * Beliefs that are new here: added.
 */
new: number, 
/**
 * Beliefs already here, identical: skipped.
 */
identical: number, 
/**
 * Beliefs here with different content.
 */
conflicting: Array<string>, 
/**
 * Belief types the vault lacks: added.
 */
types_added: Array<string>, 
/**
 * Purposes the vault lacks: added.
 */
purposes_added: Array<string>, 
/**
 * Types defined differently in the file (the vault's definition stays).
 */
types_differing: Array<string>, 
/**
 * Signed by a key that is not this vault's: new beliefs wait in the inbox as proposals,
 * and the file cannot replace beliefs.
 */
foreign: boolean, 
/**
 * Beliefs the person erased or rejected before: skipped.
 */
erased: number, 
/**
 * Beliefs the secrets screen refuses (a password, a phone number, ...): left out.
 */
left_out: number, 
/**
 * The first of them (at most 20): the belief's id, where the screen found what.
 */
left_out_first: Array<string>, };

/**
 * A vendor, as it named itself.
 */
export type Vendor = { 
/**
 * Its id, e.g. `com.example.writer`.
 */
id: string, 
/**
 * Its display name.
 */
name: string, 
/**
 * Its web address, if it gave one.
 */
url: string | null, };

/**
 * What a grant (or a request for one) covers.
 */
export type Scope = { 
/**
 * Purposes the vendor may read for.
 */
purposes: Array<string>, 
/**
 * Belief types it may read.
 */
categories: Array<string>, 
/**
 * `read`, `read_evidence`, `propose`.
 */
operations: Array<string>, 
/**
 * Whether special-category beliefs are included.
 */
special: boolean, 
/**
 * Only beliefs at or above this confidence.
 */
min_confidence: number, 
/**
 * Browser origins allowed to use it.
 */
origins: Array<string>, 
/**
 * Only beliefs confirmed within their type's review interval are disclosed.
 */
fresh_only: boolean, };

/**
 * A vendor's request for a grant.
 */
export type GrantRequest = { 
/**
 * The request's id.
 */
id: string, 
/**
 * Who asks.
 */
vendor: Vendor, 
/**
 * What it asks for.
 */
scope: Scope, 
/**
 * For how many days.
 */
duration_days: number, 
/**
 * How long the vendor keeps what it reads, in days.
 */
vendor_retention_days: number, 
/**
 * Why, in the vendor's words.
 */
justification: string, 
/**
 * The code the vendor shows; the person checks it matches.
 */
user_code: string, 
/**
 * `pending`, `approved`, `claimed`, `denied` or `expired`.
 */
status: string, 
/**
 * When it was made (RFC 3339, UTC).
 */
created_at: string, 
/**
 * When it lapses if nobody decides (RFC 3339, UTC).
 */
expires_at: string, 
/**
 * The origin of the web page that filed it, if a web page did (not self-asserted).
 */
web_origin: string | null, };

/**
 * The person's narrowing of a request when approving it; `null` keeps what was asked.
 */
export type Narrowing = { 
/**
 * Only these purposes.
 */
purposes: Array<string> | null, 
/**
 * Only these belief types.
 */
categories: Array<string> | null, 
/**
 * Only these operations.
 */
operations: Array<string> | null, 
/**
 * For fewer days.
 */
duration_days: number | null, 
/**
 * Only these web origins (`[]`: none, native use only).
 */
origins: Array<string> | null, 
/**
 * Leave out special categories of data.
 */
no_special: boolean, 
/**
 * Disclose only beliefs confirmed within their type's review interval.
 */
fresh_only: boolean, };

/**
 * What a request would disclose for one purpose.
 */
export type PreviewPurpose = { 
/**
 * The purpose.
 */
purpose: string, 
/**
 * The beliefs it would disclose.
 */
beliefs: Array<BeliefRow>, };

/**
 * A grant and its use.
 */
export type Grant = { 
/**
 * The grant's id.
 */
id: string, 
/**
 * Who holds it.
 */
vendor: Vendor, 
/**
 * What it covers.
 */
scope: Scope, 
/**
 * How long the vendor keeps what it reads, in days.
 */
vendor_retention_days: number, 
/**
 * When it was approved (RFC 3339, UTC).
 */
created_at: string, 
/**
 * When it expires (RFC 3339, UTC).
 */
expires_at: string, 
/**
 * When it was revoked, if it was.
 */
revoked_at: string | null, 
/**
 * Who revoked it (`person`, `vendor`).
 */
revoked_by: string | null, 
/**
 * When it was last used.
 */
last_used_at: string | null, 
/**
 * Requests served under it.
 */
access_count: number, 
/**
 * Not revoked and not expired.
 */
live: boolean, };

/**
 * One vendor request, as logged: ids only, never content.
 */
export type AccessEntry = { 
/**
 * Position in the log.
 */
seq: number, 
/**
 * When (RFC 3339, UTC).
 */
at: string, 
/**
 * The grant, if the token was valid.
 */
grant_id: string | null, 
/**
 * The vendor's id, if known.
 */
vendor_id: string | null, 
/**
 * The purpose named.
 */
purpose: string | null, 
/**
 * What was asked, e.g. `beliefs.read`.
 */
operation: string, 
/**
 * Whether it was served.
 */
allowed: boolean, 
/**
 * Why it was refused (a stable code).
 */
denied_because: string | null, 
/**
 * Beliefs disclosed.
 */
disclosed: Array<string>, 
/**
 * How many requests the entry stands for: 1, or more for repeated requests counted per
 * minute (polls of a pending request, refusals of callers without a valid token).
 */
requests: number, };

/**
 * A page of the access log, newest first.
 */
export type AccessPage = { 
/**
 * The entries.
 */
entries: Array<AccessEntry>, 
/**
 * Whether older entries follow.
 */
more: boolean, };

/**
 * A page of the audit log, newest first.
 */
export type AuditPage = { 
/**
 * The events.
 */
events: Array<AuditEvent>, 
/**
 * Whether older events follow.
 */
more: boolean, };

/**
 * What one vendor received over the whole log.
 */
export type Received = { 
/**
 * The vendor's id.
 */
vendor_id: string, 
/**
 * The distinct beliefs disclosed to it (ids; some may since have been erased).
 */
beliefs: Array<string>, };

/**
 * Who received a belief.
 */
export type Recipient = { 
/**
 * Under which grant.
 */
grant_id: string, 
/**
 * The vendor's id.
 */
vendor_id: string, 
/**
 * How many requests disclosed it.
 */
times: number, 
/**
 * When last (RFC 3339, UTC).
 */
last_at: string, };

/**
 * The transparency report as one document. No belief text: counts, types, purposes, ids and
 * hashes only. Instants are RFC 3339 to the second, UTC; days are `YYYY-MM-DD`.
 */
export type ReportDocument = { 
/**
 * The format and its version.
 */
format: ReportFormat, 
/**
 * When it was made.
 */
generated_at: string, 
/**
 * The period that vendor activity, exports and erasures are counted over.
 */
period: ReportPeriod, 
/**
 * The vault's id.
 */
vault_id: string | null, 
/**
 * What the vault holds now.
 */
inventory: ReportInventory, 
/**
 * Each type's retention and proof that nothing is past it.
 */
retention: ReportRetention, 
/**
 * The limits every belief obeys.
 */
limits: ReportLimits, 
/**
 * Every grant, with what its vendor received in the period.
 */
vendors: Array<ReportVendor>, 
/**
 * Per vendor, beliefs disclosed in each step of the period.
 */
disclosures_over_time: ReportSeries, 
/**
 * Refused requests in the period that carried no valid grant, by reason code.
 */
denied_without_grant: Record<string, number>, 
/**
 * Unusual vendor access in the period.
 */
alerts: Array<ReportAlert>, 
/**
 * The audit chain, and the exports and erasures it records in the period.
 */
integrity: ReportIntegrity, 
/**
 * Which mechanism answers which control or right, and the tests that prove it.
 */
controls: Array<ReportControl>, };

/**
 * The document's format: `selfmodel-report-v1`.
 */
export type ReportFormat = "selfmodel-report-v1";

/**
 * The period covered: `[from, to)`, each bound open when `null`.
 */
export type ReportPeriod = { 
/**
 * The first instant covered.
 */
from: string | null, 
/**
 * The first instant no longer covered.
 */
to: string | null, };

/**
 * What the vault holds now.
 */
export type ReportInventory = { 
/**
 * Every stored belief, whatever its status.
 */
total: number, 
/**
 * Active beliefs (the only ones ever shared).
 */
active: number, 
/**
 * Proposals waiting for the person.
 */
pending_proposals: number, 
/**
 * Rejected proposals kept as rejected.
 */
rejected: number, 
/**
 * Active beliefs per sensitivity.
 */
sensitivity: ReportSensitivity, 
/**
 * Evidence on active beliefs.
 */
evidence: ReportEvidence, 
/**
 * Active beliefs below their type's confidence for sharing (never shared).
 */
below_threshold: number, 
/**
 * Per type.
 */
by_type: Array<ReportType>, 
/**
 * Active beliefs carrying each purpose.
 */
by_purpose: Record<string, number>, };

/**
 * Active beliefs per sensitivity.
 */
export type ReportSensitivity = { 
/**
 * Ordinary personal data.
 */
normal: number, 
/**
 * A special category (GDPR Art. 9).
 */
special: number, };

/**
 * Evidence on active beliefs.
 */
export type ReportEvidence = { 
/**
 * Active beliefs with at least one piece of evidence.
 */
beliefs_with_evidence: number, 
/**
 * Pieces of evidence.
 */
items: number, };

/**
 * One type's line of the inventory.
 */
export type ReportType = { 
/**
 * The type's id.
 */
type: string, 
/**
 * Its display name.
 */
name: string, 
/**
 * Active beliefs.
 */
active: number, 
/**
 * Proposals waiting for the person.
 */
pending: number, 
/**
 * Active beliefs in a special category.
 */
special: number, 
/**
 * Active beliefs with evidence.
 */
with_evidence: number, 
/**
 * Active beliefs below the type's confidence for sharing.
 */
below_threshold: number, 
/**
 * The type's confidence for sharing.
 */
min_share_confidence: number, };

/**
 * Retention: what is past it, and each type's policy.
 */
export type ReportRetention = { 
/**
 * Beliefs past their type's retention (zero unless something is wrong).
 */
past_retention: number, 
/**
 * Per type.
 */
by_type: Array<ReportRetentionType>, };

/**
 * One type's retention.
 */
export type ReportRetentionType = { 
/**
 * The type's id.
 */
type: string, 
/**
 * Days its beliefs are kept.
 */
retention_days: number, 
/**
 * Beliefs of the type stored now.
 */
beliefs: number, 
/**
 * When the oldest of them was created.
 */
oldest_created: string | null, 
/**
 * The earliest expiry among them.
 */
next_expiry: string | null, 
/**
 * How many are past their expiry.
 */
past_retention: number, };

/**
 * The limits every belief obeys.
 */
export type ReportLimits = { 
/**
 * Longest statement, in characters.
 */
statement_chars: number, 
/**
 * Longest evidence summary, in characters.
 */
evidence_summary_chars: number, 
/**
 * Longest evidence source, in characters.
 */
source_chars: number, 
/**
 * Most pieces of evidence per belief.
 */
evidence_per_belief: number, 
/**
 * What is refused in any text field, in words.
 */
refused_data: Array<string>, 
/**
 * Per type, the purposes its beliefs may carry.
 */
allowed_purposes: Record<string, string[]>, };

/**
 * A grant, and what its vendor did in the period.
 */
export type ReportVendor = { 
/**
 * The grant's id.
 */
grant_id: string, 
/**
 * The vendor.
 */
vendor: ReportVendorName, 
/**
 * `active`, `expired` or `revoked`, at the time of the report.
 */
state: string, 
/**
 * What the grant allows.
 */
scope: ReportScope, 
/**
 * Days the vendor may keep what it receives.
 */
vendor_retention_days: number, 
/**
 * When the grant was made.
 */
created_at: string, 
/**
 * When it expires.
 */
expires_at: string, 
/**
 * When it was revoked, if it was.
 */
revoked_at: string | null, 
/**
 * Who revoked it, if anyone did.
 */
revoked_by: string | null, 
/**
 * What the vendor did in the period.
 */
period: ReportVendorPeriod, };

/**
 * A vendor as the report names it.
 */
export type ReportVendorName = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its display name.
 */
name: string, 
/**
 * Its web address, if it gave one.
 */
url: string | null, };

/**
 * What a grant allows.
 */
export type ReportScope = { 
/**
 * Granted purposes.
 */
purposes: Array<string>, 
/**
 * Granted types.
 */
categories: Array<string>, 
/**
 * Granted operations.
 */
operations: Array<string>, 
/**
 * The highest sensitivity shared: `normal` or `special`.
 */
max_sensitivity: string, 
/**
 * The lowest confidence shared.
 */
min_confidence: number, };

/**
 * What a vendor did in the period.
 */
export type ReportVendorPeriod = { 
/**
 * Allowed requests.
 */
requests: number, 
/**
 * Beliefs disclosed, counted once per disclosure.
 */
disclosures: number, 
/**
 * Per purpose.
 */
received: Array<ReportPurpose>, 
/**
 * Refused requests, by reason code.
 */
denied: Record<string, number>, 
/**
 * Notices sent to it (rectifications, erasures, revocation), by kind.
 */
notices: Record<string, number>, };

/**
 * What a vendor received for one purpose in the period.
 */
export type ReportPurpose = { 
/**
 * The purpose.
 */
purpose: string, 
/**
 * Allowed requests naming it.
 */
requests: number, 
/**
 * Beliefs disclosed, counted once per disclosure.
 */
disclosures: number, 
/**
 * Distinct beliefs disclosed.
 */
distinct_beliefs: number, 
/**
 * Disclosures per belief type (`(erased)` for beliefs no longer in the vault).
 */
by_type: Record<string, number>, };

/**
 * Beliefs disclosed per vendor in each step of the period.
 */
export type ReportSeries = { 
/**
 * The length of a step.
 */
bucket: Bucket, 
/**
 * The first day of each step, oldest first, without gaps.
 */
starts: Array<string>, 
/**
 * All vendors together in each step.
 */
totals: Array<number>, 
/**
 * Each vendor that received anything in the period.
 */
vendors: Array<ReportSeriesLine>, };

/**
 * One vendor's line of the series.
 */
export type ReportSeriesLine = { 
/**
 * The vendor's id.
 */
vendor_id: string, 
/**
 * Its display name.
 */
name: string, 
/**
 * Beliefs disclosed in each step (aligned with `starts`).
 */
counts: Array<number>, 
/**
 * In the whole period.
 */
total: number, };

/**
 * How long one step of the series is.
 */
export type Bucket = "day" | "week" | "month";

/**
 * Unusual vendor access.
 */
export type ReportAlert = { 
/**
 * The vendor, if the access named one.
 */
vendor_id: string | null, 
/**
 * The day it happened.
 */
day: string, 
/**
 * When it was noticed.
 */
at: string, 
/**
 * What kind: a rate spike, unusual hours or a burst of denials.
 */
kind: string, 
/**
 * In words.
 */
description: string, };

/**
 * The audit chain, as the report tells it.
 */
export type ReportIntegrity = { 
/**
 * Whether the chain verifies.
 */
audit_chain: ChainState, 
/**
 * Events in the chain.
 */
events: number, 
/**
 * The head hash (hex), when intact.
 */
head: string | null, 
/**
 * The first event that does not verify, when broken.
 */
first_bad_event: number | null, 
/**
 * Why it does not, when broken.
 */
broken_reason: string | null, 
/**
 * Events in the period.
 */
events_in_period: number, 
/**
 * Exports and imports in the period.
 */
exports_and_imports: Array<ReportChainEntry>, 
/**
 * Erasures in the period.
 */
erasures: Array<ReportChainEntry>, 
/**
 * Beliefs erased in the period.
 */
beliefs_erased: number, };

/**
 * Whether the audit chain verifies.
 */
export type ChainState = "intact" | "broken";

/**
 * One audit event, as the report lists it.
 */
export type ReportChainEntry = { 
/**
 * Its sequence number.
 */
seq: number, 
/**
 * When.
 */
at: string, 
/**
 * Its action name.
 */
action: string, 
/**
 * How many beliefs it concerned.
 */
beliefs: number, };

/**
 * One line of the control map.
 */
export type ReportControl = { 
/**
 * The framework: `SOC 2`, `GDPR` or `CCPA`.
 */
framework: string, 
/**
 * The criterion or right.
 */
criterion: string, 
/**
 * The mechanism that satisfies it.
 */
mechanism: string, 
/**
 * The automated tests that prove it, as `path/to/file.rs::test_name`.
 */
tests: Array<string>, };

/**
 * A document format.
 */
export type DocumentFormat = "html" | "markdown" | "json";

/**
 * A document written to a file the person chose.
 */
export type SavedDocument = { 
/**
 * The file.
 */
path: string, 
/**
 * Its size in bytes.
 */
bytes: number, };

/**
 * An error as the UI receives it: a stable machine-readable code and a one-line message.
 */
export type IpcError = { 
/**
 * Stable code, e.g. `wrong_passphrase`, `vault_locked`, `invalid_field`.
 */
code: ErrorCode, 
/**
 * One line for the person.
 */
message: string, };

/**
 * A stable, machine-readable error code: one list for every boundary (the vendor API,
 * the access log, IPC).
 */
export type ErrorCode =
  | "invalid_json"
  | "invalid_query"
  | "invalid_field"
  | "bad_id"
  | "unknown_category"
  | "unknown_purpose"
  | "purpose_not_allowed"
  | "sensitive_data"
  | "bad_memory_input"
  | "weak_passphrase"
  | "bad_passphrase"
  | "invalid_token"
  | "token_revoked"
  | "token_expired"
  | "invalid_poll_secret"
  | "wrong_passphrase"
  | "operation_not_granted"
  | "purpose_not_granted"
  | "category_not_granted"
  | "origin_not_allowed"
  | "web_vendors_off"
  | "host_not_allowed"
  | "token_in_url"
  | "confirmation_required"
  | "not_found"
  | "no_route"
  | "not_pending"
  | "tombstoned"
  | "token_already_issued"
  | "import_conflict"
  | "no_import"
  | "no_vault"
  | "already_exists"
  | "body_too_large"
  | "too_large"
  | "unsupported_media_type"
  | "not_json"
  | "truncated"
  | "too_deep"
  | "wrong_format"
  | "unsupported_version"
  | "schema_violation"
  | "invalid_content"
  | "manifest_mismatch"
  | "bad_signature"
  | "unsupported"
  | "key_required"
  | "wrong_key"
  | "excessive_work"
  | "damaged"
  | "bad_recipient"
  | "bad_identity"
  | "encrypt"
  | "vault_locked"
  | "paused"
  | "rate_limited"
  | "too_many_pending"
  | "too_many_proposals"
  | "busy"
  | "not_a_vault"
  | "too_new"
  | "corrupted"
  | "invalid_data"
  | "storage"
  | "io"
  | "unavailable"
  | "cancelled"
  | "internal";
