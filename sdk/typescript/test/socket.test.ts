/**
 * The server's Unix socket (owner-only) serves the same API as its TCP port; and, watched on the
 * way there by a recording relay, the token travels only in the Authorization header.
 */

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import net from "node:net";
import { join } from "node:path";
import { test, type TestContext } from "node:test";

import { Client } from "selfmodel";

import { Served, communicationRequest, privateDir } from "./harness/served.js";

test("the unix socket serves the same API", async (t) => {
  const s = await Served.start(t);
  const d = await s.discovery();
  assert.ok(d.unix_socket, "the server opened a socket");
  const { approval } = await s.approval(communicationRequest({ id: "com.example.native", name: "Native" }));
  const c = Client.fromDiscovery(d, await s.key(), { unixSocket: d.unix_socket, token: approval.token });
  await c.verifyServer();
  const page = await c.beliefs({ purpose: "communication" });
  assert.equal(page.grant_id, approval.grant.id);
  assert.ok(page.beliefs.length > 0);
});

/** A relay from a socket of its own to the server's, keeping every byte the client sent. */
async function recordingRelay(t: TestContext, upstream: string): Promise<{ path: string; sent: () => string }> {
  const dir = await privateDir();
  const path = join(dir, "relay.sock");
  const chunks: Buffer[] = [];
  const open = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const server = net.connect(upstream);
    open.add(client).add(server);
    client.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      server.write(chunk);
    });
    server.pipe(client);
    client.on("close", () => server.destroy());
    server.on("close", () => client.destroy());
    client.on("error", () => server.destroy());
    server.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(path, resolve));
  t.after(async () => {
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => relay.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  return { path, sent: () => Buffer.concat(chunks).toString("latin1") };
}

test("the token travels only in the Authorization header, never in a URL", async (t) => {
  const s = await Served.start(t);
  const d = await s.discovery();
  const relay = await recordingRelay(t, d.unix_socket!);
  const native = Client.fromDiscovery(d, await s.key(), { unixSocket: relay.path });
  const pending = await native.requestGrant(
    communicationRequest({ id: "com.example.careful", name: "Careful" }, ["communication-style"], {
      operations: ["read", "propose"],
    }),
  );
  await s.cli(["grant", "approve", pending.request_id]);
  const approval = await native.waitForApproval(pending);
  const v = native.withToken(approval.token);
  const [first] = await v.allBeliefs({ purpose: "communication", limit: 2 });
  await v.belief(first!.id, "communication");
  await v.grant();
  await v.events(0);
  await v.checkpoint();
  await v.propose({ statement: "Prefers numbered steps", category: "communication-style", confidence: 0.7 });

  const sent = relay.sent();
  const token = approval.token.expose();
  const poll = pending.poll_secret.expose();
  const requestLines = sent.split("\r\n").filter((l) => /^(GET|POST|DELETE) /.test(l));
  assert.ok(requestLines.length >= 8, requestLines.join("\n"));
  for (const line of requestLines) {
    assert.ok(!line.includes("smt_") && !line.includes("smp_") && !line.includes(token), line);
  }
  const carrying = sent.split("\r\n").filter((l) => l.includes(token));
  assert.ok(carrying.length >= 7, "the token went with every call under the grant");
  for (const line of carrying) assert.equal(line, `authorization: Bearer ${token}`);
  // The poll secret went only in the poll's JSON body.
  assert.ok(
    sent
      .split("\r\n")
      .filter((l) => l.includes(poll))
      .every((l) => l.includes(`{"poll_secret":"${poll}"}`)),
  );
});
