// @vitest-environment jsdom
// Triage of many proposals in the Inbox, against the fake backend, as a person does it: with the
// mouse and with the keyboard.
import { flushSync } from "svelte";
import { describe, expect, it } from "vitest";
import { FakeBackend, row } from "./lib/testing/fake";
import { mountApp, settle, useApp } from "./lib/testing/app";

useApp();

/** The app, unlocked, on the Inbox screen. */
async function inbox(b: FakeBackend) {
  b.unlocked = true;
  await mountApp(b);
  document.querySelector<HTMLButtonElement>("[data-testid=nav-inbox]")!.click();
  await settle();
}

const $ = <T extends Element = HTMLElement>(css: string) => document.querySelector<T>(css);
const rows = () => [...document.querySelectorAll<HTMLElement>("[data-testid=proposal]")];
const selectedCount = () => $("[data-testid=selected-count]")?.textContent?.trim();
const selectAllBox = () => $<HTMLInputElement>("[data-testid=select-all]")!;
const message = () => $("[data-testid=inbox-message]")?.textContent?.trim() ?? "";
const alertText = () => $("[role=alert]")?.textContent?.trim() ?? "";
const focusedRow = () => (document.activeElement as HTMLElement | null)?.dataset.proposal;
const pending = (b: FakeBackend) => b.rows.filter((r) => r.status === "pending").length;

/** Presses a key where the focus is, as the browser would dispatch it; whether the app took it. */
function press(key: string, mods: { ctrlKey?: boolean; metaKey?: boolean } = {}) {
  const target = document.activeElement ?? document.body;
  const e = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...mods });
  target.dispatchEvent(e);
  flushSync();
  return e.defaultPrevented;
}

function click(css: string) {
  const el = $<HTMLElement>(css);
  if (!el) throw new Error(`nothing matches ${css}`);
  el.click();
}

/** Opens "Accept as…" for the selection and chooses the type `id`; returns the type's select. */
function acceptAs(id: string) {
  click("[data-testid=accept-as]");
  flushSync();
  const type = $<HTMLSelectElement>("[data-testid=accept-as-type]")!;
  type.value = id;
  type.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
  return type;
}

describe("inbox triage", () => {
  it("selects all 500 proposals and accepts them as another type for one purpose, in one call", async () => {
    const b = new FakeBackend();
    const seeded = b.seedProposals(500);
    await inbox(b);
    expect(rows()).toHaveLength(500);
    expect($("[data-testid=inbox-badge]")?.textContent).toBe("500");
    expect(selectedCount()).toBe("0 selected");

    selectAllBox().click();
    flushSync();
    expect(selectedCount()).toBe("500 selected");
    expect(selectAllBox().checked).toBe(true);
    expect(selectAllBox().indeterminate).toBe(false);
    expect(rows().every((r) => r.querySelector<HTMLInputElement>("input[type=checkbox]")!.checked)).toBe(true);
    expect($("[data-testid=accept-selected]")?.textContent).toBe("Accept 500");
    expect($("[data-testid=reject-selected]")?.textContent).toBe("Reject 500");

    const type = acceptAs("health");
    // Only the purposes the chosen type allows are offered.
    const form = $("[data-testid=accept-as-form]")!;
    const purposes = [...form.querySelectorAll<HTMLLabelElement>("fieldset label")];
    expect(purposes.map((l) => l.textContent!.trim())).toEqual(["Service personalisation"]);
    purposes[0]!.querySelector("input")!.click();
    flushSync();
    expect($("[data-testid=accept-as-submit]")?.textContent).toBe("Accept 500 as Health");
    form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    await settle();

    expect(b.acceptCalls).toEqual([
      { ids: seeded.map((r) => r.id), how: { category: "health", purposes: ["personalisation"] } },
    ]);
    expect(b.rows).toHaveLength(500);
    for (const r of b.rows) {
      expect(r).toMatchObject({ status: "active", category: "health", purposes: ["personalisation"], sensitivity: "special" });
    }
    expect(message()).toBe("Accepted 500 proposals: they are now part of your model.");
    expect(rows()).toHaveLength(0);
    expect(document.body.textContent).toContain("No vendor has proposed a belief about you.");
    // Focus is not lost with the rows: it lands on the list's heading.
    expect(document.activeElement?.id).toBe("prop-h");
    // The app was told (onchanged): the Inbox badge is gone.
    expect($("[data-testid=inbox-badge]")).toBeNull();
    expect(alertText()).toBe("");
  });

  it("selects a few with the keyboard and rejects them only after a confirmation", async () => {
    const b = new FakeBackend();
    const seeded = b.seedProposals(500);
    await inbox(b);

    // Into the list from the toolbar, then down: ↓ / j move, Space selects, ↑ / k go back.
    selectAllBox().focus();
    expect(press("ArrowDown")).toBe(true);
    expect(focusedRow()).toBe(seeded[0]!.id);
    expect(press(" ")).toBe(true);
    expect(selectedCount()).toBe("1 selected");
    expect(selectAllBox().indeterminate).toBe(true);
    expect(selectAllBox().checked).toBe(false);
    press("j");
    press("ArrowDown");
    press("ArrowDown");
    press("k");
    expect(focusedRow()).toBe(seeded[2]!.id);
    press(" ");
    press("ArrowDown");
    press("ArrowDown");
    press(" ");
    expect(selectedCount()).toBe("3 selected");
    const chosen = [seeded[0]!, seeded[2]!, seeded[4]!].map((r) => r.id);
    expect(rows().filter((r) => r.classList.contains("checked")).map((r) => r.dataset.proposal)).toEqual(chosen);
    // Space again on a selected row unselects it; again selects it.
    press(" ");
    expect(selectedCount()).toBe("2 selected");
    press(" ");
    expect(selectedCount()).toBe("3 selected");

    // r arms the rejection; nothing is erased yet. Escape disarms and keeps the selection.
    press("r");
    expect($("[data-testid=confirm-reject]")?.textContent).toBe("Reject 3 — confirm");
    expect($("[data-testid=reject-warning]")?.textContent).toContain("cannot be proposed again");
    await settle();
    expect(b.rows).toHaveLength(500);
    press("Escape");
    expect($("[data-testid=confirm-reject]")).toBeNull();
    expect(selectedCount()).toBe("3 selected");

    // The toolbar's button: first click arms, the second ("— confirm") rejects.
    click("[data-testid=reject-selected]");
    flushSync();
    expect(b.rows).toHaveLength(500);
    click("[data-testid=confirm-reject]");
    await settle();
    expect(b.rows).toHaveLength(497);
    expect(b.rows.some((r) => chosen.includes(r.id))).toBe(false);
    expect(message()).toBe("Rejected 3 proposals: erased, they cannot be proposed again.");
    expect(rows()).toHaveLength(497);
    expect(selectedCount()).toBe("0 selected");
    expect($("[data-testid=inbox-badge]")?.textContent).toBe("497");

    // With nothing selected, r then r rejects the focused proposal.
    rows()[0]!.focus();
    press("r");
    expect($("[data-testid=confirm-reject]")?.textContent).toBe("Reject 1 — confirm");
    expect(b.rows).toHaveLength(497);
    press("r");
    await settle();
    expect(b.rows).toHaveLength(496);
    expect(b.rows.some((r) => r.id === seeded[1]!.id)).toBe(false);
    expect(message()).toBe("Rejected 1 proposal: erased, it cannot be proposed again.");
    // Focus goes on to the next proposal, so the person can keep going.
    expect(focusedRow()).toBe(seeded[3]!.id);
  });

  it("accepts the focused proposal with a, selects all with Ctrl+A and clears with Escape", async () => {
    const b = new FakeBackend();
    const seeded = b.seedProposals(500);
    await inbox(b);
    rows()[0]!.focus();
    expect(press("a", { ctrlKey: true })).toBe(true);
    expect(selectedCount()).toBe("500 selected");
    expect(press("Escape")).toBe(true);
    expect(selectedCount()).toBe("0 selected");
    press("a", { metaKey: true });
    expect(selectedCount()).toBe("500 selected");
    press("Escape");

    press("a");
    await settle();
    expect(b.acceptCalls).toEqual([{ ids: [seeded[0]!.id], how: { category: null, purposes: null } }]);
    expect(b.rows.find((r) => r.id === seeded[0]!.id)).toMatchObject({ status: "active", category: "communication-style" });
    expect(message()).toBe("Accepted 1 proposal: it is now part of your model.");
    expect(rows()).toHaveLength(499);
    expect(focusedRow()).toBe(seeded[1]!.id);

    // With a selection, a accepts the selection, whichever row has focus.
    press("ArrowDown");
    press(" ");
    press("ArrowDown");
    press(" ");
    press("ArrowDown");
    press("a");
    await settle();
    expect(b.acceptCalls[1]!.ids).toEqual([seeded[2]!.id, seeded[3]!.id]);
    expect(message()).toBe("Accepted 2 proposals: they are now part of your model.");
    expect(pending(b)).toBe(497);
  });

  it("keeps the selection and shows the error when the core refuses a batch, and changes nothing", async () => {
    const b = new FakeBackend();
    const seeded = b.seedProposals(500);
    await inbox(b);
    selectAllBox().click();
    flushSync();
    // Meanwhile one of them stopped being a proposal (accepted elsewhere): the core refuses all.
    b.rows.find((r) => r.id === seeded[250]!.id)!.status = "active";

    click("[data-testid=accept-selected]");
    await settle();
    expect(alertText()).toBe("That belief is not a pending proposal");
    expect(message()).toBe("");
    expect(selectedCount()).toBe("500 selected");
    expect(rows()).toHaveLength(500);
    expect(pending(b)).toBe(499);

    click("[data-testid=reject-selected]");
    flushSync();
    click("[data-testid=confirm-reject]");
    await settle();
    expect(alertText()).toBe("That belief is not a pending proposal");
    expect(selectedCount()).toBe("500 selected");
    expect(b.rows).toHaveLength(500);
    expect($("[data-testid=confirm-reject]")).toBeNull();

    // Unselect the one that is no longer pending (its row is still shown): the batch goes through.
    const stale = rows().find((r) => r.dataset.proposal === seeded[250]!.id)!;
    stale.querySelector<HTMLInputElement>("input[type=checkbox]")!.click();
    flushSync();
    expect(selectedCount()).toBe("499 selected");
    click("[data-testid=accept-selected]");
    await settle();
    expect(alertText()).toBe("");
    expect(message()).toBe("Accepted 499 proposals: they are now part of your model.");
    expect(pending(b)).toBe(0);
  });

  it("does not fire shortcuts while the person types", async () => {
    const b = new FakeBackend();
    b.seedProposals(500);
    await inbox(b);
    // Editing a proposal before accepting it: the statement and the reason are text fields.
    [...rows()[0]!.querySelectorAll("button")].find((x) => x.textContent === "Edit, then accept")!.click();
    flushSync();
    for (const css of ["textarea", "input[type=text]"]) {
      const field = rows()[0]!.querySelector<HTMLElement>(css)!;
      field.focus();
      for (const key of ["a", "r", "j", "k", " ", "ArrowDown", "Escape"]) expect(press(key)).toBe(false);
      expect(press("a", { ctrlKey: true })).toBe(false);
      expect(document.activeElement).toBe(field);
    }
    expect(selectedCount()).toBe("0 selected");
    expect($("[data-testid=confirm-reject]")).toBeNull();

    // The type chooser of "Accept as…" is a select: keys there are the select's.
    rows()[1]!.querySelector<HTMLInputElement>("input[type=checkbox]")!.click();
    flushSync();
    click("[data-testid=accept-as]");
    flushSync();
    const select = $<HTMLSelectElement>("[data-testid=accept-as-type]")!;
    select.focus();
    for (const key of ["a", "r", "ArrowDown", "Escape"]) expect(press(key)).toBe(false);
    expect(press("a", { ctrlKey: true })).toBe(false);
    expect(selectedCount()).toBe("1 selected");
    expect($("[data-testid=accept-as-form]")).not.toBeNull();

    await settle();
    expect(b.acceptCalls).toEqual([]);
    expect(pending(b)).toBe(500);
  });

  it("refuses to accept as a type that needs evidence when selected proposals have none", async () => {
    const b = new FakeBackend();
    b.seedProposals(3, { evidence_count: 0 });
    await inbox(b);
    selectAllBox().click();
    flushSync();
    const type = acceptAs("health");
    expect($("[data-testid=accept-as-evidence]")?.textContent).toContain("3 selected proposals have none");
    expect($<HTMLButtonElement>("[data-testid=accept-as-submit]")!.disabled).toBe(true);

    // A type without that rule, purposes left as proposed: accepted, the purposes kept.
    type.value = "communication-style";
    type.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    expect($("[data-testid=accept-as-evidence]")).toBeNull();
    expect([...document.querySelectorAll("[data-testid=accept-as-form] fieldset label")].map((l) => l.textContent!.trim())).toEqual([
      "Communication style",
      "Service personalisation",
    ]);
    $("[data-testid=accept-as-form]")!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    await settle();
    expect(b.acceptCalls[0]!.how).toEqual({ category: "communication-style", purposes: null });
    expect(b.rows.every((r) => r.status === "active" && r.purposes.join() === "communication")).toBe(true);
  });
});

describe("a proposal that says the same as a belief", () => {
  it("is shown with that belief and merged into it", async () => {
    const b = new FakeBackend();
    const existing = row({ statement: "Is learning Rust", evidence_count: 1 });
    b.rows.push(existing);
    const [same] = b.seedProposals(1, { statement: `${existing.statement.toUpperCase()}!` });
    const [other] = b.seedProposals(1, { statement: "Something else entirely" });
    await inbox(b);
    const shown = [...document.querySelectorAll<HTMLElement>("[data-testid=same-as]")];
    expect(shown).toHaveLength(1);
    expect(shown[0]!.textContent).toContain(`Same as “${existing.statement}”`);
    expect(shown[0]!.closest("[data-testid=proposal]")!.getAttribute("data-proposal")).toBe(same!.id);
    const evidenceBefore = existing.evidence_count;

    shown[0]!.querySelector<HTMLButtonElement>("button")!.click();
    await settle();
    expect(b.merged).toEqual([`${same!.id}>${existing.id}`]);
    expect(message()).toContain(`its evidence is now on “${existing.statement}”`);
    expect(rows().map((r) => r.dataset.proposal)).toEqual([other!.id]);
    expect(existing.evidence_count).toBe(evidenceBefore + 1);
    expect(document.querySelector("[data-testid=same-as]")).toBeNull();
  });
});
