import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { throttle } from "./activity";
import { BackendError } from "./backend";
import { describe as describeError } from "./errors";

describe("errors", () => {
  it("keeps the core's code and message", () => {
    const e = BackendError.from({ code: "wrong_passphrase", message: "wrong passphrase" });
    expect(e.code).toBe("wrong_passphrase");
    expect(BackendError.from("command not found").code).toBe("internal");
  });

  it("says a wrong passphrase plainly", () => {
    expect(describeError({ code: "wrong_passphrase", message: "x" })).toBe("Wrong passphrase. Check it and try again.");
    expect(describeError({ code: "invalid_field", message: "invalid statement: must not be empty" })).toBe(
      "Invalid statement: must not be empty",
    );
  });
});

describe("activity", () => {
  it("tells the core at most once per interval", () => {
    let t = 0;
    let calls = 0;
    const touch = throttle(() => (calls += 1), 30_000, () => t);
    touch();
    touch();
    t = 29_999;
    touch();
    expect(calls).toBe(1);
    t = 30_000;
    touch();
    expect(calls).toBe(2);
  });
});

describe("rendering rules", () => {
  function files(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : [p];
    });
  }

  it("never renders HTML from data: no {@html} and no innerHTML anywhere", () => {
    const src = join(__dirname, "..");
    const offenders = files(src)
      .filter((f) => /\.(svelte|ts)$/.test(f) && !f.endsWith(".test.ts"))
      .filter((f) => /\{@html|innerHTML|outerHTML|insertAdjacentHTML/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("uses no inline style attributes (the CSP allows none)", () => {
    const src = join(__dirname, "..");
    const offenders = files(src)
      .filter((f) => f.endsWith(".svelte"))
      .filter((f) => /\sstyle="/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
