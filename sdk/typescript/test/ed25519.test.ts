/** Strict Ed25519: what WebCrypto accepts beyond ed25519-dalek's `verify_strict` is refused. */

import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { test } from "node:test";

import { isSmallOrder, verifyStrict } from "../dist/ed25519.js";

const P = (1n << 255n) - 19n;

function pow(base: bigint, exp: bigint): bigint {
  let r = 1n;
  let b = base % P;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
  }
  return r;
}

/** The little-endian encoding of a point with this y (x's sign bit clear). */
function encode(y: bigint): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(32);
  for (let i = 0, v = y; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

test("the points of small order are the ones refused", () => {
  // A point of order 8 doubles to one with y = 0, so its y solves d·y⁴ + 2y² − 1 = 0.
  const d = ((P - 121665n) * pow(121666n, P - 2n)) % P;
  const y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;
  const y2 = (y8 * y8) % P;
  assert.equal((((d * y2) % P) * y2 + 2n * y2 - 1n) % P, 0n);
  for (const y of [0n, 1n, P - 1n, y8, P - y8, P + 1n]) assert.ok(isSmallOrder(encode(y)), String(y));
  const { publicKey } = generateKeyPairSync("ed25519");
  assert.ok(!isSmallOrder(new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(-32))));
});

test("a signature by a real key verifies; the identity key's forgery does not", async () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const key = new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(-32));
  const message = new TextEncoder().encode("selfmodel");
  const signature = new Uint8Array(sign(null, message, privateKey));
  assert.equal(await verifyStrict(key, message, signature), "valid");
  assert.equal(await verifyStrict(key, new TextEncoder().encode("other"), signature), "bad_signature");

  // Identity as key and as R, S = 0: the plain equation holds for any message, and WebCrypto
  // alone accepts it.
  const identity = encode(1n);
  const forged = new Uint8Array(64);
  forged[0] = 1;
  const plain = await crypto.subtle.importKey("raw", identity, { name: "Ed25519" }, false, ["verify"]);
  assert.equal(await crypto.subtle.verify({ name: "Ed25519" }, plain, forged, message), true);
  assert.equal(await verifyStrict(identity, message, forged), "bad_signature");
});
