/**
 * The device flow against the real server, with the person's side on the real CLI: a request and
 * its user code, a narrowed approval, the token handed over once, polling at the server's
 * interval, and a 429 honoured.
 */

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DeniedError,
  ForbiddenError,
  GoneError,
  PollSecret,
  PurposeRefusedError,
  RateLimitedError,
  UnauthorizedError,
  type PendingGrant,
} from "selfmodel";

import { Served, communicationRequest, eventually, flags, ids } from "./harness/served.js";

test("the device flow: pending, a narrowed approval, and the token handed over once", async (t) => {
  const s = await Served.start(t);
  const client = await s.paired();
  const pending = await client.requestGrant({
    vendor: { id: "com.example.notes", name: "Example Notes", url: "https://notes.example" },
    purposes: ["communication", "personalisation"],
    categories: ["communication-style", "expertise", "interests"],
    operations: ["read", "read_evidence", "propose"],
    vendor_retention_days: 14,
    justification: "Adapt answers to you",
  });
  assert.match(pending.user_code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  assert.equal(pending.interval, 2);
  assert.deepEqual(await client.pollOnce(pending), { status: "pending" });

  // The person sees the request with the same user code and the vendor's retention term ...
  const [r] = await s.cliJson<{ id: string; user_code: string; status: string; vendor_retention_days: number }[]>([
    "grant",
    "requests",
  ]);
  assert.deepEqual(
    [r?.id, r?.user_code, r?.status, r?.vendor_retention_days],
    [pending.request_id, pending.user_code, "pending", 14],
  );
  // ... and approves it narrowed.
  const narrowing = flags({ purpose: "communication", category: "communication-style", operation: "read", days: 7 });
  await s.cli(["grant", "approve", pending.request_id, ...narrowing]);
  const state = await client.pollOnce(pending);
  assert.equal(state.status, "approved");
  if (state.status !== "approved") return;
  const { token, grant } = state.approval;
  assert.deepEqual(grant.purposes, ["communication"]);
  assert.deepEqual(grant.categories, ["communication-style"]);
  assert.deepEqual(grant.operations, ["read"]);
  assert.equal(grant.max_sensitivity, "normal");
  assert.equal(grant.vendor.url, "https://notes.example");
  assert.equal(grant.consent.recipient_retention_days, 14);
  assert.ok(token.expose().startsWith("smt_"));

  // The token is handed over once: a second poll is 410.
  const again = await client.pollOnce(pending).then(
    () => assert.fail("handed over twice"),
    (e: unknown) => e,
  );
  assert.ok(again instanceof GoneError, String(again));
  assert.deepEqual([again.status, again.code], [410, "token_already_issued"]);

  const vendor = client.withToken(token);
  assert.deepEqual(await vendor.grant(), grant);
  const page = await vendor.beliefs({ purpose: "communication" });
  assert.equal(page.grant_id, grant.id);
  assert.deepEqual(ids(page.beliefs), await s.expected("communication", ["communication-style"]));
  assert.ok(
    page.beliefs.every((b) => b.evidence === undefined),
    "no evidence without read_evidence",
  );

  // Narrowed away: the other purpose, the other categories, proposing.
  await assert.rejects(vendor.beliefs({ purpose: "personalisation" }), PurposeRefusedError);
  await assert.rejects(vendor.beliefs({ purpose: "communication", category: "expertise" }), {
    code: "category_not_granted",
  });
  await assert.rejects(
    vendor.propose({ statement: "Likes tea", category: "communication-style", confidence: 0.8 }),
    (e: unknown) => e instanceof ForbiddenError && e.code === "operation_not_granted",
  );
  // A wrong poll secret is refused.
  const forged: PendingGrant = { ...pending, poll_secret: new PollSecret(`smp_${"1".repeat(16)}_${"2".repeat(64)}`) };
  await assert.rejects(
    client.pollOnce(forged),
    (e: unknown) => e instanceof UnauthorizedError && e.code === "invalid_poll_secret",
  );
});

test("waiting for approval polls at the server's interval and reports a denial", async (t) => {
  const s = await Served.start(t);
  const client = await s.paired();
  const ask = communicationRequest({ id: "com.example.waiter", name: "Waiter" }, ["expertise"]);
  const pending = await client.requestGrant(ask);
  // Record the waits the client asks for between polls (they still run as asked).
  const waits: number[] = [];
  const realSetTimeout = globalThis.setTimeout;
  t.mock.method(globalThis, "setTimeout", (fn: () => void, ms: number) => {
    waits.push(ms);
    return realSetTimeout(fn, ms);
  });
  const waiting = client.waitForApproval(pending);
  await eventually(() => waits.length >= 1, "a first poll answered pending");
  await s.cli(["grant", "approve", pending.request_id]);
  const approval = await waiting;
  assert.deepEqual(approval.grant.categories, ["expertise"]);
  assert.ok(waits.length >= 1);
  assert.ok(
    waits.every((ms) => ms === pending.interval * 1000),
    `waits: ${waits.join(", ")}`,
  );

  const denied = await client.requestGrant(ask);
  await s.cli(["grant", "deny", denied.request_id]);
  await assert.rejects(client.waitForApproval(denied), DeniedError);
});

test("a 429 while polling is honoured: the server's Retry-After, then a longer interval", async (t) => {
  // No refill: after the pairing proof and the request, every grant-flow call is 429.
  const s = await Served.start(t, ["--rate-limit", "0"]);
  const client = await s.paired();
  const pending = await client.requestGrant(
    communicationRequest({ id: "com.example.eager", name: "Eager" }, ["expertise"]),
  );
  await assert.rejects(
    client.pollOnce(pending),
    (e: unknown) => e instanceof RateLimitedError && e.retryAfterMs === 1000,
  );

  // The client's waits are recorded and run at once; it is stopped after its third interval.
  const waits: number[] = [];
  const stop = new AbortController();
  const realSetTimeout = globalThis.setTimeout;
  t.mock.method(globalThis, "setTimeout", (fn: () => void, ms: number) => {
    waits.push(ms);
    if (waits.filter((w) => w > 1000).length === 3) queueMicrotask(() => stop.abort());
    return realSetTimeout(fn, 0);
  });
  await assert.rejects(client.waitForApproval(pending, { signal: stop.signal }), { name: "AbortError" });
  const base = pending.interval * 1000;
  assert.deepEqual(
    waits.filter((w) => w > 1000),
    [base + 5000, base + 10_000, base + 15_000],
    `waits: ${waits.join(", ")}`,
  );
  for (const [i, w] of waits.entries()) {
    if (w > 1000) assert.equal(waits[i - 1], 1000, `Retry-After waited before interval ${i}: ${waits.join(", ")}`);
  }
});
