// @vitest-environment jsdom
// Importing memories saved by other assistants, from the Transfer screen, against the fake
// backend: the preview, the proposals it makes, and what never happens.
import { flushSync } from "svelte";
import { describe, expect, it } from "vitest";
import { EMAIL_REFUSAL, FakeBackend, row } from "./lib/testing/fake";
import { mountApp, settle, useApp } from "./lib/testing/app";

useApp();

const $ = <T extends Element = HTMLElement>(css: string) => document.querySelector<T>(css);
const text = (css: string) => $(css)?.textContent?.replace(/\s+/g, " ").trim() ?? "";
const all = (css: string) => [...document.querySelectorAll<HTMLElement>(css)].map((e) => e.textContent?.replace(/\s+/g, " ").trim());
const pending = (b: FakeBackend) => b.rows.filter((r) => r.status === "pending");

function click(css: string) {
  const el = $<HTMLElement>(css);
  if (!el) throw new Error(`nothing matches ${css}`);
  el.click();
}

/** The app, unlocked, on the Transfer screen; its fake backend. */
async function transfer(): Promise<FakeBackend> {
  const b = new FakeBackend();
  b.unlocked = true;
  await mountApp(b);
  click("[data-testid=nav-transfer]");
  await settle();
  return b;
}

function paste(value: string) {
  const area = $<HTMLTextAreaElement>("[data-testid=memory-paste]")!;
  area.value = value;
  area.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

/** Pastes `value` and asks for its preview. */
async function previewPaste(value: string) {
  paste(value);
  click("[data-testid=memory-preview]");
  await settle();
}

function source(value: string) {
  const select = $<HTMLSelectElement>("[data-testid=memory-source]")!;
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}

describe("importing memories", () => {
  it("opens from the empty Inbox, previews a paste, proposes it, and the proposals wait in the Inbox", async () => {
    const b = new FakeBackend();
    b.rows = [row({ statement: "Prefers concise answers" })];
    b.unlocked = true;
    await mountApp(b);
    click("[data-testid=nav-inbox]");
    await settle();
    expect(text("[data-testid=inbox-import-memories]")).toBe("Import memories from ChatGPT, Claude, Gemini…");

    click("[data-testid=inbox-import-memories]");
    await settle();
    expect($("#transfer-title")?.textContent).toBe("Export and import");
    expect(document.activeElement?.id).toBe("memories-h");
    expect(all("[data-testid=memory-source] option")).toEqual([
      "ChatGPT",
      "Claude",
      "Gemini",
      "mem0 (JSON export)",
      "me.md (folder)",
      "Other list",
    ]);

    source("claude");
    await previewPaste("- Prefers concise answers\n- Is learning Rust\n- Email is jo@example.org\n\n- Lives in Lyon\n");

    expect(b.memories?.source).toBe("claude");
    expect(text("[data-testid=memory-count-proposed]")).toBe("2 memories to propose");
    expect(text("[data-testid=memory-count-duplicates]")).toBe("1 already there");
    expect(text("[data-testid=memory-count-erased]")).toBe("0 erased before");
    expect(text("[data-testid=memory-count-refused]")).toBe("1 refused");
    expect(all("[data-testid=memory-proposed]")).toEqual([
      "Is learning Rust Communication style · for Communication style",
      "Lives in Lyon Communication style · for Communication style",
    ]);
    expect(all("[data-testid=memory-refused]")).toEqual([`Line 3: ${EMAIL_REFUSAL}`]);
    expect(text("[data-testid=memory-duplicates] summary")).toBe("1 memory already there: skipped");
    expect(text("[data-testid=memory-duplicates] p")).toBe("Line 1");
    expect(text("[data-testid=memory-preview-result]")).toContain(
      "Each memory waits in your Inbox until you accept or reject it. Nothing is shared before.",
    );
    // A preview changes nothing.
    expect(pending(b)).toHaveLength(0);
    expect($("[data-testid=inbox-badge]")).toBeNull();

    expect(text("[data-testid=memory-commit]")).toBe("Propose 2 memories");
    click("[data-testid=memory-commit]");
    await settle();
    expect(text("[data-testid=memory-done] p")).toBe("2 memories wait in your Inbox.");
    expect($("[data-testid=memory-preview-result]")).toBeNull();
    expect($<HTMLTextAreaElement>("[data-testid=memory-paste]")!.value).toBe("");
    expect(pending(b).map((r) => r.statement)).toEqual(["Is learning Rust", "Lives in Lyon"]);
    expect(text("[data-testid=inbox-badge]")).toBe("2");

    click("[data-testid=memory-go-inbox]");
    await settle();
    expect(all("[data-testid=proposal] .statement")).toEqual(["Is learning Rust", "Lives in Lyon"]);
  });

  it("shows a refused line's reason and never its text, and proposes nothing when nothing is left", async () => {
    const b = await transfer();
    await previewPaste("My email is someone@example.org\nWrite to me at other@example.net\n");

    expect(all("[data-testid=memory-refused]")).toEqual([`Line 1: ${EMAIL_REFUSAL}`, `Line 2: ${EMAIL_REFUSAL}`]);
    const shown = text("[data-testid=memory-preview-result]");
    expect(shown).not.toContain("example.org");
    expect(shown).not.toContain("example.net");
    expect(shown).not.toContain("My email");
    expect($("[data-testid=memory-proposed]")).toBeNull();
    expect($<HTMLButtonElement>("[data-testid=memory-commit]")!.disabled).toBe(true);
    expect(text("[data-testid=memory-nothing]")).toBe(
      "Nothing to propose: every memory is already there, was erased before or was refused.",
    );
  });

  it("cancels a preview: the core forgets it, the form is cleared and nothing is proposed", async () => {
    const b = await transfer();
    await previewPaste("Prefers tea\nReads science fiction\n");
    expect(text("[data-testid=memory-count-proposed]")).toBe("2 memories to propose");

    click("[data-testid=memory-cancel]");
    await settle();
    expect(b.memories).toBeNull();
    expect($("[data-testid=memory-preview-result]")).toBeNull();
    expect($<HTMLTextAreaElement>("[data-testid=memory-paste]")!.value).toBe("");
    expect($("[role=alert]")).toBeNull();
    await expect(b.importMemoriesCommit()).rejects.toThrow("Read the memories to import first.");
    expect(b.rows).toHaveLength(0);
  });

  it("changes nothing when the file dialog is cancelled, and previews the folder chosen", async () => {
    const b = await transfer();
    paste("Prefers tea\n");
    expect(text("[data-testid=memory-choose]")).toBe("Choose file…");
    b.chosenFile = null;
    click("[data-testid=memory-choose]");
    await settle();
    expect($("[data-testid=memory-preview-result]")).toBeNull();
    expect($("[role=alert]")).toBeNull();
    expect(b.memories).toBeNull();
    expect($<HTMLTextAreaElement>("[data-testid=memory-paste]")!.value).toBe("Prefers tea\n");

    source("me-md");
    expect(text("[data-testid=memory-choose]")).toBe("Choose folder…");
    b.chosenFile = "- Keeps a garden\n";
    click("[data-testid=memory-choose]");
    await settle();
    expect(b.memories?.source).toBe("me-md");
    expect(all("[data-testid=memory-proposed] .statement")).toEqual(["Keeps a garden"]);
    expect(b.rows).toHaveLength(0);
  });

  it("shows the core's error and keeps the paste to correct it", async () => {
    const b = await transfer();
    await previewPaste(" - \n * \n");
    expect(text("[role=alert]")).toBe("There are no memories in the input");
    expect($<HTMLTextAreaElement>("[data-testid=memory-paste]")!.value).toBe(" - \n * \n");
    expect($("[data-testid=memory-preview-result]")).toBeNull();

    // Longer than the IPC accepts: said before anything is sent.
    await previewPaste("x".repeat(4 * 1024 * 1024 + 1));
    expect(text("[role=alert]")).toBe("The paste is too long to send in one piece. Save it as a file and use “Choose file…”.");
    expect(b.memories).toBeNull();

    await previewPaste(" - \n * Prefers tea\n");
    expect($("[role=alert]")).toBeNull();
    expect(all("[data-testid=memory-proposed] .statement")).toEqual(["Prefers tea"]);
  });

  it("lists the first 200 of 10,000 memories and counts the rest", async () => {
    await transfer();
    await previewPaste(Array.from({ length: 10_000 }, (_, i) => `Memory number ${i + 1}`).join("\n"));
    expect(text("[data-testid=memory-count-proposed]")).toBe(`${(10_000).toLocaleString()} memories to propose`);
    expect(document.querySelectorAll("[data-testid=memory-proposed]")).toHaveLength(200);
    expect(text("[data-testid=memory-more]")).toBe(`and ${(9_800).toLocaleString()} more`);
    expect(text("[data-testid=memory-commit]")).toBe(`Propose ${(10_000).toLocaleString()} memories`);
  });
});
