/**
 * Strict Ed25519 verification with WebCrypto (Node 20 and current browsers), matching
 * ed25519-dalek's `verify_strict`, which the Rust SDK uses: beside RFC 8032's checks (which
 * WebCrypto makes), a public key or signature point of small order is refused, so no key can
 * make a signature that verifies for every message.
 */

/** 2^255 - 19, the field's prime. */
const P = (1n << 255n) - 19n;
/** The y coordinates of the two pairs of points of order 8 (the other small orders have y = 0, 1, -1). */
const Y_ORDER_8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;
const SMALL_ORDER_Y = new Set([0n, 1n, P - 1n, Y_ORDER_8, P - Y_ORDER_8]);

/** Whether a point's encoding decodes to a point of small order (its y coordinate tells). */
export function isSmallOrder(encoded: Uint8Array): boolean {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(encoded[i] ?? 0);
  y &= (1n << 255n) - 1n; // the top bit is the sign of x
  return SMALL_ORDER_Y.has(y % P);
}

/** The outcome of a verification: valid, or why not. */
export type Verdict = "valid" | "invalid_key" | "bad_signature";

/** Verifies `signature` over `message` by `publicKey` (32 bytes), strictly. */
export async function verifyStrict(
  publicKey: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
): Promise<Verdict> {
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  } catch {
    return "invalid_key";
  }
  if (signature.length !== 64 || isSmallOrder(publicKey) || isSmallOrder(signature.subarray(0, 32))) {
    return "bad_signature";
  }
  try {
    return (await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message)) ? "valid" : "bad_signature";
  } catch {
    return "bad_signature";
  }
}
