/**
 * Headless Chromium through chromedriver, spoken to over plain WebDriver HTTP: just what the
 * browser test needs (open a page, fill, click, read text, run a script).
 */

import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** The WebDriver element reference key. */
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** A browser session; `close()` ends it and chromedriver. */
export class Browser {
  private constructor(
    private readonly driver: ChildProcess,
    private readonly base: string,
  ) {}

  /** Starts chromedriver and a headless Chromium with its profile in `profileDir`. */
  static async start(profileDir: string): Promise<Browser> {
    const driver = spawn(process.env.CHROMEDRIVER ?? "chromedriver", ["--port=0"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: driver.stdout! }).on("line", (line) => {
        const m = /started successfully on port (\d+)/.exec(line);
        if (m) resolve(Number(m[1]));
      });
      driver.once("error", reject);
      driver.once("exit", (code) =>
        reject(new Error(`chromedriver exited (${code}); install it: apt-get install chromium chromium-driver`)),
      );
    });
    const session = await call<{ sessionId: string }>("POST", `http://127.0.0.1:${port}/session`, {
      capabilities: {
        alwaysMatch: {
          browserName: "chrome",
          "goog:chromeOptions": {
            binary: process.env.CHROMIUM ?? "/usr/bin/chromium",
            args: [
              "--headless=new",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-dev-shm-usage",
              `--user-data-dir=${profileDir}`,
            ],
          },
        },
      },
    });
    return new Browser(driver, `http://127.0.0.1:${port}/session/${session.sessionId}`);
  }

  /** Opens a page. */
  async open(url: string): Promise<void> {
    await call("POST", `${this.base}/url`, { url });
  }

  /** The text of the element `css` names ("" if there is none). */
  async text(css: string): Promise<string> {
    const found = await call<Record<string, string>[]>("POST", `${this.base}/elements`, {
      using: "css selector",
      value: css,
    });
    const [first] = found;
    return first ? call<string>("GET", `${this.base}/element/${first[ELEMENT]}/text`) : "";
  }

  /** Clicks the element `css` names. */
  async click(css: string): Promise<void> {
    const el = await call<Record<string, string>>("POST", `${this.base}/element`, {
      using: "css selector",
      value: css,
    });
    await call("POST", `${this.base}/element/${el[ELEMENT]}/click`, {});
  }

  /** Runs `script` in the page; it ends by calling its last argument with the result. */
  async runAsync<T>(script: string, args: unknown[]): Promise<T> {
    return call<T>("POST", `${this.base}/execute/async`, { script, args });
  }

  /** Ends the session and chromedriver. */
  async close(): Promise<void> {
    await call("DELETE", this.base).catch(() => undefined);
    const exited = new Promise((resolve) => this.driver.once("exit", resolve));
    this.driver.kill();
    await exited;
  }
}

/** One WebDriver command; its `value`, or an error naming WebDriver's. */
async function call<T = unknown>(method: string, url: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(url, init);
  const out = (await res.json()) as { value: T & { error?: string; message?: string } };
  if (!res.ok) throw new Error(`WebDriver ${method} ${url}: ${out.value.error}: ${out.value.message}`);
  return out.value;
}
