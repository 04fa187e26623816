/**
 * Finding the server on this machine: the discovery file `selfmodel serve` (or the app) writes,
 * with where it listens and the key it proves itself with. Looked up exactly as the Rust SDK
 * does, and refused unless private to this user, since it names the key the server is trusted by.
 */

import { lstat, readFile } from "node:fs/promises";
import type { Stats } from "node:fs";
import { dirname, join } from "node:path";

import { DiscoveryError } from "../errors.js";
import { ServerKey } from "../server-key.js";

/** The discovery file's contents (format version 1). */
export class Discovery {
  private constructor(
    /** Format version (1). */
    readonly version: number,
    /** Base URL, e.g. `http://127.0.0.1:7420`. */
    readonly url: string,
    /** TCP port. */
    readonly port: number,
    /** The server's public identity key, hex. */
    readonly public_key: string,
    /** The serving process. */
    readonly pid: number,
    /** The Unix socket, if the server opened one. */
    readonly unix_socket: string | undefined,
  ) {}

  /**
   * Where the server writes the file by default: `$XDG_RUNTIME_DIR/selfmodel/api.json`, else
   * `$XDG_DATA_HOME` (or `~/.local/share`) `/selfmodel/run/api.json`.
   */
  static defaultPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const runtime = env.XDG_RUNTIME_DIR;
    if (runtime) return join(runtime, "selfmodel", "api.json");
    const home = env.HOME;
    if (home === undefined) return undefined;
    const data = env.XDG_DATA_HOME ?? join(home, ".local/share");
    return join(data, "selfmodel", "run", "api.json");
  }

  /** Reads the discovery file at its default path. */
  static async loadDefault(): Promise<Discovery> {
    const path = Discovery.defaultPath();
    if (path === undefined) throw new DiscoveryError("no runtime or home directory");
    return Discovery.load(path);
  }

  /**
   * Reads a discovery file. Refuses one another user could have written or replaced: the file
   * and its directory must belong to this user, not be links, and give group and others no access.
   */
  static async load(path: string): Promise<Discovery> {
    let meta: Stats;
    try {
      meta = await lstat(path);
    } catch (e) {
      throw new DiscoveryError(`${path}: ${reason(e)} (is \`selfmodel serve\` running?)`);
    }
    const dir = dirname(path);
    let dirMeta: Stats;
    try {
      dirMeta = await lstat(dir);
    } catch (e) {
      throw new DiscoveryError(`${dir}: ${reason(e)}`);
    }
    const why = notPrivate(meta, false) ?? notPrivate(dirMeta, true);
    if (why) throw new DiscoveryError(`${path}: ${why}; refusing to trust it`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, "utf8"));
    } catch (e) {
      throw new DiscoveryError(`${path}: ${reason(e)}`);
    }
    const d = parsed as Record<string, unknown>;
    const socket = d.unix_socket;
    if (
      typeof d !== "object" ||
      d === null ||
      !Number.isInteger(d.version) ||
      typeof d.url !== "string" ||
      !Number.isInteger(d.port) ||
      typeof d.public_key !== "string" ||
      !Number.isInteger(d.pid) ||
      (socket !== undefined && socket !== null && typeof socket !== "string")
    ) {
      throw new DiscoveryError(`${path}: not a discovery file`);
    }
    if (d.version !== 1)
      throw new DiscoveryError(`${path}: version ${String(d.version)} is not supported (expected 1)`);
    return new Discovery(
      d.version,
      d.url,
      d.port as number,
      d.public_key,
      d.pid as number,
      typeof socket === "string" ? socket : undefined,
    );
  }

  /** The key the discovery file names. */
  serverKey(): ServerKey {
    try {
      return ServerKey.parse(this.public_key);
    } catch {
      throw new DiscoveryError("the public key is not 32 bytes of hex");
    }
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Why a discovery file (or its directory) cannot be trusted, if it cannot. */
function notPrivate(meta: Stats, isDir: boolean): string | undefined {
  const what = isDir ? "its directory" : "the file";
  if (meta.isSymbolicLink()) return `${what} is a symbolic link`;
  if (meta.isDirectory() !== isDir) return `${what} is not a ${isDir ? "directory" : "file"}`;
  const uid = process.getuid?.();
  if (uid !== undefined && meta.uid !== uid) return `${what} belongs to another user (uid ${meta.uid})`;
  if ((meta.mode & 0o077) !== 0) return `${what} is open to other users (mode ${(meta.mode & 0o777).toString(8)})`;
  return undefined;
}
