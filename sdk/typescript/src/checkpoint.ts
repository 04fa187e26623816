/**
 * Signed audit checkpoints as receipts: checking a signature, and comparing a receipt with the
 * vault's current statement.
 *
 * The signed message is `"selfmodel-checkpoint-v1\n"` followed by the RFC 8785 canonical JSON of
 * `{"head", "issued_at", "seq", "vault_key"}`. For these fields that is exactly `JSON.stringify`
 * of an object with the members in that (sorted) order: RFC 8785 takes its string escaping and
 * number format from ECMAScript, and `seq` is an integer below 2^53.
 */

import { InvalidCheckpointError } from "./errors.js";
import { fromHex } from "./hex.js";
import { ServerKey } from "./server-key.js";
import { verifyStrict } from "./ed25519.js";
import type { SignedCheckpoint } from "./wire.js";

/** The domain separation prefix of a checkpoint's signed message. */
export const CHECKPOINT_CONTEXT = "selfmodel-checkpoint-v1\n";

/** The bytes a checkpoint's signature covers. */
export function checkpointMessage(
  vaultKey: string,
  seq: number,
  head: string,
  issuedAt: string,
): Uint8Array<ArrayBuffer> {
  const canonical = JSON.stringify({ head, issued_at: issuedAt, seq, vault_key: vaultKey });
  return new TextEncoder().encode(CHECKPOINT_CONTEXT + canonical);
}

/**
 * Checks that a checkpoint is signed by `key` — the vault's identity, which is the key the server
 * proves and the vendor pinned: `vault_key` must name it and the signature must verify (strict
 * Ed25519). Throws {@link InvalidCheckpointError} otherwise.
 */
export async function verifyCheckpoint(cp: SignedCheckpoint, key: ServerKey): Promise<void> {
  const bad = (why: string) => new InvalidCheckpointError(why);
  if (typeof cp.vault_key !== "string" || !fromHex(cp.vault_key.trim(), 32)) {
    throw bad("vault_key is not 32 bytes of hex");
  }
  const named = ServerKey.parse(cp.vault_key);
  if (!named.equals(key)) throw bad(`signed by key ${named.toHex()}, not the pinned ${key.toHex()}`);
  if (!Number.isSafeInteger(cp.seq) || cp.seq < 0) throw bad("seq is not an event number");
  if (typeof cp.head !== "string" || !fromHex(cp.head, 32)) throw bad("head is not 32 bytes of hex");
  if (typeof cp.issued_at !== "string") throw bad("issued_at is not a string");
  const signature = typeof cp.signature === "string" ? fromHex(cp.signature, 64) : undefined;
  if (!signature) throw bad("the signature is not 64 bytes of hex");
  const verdict = await verifyStrict(
    key.bytes,
    checkpointMessage(cp.vault_key, cp.seq, cp.head, cp.issued_at),
    signature,
  );
  if (verdict === "invalid_key") throw bad("the key is not a valid Ed25519 key");
  if (verdict === "bad_signature") throw bad("the signature does not verify");
}

/** How a receipt compares with what the vault states now. */
export type Consistency =
  /** The vault states the same hash for the receipt's event: its history still extends it. */
  | { readonly kind: "consistent" }
  /** The current checkpoint is of a later event, so it says nothing about the receipt's: ask for the receipt's event. */
  | { readonly kind: "undecided" }
  /** The vault has fewer events than the receipt: it was rolled back since the receipt was issued. */
  | { readonly kind: "rolled_back"; readonly receipt_seq: number; readonly current_seq: number }
  /**
   * The vault now states another hash for the receipt's event: its audit history was rewritten.
   * The receipt and the current checkpoint, both validly signed by the same key, are the proof: keep both.
   */
  | { readonly kind: "rewritten"; readonly seq: number; readonly receipt_head: string; readonly current_head: string };

/**
 * Compares a receipt with the vault's `current` checkpoint — its statement of the receipt's
 * event, or its latest if it has no such event. Both must be validly signed by the receipt's key.
 */
export async function compareCheckpoints(receipt: SignedCheckpoint, current: SignedCheckpoint): Promise<Consistency> {
  if (typeof receipt.vault_key !== "string" || !fromHex(receipt.vault_key.trim(), 32)) {
    throw new InvalidCheckpointError("the receipt's vault_key is not 32 bytes of hex");
  }
  const key = ServerKey.parse(receipt.vault_key);
  await verifyCheckpoint(receipt, key);
  await verifyCheckpoint(current, key);
  if (current.seq < receipt.seq) {
    return { kind: "rolled_back", receipt_seq: receipt.seq, current_seq: current.seq };
  }
  if (current.seq > receipt.seq) return { kind: "undecided" };
  if (current.head.toLowerCase() === receipt.head.toLowerCase()) return { kind: "consistent" };
  return { kind: "rewritten", seq: receipt.seq, receipt_head: receipt.head, current_head: current.head };
}
