/**
 * Typed errors: what the server refused (with its stable `code` and HTTP status), and what went
 * wrong on the way. Every error of this SDK is a {@link SelfmodelError}; branch on the subclass
 * (`instanceof RevokedError`) or on `code`, never on the message.
 */

/** An error response from the server: HTTP status, stable code (e.g. `purpose_not_granted`), message. */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** The base of every error this SDK throws. */
export class SelfmodelError extends Error {
  override name = "SelfmodelError";
  /** The server's refusal, for errors the server returned. */
  readonly problem: Problem | undefined;

  constructor(message: string, problem?: Problem, options?: { cause?: unknown }) {
    super(message, options);
    this.problem = problem;
  }

  /** The server's stable error code, for errors the server returned. */
  get code(): string | undefined {
    return this.problem?.code;
  }

  /** The HTTP status, for errors the server returned. */
  get status(): number | undefined {
    return this.problem?.status;
  }
}

function shown(p: Problem): string {
  return `${p.status} ${p.code}: ${p.message}`;
}

/** The base of the error class `name` for a refusal by the server, told as `label` and the refusal. */
function refusal(name: string, label: string): new (p: Problem) => SelfmodelError {
  return class extends SelfmodelError {
    override name = name;
    constructor(p: Problem) {
      super(`${label}: ${shown(p)}`, p);
    }
  };
}

/** The base of the error class `name` for a failure on the client's side, told as `label` and the detail. */
function failure(name: string, label: string): new (detail: string) => SelfmodelError {
  return class extends SelfmodelError {
    override name = name;
    constructor(detail: string) {
      super(`${label}: ${detail}`);
    }
  };
}

/**
 * The server could not prove it holds the expected identity key (a process squatting on the
 * port, another vault, a tampered discovery file). Nothing secret was sent to it.
 */
export class ServerNotTrustedError extends SelfmodelError {
  override name = "ServerNotTrustedError";
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`the server at ${url} is not the trusted Selfmodel server: ${reason}`);
  }
}

/** The discovery file is missing, unreadable, malformed or not private. */
export class DiscoveryError extends failure("DiscoveryError", "discovery") {}

/** The client was set up wrongly (a non-loopback URL, a call that needs a token without one). */
export class ConfigError extends failure("ConfigError", "client configuration") {}

/** 401: the token or poll secret is missing, malformed or unknown. */
export class UnauthorizedError extends refusal("UnauthorizedError", "unauthorised") {}

/** 401 `token_revoked`: the grant was revoked. Stop using what it disclosed; ask anew if needed. */
export class RevokedError extends refusal("RevokedError", "the grant was revoked") {}

/** 401 `token_expired`: the grant ran out. */
export class ExpiredError extends refusal("ExpiredError", "the grant expired") {}

/** 403: the grant does not cover this (`category_not_granted`, `operation_not_granted`, `origin_not_allowed`, ...). */
export class ForbiddenError extends refusal("ForbiddenError", "forbidden") {}

/** 403 `purpose_not_granted`: the read named a purpose the grant does not cover. */
export class PurposeRefusedError extends ForbiddenError {
  override name = "PurposeRefusedError";
}

/** 404: no such belief under this grant and purpose, or no such endpoint. */
export class NotFoundError extends refusal("NotFoundError", "not found") {}

/** 409: the request conflicts with the state of the vault. */
export class ConflictError extends refusal("ConflictError", "conflict") {}

/** 410 `token_already_issued`: the token of this request was handed over already. */
export class GoneError extends refusal("GoneError", "gone") {}

/** 423: the person's vault is locked; try again later. */
export class LockedError extends refusal("LockedError", "the vault is locked") {}

/** 423 `paused`: the person paused all sharing; nothing was revoked. Try again later. */
export class PausedError extends LockedError {
  override name = "PausedError";
}

/** 429: slow down (per grant), or too many grant requests are waiting. */
export class RateLimitedError extends SelfmodelError {
  override name = "RateLimitedError";
  constructor(
    p: Problem,
    /** The server's `Retry-After`, in milliseconds, if it sent one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(`rate limited (retry after ${retryAfterMs ?? "?"} ms): ${shown(p)}`, p);
  }
}

/** 400, 413, 415: the request was malformed (the message names the field). */
export class BadRequestError extends refusal("BadRequestError", "bad request") {}

/** 5xx, or any other unexpected status (a 503 is its {@link UnavailableError}). */
export class ServerError extends refusal("ServerError", "server error") {}

/**
 * 503: the vault could not serve or log the request, and nothing was served. Safe to try again:
 * after `retryAfterMs` when the server says the cause passes (`unavailable`, `busy`).
 */
export class UnavailableError extends ServerError {
  override name = "UnavailableError";
  constructor(
    p: Problem,
    /** The server's `Retry-After`, in milliseconds, if it sent one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(p);
  }
}

/** The person denied the grant request. */
export class DeniedError extends SelfmodelError {
  override name = "DeniedError";
  constructor() {
    super("the person denied the grant request");
  }
}

/** Nobody decided on the grant request in time. */
export class RequestExpiredError extends SelfmodelError {
  override name = "RequestExpiredError";
  constructor() {
    super("the grant request expired before the person decided");
  }
}

/** The server could not be reached, the connection failed, or (in a browser) its answer was withheld. */
export class TransportError extends SelfmodelError {
  override name = "TransportError";
  constructor(detail: string, cause?: unknown) {
    super(`transport: ${detail}`, undefined, { cause });
  }
}

/** The server answered something this client does not understand. */
export class ProtocolError extends failure("ProtocolError", "protocol") {}

/** A signed checkpoint that is malformed, does not verify, or is signed by another key than the pinned one. */
export class InvalidCheckpointError extends failure("InvalidCheckpointError", "invalid checkpoint") {}

/** Sorts an error response into its class. */
export function errorFromProblem(p: Problem, retryAfterMs: number | undefined): SelfmodelError {
  switch (p.status) {
    case 401:
      if (p.code === "token_revoked") return new RevokedError(p);
      if (p.code === "token_expired") return new ExpiredError(p);
      return new UnauthorizedError(p);
    case 403:
      return p.code === "purpose_not_granted" ? new PurposeRefusedError(p) : new ForbiddenError(p);
    case 404:
      return new NotFoundError(p);
    case 409:
      return new ConflictError(p);
    case 410:
      return new GoneError(p);
    case 423:
      return p.code === "paused" ? new PausedError(p) : new LockedError(p);
    case 429:
      return new RateLimitedError(p, retryAfterMs);
    case 400:
    case 413:
    case 415:
      return new BadRequestError(p);
    case 503:
      return new UnavailableError(p, retryAfterMs);
    default:
      return new ServerError(p);
  }
}
