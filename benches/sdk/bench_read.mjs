// One purpose-bound read, timed, through the TypeScript SDK (Node entry), for scripts/bench-sdk.
//
// Pairs with the server named by the default discovery file, asks for a grant (prints
// `approve <request id>` and waits for the person), then answers commands on standard input, one
// per line: `tcp N W` or `unix N W` makes W untimed reads, then N timed reads of
// `GET /v1/beliefs?purpose=communication&limit=20` with one client over that transport, and prints
// the N latencies in microseconds on one line.
//
//   node benches/sdk/bench_read.mjs      (after the SDK is built: sdk/typescript/dist)

import { createInterface } from "node:readline";

import { Client, Discovery } from "../../sdk/typescript/dist/node.js";

const PURPOSE = "communication";
const CATEGORIES = ["communication-style", "context", "expertise", "goals", "interests",
  "preferences", "routines", "values"];

const d = await Discovery.loadDefault();
const key = d.serverKey();
const tcp = await Client.connect(d.url, key);
const pending = await tcp.requestGrant({
  vendor: { id: "com.example.bench-typescript", name: "Bench (TypeScript)" },
  purposes: [PURPOSE],
  categories: CATEGORIES,
  justification: "latency benchmark",
  duration_days: 1,
});
console.log(`approve ${pending.request_id}`);
const { token } = await tcp.waitForApproval(pending);
const clients = { tcp: tcp.withToken(token) };
if (d.unix_socket) clients.unix = new Client({ url: d.url, serverKey: key, token, unixSocket: d.unix_socket });
console.log("ready");

const query = { purpose: PURPOSE, limit: 20 };
for await (const line of createInterface({ input: process.stdin })) {
  const [transport, n, warmup] = line.trim().split(/\s+/);
  const client = clients[transport];
  if (!client) throw new Error(`unknown transport ${transport}`);
  const out = [];
  for (let i = 0; i < Number(warmup) + Number(n); i++) {
    const start = process.hrtime.bigint();
    const page = await client.beliefs(query);
    const took = process.hrtime.bigint() - start;
    if (page.beliefs.length === 0) throw new Error("an empty page");
    if (i >= Number(warmup)) out.push((Number(took) / 1000).toFixed(1));
  }
  console.log(out.join(" "));
}
