/** The seam between the clients and the platform's HTTP stack (node:http, or a browser's fetch). */

import { ConfigError } from "./errors.js";
import type { Token } from "./secret.js";

/** One call to the API. */
export interface HttpRequest {
  readonly method: "GET" | "POST" | "DELETE";
  /** The path, segments already encoded, e.g. `/v1/beliefs`. */
  readonly path: string;
  /** Query parameters (never a secret: the server refuses secrets in URLs). */
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** A JSON body. */
  readonly body?: unknown;
  /** Sent as `Authorization: Bearer …`, and only so. */
  readonly token?: Token | undefined;
  readonly timeoutMs: number;
}

/** What came back. */
export interface HttpResponse {
  readonly status: number;
  /** The `Retry-After` header, if it was sent (and, in a browser, readable). */
  readonly retryAfter: string | null;
  readonly body: string;
}

/** Sends calls; throws a `TransportError` when the server cannot be reached or the exchange fails. */
export interface Transport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** The path and query of a call, as they appear in the request line. */
export function target(request: HttpRequest): string {
  const query = new URLSearchParams(request.query.map(([k, v]) => [k, v])).toString();
  return query ? `${request.path}?${query}` : request.path;
}

/**
 * The origin of a loopback http URL (`http://127.0.0.1:7420`, `http://localhost:7420`,
 * `http://[::1]:7420`); anything else is refused, since the API only listens on this machine.
 */
export function loopbackOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`'${url}' is not a URL`);
  }
  const host = parsed.hostname;
  const loopback = host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (parsed.protocol !== "http:" || !loopback) {
    throw new ConfigError(`'${url}' is not a loopback http URL; the Selfmodel API only listens on this machine`);
  }
  return parsed.origin;
}

/** Encodes a path segment, keeping only RFC 3986's unreserved characters as they are. */
export function encodeSegment(segment: string): string {
  return Array.from(new TextEncoder().encode(segment), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");
}
