/**
 * The browser entry's client (fetch and WebCrypto, both in Node too) against the real server: it
 * reads no discovery file, pins the key that signs the approval's checkpoint or checks it against
 * the key the caller gives, and checks a stored token's server before reading with it.
 */

import assert from "node:assert/strict";
import { test } from "node:test";

import { Client, ConfigError, ServerNotTrustedError } from "selfmodel/browser";

import { Served, communicationRequest } from "./harness/served.js";

const ask = communicationRequest({ id: "com.example.page", name: "Page" });

/** Files a request with `client`, has the person approve it, and waits for the approval. */
async function approved(s: Served, client: Client) {
  const pending = await client.requestGrant(ask);
  await s.cli(["grant", "approve", pending.request_id]);
  return client.waitForApproval(pending);
}

test("a browser client pins the key the approval is signed with, or checks the one it was given", async (t) => {
  const s = await Served.start(t);
  const key = await s.key();

  // Trust on first use: the approval's checkpoint names and verifies the key.
  const first = new Client({ url: s.url });
  assert.equal(first.serverKey === undefined, true, "nothing pinned yet");
  const approval = await approved(s, first);
  assert.equal(first.serverKey?.toHex(), key);
  assert.equal(approval.checkpoint?.vault_key, key);
  const page = await first.withToken(approval.token).beliefs({ purpose: "communication" });
  assert.ok(page.beliefs.length > 0);

  // A later session, with the stored key and token: the server is checked first, then read.
  const later = new Client({ url: s.url, serverKey: key, token: approval.token.expose() });
  await later.verifyServer();
  assert.deepEqual(await later.beliefs({ purpose: "communication" }), page);

  // Given a key, an approval signed by another is refused (and its token not kept).
  const wrongKey = "07".repeat(32);
  const pinnedElsewhere = new Client({ url: s.url, serverKey: wrongKey });
  await assert.rejects(approved(s, pinnedElsewhere), ServerNotTrustedError);

  // A stored token with the wrong key: refused before any belief is read with it.
  const reads = async () =>
    (await s.accessLog(["--grant", approval.grant.id])).filter((e) => e.operation === "beliefs.read").length;
  const before = await reads();
  const mistrusting = new Client({ url: s.url, serverKey: wrongKey, token: approval.token });
  await assert.rejects(mistrusting.beliefs({ purpose: "communication" }), ServerNotTrustedError);
  assert.equal(await reads(), before);
  await assert.rejects(
    new Client({ url: s.url }).withToken(approval.token).verifyServer(),
    ConfigError,
    "no key pinned",
  );
});
