/**
 * What the Node and browser clients share: the grant flow, the calls a grant allows, and turning
 * the server's answers into values or typed errors. How the server's identity is checked is
 * theirs (`ensureVerified`, `receiptAtApproval`).
 */

import { compareCheckpoints, verifyCheckpoint, type Consistency } from "./checkpoint.js";
import {
  ConfigError,
  DeniedError,
  InvalidCheckpointError,
  NotFoundError,
  ProtocolError,
  RateLimitedError,
  RequestExpiredError,
  errorFromProblem,
} from "./errors.js";
import { PollSecret, Token } from "./secret.js";
import type { ServerKey } from "./server-key.js";
import { encodeSegment, type HttpRequest, type Transport } from "./transport.js";
import type {
  Belief,
  BeliefPage,
  BeliefQuery,
  Event,
  Events,
  Grant,
  GrantRequestIn,
  GrantRequestOut,
  PollOut,
  ProposalIn,
  ProposalOut,
  SignedCheckpoint,
} from "./wire.js";

/** Longest long poll the server allows, in seconds. */
const MAX_WAIT_SECS = 25;
/** Extra wait added to the poll interval after a 429 while polling (RFC 8628 `slow_down`). */
const SLOW_DOWN_MS = 5000;
/** Timeout of ordinary calls; long polls get their wait on top. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** A grant request as a vendor writes it: the defaults are `read`, 30 days, and keeping nothing. */
export type GrantRequest = Omit<GrantRequestIn, "operations" | "duration_days" | "vendor_retention_days"> &
  Partial<Pick<GrantRequestIn, "operations" | "duration_days" | "vendor_retention_days">>;

/** A filed grant request: show `user_code` to the person, then poll. */
export interface PendingGrant {
  /** The request id (the person approves it as `selfmodel grant approve ID`). */
  readonly request_id: string;
  /** The code the person matches in Selfmodel. */
  readonly user_code: string;
  /** The secret to poll with. */
  readonly poll_secret: PollSecret;
  /** When the request lapses (RFC 3339). */
  readonly expires_at: string;
  /** Seconds to wait between polls. */
  readonly interval: number;
}

/** An approved grant: the bearer token (handed over only once) and the grant as approved. */
export interface Approval {
  /** The bearer token; store it, it is shown only once. */
  readonly token: Token;
  /** The grant as approved (possibly narrowed by the person). */
  readonly grant: Grant;
  /** The vault's signed audit checkpoint at approval, checked against the pinned key: the first receipt to keep. */
  readonly checkpoint: SignedCheckpoint | undefined;
}

/** The state of a grant request. */
export type PollStatus =
  | { readonly status: "pending" }
  | { readonly status: "approved"; readonly approval: Approval }
  | { readonly status: "denied" }
  | { readonly status: "expired" };

/** What every copy of a client (with or without a token) shares. */
export interface Session {
  /** The server's origin, e.g. `http://127.0.0.1:7420`. */
  readonly origin: string;
  readonly transport: Transport;
  readonly timeoutMs: number;
  /** The pinned server key (a browser client may learn it at approval). */
  key: ServerKey | undefined;
  /** Until when (`performance.now()`) the last identity check holds. */
  trustedUntil: number | undefined;
  /** How long an identity check holds after the last successful exchange. */
  readonly trustWindowMs: number;
}

/** How a client reaches its server, and how long an identity check holds there. */
export type Reach = Pick<Session, "origin" | "transport" | "key" | "trustWindowMs">;

/** A token as the caller gave it: a `Token`, or its text. */
function asToken(token: Token | string | undefined): Token | undefined {
  return typeof token === "string" ? new Token(token) : token;
}

/** Waits `ms` milliseconds, or until `signal` aborts (then rejects with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses a `Retry-After` given in seconds. */
function retryAfterMs(header: string | null): number | undefined {
  const secs = header === null ? Number.NaN : Number(header.trim());
  return Number.isInteger(secs) && secs >= 0 ? secs * 1000 : undefined;
}

/** The query parameters a read is sent with. */
function queryPairs(q: BeliefQuery): [string, string][] {
  const pairs: [string, string][] = [["purpose", q.purpose]];
  if (q.category !== undefined) pairs.push(["category", q.category]);
  if (q.min_confidence !== undefined) pairs.push(["min_confidence", String(q.min_confidence)]);
  if (q.q !== undefined) pairs.push(["q", q.q]);
  if (q.fresh) pairs.push(["fresh", "true"]);
  if (q.after !== undefined) pairs.push(["after", q.after]);
  if (q.limit !== undefined) pairs.push(["limit", String(q.limit)]);
  return pairs;
}

/** A call as the clients describe it; the session adds the timeout. */
type Call = Omit<HttpRequest, "timeoutMs" | "query"> & {
  readonly query?: HttpRequest["query"];
  /** A long poll's wait, added to the timeout. */
  readonly waitMs?: number;
};

/** A vendor's handle on one Selfmodel server; see the Node and browser `Client`s. */
export abstract class BaseClient {
  protected readonly session: Session;
  /** Shown only as `Token(<public id>, redacted)`, in JSON and `util.inspect` alike. */
  protected readonly token: Token | undefined;

  /** A client that has not checked the server yet: `timeoutMs` defaults to 30 s. */
  protected constructor(
    reach: Reach,
    options: { readonly timeoutMs?: number | undefined; readonly token?: Token | string | undefined },
  ) {
    this.session = {
      origin: reach.origin,
      transport: reach.transport,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      key: reach.key,
      trustedUntil: undefined,
      trustWindowMs: reach.trustWindowMs,
    };
    this.token = asToken(options.token);
  }

  /** The server's origin. */
  get url(): string {
    return this.session.origin;
  }

  /** The pinned server key. */
  get serverKey(): ServerKey | undefined {
    return this.session.key;
  }

  /** The same client, sharing its connection and identity check, holding `token` (from an approval or the vendor's storage). */
  withToken(token: Token | string): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    return Object.assign(copy, { session: this.session, token: asToken(token) });
  }

  /** Checks the server's identity before a secret is sent, as far as the platform allows. */
  protected abstract ensureVerified(token: Token | undefined): Promise<void>;

  /** The approval's checkpoint, checked against the pinned key; what to do with one that fails is the platform's. */
  protected abstract receiptAtApproval(checkpoint: SignedCheckpoint | undefined): Promise<SignedCheckpoint | undefined>;

  // ---- the grant flow ---------------------------------------------------------------------

  /** Asks the person for a grant. Show `user_code` to the person, then poll. */
  async requestGrant(request: GrantRequest): Promise<PendingGrant> {
    await this.ensureVerified(undefined);
    const body: GrantRequestIn = {
      ...request,
      operations: request.operations ?? ["read"],
      duration_days: request.duration_days ?? 30,
      vendor_retention_days: request.vendor_retention_days ?? 0,
    };
    const out = await this.send<GrantRequestOut>({ method: "POST", path: "/v1/grant-requests", body });
    const fields = isObject(out) ? [out.request_id, out.user_code, out.poll_secret, out.expires_at] : [];
    if (!isObject(out) || !fields.every((f) => typeof f === "string") || typeof out.interval !== "number") {
      throw new ProtocolError("the answer to a grant request lacks its id, code, poll secret, expiry or interval");
    }
    return {
      request_id: out.request_id,
      user_code: out.user_code,
      poll_secret: new PollSecret(out.poll_secret),
      expires_at: out.expires_at,
      interval: Math.max(out.interval, 1),
    };
  }

  /** Polls a grant request once. On approval the token is in the answer — the only time the server hands it over. */
  async pollOnce(pending: PendingGrant): Promise<PollStatus> {
    await this.ensureVerified(undefined);
    const out = await this.send<PollOut>({
      method: "POST",
      path: "/v1/grant-requests/poll",
      body: { poll_secret: pending.poll_secret.expose() },
    });
    switch (isObject(out) ? out.status : undefined) {
      case "pending":
        return { status: "pending" };
      case "denied":
        return { status: "denied" };
      case "expired":
        return { status: "expired" };
      case "approved": {
        if (typeof out.token !== "string" || !isObject(out.grant)) {
          throw new ProtocolError("approved without a token or grant");
        }
        const token = new Token(out.token);
        const checkpoint = await this.receiptAtApproval(out.checkpoint ?? undefined);
        return { status: "approved", approval: { token, grant: out.grant, checkpoint } };
      }
      default:
        throw new ProtocolError(`unknown request status '${String(isObject(out) ? out.status : out)}'`);
    }
  }

  /**
   * Polls until the person decides, waiting the server's interval between polls (5 s longer
   * after each 429, after the wait the server asks for). Denial and expiry throw
   * {@link DeniedError} and {@link RequestExpiredError}; `signal` stops waiting.
   */
  async waitForApproval(pending: PendingGrant, options: { signal?: AbortSignal } = {}): Promise<Approval> {
    let intervalMs = pending.interval * 1000;
    for (;;) {
      try {
        const state = await this.pollOnce(pending);
        if (state.status === "approved") return state.approval;
        if (state.status === "denied") throw new DeniedError();
        if (state.status === "expired") throw new RequestExpiredError();
      } catch (e) {
        if (!(e instanceof RateLimitedError)) throw e;
        intervalMs += SLOW_DOWN_MS;
        await sleep(e.retryAfterMs ?? 0, options.signal);
      }
      await sleep(intervalMs, options.signal);
    }
  }

  // ---- calls under a grant ----------------------------------------------------------------

  /** The grant this client's token stands for. */
  grant(): Promise<Grant> {
    return this.authed<Grant>({ method: "GET", path: "/v1/grant" });
  }

  /** Gives the grant up: the token stops working at once. */
  async giveUp(): Promise<void> {
    await this.authed<null>({ method: "DELETE", path: "/v1/grant" });
  }

  /** One page of beliefs for a declared purpose. */
  async beliefs(query: BeliefQuery): Promise<BeliefPage> {
    const page = await this.authed<BeliefPage>({ method: "GET", path: "/v1/beliefs", query: queryPairs(query) });
    if (!isObject(page) || !Array.isArray(page.beliefs)) throw new ProtocolError("a page without beliefs");
    return page;
  }

  /** Pages of beliefs for a declared purpose, following the server's `next` cursor to the last page. */
  async *beliefPages(query: BeliefQuery): AsyncGenerator<BeliefPage, void, undefined> {
    let q = { ...query };
    for (;;) {
      const page = await this.beliefs(q);
      yield page;
      if (page.next === undefined || page.next === null) return;
      q = { ...q, after: page.next };
    }
  }

  /** Every belief for a declared purpose, page by page. */
  async allBeliefs(query: BeliefQuery): Promise<Belief[]> {
    const all: Belief[] = [];
    for await (const page of this.beliefPages(query)) all.push(...page.beliefs);
    return all;
  }

  /** One belief for a declared purpose ({@link NotFoundError} if it is not disclosable under the grant). */
  belief(id: string, purpose: string): Promise<Belief> {
    return this.authed<Belief>({
      method: "GET",
      path: `/v1/beliefs/${encodeSegment(id)}`,
      query: [["purpose", purpose]],
    });
  }

  /** Proposes a belief; it waits in the person's inbox until they accept or reject it. */
  propose(proposal: ProposalIn): Promise<ProposalOut> {
    return this.authed<ProposalOut>({ method: "POST", path: "/v1/beliefs/proposals", body: proposal });
  }

  /** Notices after `cursor`, waiting up to `waitSeconds` (at most 25) for one to arrive. */
  async events(cursor: number, waitSeconds = 0): Promise<Events> {
    const wait = Math.min(Math.max(Math.floor(waitSeconds), 0), MAX_WAIT_SECS);
    const out = await this.authed<Events>({
      method: "GET",
      path: "/v1/events",
      query: [
        ["after", String(cursor)],
        ["wait", String(wait)],
      ],
      waitMs: wait * 1000,
    });
    if (!isObject(out) || !Array.isArray(out.events) || typeof out.cursor !== "number") {
      throw new ProtocolError("events without a cursor");
    }
    return out;
  }

  /** A feed of notices starting after `cursor` (0 for all; store the feed's cursor to resume). */
  followEvents(cursor = 0): EventFeed {
    return new EventFeed(this, cursor);
  }

  /**
   * The vault's signed audit checkpoint: the latest, or its current statement of event `seq`.
   * Checked against the pinned key before it is returned ({@link InvalidCheckpointError}
   * otherwise). Needs a live grant but no purpose.
   */
  async checkpoint(seq?: number): Promise<SignedCheckpoint> {
    const key = this.pinned();
    const cp = await this.authed<SignedCheckpoint>({
      method: "GET",
      path: "/v1/checkpoint",
      query: seq === undefined ? [] : [["seq", String(seq)]],
    });
    await verifyCheckpoint(cp, key);
    if (seq !== undefined && cp.seq !== seq) {
      throw new InvalidCheckpointError(`asked for event ${seq}, got a checkpoint of event ${cp.seq}`);
    }
    return cp;
  }

  /**
   * Checks a receipt (a checkpoint kept earlier) against what the vault states now: its current
   * statement of the receipt's event, or — if it no longer has that event — its latest, which
   * shows the rollback.
   */
  async checkReceipt(receipt: SignedCheckpoint): Promise<Consistency> {
    await verifyCheckpoint(receipt, this.pinned());
    let current: SignedCheckpoint;
    try {
      current = await this.checkpoint(receipt.seq);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      current = await this.checkpoint();
    }
    return compareCheckpoints(receipt, current);
  }

  // ---- plumbing ---------------------------------------------------------------------------

  /** The pinned key, which checkpoints are checked against. */
  protected pinned(): ServerKey {
    if (!this.session.key) throw new ConfigError("no server key is pinned yet");
    return this.session.key;
  }

  /** A call that needs this client's token; the server proves itself first. */
  protected async authed<T>(call: Call): Promise<T> {
    const token = this.token;
    if (!token) throw new ConfigError("this call needs a token; use withToken");
    await this.ensureVerified(token);
    return this.send<T>({ ...call, token });
  }

  /** Sends a call and turns the answer into a value or a typed error. */
  protected async send<T>(call: Call): Promise<T> {
    const s = this.session;
    let resp;
    try {
      resp = await s.transport.send({ ...call, query: call.query ?? [], timeoutMs: s.timeoutMs + (call.waitMs ?? 0) });
    } catch (e) {
      // Whoever answers next must prove itself again.
      s.trustedUntil = undefined;
      throw e;
    }
    if (call.token && s.trustedUntil !== undefined) {
      // The connection that carried the secret answered: it still leads to the server.
      s.trustedUntil = performance.now() + s.trustWindowMs;
    }
    if (resp.status >= 200 && resp.status < 300) {
      if (resp.status === 204 && resp.body === "") return null as T;
      try {
        return JSON.parse(resp.body) as T;
      } catch (e) {
        throw new ProtocolError(`unexpected ${resp.status} response to ${call.path}: ${(e as Error).message}`);
      }
    }
    let code = "unknown";
    let message = resp.body.slice(0, 200);
    try {
      const p: unknown = JSON.parse(resp.body);
      if (isObject(p) && isObject(p.error) && typeof p.error.code === "string" && typeof p.error.message === "string") {
        ({ code, message } = p.error as { code: string; message: string });
      }
    } catch {
      // Not a Problem: keep the start of the body as the message.
    }
    throw errorFromProblem({ status: resp.status, code, message }, retryAfterMs(resp.retryAfter));
  }
}

/** A feed of notices (long poll with a cursor). */
export class EventFeed {
  readonly #client: BaseClient;
  #cursor: number;

  constructor(client: BaseClient, cursor: number) {
    this.#client = client;
    this.#cursor = cursor;
  }

  /** The next notices, waiting up to `waitSeconds` (at most 25) for one; empty if none came. The cursor advances past them. */
  async nextBatch(waitSeconds = 0): Promise<Event[]> {
    const out = await this.#client.events(this.#cursor, waitSeconds);
    this.#cursor = Math.max(this.#cursor, out.cursor);
    return out.events;
  }

  /** Where the feed is: store it to resume with `followEvents`. */
  get cursor(): number {
    return this.#cursor;
  }
}
