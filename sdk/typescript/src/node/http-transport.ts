/**
 * The Node transport: node:http to the loopback TCP port or the server's Unix socket. It uses no
 * proxy (node:http reads no proxy settings) and follows no redirect.
 */

import http from "node:http";

import { TransportError } from "../errors.js";
import { target, type HttpRequest, type HttpResponse, type Transport } from "../transport.js";

/** The most a response may hold; an answer beyond it is not the server's. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Sends calls to the server at `origin` (a loopback origin), over `unixSocket` if one is given. */
export function httpTransport(origin: string, unixSocket?: string): Transport {
  const base = new URL(origin);
  const agent = new http.Agent({ keepAlive: true });
  const endpoint = unixSocket
    ? { socketPath: unixSocket }
    : { host: base.hostname.replace(/^\[|\]$/g, ""), port: Number(base.port || 80), headers: { host: base.host } };
  return {
    send(request: HttpRequest): Promise<HttpResponse> {
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      const headers: Record<string, string> = {
        ...("headers" in endpoint ? endpoint.headers : {}),
        accept: "application/json",
      };
      if (body !== undefined) headers["content-type"] = "application/json";
      if (request.token) headers.authorization = `Bearer ${request.token.expose()}`;
      const where = unixSocket ?? origin;
      return new Promise((resolve, reject) => {
        const fail = (e: unknown) =>
          reject(
            e instanceof TransportError
              ? e
              : new TransportError(
                  `${request.method} ${request.path} to ${where}: ${e instanceof Error ? e.message : String(e)}`,
                  e,
                ),
          );
        const req = http.request(
          {
            ...endpoint,
            agent,
            method: request.method,
            path: target(request),
            headers,
            signal: AbortSignal.timeout(request.timeoutMs),
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on("data", (chunk: Buffer) => {
              size += chunk.length;
              if (size > MAX_RESPONSE_BYTES) req.destroy(new TransportError(`the answer from ${where} is too large`));
              else chunks.push(chunk);
            });
            res.on("end", () => {
              const retry = res.headers["retry-after"];
              resolve({
                status: res.statusCode ?? 0,
                retryAfter: typeof retry === "string" ? retry : null,
                body: Buffer.concat(chunks).toString("utf8"),
              });
            });
            res.on("error", fail);
          },
        );
        req.on("error", fail);
        req.end(body);
      });
    },
  };
}
