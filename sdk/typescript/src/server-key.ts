/** The server's identity key, which a vendor pins, and the proof of possession it makes. */

import { ConfigError } from "./errors.js";
import { fromHex, toHex } from "./hex.js";
import { verifyStrict } from "./ed25519.js";

/** The server's public identity key (Ed25519): the vault's identity, pinned by a vendor at pairing. */
export class ServerKey {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    if (bytes.length !== 32) throw new ConfigError("a server key is 32 bytes");
    this.#bytes = Uint8Array.from(bytes);
  }

  /** Parses 64 hex digits (surrounding white space is ignored). */
  static parse(text: string): ServerKey {
    const bytes = fromHex(text.trim(), 32);
    if (!bytes) throw new ConfigError(`'${text}' is not a 32-byte hex key`);
    return new ServerKey(bytes);
  }

  /** A key given as a `ServerKey` or as hex. */
  static from(key: ServerKey | string): ServerKey {
    return typeof key === "string" ? ServerKey.parse(key) : key;
  }

  /** A copy of the key's 32 bytes. */
  get bytes(): Uint8Array<ArrayBuffer> {
    return Uint8Array.from(this.#bytes);
  }

  /** The key as lower-case hex: how it is stored and shown. */
  toHex(): string {
    return toHex(this.#bytes);
  }

  equals(other: ServerKey): boolean {
    return this.toHex() === other.toHex();
  }

  toString(): string {
    return this.toHex();
  }

  toJSON(): string {
    return this.toHex();
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `ServerKey(${this.toHex()})`;
  }
}

/** The message a server signs to prove its identity: `"selfmodel-server-proof-v1\0" || nonce`. */
export function proofMessage(nonce: Uint8Array): Uint8Array<ArrayBuffer> {
  const context = new TextEncoder().encode("selfmodel-server-proof-v1\0");
  const m = new Uint8Array(context.length + nonce.length);
  m.set(context);
  m.set(nonce, context.length);
  return m;
}

/**
 * Checks a server's answer to the challenge `nonce` against the pinned key. Returns why it is
 * not a valid proof, or `undefined` when it is.
 */
export async function proofProblem(
  pinned: ServerKey,
  nonce: Uint8Array,
  proof: { public_key: string; signature: string },
): Promise<string | undefined> {
  if (proof.public_key.toLowerCase() !== pinned.toHex()) {
    return `it presents key ${proof.public_key}, not the pinned ${pinned.toHex()}`;
  }
  const signature = fromHex(proof.signature, 64);
  if (!signature) return "the signature is not 64 bytes of hex";
  const verdict = await verifyStrict(pinned.bytes, proofMessage(nonce), signature);
  if (verdict === "invalid_key") return "the pinned key is not a valid Ed25519 key";
  if (verdict === "bad_signature") return "the signature over the challenge does not verify";
  return undefined;
}
