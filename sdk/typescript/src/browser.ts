/**
 * Vendor SDK for Selfmodel's local API, for web pages. The person turns web vendors on
 * (`selfmodel grant web-vendors on`); the page asks for a grant listing its own origin, the
 * person approves it, and the page reads through CORS. The base URL and the server's key come
 * from the caller; no discovery file is read.
 */

export * from "./common.js";
export { Client, type BrowserClientOptions } from "./browser/client.js";
