import { describe, expect, it } from "vitest";
import { CATALOGUE } from "./testing/fake";
import {
  autoLockErrors,
  beliefErrors,
  changePassphraseErrors,
  emptyBeliefForm,
  eraseErrors,
  emptyExportForm,
  exportErrors,
  recipientList,
  newPassphraseErrors,
  ok,
  rectifyErrors,
  retentionErrors,
} from "./validation";

describe("new passphrase", () => {
  it("asks for the minimum length and a matching repeat", () => {
    expect(newPassphraseErrors("short", "short", 10)).toEqual({ passphrase: "Use at least 10 characters." });
    expect(newPassphraseErrors("long enough pass", "long enough pas", 10)).toEqual({
      repeat: "The two passphrases are not the same.",
    });
    expect(ok(newPassphraseErrors("long enough pass", "long enough pass", 10))).toBe(true);
  });

  it("wants the current passphrase and a different new one", () => {
    expect(changePassphraseErrors("", "new passphrase!", "new passphrase!", 10)).toEqual({
      current: "Enter your current passphrase.",
    });
    expect(changePassphraseErrors("same old pass", "same old pass", "same old pass", 10).passphrase).toMatch(
      /not used/,
    );
  });
});

describe("new belief", () => {
  it("needs a statement and a known type", () => {
    const e = beliefErrors(emptyBeliefForm(""), CATALOGUE);
    expect(e.statement).toBe("Say what is believed, in one sentence.");
    expect(e.category).toBe("Choose a belief type.");
  });

  it("bounds the statement", () => {
    const f = { ...emptyBeliefForm("communication-style"), statement: "x".repeat(501) };
    expect(beliefErrors(f, CATALOGUE).statement).toBe("Keep it under 500 characters (now 501).");
  });

  it("enforces purpose limitation with names the person knows", () => {
    const f = { ...emptyBeliefForm("health"), statement: "Has a cold", purposes: ["advertising"] };
    const e = beliefErrors({ ...f, evidenceSummary: "said so" }, CATALOGUE);
    expect(e).toEqual({ purposes: "Health beliefs cannot be used for: Personalised advertising." });
  });

  it("asks for evidence where the type requires it", () => {
    const f = { ...emptyBeliefForm("health"), statement: "Has a cold" };
    expect(beliefErrors(f, CATALOGUE).evidenceSummary).toMatch(/need evidence/);
    expect(ok(beliefErrors({ ...f, evidenceSummary: "Told the assistant" }, CATALOGUE))).toBe(true);
  });
});

describe("rectification", () => {
  const before = { statement: "Likes jazz", confidence: 0.6, purposes: ["communication"] };
  const type = CATALOGUE.types[0];

  it("needs a reason and a change", () => {
    const same = { statement: "Likes jazz", confidence: 60, purposes: ["communication"], reason: "" };
    const e = rectifyErrors(same, before, type, CATALOGUE);
    expect(e.reason).toMatch(/why/);
    expect(e.form).toMatch(/Nothing changed/);
  });

  it("accepts a changed confidence with a reason", () => {
    const f = { statement: "Likes jazz", confidence: 90, purposes: ["communication"], reason: "I do, a lot" };
    expect(rectifyErrors(f, before, type, CATALOGUE)).toEqual({});
  });

  it("treats reordered purposes as unchanged", () => {
    const b = { ...before, purposes: ["communication", "personalisation"] };
    const f = { statement: "Likes jazz", confidence: 60, purposes: ["personalisation", "communication"], reason: "x" };
    expect(rectifyErrors(f, b, type, CATALOGUE).form).toBeDefined();
  });
});

describe("settings", () => {
  it("bounds retention and auto-lock", () => {
    expect(retentionErrors(0).days).toBeDefined();
    expect(retentionErrors(1.5).days).toBeDefined();
    expect(retentionErrors(365)).toEqual({});
    expect(autoLockErrors(0).minutes).toBe("Choose 1 to 1440 minutes.");
    expect(autoLockErrors(15)).toEqual({});
  });

  it("erases only after the exact phrase", () => {
    expect(eraseErrors("erase")).toEqual({ confirm: "Type “erase everything” to confirm." });
    expect(eraseErrors("  erase everything ")).toEqual({});
  });
});

describe("export", () => {
  const key = "age1" + "q".repeat(58);
  it("needs a subset when not everything, and a good passphrase", () => {
    const f = { ...emptyExportForm(), everything: false, passphrase: "short", repeat: "short" };
    const e = exportErrors(f, 10);
    expect(e.subset).toBeDefined();
    expect(e.passphrase).toBe("Use at least 10 characters.");
  });

  it("checks age recipients", () => {
    const f = { ...emptyExportForm(), encryption: "recipients" as const, recipients: "" };
    expect(exportErrors(f, 10).recipients).toMatch(/at least one/);
    expect(exportErrors({ ...f, recipients: "age1nope" }, 10).recipients).toBe("Not an age public key: age1nope");
    expect(exportErrors({ ...f, recipients: `${key}\n${key}, ${key}` }, 10)).toEqual({});
    expect(recipientList(` ${key}\n\n${key} `)).toEqual([key, key]);
  });

  it("plain exports need nothing more", () => {
    expect(exportErrors({ ...emptyExportForm(), encryption: "none" }, 10)).toEqual({});
  });
});
