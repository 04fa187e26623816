/**
 * Server identity: pairing pins the key the server proves; a server that cannot prove the pinned
 * key — another vault, a port squatter, a replayed proof — is refused before any token or poll
 * secret is sent. Also the discovery file's checks.
 */

import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { chmod, chown, copyFile, mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";

import {
  Client,
  ConfigError,
  Discovery,
  DiscoveryError,
  PollSecret,
  ServerKey,
  ServerNotTrustedError,
  Token,
  TransportError,
  proofMessage,
  type PendingGrant,
} from "selfmodel";

import { Served, communicationRequest, privateDir } from "./harness/served.js";

const request = communicationRequest({ id: "com.example.pinned", name: "Pinned" });

/** An Ed25519 key of someone else's. */
function stranger() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { hex: raw.toString("hex"), sign: (m: Uint8Array) => sign(null, m, privateKey).toString("hex") };
}

test("pairing pins the key the server proves", async (t) => {
  const s = await Served.start(t);
  const d = await s.discovery();
  assert.equal(d.url, s.url);
  assert.equal(d.port, s.port);
  const { client, serverKey } = await Client.pair(d);
  assert.equal(serverKey.toHex(), d.public_key);
  assert.ok(client.serverKey.equals(serverKey));
  // Later sessions connect with the stored key (as hex), by URL or through the discovery file.
  const stored = serverKey.toHex();
  await Client.connect(s.url, stored);
  await Client.fromDiscovery(d, stored).verifyServer();
  // localhost works as well as 127.0.0.1 (the server accepts either Host).
  await Client.connect(`http://localhost:${s.port}`, stored);
});

test("a client pinned to another key refuses the real server and never sends its token", async (t) => {
  const s = await Served.start(t);
  const { client, approval } = await s.approval(request);
  const vendor = client.withToken(approval.token);
  await vendor.beliefs({ purpose: "communication" });
  const gid = approval.grant.id;
  const logged = (await s.accessLog(["--grant", gid])).length;

  const other = stranger().hex;
  const wrong = new Client({ url: s.url, serverKey: other, token: approval.token });
  for (const call of [() => wrong.beliefs({ purpose: "communication" }), () => wrong.grant(), () => wrong.giveUp()]) {
    const e = await call().then(
      () => assert.fail("served"),
      (err: unknown) => err,
    );
    assert.ok(e instanceof ServerNotTrustedError, String(e));
    assert.equal(e.code, undefined);
  }
  await assert.rejects(Client.connect(s.url, other), ServerNotTrustedError);
  const discovery = await s.discovery();
  assert.throws(() => Client.fromDiscovery(discovery, other), ServerNotTrustedError);

  // Nothing reached the server under that token: no log entry, the grant still live.
  assert.equal((await s.accessLog(["--grant", gid])).length, logged);
  assert.equal((await vendor.grant()).revoked_at ?? null, null);
});

type Squat = "own key" | "claims the real key" | "replays a real proof" | "not an API";

/** A port squatter: a bare HTTP server that records every request it sees. */
async function squatter(t: TestContext, mode: Squat, realKey: string, replayed: string) {
  const own = stranger();
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${body}`);
      const nonce = Buffer.from((JSON.parse(body || "{}") as { nonce?: string }).nonce ?? "", "hex");
      const ownSig = own.sign(proofMessage(nonce));
      const answers: Record<Squat, [number, unknown]> = {
        "own key": [200, { public_key: own.hex, signature: ownSig }],
        "claims the real key": [200, { public_key: realKey, signature: ownSig }],
        "replays a real proof": [200, { public_key: realKey, signature: replayed }],
        "not an API": [404, "<html>hello</html>"],
      };
      const [status, answer] = answers[mode];
      res.writeHead(status, { "content-type": "application/json", connection: "close" });
      res.end(typeof answer === "string" ? answer : JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

test("a port squatter is refused and never sees a token or poll secret", async (t) => {
  const s = await Served.start(t);
  const key = await s.key();
  // A genuine proof for another nonce, for the replay attempt.
  const real = (await (
    await fetch(`${s.url}/v1/server-proof`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ nonce: "ab".repeat(32) }),
    })
  ).json()) as { signature: string };
  const { client, approval } = await s.approval(request);
  const pending = await client.requestGrant(request);
  const token = approval.token.expose();
  const poll = pending.poll_secret.expose();

  for (const mode of ["own key", "claims the real key", "replays a real proof", "not an API"] as const) {
    const { url, seen } = await squatter(t, mode, key, real.signature);
    const c = new Client({ url, serverKey: key, token: new Token(token) });
    const stolen: PendingGrant = { ...pending, poll_secret: new PollSecret(poll) };
    for (const call of [
      () => c.beliefs({ purpose: "communication" }),
      () => c.grant(),
      () => c.pollOnce(stolen),
      () => c.requestGrant(request),
      () => c.verifyServer(),
    ]) {
      await assert.rejects(call(), ServerNotTrustedError, mode);
    }
    assert.ok(seen.length > 0, `${mode}: the client did ask for a proof`);
    for (const req of seen) {
      assert.ok(req.startsWith("POST /v1/server-proof\n"), `${mode}: ${req}`);
      assert.ok(!req.toLowerCase().includes("authorization"), `${mode}: ${req}`);
      assert.ok(!req.includes(token) && !req.includes(poll), `${mode}: ${req}`);
      assert.ok(!req.includes("smt_") && !req.includes("smp_"), `${mode}: ${req}`);
    }
  }
  // The genuine server still serves the genuine client.
  await client.withToken(approval.token).grant();
});

test("a replaced server on the same port must prove itself again", async (t) => {
  const a = await Served.start(t);
  const { client, approval } = await a.approval(request);
  const vendor = client.withToken(approval.token);
  await vendor.grant();
  await a.stop();
  await assert.rejects(vendor.grant(), TransportError);
  // Another vault's server takes the port: its key differs, so the client refuses it.
  const b = await Served.start(t, [], a.port);
  assert.notEqual(await b.key(), vendor.serverKey.toHex(), "each vault has its own identity");
  await assert.rejects(vendor.grant(), ServerNotTrustedError);
  const log = await b.accessLog();
  assert.ok(
    log.every((e) => e.operation !== "grant.read"),
    "the token never reached the new server",
  );
});

test("the discovery file is private and checked", async (t) => {
  const s = await Served.start(t);
  const path = s.discoveryPath;
  const dir = await privateDir(t);
  const copy = join(dir, "api.json");
  await copyFile(path, copy);
  const refused = async (p: string, why: string) => {
    const e = await Discovery.load(p).then(
      () => assert.fail(`${p} was trusted`),
      (err: unknown) => err,
    );
    assert.ok(e instanceof DiscoveryError, String(e));
    assert.match(e.message, new RegExp(why), why);
  };
  for (const mode of [0o666, 0o644, 0o640]) {
    await chmod(copy, mode);
    await refused(copy, "the file is open to other users");
  }
  await chmod(copy, 0o600);
  assert.equal((await Discovery.load(copy)).public_key, await s.key());
  // A link to a good file, and a good file in a directory others can enter or write.
  const link = join(dir, "link.json");
  await symlink(copy, link);
  await refused(link, "the file is a symbolic link");
  const shared = join(dir, "shared");
  await mkdir(shared);
  await copyFile(copy, join(shared, "api.json"));
  await chmod(shared, 0o777);
  await refused(join(shared, "api.json"), "its directory is open to other users");
  // Owned by another user (only root can arrange that here).
  if (process.getuid?.() === 0) {
    await chmod(shared, 0o700);
    await chown(join(shared, "api.json"), 65534, 65534);
    await refused(join(shared, "api.json"), "belongs to another user");
  }
  await refused(join(dir, "missing.json"), "is `selfmodel serve` running");

  // Where it is looked for, as the server writes it.
  assert.equal(Discovery.defaultPath({ XDG_RUNTIME_DIR: "/run/user/7", HOME: "/h" }), "/run/user/7/selfmodel/api.json");
  assert.equal(Discovery.defaultPath({ XDG_RUNTIME_DIR: "", HOME: "/h" }), "/h/.local/share/selfmodel/run/api.json");
  assert.equal(Discovery.defaultPath({ HOME: "/h", XDG_DATA_HOME: "/d" }), "/d/selfmodel/run/api.json");
  assert.equal(Discovery.defaultPath({}), undefined);

  // Only loopback http URLs.
  const key = ServerKey.parse(await s.key());
  for (const url of ["http://example.com:7420", "https://127.0.0.1:7420", "http://10.0.0.1:7420", "not a url"]) {
    assert.throws(() => new Client({ url, serverKey: key }), ConfigError, url);
  }
});
