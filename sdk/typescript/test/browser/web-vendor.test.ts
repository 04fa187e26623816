/**
 * The example web vendor (`examples/web-vendor`) in headless Chromium against the real server:
 * refused while web vendors are off; once on, it asks, the person sees its origin and approves
 * with the CLI, and the page reads through CORS. The same page from an origin no grant lists is
 * refused, even holding a valid token.
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { createInterface } from "node:readline";
import { test, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";

import { Served, communicationRequest, eventually, privateDir } from "../harness/served.js";
import { Browser } from "../harness/webdriver.js";

const example = fileURLToPath(new URL("../../../../examples/web-vendor/serve.mjs", import.meta.url));

/** The example's own static server on a free loopback port; its origin. */
async function servePage(t: TestContext): Promise<string> {
  const child = spawn(process.execPath, [example, "0"], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => {
    child.kill();
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the example's server exited (${code})`)));
  });
}

/** Reads beliefs in the page with the SDK's browser entry and `token`; what happened. */
const READ_WITH_TOKEN = `
  const [url, key, token, done] = arguments;
  import(location.origin + "/sdk/browser.js")
    .then(({ Client }) => new Client({ url, serverKey: key, token }).beliefs({ purpose: "communication" }))
    .then((page) => done({ read: page.beliefs.length }), (e) => done({ error: e.name }));
`;

test("a web page asks, is approved for its origin, and reads through CORS; another origin is refused", async (t) => {
  const s = await Served.start(t);
  const key = await s.key();
  const [pageA, pageB] = [await servePage(t), await servePage(t)];
  const profile = await privateDir();
  const browser = await Browser.start(profile);
  t.after(async () => {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  });
  const state = () => browser.runAsync<string>("arguments[0](document.body.dataset.state)", []);
  const open = (origin: string) => browser.open(`${origin}/?api=${encodeURIComponent(s.url)}&key=${key}`);

  // Web vendors are off by default: the page's request is refused, and nothing waits for the person.
  await open(pageA);
  await browser.click("#go");
  await eventually(async () => (await state()) === "failed", "the page reports the refusal");
  assert.deepEqual(await s.cliJson(["grant", "requests"]), []);

  // On: the page asks and shows its user code; the person sees which web page asks.
  await s.cli(["grant", "web-vendors", "on"]);
  await browser.click("#go");
  await eventually(async () => (await state()) === "pending", "the page shows its user code");
  const code = await browser.text("#code");
  const listing = await s.cli(["grant", "requests"]);
  assert.ok(listing.includes(`code ${code}`), listing);
  assert.ok(listing.includes(`requested by the web page ${pageA} — not by an app on this machine`), listing);
  assert.ok(listing.includes(`web origins that may use it: ${pageA}`), listing);
  const [request] = await s.cliJson<{ id: string; web_origin: string; origins: string[] }[]>(["grant", "requests"]);
  assert.deepEqual([request?.web_origin, request?.origins], [pageA, [pageA]]);

  // The person approves; the page reads for its purpose and shows exactly what the grant allows.
  await s.cli(["grant", "approve", request!.id]);
  await eventually(async () => (await state()) === "done", "the page read the beliefs");
  const shown = await browser.runAsync<string[]>(
    "arguments[0]([...document.querySelectorAll('#beliefs li')].map((li) => li.dataset.id))",
    [],
  );
  assert.deepEqual(new Set(shown), await s.expected("communication", ["communication-style", "expertise"]));
  assert.ok(shown.length > 0);
  assert.ok((await browser.text("#status")).includes(`${shown.length} beliefs`));
  const grants = await s.cliJson<{ vendor: { id: string }; origins: string[] }[]>(["grant", "list"]);
  assert.deepEqual(
    grants.map((g) => [g.vendor.id, g.origins]),
    [["com.example.web-notes", [pageA]]],
  );

  // A grant for page A's origin, its token in hand: A reads with it, B (same page, other origin) cannot.
  const { approval } = await s.approval(
    communicationRequest({ id: "com.example.web-notes", name: "Example Notes (web)" }, ["communication-style"], {
      origins: [pageA],
    }),
  );
  const token = approval.token.expose();
  assert.ok(((await browser.runAsync<{ read?: number }>(READ_WITH_TOKEN, [s.url, key, token])).read ?? 0) > 0);
  const logged = (await s.accessLog(["--grant", approval.grant.id])).length;
  await open(pageB);
  assert.deepEqual(await browser.runAsync(READ_WITH_TOKEN, [s.url, key, token]), { error: "TransportError" });
  assert.equal(
    (await s.accessLog(["--grant", approval.grant.id])).length,
    logged,
    "nothing reached the grant from page B",
  );

  // The person revokes the grant: page A learns exactly that (the refusal is readable by the
  // origin the grant listed), page B still learns nothing.
  await s.cli(["grant", "revoke", approval.grant.id]);
  await open(pageA);
  assert.deepEqual(await browser.runAsync(READ_WITH_TOKEN, [s.url, key, token]), { error: "RevokedError" });
  await open(pageB);
  assert.deepEqual(await browser.runAsync(READ_WITH_TOKEN, [s.url, key, token]), { error: "TransportError" });
});
