/**
 * Purpose-bound reads against the real server: paging as an async iterator, filters, single
 * reads, evidence only under `read_evidence`, a refused purpose, and typed errors.
 */

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  BadRequestError,
  ConfigError,
  ForbiddenError,
  NotFoundError,
  PurposeRefusedError,
  SelfmodelError,
  Token,
  UnauthorizedError,
  type Belief,
} from "selfmodel";

import { Served, ids } from "./harness/served.js";

test("paged reads follow the server's cursor as an async iterator", async (t) => {
  const s = await Served.start(t);
  const { client } = await s.reader("com.example.pager", ["personalisation"]);
  const whole = await client.beliefs({ purpose: "personalisation", limit: 500 });
  assert.equal(whole.next, undefined);
  assert.ok(whole.beliefs.length > 6);

  const paged: Belief[] = [];
  let pages = 0;
  for await (const page of client.beliefPages({ purpose: "personalisation", limit: 3 })) {
    assert.equal(page.purpose, "personalisation");
    assert.ok(page.beliefs.length <= 3);
    paged.push(...page.beliefs);
    pages++;
  }
  assert.ok(pages >= 3, `${pages} pages`);
  assert.deepEqual(paged, whole.beliefs, "pages add up to the whole, in order");
  assert.deepEqual(await client.allBeliefs({ purpose: "personalisation", limit: 2 }), whole.beliefs);

  const high = await client.allBeliefs({ purpose: "personalisation", min_confidence: 0.8 });
  assert.ok(high.length > 0 && high.length < whole.beliefs.length);
  assert.ok(high.every((b) => b.confidence >= 0.8));
  const goals = await client.allBeliefs({ purpose: "personalisation", category: "goals" });
  assert.ok(goals.length > 0 && goals.every((b) => b.category === "goals"));

  // A single read, under the same purpose.
  const one = whole.beliefs[0]!;
  assert.deepEqual(await client.belief(one.id, "personalisation"), one);
});

test("a purpose outside the grant is refused, and the refusal logged", async (t) => {
  const s = await Served.start(t);
  const { client, grant } = await s.reader("com.example.narrow", ["communication"]);
  const some = (await client.beliefs({ purpose: "communication", limit: 1 })).beliefs[0]!.id;
  const e = await client.beliefs({ purpose: "advertising" }).then(
    () => assert.fail("read"),
    (err: unknown) => err,
  );
  assert.ok(e instanceof PurposeRefusedError && e instanceof ForbiddenError && e instanceof SelfmodelError);
  assert.deepEqual([e.status, e.code], [403, "purpose_not_granted"]);
  await assert.rejects(client.belief(some, "recommendations"), PurposeRefusedError);

  const denied = (await s.accessLog(["--vendor", "com.example.narrow"])).filter((x) => x.outcome === "denied");
  assert.deepEqual(
    denied.map((x) => [x.reason, x.purpose, x.grant_id, x.disclosed.length]),
    [
      ["purpose_not_granted", "advertising", grant.id, 0],
      ["purpose_not_granted", "recommendations", grant.id, 0],
    ],
  );
});

test("evidence is disclosed only under read_evidence", async (t) => {
  const s = await Served.start(t);
  const { client: plain } = await s.reader("com.example.plain", ["communication"]);
  const { client: deep } = await s.reader("com.example.deep", ["communication"], ["read", "read_evidence"]);
  const without = await plain.allBeliefs({ purpose: "communication", category: "expertise" });
  const withEvidence = await deep.allBeliefs({ purpose: "communication", category: "expertise" });
  assert.deepEqual(ids(without), ids(withEvidence));
  assert.ok(withEvidence.length > 0);
  assert.ok(without.every((b) => b.evidence === undefined));
  assert.ok(withEvidence.every((b) => (b.evidence?.length ?? 0) > 0 && b.evidence?.[0]?.summary));
});

test("errors are typed with the server's code and status", async (t) => {
  const s = await Served.start(t);
  const { client } = await s.reader("com.example.errs", ["communication"]);
  const anon = await s.paired();
  await assert.rejects(anon.beliefs({ purpose: "communication" }), ConfigError, "a token is needed");
  const bogus = new Token(`smt_${"0".repeat(16)}_${"0".repeat(64)}`);
  await assert.rejects(
    anon.withToken(bogus).grant(),
    (e: unknown) => e instanceof UnauthorizedError && e.code === "invalid_token",
  );
  await assert.rejects(anon.withToken("not a token").grant(), { code: "invalid_token", status: 401 });
  await assert.rejects(client.belief("01a20820-0000-7000-8000-000000000000", "communication"), NotFoundError);
  await assert.rejects(client.belief("no-such-id", "communication"), BadRequestError);
  await assert.rejects(client.beliefs({ purpose: "communication", min_confidence: 2 }), { status: 400 });
  await assert.rejects(
    anon.requestGrant({
      vendor: { id: "x", name: "x" },
      purposes: ["no-such-purpose"],
      categories: ["goals"],
      justification: "t",
    }),
    BadRequestError,
  );
  // A cursor far beyond the last notice is simply past the end.
  const far = await client.events(Number.MAX_SAFE_INTEGER);
  assert.deepEqual(far, { events: [], cursor: Number.MAX_SAFE_INTEGER });
});
