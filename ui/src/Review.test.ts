// @vitest-environment jsdom
// Reviewing beliefs whose type's review interval has passed, against the fake backend: the
// queue, confirming one or many, correcting, deleting, and the interval set in Settings.
import { flushSync } from "svelte";
import { describe, expect, it } from "vitest";
import type { BeliefRow } from "./lib/backend";
import { FakeBackend, row } from "./lib/testing/fake";
import { mountApp, settle, useApp } from "./lib/testing/app";

useApp();

const $ = <T extends Element = HTMLElement>(css: string) => document.querySelector<T>(css);
const text = (css: string) => $(css)?.textContent?.replace(/\s+/g, " ").trim() ?? "";
const statements = () => [...document.querySelectorAll("[data-testid=due-statement]")].map((e) => e.textContent);
const dueRows = () => [...document.querySelectorAll<HTMLElement>("[data-testid=due-belief]")];

function click(css: string) {
  const el = $<HTMLElement>(css);
  if (!el) throw new Error(`nothing matches ${css}`);
  el.click();
}

/** Presses a key where the focus is, as the browser would dispatch it. */
function press(key: string, mods: { ctrlKey?: boolean; altKey?: boolean } = {}) {
  const target = document.activeElement ?? document.body;
  target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...mods }));
  flushSync();
}

function input(css: string, value: string) {
  const el = $<HTMLInputElement | HTMLTextAreaElement>(css)!;
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

const at = (iso: string) => new Date(iso).toISOString();

/**
 * The fake reviews at 2026-12-01; communication style is reviewed every 365 days, health every
 * 90. Two beliefs are due (the older first), one is not yet, and a proposal never is.
 */
function vault() {
  const b = new FakeBackend();
  b.unlocked = true;
  const recent = row({ statement: "Writes in British English", confirmed_at: at("2026-06-01T00:00:00Z") });
  const older = row({ statement: "Prefers short answers", confirmed_at: at("2025-01-01T00:00:00Z") });
  const health = row({
    statement: "Sleeps badly in summer",
    category: "health",
    purposes: ["personalisation"],
    sensitivity: "special",
    confirmed_at: at("2026-06-01T00:00:00Z"),
  });
  const proposal = row({ statement: "Likes jazz", status: "pending", confirmed_at: null, created_at: at("2020-01-01T00:00:00Z") });
  b.rows = [recent, health, older, proposal];
  return { b, recent, older, health };
}

async function start(b: FakeBackend) {
  await mountApp(b);
}

async function review(b: FakeBackend) {
  await start(b);
  click("[data-testid=nav-review]");
  await settle();
}

const confirmedAt = (b: FakeBackend, r: BeliefRow) => b.rows.find((x) => x.id === r.id)?.confirmed_at;

describe("review", () => {
  it("counts what is due in the sidebar, opens with Alt+9 and lists the longest overdue first", async () => {
    const { b } = vault();
    await start(b);
    expect(text("[data-testid=review-badge]")).toBe("2");
    expect($("[data-testid=nav-review]")?.getAttribute("title")).toBe("Alt+9");

    window.dispatchEvent(new KeyboardEvent("keydown", { key: "9", altKey: true }));
    await settle();
    expect($("#review-title")?.textContent).toBe("Review");
    expect(statements()).toEqual(["Prefers short answers", "Sleeps badly in summer"]);
    expect(text("[data-testid=review-count]")).toBe("2 beliefs due");
    const when = dueRows().map((r) => r.querySelector("[data-testid=due-when]")?.textContent?.replace(/\s+/g, " ").trim());
    // (The days are counted to the real today, which the test does not fix.)
    expect(when[0]).toMatch(/^Communication style · last confirmed .+ \(.+\) · due since .+$/);
    expect(when[1]).toMatch(/^Health · last confirmed .+ \(.+\) · due since .+$/);
  });

  it("takes a belief off the list when it is still true, and the badge follows", async () => {
    const { b, older, health } = vault();
    await review(b);
    dueRows()[0]!.querySelector<HTMLButtonElement>("[data-testid=review-still-true]")!.click();
    await settle();
    expect(confirmedAt(b, older)).toBe(b.now.toISOString());
    expect(confirmedAt(b, health)).toBe(at("2026-06-01T00:00:00Z"));
    expect(statements()).toEqual(["Sleeps badly in summer"]);
    expect(text("[data-testid=review-message]")).toBe(
      "Confirmed 1 belief: it is due again in a full review interval.",
    );
    expect(text("[data-testid=review-badge]")).toBe("1");
    // The next row has the focus, for the next decision.
    expect(document.activeElement).toBe(dueRows()[0]);
  });

  it("selects with the keyboard and confirms many in one call", async () => {
    const { b, older, health } = vault();
    const calls: string[][] = [];
    const confirm = b.confirmBeliefs.bind(b);
    b.confirmBeliefs = (ids) => (calls.push([...ids]), confirm(ids));
    await review(b);

    dueRows()[0]!.focus();
    press(" ");
    expect(text("[data-testid=review-selected-count]")).toBe("1 selected");
    press("ArrowDown");
    expect(document.activeElement).toBe(dueRows()[1]);
    press(" ");
    expect(text("[data-testid=review-selected-count]")).toBe("2 selected");
    press("Escape");
    expect(text("[data-testid=review-selected-count]")).toBe("0 selected");
    press("a", { ctrlKey: true });
    expect(text("[data-testid=review-selected-count]")).toBe("2 selected");

    expect(text("[data-testid=review-confirm-selected]")).toBe("Confirm 2");
    click("[data-testid=review-confirm-selected]");
    await settle();
    expect(calls).toEqual([[older.id, health.id]]);
    expect(text("[data-testid=review-message]")).toBe(
      "Confirmed 2 beliefs: they are due again in a full review interval.",
    );
    expect(dueRows()).toHaveLength(0);
    expect(text("[data-testid=review-empty]")).toBe(
      "Nothing is due for review. Each type is reviewed every 90 to 365 days (change it in Settings).",
    );
    expect($("[data-testid=review-badge]")).toBeNull();
  });

  it("keeps the selection and changes nothing when the core refuses a batch", async () => {
    const { b, older, health } = vault();
    await review(b);
    click("[data-testid=review-select-all]");
    flushSync();
    // Meanwhile one was deleted elsewhere: the core confirms all or none.
    b.rows = b.rows.filter((r) => r.id !== health.id);
    click("[data-testid=review-confirm-selected]");
    await settle();
    expect(text("[role=alert]")).toBe("Only an active belief is confirmed");
    expect(text("[data-testid=review-selected-count]")).toBe("2 selected");
    expect(confirmedAt(b, older)).toBe(at("2025-01-01T00:00:00Z"));
  });

  it("corrects a belief, which confirms it, and deletes one after the confirmation", async () => {
    const { b, older, health } = vault();
    await review(b);
    dueRows()[0]!.querySelector<HTMLButtonElement>("[data-testid=review-correct]")!.click();
    await settle();
    input("#rect-statement", "Prefers short answers with an example");
    input("#rect-reason", "Examples help");
    [...document.querySelectorAll<HTMLLabelElement>("[data-testid=rectify-form] label.check")]
      .find((l) => l.textContent!.trim() === "Service personalisation")!
      .querySelector("input")!
      .click();
    $("[data-testid=rectify-form]")!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    await settle();
    expect(b.rows.find((r) => r.id === older.id)?.statement).toBe("Prefers short answers with an example");
    expect(b.rows.find((r) => r.id === older.id)?.purposes).toEqual(["communication", "personalisation"]);
    expect(confirmedAt(b, older)).toBe(b.now.toISOString());
    expect($("[data-testid=rectify-form]")).toBeNull();
    expect(statements()).toEqual(["Sleeps badly in summer"]);

    dueRows()[0]!.querySelector<HTMLButtonElement>("[data-testid=review-delete]")!.click();
    flushSync();
    expect(b.rows.some((r) => r.id === health.id)).toBe(true);
    click("[data-testid=confirm-delete]");
    await settle();
    expect(b.rows.some((r) => r.id === health.id)).toBe(false);
    expect(text("[data-testid=review-message]")).toBe("Deleted 1 belief with their evidence and history.");
    expect($("[data-testid=review-empty]")).not.toBeNull();
  });

  it("saves a type's review interval in Settings, which changes what is due", async () => {
    const { b, recent } = vault();
    b.rows = [recent];
    await review(b);
    expect($("[data-testid=review-empty]")).not.toBeNull();
    expect($("[data-testid=review-badge]")).toBeNull();

    click("[data-testid=review-settings]");
    await settle();
    expect($("#settings-title")?.textContent).toBe("Settings");
    input("[data-testid=review-days-communication-style]", "0");
    expect(text("[data-testid=review-days-form-communication-style] + .field-error")).toBe(
      "Choose a whole number of days from 1 to 10,000.",
    );
    input("[data-testid=review-days-communication-style]", "100");
    $("[data-testid=review-days-form-communication-style]")!.dispatchEvent(
      new Event("submit", { bubbles: true, cancelable: true }),
    );
    await settle();
    expect(text("[data-testid=review-days-message]")).toBe("Communication style: reviewed every 100 days.");
    expect(b.reviewOverrides.get("communication-style")).toBe(100);
    expect(text("[data-testid=review-badge]")).toBe("1");

    click("[data-testid=nav-review]");
    await settle();
    expect(statements()).toEqual(["Writes in British English"]);
  });
});
