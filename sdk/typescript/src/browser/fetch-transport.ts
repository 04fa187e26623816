/**
 * The browser transport: fetch, without cookies, caching, referrer or redirects. The server lets
 * a page read its refusals only when a grant lists (or listed) the page's origin, or in the grant
 * flow while web vendors are on; any other refused call fails here the way an unreachable server
 * does.
 */

import { TransportError } from "../errors.js";
import { target, type HttpRequest, type HttpResponse, type Transport } from "../transport.js";

/** Sends calls to the server at `origin` with the page's `fetch`. */
export function fetchTransport(origin: string): Transport {
  return {
    async send(request: HttpRequest): Promise<HttpResponse> {
      const headers: Record<string, string> = { accept: "application/json" };
      if (request.body !== undefined) headers["content-type"] = "application/json";
      if (request.token) headers.authorization = `Bearer ${request.token.expose()}`;
      const init: RequestInit = {
        method: request.method,
        headers,
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        redirect: "error",
        referrerPolicy: "no-referrer",
        signal: AbortSignal.timeout(request.timeoutMs),
      };
      if (request.body !== undefined) init.body = JSON.stringify(request.body);
      try {
        const res = await fetch(origin + target(request), init);
        return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.text() };
      } catch (e) {
        throw new TransportError(
          `${request.method} ${request.path} to ${origin} failed (${e instanceof Error ? e.message : String(e)}): ` +
            "the server is unreachable, or it refused the call (an origin no grant lists, web vendors turned off) " +
            "and the browser withheld its answer",
          e,
        );
      }
    },
  };
}
