#!/usr/bin/env node
// Serves the example web vendor on a loopback port, with the SDK's browser build at /sdk/:
//   node examples/web-vendor/serve.mjs [PORT]     (default 8080; 0 picks a free one)
// Build the SDK first (cd sdk/typescript && npm install && npm run build).

import http from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const sdk = join(here, "..", "..", "sdk", "typescript", "dist");
const PAGE_FILES = new Set(["index.html", "app.js", "style.css"]);
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** The file a request's URL names: one of the page's own files, or a script of the SDK's build. */
function fileFor(url) {
  let path;
  try {
    path = decodeURIComponent(new URL(url, "http://page").pathname);
  } catch {
    return undefined;
  }
  if (path === "/") return join(here, "index.html");
  if (path.startsWith("/sdk/")) {
    const file = normalize(join(sdk, path.slice("/sdk/".length)));
    return file.startsWith(sdk + sep) && extname(file) === ".js" ? file : undefined;
  }
  const name = path.slice(1);
  return PAGE_FILES.has(name) ? join(here, name) : undefined;
}

const server = http.createServer(async (req, res) => {
  const file = req.method === "GET" ? fileFor(req.url ?? "/") : undefined;
  const body = file && (await readFile(file).catch(() => undefined));
  if (!body) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    return;
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)],
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(body);
});

server.listen(Number(process.argv[2] ?? 8080), "127.0.0.1", () => {
  console.log(`serving the example web vendor on http://127.0.0.1:${server.address().port}`);
});
