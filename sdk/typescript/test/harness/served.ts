/**
 * Black-box harness: the real `selfmodel serve` on a real demo vault in a private temporary
 * directory, with its discovery file and socket in a private runtime directory of its own; the
 * person's side is driven with the real CLI on the same vault (a second process).
 */

import { spawn, execFile, type ChildProcess } from "node:child_process";
import { chmod, mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import type { TestContext } from "node:test";

import { Client, Discovery, type Approval, type Grant, type GrantRequest } from "selfmodel";

/** The passphrase of every test vault. */
export const PASS = "correct horse battery staple";

/**
 * A request for a grant to read `categories` (by default the communication style) for the
 * `communication` purpose; `more` adds or overrides fields.
 */
export function communicationRequest(
  vendor: GrantRequest["vendor"],
  categories: string[] = ["communication-style"],
  more: Partial<GrantRequest> = {},
): GrantRequest {
  return { vendor, purposes: ["communication"], categories, justification: "tests", ...more };
}

/** Command-line options, `--name value` each, in the order given. */
export function flags(options: Record<string, string | number>): string[] {
  return Object.entries(options).flatMap(([name, value]) => [`--${name}`, String(value)]);
}

/** The `selfmodel` binary under test: `$SELFMODEL_BIN`. */
export function bin(): string {
  const path = process.env.SELFMODEL_BIN;
  if (!path) {
    throw new Error(
      "SELFMODEL_BIN is not set: point it at the selfmodel binary, e.g. SELFMODEL_BIN=target/debug/selfmodel",
    );
  }
  return path;
}

/** A new temporary directory, private to this user (0700); removed when the test `t` ends, if given. */
export async function privateDir(t?: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "selfmodel-ts-"));
  await chmod(dir, 0o700);
  t?.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The environment of every `selfmodel` process on the vault at `vault`, at home in `home`. */
function env(home: string, vault: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ["SELFMODEL_NEW_PASSPHRASE", "SELFMODEL_LOG", "SELFMODEL_STATE_DIR"]) delete e[k];
  return {
    ...e,
    SELFMODEL_VAULT: vault,
    SELFMODEL_PASSPHRASE: PASS,
    HOME: home,
    XDG_DATA_HOME: join(home, "data"),
    XDG_RUNTIME_DIR: join(home, "rt"),
    XDG_STATE_HOME: join(home, "state"),
  };
}

/** Runs the CLI; resolves with its exit code, stdout and stderr. */
function run(home: string, vault: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin(), args, { env: env(home, vault) }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let template: Promise<Buffer> | undefined;

/** The bytes of a demo vault, made once per test process with `selfmodel demo`. */
function demoTemplate(): Promise<Buffer> {
  template ??= (async () => {
    const dir = await privateDir();
    try {
      const vault = join(dir, "v.db");
      const out = await run(dir, vault, ["demo"]);
      if (out.code !== 0) throw new Error(`selfmodel demo failed: ${out.stderr}`);
      return await readFile(vault);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return template;
}

/** A running server on its own demo vault. */
export class Served {
  port = 0;
  private child: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly vault: string,
  ) {}

  /** `selfmodel serve` on a copy of the demo vault (on `port`, 0 for any), stopped when the test ends. */
  static async start(t: TestContext, extra: string[] = [], port = 0): Promise<Served> {
    const dir = await privateDir();
    const s = new Served(dir, join(dir, "v.db"));
    t.after(async () => {
      await s.stop();
      await rm(dir, { recursive: true, force: true });
    });
    await writeFile(s.vault, await demoTemplate());
    await mkdir(join(dir, "rt"), { mode: 0o700 });
    await s.serve(port, extra);
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Spawns `selfmodel serve` and waits until it says where it listens. */
  private async serve(port: number, extra: string[]): Promise<void> {
    const log = await open(join(this.dir, "serve.log"), "a");
    const child = spawn(bin(), ["serve", "--port", String(port), ...extra], {
      env: env(this.dir, this.vault),
      stdio: ["ignore", "pipe", log.fd],
    });
    await log.close();
    this.child = child;
    const lines = createInterface({ input: child.stdout! });
    const found = await new Promise<number | undefined>((resolve) => {
      lines.on("line", (line) => {
        const m = /on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (m) resolve(Number(m[1]));
      });
      child.once("exit", () => resolve(undefined));
    });
    if (found === undefined) throw new Error(`selfmodel serve stopped before listening: ${await this.serverLog()}`);
    this.port = found;
  }

  /** Stops the server process (killed, as a crash would). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /** Starts `selfmodel serve` again on the same vault and port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.serve(this.port, []);
  }

  /** What the server processes wrote to stderr. */
  serverLog(): Promise<string> {
    return readFile(join(this.dir, "serve.log"), "utf8").catch(() => "");
  }

  /** The discovery file the server wrote. */
  get discoveryPath(): string {
    return join(this.dir, "rt", "selfmodel", "api.json");
  }

  discovery(): Promise<Discovery> {
    return Discovery.load(this.discoveryPath);
  }

  /** The key the server proves, as the discovery file names it (hex). */
  async key(): Promise<string> {
    return (await this.discovery()).public_key;
  }

  /** The CLI on the same vault, whatever its outcome. */
  cliOutput(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return run(this.dir, this.vault, args);
  }

  /** The CLI on the same vault; must succeed; its stdout. */
  async cli(args: string[]): Promise<string> {
    const out = await this.cliOutput(args);
    if (out.code !== 0) throw new Error(`selfmodel ${args.join(" ")} failed: ${out.stdout}${out.stderr}`);
    return out.stdout;
  }

  /** The CLI with `--json`, parsed. */
  async cliJson<T = unknown>(args: string[]): Promise<T> {
    return JSON.parse(await this.cli([...args, "--json"])) as T;
  }

  /**
   * The access log, one item per request: an entry counting several requests (repeats within
   * its minute) is repeated that many times.
   */
  async accessLog(filter: string[] = []): Promise<AccessEntry[]> {
    const entries = await this.cliJson<AccessEntry[]>(["access-log", ...filter]);
    return entries.flatMap((e) => Array<AccessEntry>(e.requests).fill(e));
  }

  /** Every belief in the vault (the person's view). */
  allBeliefs(): Promise<PersonBelief[]> {
    return this.cliJson<PersonBelief[]>(["belief", "list"]);
  }

  /** The id of the belief whose statement is `statement`. */
  async beliefId(statement: string): Promise<string> {
    const b = (await this.allBeliefs()).find((x) => x.statement === statement);
    if (!b) throw new Error(`no belief '${statement}'`);
    return b.id;
  }

  /** The catalogue's normal (non-special) categories. */
  async normalCategories(): Promise<string[]> {
    const types = await this.cliJson<{ id: string; default_sensitivity: string }[]>(["types"]);
    return types.filter((t) => t.default_sensitivity === "normal").map((t) => t.id);
  }

  /** A client paired through the discovery file. */
  async paired(): Promise<Client> {
    return (await Client.pair(await this.discovery())).client;
  }

  /** The grant flow: request, approve from the CLI with `approve` narrowing, claim. */
  async approval(request: GrantRequest, approve: string[] = []): Promise<{ client: Client; approval: Approval }> {
    const client = await this.paired();
    const pending = await client.requestGrant(request);
    await this.cli(["grant", "approve", pending.request_id, ...approve]);
    const state = await client.pollOnce(pending);
    if (state.status !== "approved") throw new Error(`expected approval, got ${state.status}`);
    return { client, approval: state.approval };
  }

  /** A client holding a token, for a grant over all normal categories and the given purposes. */
  async reader(
    vendor: string,
    purposes: string[],
    operations: GrantRequest["operations"] = ["read"],
  ): Promise<{ client: Client; grant: Grant }> {
    const { client, approval } = await this.approval({
      vendor: { id: vendor, name: vendor },
      purposes,
      categories: await this.normalCategories(),
      operations,
      justification: "tests",
    });
    return { client: client.withToken(approval.token), grant: approval.grant };
  }

  /**
   * The ids the person's own data says a grant over `categories` (normal sensitivity) may
   * disclose for `purpose`: active, carrying the purpose, at or above the type's minimum.
   */
  async expected(purpose: string, categories: string[]): Promise<Set<string>> {
    const types = await this.cliJson<{ id: string; min_share_confidence: number }[]>(["types"]);
    const min = (cat: string) => types.find((t) => t.id === cat)?.min_share_confidence ?? 1;
    return new Set(
      (await this.allBeliefs())
        .filter((b) => b.status === "active" && b.sensitivity === "normal")
        .filter((b) => categories.includes(b.category) && b.purposes.includes(purpose))
        .filter((b) => b.confidence >= min(b.category))
        .map((b) => b.id),
    );
  }
}

/** An access-log entry as `selfmodel access-log --json` prints it. */
export interface AccessEntry {
  grant_id: string | null;
  vendor_id: string | null;
  purpose: string | null;
  operation: string;
  outcome: "allowed" | "denied";
  reason: string | null;
  disclosed: string[];
  /** How many requests the entry counts. */
  requests: number;
}

/** A belief as `selfmodel belief list --json` prints it. */
export interface PersonBelief {
  id: string;
  statement: string;
  category: string;
  confidence: number;
  purposes: string[];
  sensitivity: string;
  status: string;
}

/** Waits until `f` holds (checked every 100 ms; gives up after a minute, however loaded the machine is). */
export async function eventually(f: () => boolean | Promise<boolean>, what = "condition"): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await f()) return;
    await delay(100);
  }
  throw new Error(`${what} never held`);
}

/** The ids of beliefs. */
export function ids(beliefs: ReadonlyArray<{ id: string }>): Set<string> {
  return new Set(beliefs.map((b) => b.id));
}
