/**
 * The Node client: finds the server through its discovery file, pins the key it proves, and
 * makes it prove that key again (a signed random challenge) before any token or poll secret is
 * sent to it.
 */

import { BaseClient, sleep } from "../base-client.js";
import { LockedError, RateLimitedError, ServerNotTrustedError, TransportError, UnavailableError } from "../errors.js";
import { toHex } from "../hex.js";
import { Token } from "../secret.js";
import { ServerKey, proofProblem } from "../server-key.js";
import { loopbackOrigin } from "../transport.js";
import { verifyCheckpoint } from "../checkpoint.js";
import type { ProofOut, SignedCheckpoint } from "../wire.js";
import type { Discovery } from "./discovery.js";
import { httpTransport } from "./http-transport.js";

/** How often the identity proof is asked for while the server answers 429 (busy). */
const PROOF_ATTEMPTS = 3;
/** The longest wait between two such attempts. */
const MAX_PROOF_WAIT_MS = 2000;
/**
 * After this long without a successful exchange, the server proves itself again before the next
 * secret is sent: a pooled connection may have been dropped and the port taken over.
 */
const REVERIFY_AFTER_MS = 2000;

/** Where the server is, the key it must prove, and optionally a token. */
export interface ClientOptions {
  /** The server's loopback URL, e.g. `http://127.0.0.1:7420`. */
  readonly url: string;
  /** The key pinned at pairing (a `ServerKey` or 64 hex digits). */
  readonly serverKey: ServerKey | string;
  /** A token the vendor stored earlier. */
  readonly token?: Token | string | undefined;
  /** Talk over the server's Unix socket (owner-only) instead of TCP. */
  readonly unixSocket?: string | undefined;
  /** Timeout of ordinary calls in milliseconds (default 30 s; long polls get their wait on top). */
  readonly timeoutMs?: number | undefined;
}

/**
 * A vendor's handle on one Selfmodel server. Cheap to copy (`withToken`); copies share the
 * connection and the identity check.
 *
 * Before a call that carries a secret (poll secret or token) the client makes the server sign a
 * fresh random challenge and checks it against the pinned key; a server that fails is refused
 * with {@link ServerNotTrustedError} and sees no secret. The check is repeated after a
 * connection failure and after 2 s without a successful exchange.
 */
export class Client extends BaseClient {
  /** A client for the server at `options.url` that must prove it holds `options.serverKey`. Nothing is sent yet. */
  constructor(options: ClientOptions) {
    const origin = loopbackOrigin(options.url);
    const transport = httpTransport(origin, options.unixSocket);
    super({ origin, transport, key: ServerKey.from(options.serverKey), trustWindowMs: REVERIFY_AFTER_MS }, options);
  }

  /**
   * Pairs with the server a discovery file names (trust on first use): checks that it proves the
   * file's key, and returns the client with that key, which the vendor stores (`serverKey.toHex()`)
   * and passes to {@link Client.connect} or {@link Client.fromDiscovery} from then on.
   */
  static async pair(
    discovery: Discovery,
    options: Omit<ClientOptions, "url" | "serverKey"> = {},
  ): Promise<{ client: Client; serverKey: ServerKey }> {
    const serverKey = discovery.serverKey();
    const client = new Client({ ...options, url: discovery.url, serverKey });
    await client.verifyServer();
    return { client, serverKey };
  }

  /** Connects to `url` and checks that the server proves it holds `pinned`. */
  static async connect(
    url: string,
    pinned: ServerKey | string,
    options: Omit<ClientOptions, "url" | "serverKey"> = {},
  ): Promise<Client> {
    const client = new Client({ ...options, url, serverKey: pinned });
    await client.verifyServer();
    return client;
  }

  /**
   * A client for the server a discovery file names, trusting the key the vendor pinned at
   * pairing: refused with {@link ServerNotTrustedError} if the file names another key.
   */
  static fromDiscovery(
    discovery: Discovery,
    pinned: ServerKey | string,
    options: Omit<ClientOptions, "url" | "serverKey"> = {},
  ): Client {
    const key = ServerKey.from(pinned);
    const named = discovery.serverKey();
    if (!named.equals(key)) {
      throw new ServerNotTrustedError(
        discovery.url,
        `the discovery file names key ${named.toHex()}, not the pinned ${key.toHex()}`,
      );
    }
    return new Client({ ...options, url: discovery.url, serverKey: key });
  }

  /** The pinned server key. */
  override get serverKey(): ServerKey {
    return this.pinned();
  }

  /** Makes the server sign a fresh 32-byte nonce and checks the signature against the pinned key. Sends no secret. */
  async verifyServer(): Promise<void> {
    const nonce = crypto.getRandomValues(new Uint8Array(32));
    const untrusted = (reason: string) => new ServerNotTrustedError(this.url, reason);
    let proof: ProofOut;
    for (let attempt = 1; ; attempt++) {
      try {
        proof = await this.send<ProofOut>({ method: "POST", path: "/v1/server-proof", body: { nonce: toHex(nonce) } });
        break;
      } catch (e) {
        // Busy is not untrusted: wait as asked, a few times, then say it is busy.
        const passes = e instanceof RateLimitedError || (e instanceof UnavailableError && e.retryAfterMs !== undefined);
        if (passes && attempt < PROOF_ATTEMPTS) {
          await sleep(Math.min(e.retryAfterMs ?? MAX_PROOF_WAIT_MS, MAX_PROOF_WAIT_MS));
          continue;
        }
        if (
          e instanceof TransportError ||
          e instanceof LockedError ||
          e instanceof RateLimitedError ||
          e instanceof UnavailableError
        )
          throw e;
        throw untrusted(`no valid identity proof (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    if (
      typeof proof !== "object" ||
      proof === null ||
      typeof proof.public_key !== "string" ||
      typeof proof.signature !== "string"
    ) {
      throw untrusted("no valid identity proof (the answer is not a proof)");
    }
    const why = await proofProblem(this.pinned(), nonce, proof);
    if (why) throw untrusted(why);
    this.session.trustedUntil = performance.now() + this.session.trustWindowMs;
  }

  protected async ensureVerified(): Promise<void> {
    const until = this.session.trustedUntil;
    if (until === undefined || performance.now() >= until) await this.verifyServer();
  }

  /** A checkpoint that does not verify is dropped, not refused: the token is handed over only once. */
  protected async receiptAtApproval(checkpoint: SignedCheckpoint | undefined): Promise<SignedCheckpoint | undefined> {
    if (!checkpoint) return undefined;
    try {
      await verifyCheckpoint(checkpoint, this.pinned());
      return checkpoint;
    } catch {
      return undefined;
    }
  }
}
