/**
 * The browser client: the base URL and the server key come from the caller. A web page cannot
 * read the server's challenge proof (the server answers it to no web origin), so the identity
 * is checked on what the vault signs with the same key: the checkpoint that comes with the
 * approval, and a fresh checkpoint before a stored token is first used.
 */

import { BaseClient } from "../base-client.js";
import { verifyCheckpoint } from "../checkpoint.js";
import { ConfigError, InvalidCheckpointError, ServerNotTrustedError } from "../errors.js";
import { Token } from "../secret.js";
import { ServerKey } from "../server-key.js";
import { loopbackOrigin } from "../transport.js";
import type { SignedCheckpoint } from "../wire.js";
import { fetchTransport } from "./fetch-transport.js";

/** Where the server is, the key it signs with, and optionally a stored token. */
export interface BrowserClientOptions {
  /** The server's loopback URL, e.g. `http://127.0.0.1:7420`. */
  readonly url: string;
  /**
   * The server's key (a `ServerKey` or 64 hex digits), as pinned at an earlier approval. Without
   * it the key that signs the approval's checkpoint is pinned (trust on first use).
   */
  readonly serverKey?: ServerKey | string | undefined;
  /** A token the page stored earlier. */
  readonly token?: Token | string | undefined;
  /** Timeout of ordinary calls in milliseconds (default 30 s; long polls get their wait on top). */
  readonly timeoutMs?: number | undefined;
}

/** A web page's handle on the person's Selfmodel server. */
export class Client extends BaseClient {
  constructor(options: BrowserClientOptions) {
    const origin = loopbackOrigin(options.url);
    const key = options.serverKey === undefined ? undefined : ServerKey.from(options.serverKey);
    super({ origin, transport: fetchTransport(origin), key, trustWindowMs: Number.POSITIVE_INFINITY }, options);
  }

  /**
   * Checks that the server signs with the pinned key: fetches the vault's latest checkpoint
   * (which needs the token) and verifies it. Throws {@link ServerNotTrustedError} if it does not.
   */
  async verifyServer(): Promise<void> {
    if (!this.token) throw new ConfigError("checking the server in a browser needs a token; use withToken");
    const key = this.pinned();
    const cp = await this.send<SignedCheckpoint>({ method: "GET", path: "/v1/checkpoint", token: this.token });
    await this.trustSignedBy(cp, key);
  }

  protected async ensureVerified(token: Token | undefined): Promise<void> {
    if (token && this.session.trustedUntil === undefined) await this.verifyServer();
  }

  /** The approval's checkpoint must verify against the pinned key (or pins its own, the first time). */
  protected async receiptAtApproval(checkpoint: SignedCheckpoint | undefined): Promise<SignedCheckpoint> {
    if (!checkpoint) {
      throw new ServerNotTrustedError(this.url, "the approval carries no signed checkpoint to check the server by");
    }
    let key = this.session.key;
    if (!key) {
      try {
        key = ServerKey.parse(checkpoint.vault_key);
      } catch {
        throw new ServerNotTrustedError(this.url, "the approval's checkpoint names no key");
      }
    }
    await this.trustSignedBy(checkpoint, key);
    this.session.key = key;
    return checkpoint;
  }

  private async trustSignedBy(cp: SignedCheckpoint, key: ServerKey): Promise<void> {
    try {
      await verifyCheckpoint(cp, key);
    } catch (e) {
      if (e instanceof InvalidCheckpointError) throw new ServerNotTrustedError(this.url, e.message);
      throw e;
    }
    this.session.trustedUntil = Number.POSITIVE_INFINITY;
  }
}
