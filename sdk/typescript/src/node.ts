/**
 * Vendor SDK for Selfmodel's local API, for Node.
 *
 * 1. **Find and trust the server.** `Discovery.loadDefault()` reads the discovery file the server
 *    writes; `Client.pair(discovery)` checks that the server proves possession of the key named
 *    there (a signed challenge) and returns that key to store. Later sessions use
 *    `Client.connect(url, key)` or `Client.fromDiscovery(discovery, key)`; a server that cannot
 *    prove the key is refused with `ServerNotTrustedError` before any secret is sent.
 * 2. **Ask for a grant** (`requestGrant`): show the person the user code, then `waitForApproval`.
 *    The bearer token is handed over once, on approval: store it.
 * 3. **Use it**: `beliefPages` / `allBeliefs` for a declared purpose, `belief`, `propose`,
 *    `followEvents` for notices of rectification, erasure and revocation, `grant`, `giveUp`.
 * 4. **Keep receipts**: the approval's signed checkpoint, `checkpoint()`, `checkReceipt()`.
 */

export * from "./common.js";
export { Client, type ClientOptions } from "./node/client.js";
export { Discovery } from "./node/discovery.js";
