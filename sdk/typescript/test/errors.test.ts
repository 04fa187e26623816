/** Each refusal the server can send arrives as its own error class, with its code and status. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { errorFromProblem } from "../dist/errors.js";
import * as sdk from "selfmodel";

test("refusals are sorted into typed errors by status and code", () => {
  const cases: [number, string, new (...args: never[]) => sdk.SelfmodelError][] = [
    [401, "token_revoked", sdk.RevokedError],
    [401, "token_expired", sdk.ExpiredError],
    [401, "invalid_token", sdk.UnauthorizedError],
    [403, "purpose_not_granted", sdk.PurposeRefusedError],
    [403, "category_not_granted", sdk.ForbiddenError],
    [404, "not_found", sdk.NotFoundError],
    [409, "conflict", sdk.ConflictError],
    [410, "token_already_issued", sdk.GoneError],
    [423, "vault_locked", sdk.LockedError],
    [423, "paused", sdk.PausedError],
    [429, "rate_limited", sdk.RateLimitedError],
    [400, "invalid_field", sdk.BadRequestError],
    [413, "body_too_large", sdk.BadRequestError],
    [415, "unsupported_media_type", sdk.BadRequestError],
    [503, "unavailable", sdk.UnavailableError],
    [503, "busy", sdk.UnavailableError],
    [500, "internal", sdk.ServerError],
  ];
  for (const [status, code, kind] of cases) {
    const e = errorFromProblem({ status, code, message: "m" }, status === 429 ? 1000 : undefined);
    assert.equal(e.constructor, kind, `${status} ${code}`);
    assert.ok(e instanceof sdk.SelfmodelError && e instanceof Error);
    assert.deepEqual([e.status, e.code, e.name], [status, code, kind.name]);
  }
  assert.ok(
    errorFromProblem({ status: 403, code: "purpose_not_granted", message: "m" }, undefined) instanceof
      sdk.ForbiddenError,
  );
  const limited = errorFromProblem({ status: 429, code: "rate_limited", message: "m" }, 1000);
  assert.ok(limited instanceof sdk.RateLimitedError && limited.retryAfterMs === 1000);
  const busy = errorFromProblem({ status: 503, code: "busy", message: "m" }, 1000);
  assert.ok(busy instanceof sdk.ServerError && busy instanceof sdk.UnavailableError);
  assert.equal(busy.retryAfterMs, 1000);
  // Errors of the client's own have no server code.
  assert.equal(new sdk.DeniedError().code, undefined);
});
