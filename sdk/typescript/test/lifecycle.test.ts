/**
 * After the grant, against the real server with the person's side on the real CLI: revocation
 * from another process, giving a grant up, notices of rectification, erasure and revocation, and
 * proposals in the person's inbox.
 */

import assert from "node:assert/strict";
import { test } from "node:test";

import { RevokedError, type ProposalIn } from "selfmodel";

import { Served, communicationRequest, ids } from "./harness/served.js";

test("revocation from another process is refused on the very next request", async (t) => {
  const s = await Served.start(t);
  const { client, grant } = await s.reader("com.example.revoked", ["communication"]);
  assert.ok((await client.beliefs({ purpose: "communication" })).beliefs.length > 0);

  // The person revokes with the CLI: a second process on the same vault.
  await s.cli(["grant", "revoke", grant.id]);
  const e = await client.beliefs({ purpose: "communication" }).then(
    () => assert.fail("read after revocation"),
    (err: unknown) => err,
  );
  assert.ok(e instanceof RevokedError, String(e));
  assert.deepEqual([e.status, e.code], [401, "token_revoked"]);
  await assert.rejects(client.grant(), RevokedError);
  await assert.rejects(client.belief(await s.beliefId("Writes in British English"), "communication"), RevokedError);
  const denied = (await s.accessLog(["--grant", grant.id])).filter((x) => x.outcome === "denied");
  assert.equal(denied.length, 3);
  assert.ok(denied.every((x) => x.reason === "token_revoked"));

  // A revoked vendor still hears that it was revoked.
  const { events } = await client.events(0);
  assert.ok(
    events.some((x) => x.kind === "grant.revoked" && x.belief_id == null),
    JSON.stringify(events),
  );
});

test("a vendor can give its grant up", async (t) => {
  const s = await Served.start(t);
  const { client, grant } = await s.reader("com.example.quitter", ["communication"]);
  await client.giveUp();
  await assert.rejects(client.beliefs({ purpose: "communication" }), { code: "token_revoked" });
  await assert.rejects(client.giveUp(), RevokedError);
  const [listed] = await s.cliJson<{ id: string; revoked_by: string }[]>(["grant", "list"]);
  assert.deepEqual([listed?.id, listed?.revoked_by], [grant.id, "vendor"]);
});

test("notices tell of rectification, erasure (during a long poll) and revocation", async (t) => {
  const s = await Served.start(t);
  const { client, approval } = await s.approval(communicationRequest({ id: "com.example.listener", name: "Listener" }));
  const v = client.withToken(approval.token);
  const received = await v.allBeliefs({ purpose: "communication" });
  assert.ok(received.length >= 2);
  const [first, second] = [received[0]!.id, received[1]!.id];
  const feed = v.followEvents(0);
  assert.deepEqual(await feed.nextBatch(0), []);

  // Rectified: the recipient is told; a belief it never received changes silently for it.
  await s.cli(["belief", "edit", first, "--confidence", "0.97", "--reason", "asked to correct"]);
  const other = await s.beliefId("Experienced Rust programmer");
  await s.cli(["belief", "edit", other, "--confidence", "0.95", "--reason", "x"]);
  let got = await feed.nextBatch(5);
  assert.deepEqual(
    got.map((x) => [x.kind, x.belief_id]),
    [["belief.rectified", first]],
  );
  const afterFirst = feed.cursor;
  assert.equal(afterFirst, got[0]!.seq);
  assert.equal((await v.belief(first, "communication")).confidence, 0.97);

  // Erased while the vendor waits in a long poll: the poll is answered when it happens.
  const waiting = feed.nextBatch(25);
  await s.cli(["belief", "delete", second]);
  got = await waiting;
  assert.deepEqual(
    got.map((x) => [x.kind, x.belief_id]),
    [["belief.erased", second]],
  );

  // Revoked.
  await s.cli(["grant", "revoke", approval.grant.id]);
  got = await feed.nextBatch(5);
  assert.deepEqual(
    got.map((x) => [x.kind, x.belief_id ?? null]),
    [["grant.revoked", null]],
  );

  // Resuming from 0 replays all three in order; from the stored cursor, only what came after.
  const all = await v.events(0);
  assert.deepEqual(
    all.events.map((x) => x.kind),
    ["belief.rectified", "belief.erased", "grant.revoked"],
  );
  assert.equal(all.cursor, all.events[2]!.seq);
  assert.equal((await v.events(afterFirst)).events.length, 2);
});

function proposal(statement: string): ProposalIn {
  return {
    statement,
    category: "communication-style",
    confidence: 0.8,
    purposes: ["communication"],
    evidence: [{ kind: "observed", source: "Example Vendor", summary: "Seen in 3 of the last 5 conversations" }],
  };
}

test("proposals land in the inbox and the person accepts or rejects them", async (t) => {
  const s = await Served.start(t);
  const { client } = await s.reader("com.example.proposer", ["communication"], ["read", "propose"]);
  const kept = await client.propose(proposal("Prefers bullet points for instructions"));
  const dropped = await client.propose(proposal("Likes answers in French"));
  assert.equal(kept.status, "pending");

  const inbox = await s.cliJson<{ id: string; status: string; provenance: { vendor_name: string } }[]>(["inbox"]);
  assert.deepEqual(new Set(inbox.map((b) => b.id)), new Set([kept.id, dropped.id]));
  assert.ok(inbox.every((b) => b.status === "pending" && b.provenance.vendor_name === "com.example.proposer"));
  // Pending proposals are not disclosed, not even to their proposer.
  assert.ok(!ids(await client.allBeliefs({ purpose: "communication" })).has(kept.id));

  await s.cli(["belief", "accept", kept.id]);
  await s.cli(["belief", "reject", dropped.id]);
  assert.deepEqual(await s.cliJson(["inbox"]), []);
  const after = ids(await client.allBeliefs({ purpose: "communication" }));
  assert.ok(after.has(kept.id), "accepted: active and shareable");
  assert.ok(!after.has(dropped.id));
});
