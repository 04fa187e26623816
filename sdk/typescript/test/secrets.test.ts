/** The token and the poll secret stay out of JSON, `util.inspect` / `console.log` output and errors. */

import assert from "node:assert/strict";
import { inspect } from "node:util";
import { test } from "node:test";

import { Token } from "selfmodel";

import { Served, communicationRequest } from "./harness/served.js";

test("secrets never show in JSON, inspect output or errors", async (t) => {
  const s = await Served.start(t);
  const client = await s.paired();
  const pending = await client.requestGrant(communicationRequest({ id: "com.example.quiet", name: "Quiet" }));
  await s.cli(["grant", "approve", pending.request_id]);
  const approval = await client.waitForApproval(pending);
  const vendor = client.withToken(approval.token);
  const token = approval.token.expose();
  const poll = pending.poll_secret.expose();

  const shown = [
    JSON.stringify(approval),
    JSON.stringify(pending),
    JSON.stringify(vendor),
    inspect(approval, { depth: Infinity }),
    inspect(pending, { depth: Infinity }),
    inspect(vendor, { depth: Infinity, showHidden: true }),
    String(approval.token),
    `${approval.token}`,
  ];
  await s.cli(["grant", "revoke", approval.grant.id]);
  const refused = await vendor.grant().then(
    () => assert.fail("served after revocation"),
    (e: unknown) => e,
  );
  shown.push(String(refused), inspect(refused, { depth: Infinity }), JSON.stringify(refused));
  for (const text of shown) {
    assert.ok(!text.includes(token) && !text.includes(poll), text);
  }
  // What is shown instead names the token by its public id only.
  assert.equal(JSON.stringify({ token: approval.token }), `{"token":"Token(${approval.token.publicId}, redacted)"}`);
  assert.equal(inspect(new Token("smt_abc_secret")), "Token(abc, redacted)");
  assert.ok(approval.token.publicId && token.includes(approval.token.publicId));
});
