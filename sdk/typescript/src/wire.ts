/**
 * The v1 wire format as a vendor sees it, field for field as the server sends and takes it
 * (snake_case, times as RFC 3339 strings). `test/contract.test.ts` holds these declarations
 * against the OpenAPI document (`docs/openapi.json`), so a drift fails the tests.
 */

/** What a grant allows besides its purposes and categories. */
export type Operation = "read" | "read_evidence" | "propose";

/** How sensitive data may be: `special` is GDPR Art. 9 data (health, ...), granted only explicitly. */
export type Sensitivity = "normal" | "special";

/** How a piece of evidence came about. */
export type EvidenceKind = "stated" | "observed" | "inferred" | "imported";

/** Who brought a belief into the vault (which vendor is never said). */
export type Origin = "person" | "vendor" | "import" | "system";

/** What a notice is about: re-read a rectified belief, erase an erased one, stop after a revocation. */
export type EventKind = "belief.rectified" | "belief.erased" | "grant.revoked";

/** Every code the server answers errors with (a later server may add more). */
export type ErrorCode =
  | "invalid_json"
  | "invalid_query"
  | "invalid_field"
  | "bad_id"
  | "unknown_category"
  | "unknown_purpose"
  | "purpose_not_allowed"
  | "sensitive_data"
  | "invalid_token"
  | "token_revoked"
  | "token_expired"
  | "invalid_poll_secret"
  | "operation_not_granted"
  | "purpose_not_granted"
  | "category_not_granted"
  | "origin_not_allowed"
  | "web_vendors_off"
  | "host_not_allowed"
  | "token_in_url"
  | "not_found"
  | "no_route"
  | "not_pending"
  | "tombstoned"
  | "token_already_issued"
  | "body_too_large"
  | "too_large"
  | "unsupported_media_type"
  | "vault_locked"
  | "paused"
  | "rate_limited"
  | "too_many_pending"
  | "too_many_proposals"
  | "unavailable"
  | "busy"
  | "storage"
  | "io"
  | "corrupted"
  | "invalid_data"
  | "internal";

/** The state of a grant request. */
export type PollState = "pending" | "approved" | "denied" | "expired";

/** Where a filed proposal stands: it waits until the person decides. */
export type ProposalStatus = "pending";

/** Who the vendor is (self-asserted; shown to the person as such). */
export interface VendorInfo {
  /** The vendor's own id for itself, e.g. `com.example.notes`. */
  id: string;
  /** Display name. */
  name: string;
  /** Its web site. */
  url?: string | null;
}

/** `POST /v1/grant-requests`: what a vendor asks for. */
export interface GrantRequestIn {
  vendor: VendorInfo;
  /** Purposes its reads will name (see `selfmodel purposes`). */
  purposes: string[];
  /** Belief types it wants (see `selfmodel types`). */
  categories: string[];
  operations: Operation[];
  /** Highest sensitivity (default `normal`). */
  max_sensitivity?: Sensitivity | null;
  /** Never disclose beliefs below this confidence. */
  min_confidence?: number | null;
  /** Browser origins that will call the API (exact, e.g. `https://app.example`). */
  origins?: string[];
  /** Only beliefs the person confirmed within their type's review interval, in every read. */
  fresh_only?: boolean;
  /** For how many days (1 to 365). */
  duration_days: number;
  /** How long the vendor keeps what it reads, in days (shown to the person, recorded). */
  vendor_retention_days: number;
  /** Why, in plain words for the person. */
  justification: string;
}

/** The answer to a grant request. */
export interface GrantRequestOut {
  request_id: string;
  user_code: string;
  poll_secret: string;
  expires_at: string;
  /** Seconds between polls. */
  interval: number;
}

/** `POST /v1/grant-requests/poll`. */
export interface PollIn {
  poll_secret: string;
}

/** The state of a grant request; on approval, the bearer token (exactly once). */
export interface PollOut {
  status: PollState;
  token?: string | null;
  grant?: Grant | null;
  checkpoint?: SignedCheckpoint | null;
}

/** The consent record of a grant, in the shape of ISO/IEC TS 27560. */
export interface Consent {
  id: string;
  /** The data subject. */
  subject: string;
  /** The recipient (the vendor). */
  recipient: VendorInfo;
  purposes: string[];
  data_categories: string[];
  operations: Operation[];
  /** Whether special-category data is included. */
  special_categories: boolean;
  /** The notice shown (the vendor's justification). */
  notice: string;
  recipient_retention_days: number;
  given_at: string;
  expires_at: string;
  /** How it was given. */
  method: string;
}

/** A grant as its holder sees it. */
export interface Grant {
  id: string;
  vendor: VendorInfo;
  /** Purposes reads may name. */
  purposes: string[];
  /** Belief types that may be disclosed. */
  categories: string[];
  operations: Operation[];
  max_sensitivity: Sensitivity;
  min_confidence: number;
  /** Browser origins allowed to use it. */
  origins: string[];
  /** Only beliefs the person confirmed within their type's review interval are disclosed. */
  fresh_only: boolean;
  vendor_retention_days: number;
  created_at: string;
  expires_at: string;
  /** When it was revoked, if it was. */
  revoked_at?: string | null;
  consent: Consent;
}

/** Evidence behind a belief (only under a grant with `read_evidence`). */
export interface Evidence {
  kind: EvidenceKind;
  source: string;
  summary: string;
  observed_at: string;
}

/** A disclosed belief. */
export interface Belief {
  id: string;
  /** What is believed. */
  statement: string;
  /** Its type. */
  category: string;
  /** Confidence in [0, 1]. */
  confidence: number;
  /** Purposes it may be used for. */
  purposes: string[];
  sensitivity: Sensitivity;
  /** Who brought it into the vault. */
  origin: Origin;
  updated_at: string;
  /** When the person last confirmed it is true; absent if never. */
  confirmed_at?: string | null;
  /** Its type's review interval has passed since then: it may no longer be true. */
  review_overdue: boolean;
  /** Present only under a grant with `read_evidence`. */
  evidence?: Evidence[] | null;
}

/** One page of `GET /v1/beliefs`. */
export interface BeliefPage {
  /** The grant the read was made under. */
  grant_id: string;
  /** The purpose it named. */
  purpose: string;
  beliefs: Belief[];
  /** The next page's cursor; absent on the last page. A page may be short, even empty, and still have a next one. */
  next?: string | null;
}

/** Evidence a vendor offers with a proposal. */
export interface EvidenceIn {
  kind: EvidenceKind;
  /** Where it came from. */
  source: string;
  /** A short summary (at most 280 characters; no raw data). */
  summary: string;
  /** When observed (default: now). */
  observed_at?: string | null;
  /** SHA-256 (hex) of the raw source the summary was made from. */
  content_sha256?: string | null;
}

/** `POST /v1/beliefs/proposals`: a belief for the person's inbox. */
export interface ProposalIn {
  /** What the vendor believes, in one sentence. */
  statement: string;
  /** Its type (must be granted). */
  category: string;
  /** Confidence in [0, 1]. */
  confidence: number;
  /** Purposes (must be granted; default: the grant's purposes that the type allows). */
  purposes?: string[];
  evidence?: EvidenceIn[];
}

/** A filed proposal: pending until the person decides. */
export interface ProposalOut {
  /** The new belief's id. */
  id: string;
  status: ProposalStatus;
}

/** A notice to a recipient (GDPR Art. 19). */
export interface Event {
  /** Cursor position. */
  seq: number;
  at: string;
  kind: EventKind;
  /** The belief concerned, if any. */
  belief_id?: string | null;
}

/** `GET /v1/events`. */
export interface Events {
  /** Notices, oldest first. */
  events: Event[];
  /** Pass as `after` next time. */
  cursor: number;
}

/**
 * A signed audit checkpoint: the vault's statement that its audit event `seq` has hash `head`,
 * signed by the vault's identity key — the key the server proves and the vendor pins. Keep them
 * as receipts (they serialise as the server sent them).
 */
export interface SignedCheckpoint {
  /** The vault's public identity key, hex. */
  vault_key: string;
  /** The audit event's sequence number (the event count, for the latest). */
  seq: number;
  /** The event's chain hash, hex. */
  head: string;
  /** When it was signed (RFC 3339), exactly as signed. */
  issued_at: string;
  /** The Ed25519 signature, hex. */
  signature: string;
}

/** `POST /v1/server-proof`: a challenge to the server's identity key. */
export interface ProofIn {
  /** 32 random bytes, hex. */
  nonce: string;
}

/** The server's identity proof. */
export interface ProofOut {
  public_key: string;
  signature: string;
}

/** An error response. */
export interface ProblemOut {
  error: ProblemBody;
}

/** The body of an error response. */
export interface ProblemBody {
  /** Stable machine-readable code, e.g. `purpose_not_granted`. */
  code: ErrorCode;
  /** What went wrong, in plain words. */
  message: string;
}

/** What to read: a purpose (required) and optional filters and paging. */
export interface BeliefQuery {
  /** The purpose the beliefs will be used for. */
  purpose: string;
  /** Only this belief type. */
  category?: string;
  /** Only at or above this confidence. */
  min_confidence?: number;
  /** Only beliefs whose statement contains this text, ignoring case (at most 200 characters). */
  q?: string;
  /** Leave out beliefs overdue for review. */
  fresh?: boolean;
  /** Start after this cursor (a page's `next`). */
  after?: string;
  /** Page size (server default 100, at most 500). */
  limit?: number;
}
