/**
 * Signed audit checkpoints as receipts: the message is the server's RFC 8785 form, signatures are
 * checked strictly against the pinned key, a tampered receipt is refused, and a vault that was
 * rolled back or whose history was rewritten is caught — against the real server.
 */

import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import {
  InvalidCheckpointError,
  NotFoundError,
  ServerKey,
  checkpointMessage,
  compareCheckpoints,
  verifyCheckpoint,
  type Client,
} from "selfmodel";

import { Served, communicationRequest, eventually } from "./harness/served.js";

test("the checkpoint message is the server's RFC 8785 canonical form", () => {
  const text = (m: Uint8Array) => new TextDecoder().decode(m);
  assert.equal(
    text(checkpointMessage("ab", 7, "cd", "2026-01-02T03:04:05.000006Z")),
    'selfmodel-checkpoint-v1\n{"head":"cd","issued_at":"2026-01-02T03:04:05.000006Z","seq":7,"vault_key":"ab"}',
  );
  // Escapes as serde_json and RFC 8785 do: quote, backslash and control characters only.
  assert.equal(
    text(checkpointMessage("k", 0, 'h"\\\u0001\n\u007fé€😀', "odd \t time")),
    'selfmodel-checkpoint-v1\n{"head":"h\\"\\\\\\u0001\\n\u007fé€😀","issued_at":"odd \\t time","seq":0,"vault_key":"k"}',
  );
  assert.equal(text(checkpointMessage("k", 2 ** 53 - 1, "h", "t")).includes('"seq":9007199254740991,'), true);
});

async function add(s: Served, statement: string): Promise<void> {
  await s.cli(["belief", "add", "--statement", statement, "--category", "communication-style", "--confidence", "0.8"]);
}

/** After a restart the pooled connection is dead: the first exchange fails, the next proves the server again. */
async function reconnect(client: Client): Promise<void> {
  await eventually(
    () =>
      client.verifyServer().then(
        () => true,
        () => false,
      ),
    "the restarted server proves itself",
  );
}

test("receipts verify against the pinned key, tampering is refused, rollback and rewriting are caught", async (t) => {
  const s = await Served.start(t);
  const { client, approval } = await s.approval(
    communicationRequest({ id: "com.example.witness", name: "Witness" }, ["communication-style"], {
      justification: "keeps receipts",
    }),
  );
  // The token comes with a first receipt, signed by the key the vendor pinned.
  const first = approval.checkpoint;
  assert.ok(first, "a receipt with the token");
  assert.equal(first.vault_key, client.serverKey.toHex());
  await verifyCheckpoint(first, client.serverKey);
  await assert.rejects(verifyCheckpoint(first, new ServerKey(new Uint8Array(32).fill(7))), /signed by key/);
  // Any edit of a signed field, or of the signature, is refused.
  for (const tampered of [
    { ...first, head: "00".repeat(32) },
    { ...first, seq: first.seq + 1 },
    { ...first, issued_at: "2000-01-01T00:00:00.000000Z" },
    { ...first, signature: first.signature.replace(/^./, (c) => (c === "0" ? "1" : "0")) },
    { ...first, signature: first.signature.slice(2) },
  ]) {
    await assert.rejects(
      verifyCheckpoint(tampered, client.serverKey),
      InvalidCheckpointError,
      JSON.stringify(tampered),
    );
  }
  const v = client.withToken(approval.token);

  // The person keeps using the vault: receipts still agree with it.
  await add(s, "Prefers short answers");
  const latest = await v.checkpoint();
  assert.equal(latest.seq, first.seq + 1);
  assert.deepEqual(await compareCheckpoints(first, latest), { kind: "undecided" });
  assert.equal((await v.checkpoint(first.seq)).head, first.head);
  assert.deepEqual(await v.checkReceipt(first), { kind: "consistent" });

  // A copy of the vault file is taken (the server stopped, the file closed cleanly) ...
  await s.stop();
  await s.cli(["audit", "verify"]);
  const copy = await readFile(s.vault);
  await s.restart();
  await reconnect(client);
  // ... the vault moves on, and the vendor keeps a receipt of that ...
  await add(s, "Likes examples before theory");
  await add(s, "Dislikes jargon");
  const receipt = await v.checkpoint();
  assert.equal(receipt.seq, latest.seq + 2);

  // ... then the copy is put back, with the machine's own witness gone too.
  await s.stop();
  await writeFile(s.vault, copy);
  for (const sidecar of ["v.db-wal", "v.db-shm"]) await rm(join(s.dir, sidecar), { force: true });
  await rm(join(s.dir, "state"), { recursive: true, force: true });
  await s.restart();
  await reconnect(client);
  // The vendor's receipt catches it: the vault cannot produce the event it signed.
  assert.deepEqual(await v.checkReceipt(receipt), {
    kind: "rolled_back",
    receipt_seq: receipt.seq,
    current_seq: latest.seq,
  });
  await assert.rejects(v.checkpoint(receipt.seq), NotFoundError);
  assert.deepEqual(await v.checkReceipt(latest), { kind: "consistent" });

  // New history over the same positions: two validly signed statements of one event.
  await add(s, "Prefers bullet points");
  await add(s, "Reads slowly");
  const verdict = await v.checkReceipt(receipt);
  const proof = await v.checkpoint(receipt.seq);
  assert.deepEqual(verdict, {
    kind: "rewritten",
    seq: receipt.seq,
    receipt_head: receipt.head,
    current_head: proof.head,
  });
  assert.notEqual(proof.head, receipt.head);
  // An edited receipt is no receipt.
  await assert.rejects(v.checkReceipt({ ...receipt, head: "00".repeat(32) }), InvalidCheckpointError);
});
