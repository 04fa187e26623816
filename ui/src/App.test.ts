// @vitest-environment jsdom
// The app's flows against a fake backend, in jsdom: what the person sees, not how it is built.
import { describe, expect, it } from "vitest";
import { FakeBackend, row } from "./lib/testing/fake";
import type { BeliefRow, GrantRequest } from "./lib/bindings/ipc";
import { mountApp, settle, useApp } from "./lib/testing/app";

useApp();

function start(backend: FakeBackend) {
  return mountApp(backend);
}

/** Mounts the app on `backend`, its vault already unlocked. */
function startUnlocked(backend: FakeBackend) {
  backend.unlocked = true;
  return mountApp(backend);
}

/** The app on a fake backend holding `rows`, its vault already unlocked; the backend. */
async function unlockedWith(...rows: BeliefRow[]) {
  const b = new FakeBackend();
  b.rows = rows;
  await startUnlocked(b);
  return b;
}

/** A pending request of org.example to read communication-style beliefs for communication,
 * with `over` in place of its fields and `scope` in place of its scope's. */
function grantRequest(over: Partial<GrantRequest> = {}, scope: Partial<GrantRequest["scope"]> = {}): GrantRequest {
  return {
    id: "req-1",
    vendor: { id: "org.example", name: "Example", url: null },
    scope: {
      purposes: ["communication"],
      categories: ["communication-style"],
      operations: ["read"],
      special: false,
      min_confidence: 0,
      origins: [],
      fresh_only: false,
      ...scope,
    },
    duration_days: 30,
    vendor_retention_days: 1,
    justification: "Tone",
    user_code: "ABCD-EFGH",
    status: "pending",
    created_at: "2026-01-01T00:00:00.000Z",
    expires_at: "2026-01-01T00:15:00.000Z",
    web_origin: null,
    ...over,
  };
}

/** Clicks the button `data-testid=testid` and lets the app settle. */
async function clickOn(testid: string) {
  document.querySelector<HTMLButtonElement>(`[data-testid=${testid}]`)!.click();
  await settle();
}

function input(selector: string, value: string) {
  const el = document.querySelector<HTMLInputElement>(selector)!;
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

function submit(selector = "form") {
  document.querySelector<HTMLFormElement>(selector)!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
}

describe("unlocking", () => {
  it("says plainly when the passphrase is wrong, then unlocks with the right one", async () => {
    const b = new FakeBackend();
    b.rows = [row({ statement: "Prefers <b>bold</b> claims" })];
    await start(b);
    expect(document.body.textContent).toContain("Unlock your vault");

    input("#unlock-passphrase", "not it at all");
    submit();
    await settle();
    expect(document.querySelector("[role=alert]")?.textContent).toBe("Wrong passphrase. Check it and try again.");

    input("#unlock-passphrase", b.passphrase);
    submit();
    await settle();
    expect(document.querySelector("[data-testid=count]")?.textContent?.trim()).toBe("1 belief");
    // Belief text is text: the markup in it is shown, not interpreted.
    const statement = document.querySelector("[data-testid=belief-row] .statement")!;
    expect(statement.textContent).toBe("Prefers <b>bold</b> claims");
    expect(statement.querySelector("b")).toBeNull();
  });

  it("warns after unlocking a vault older than the one last opened here", async () => {
    const b = new FakeBackend();
    b.integrityWarning = "this vault is older than the one last opened on this machine.";
    await start(b);
    input("#unlock-passphrase", b.passphrase);
    submit();
    await settle();
    expect(document.querySelector(".banner")?.textContent).toContain(
      "Warning: this vault is older than the one last opened on this machine.",
    );
  });

  it("shows the damage the page check found after unlock", async () => {
    const b = new FakeBackend();
    await startUnlocked(b);
    expect(document.querySelector(".banner")).toBeNull();
    b.damaged("HMAC verification failed for page 60");
    await settle();
    const banner = document.querySelector(".banner")?.textContent ?? "";
    expect(banner).toContain("The vault file is damaged (HMAC verification failed for page 60)");
    expect(banner).toContain("Changes are refused");
  });

  it("goes back to the unlock screen when the core locks itself", async () => {
    const b = new FakeBackend();
    await startUnlocked(b);
    expect(document.querySelector("[data-testid=nav-beliefs]")).not.toBeNull();
    b.autoLock();
    await settle();
    expect(document.body.textContent).toContain("The vault locked itself after being idle.");
  });
});

describe("pausing sharing", () => {
  it("pauses with one click, shows it in the header, and resumes", async () => {
    const b = new FakeBackend();
    await startUnlocked(b);
    expect(document.querySelector("[data-testid=sharing-paused]")).toBeNull();

    await clickOn("pause-sharing");
    expect(b.paused).toBe(true);
    expect(document.querySelector("[data-testid=sharing-paused]")?.textContent).toBe("Sharing paused");
    expect(document.querySelector(".banner")?.textContent).toContain("Nothing was revoked.");

    await clickOn("resume-sharing");
    expect(b.paused).toBe(false);
    expect(document.querySelector("[data-testid=sharing-paused]")).toBeNull();
    expect(document.querySelector("[data-testid=pause-sharing]")).not.toBeNull();
  });
});

describe("first run", () => {
  it("refuses a short passphrase and mismatched repeats before calling the core", async () => {
    const b = new FakeBackend();
    b.exists = false;
    await start(b);
    input("#new-passphrase", "short");
    input("#repeat-passphrase", "shorter");
    submit();
    await settle();
    const text = document.body.textContent!;
    expect(text).toContain("Use at least 10 characters.");
    expect(text).toContain("The two passphrases are not the same.");
    expect(b.calls).not.toContain("create_vault");

    input("#new-passphrase", "a long enough passphrase");
    input("#repeat-passphrase", "a long enough passphrase");
    submit();
    await settle();
    expect(b.calls).toContain("create_vault");
    expect(document.body.textContent).toContain("No beliefs yet");
  });
});

describe("export and import", () => {
  it("says when an export is too large for an import to read back", async () => {
    const b = await unlockedWith(row());
    b.exportBytes = 600 * 1000 * 1000;
    await clickOn("nav-transfer");
    input("#export-pass", "a long file passphrase");
    input("#export-repeat", "a long file passphrase");
    submit("[data-testid=export-form]");
    await settle();
    expect(document.querySelector("[data-testid=export-too-large]")?.textContent).toContain("512 MiB");
  });

  it("exports with a checked passphrase and previews an import before committing it", async () => {
    const b = await unlockedWith(row());
    await clickOn("nav-transfer");

    input("#export-pass", "tiny");
    input("#export-repeat", "tiny");
    submit("[data-testid=export-form]");
    await settle();
    expect(document.body.textContent).toContain("Use at least 10 characters.");
    expect(b.exported).toHaveLength(0);

    input("#export-pass", "a long file passphrase");
    input("#export-repeat", "a long file passphrase");
    submit("[data-testid=export-form]");
    await settle();
    expect(b.exported[0]).toMatchObject({ encryption: "passphrase", passphrase: "a long file passphrase", categories: [] });
    expect(document.querySelector("[data-testid=export-done]")?.textContent).toContain("Exported 1 belief");
    expect(document.querySelector("[data-testid=export-too-large]")).toBeNull();

    await clickOn("import-choose");
    input("#import-pass", "not the file pass");
    submit("form.inline");
    await settle();
    expect(document.body.textContent).toContain("Wrong passphrase");
    input("#import-pass", "file pass");
    submit("form.inline");
    await settle();
    expect(document.querySelector("[data-testid=import-preview]")?.textContent).toContain("2 new beliefs will be added");
    await clickOn("import-commit");
    expect(document.querySelector("[data-testid=import-done]")?.textContent).toContain("2 new beliefs added");
  });
});

describe("inbox", () => {
  it("shows a vendor's request with its code and approves it as narrowed", async () => {
    const b = new FakeBackend();
    b.requests = [
      grantRequest(
        { id: "req-1", vendor: { id: "org.example", name: "Example <i>Vendor</i>", url: null } },
        { purposes: ["communication", "personalisation"] },
      ),
    ];
    await startUnlocked(b);
    await clickOn("nav-inbox");
    const card = document.querySelector("[data-testid=grant-request]")!;
    expect(card.querySelector("[data-testid=web-origin]")).toBeNull();
    expect(card.querySelector("h3")!.textContent).toBe("Example <i>Vendor</i>");
    expect(card.querySelector("[data-testid=user-code]")!.textContent).toBe("ABCD-EFGH");

    // Untick one purpose: the approval narrows to what is left.
    const boxes = card.querySelectorAll<HTMLInputElement>("fieldset input[type=checkbox]");
    boxes[1]!.click();
    await settle();
    card.querySelector<HTMLButtonElement>("[data-testid=approve]")!.click();
    await settle();
    expect(b.approved).toEqual([
      {
        id: "req-1",
        narrowing: {
          purposes: ["communication"],
          categories: null,
          operations: null,
          duration_days: null,
          origins: null,
          no_special: false,
          fresh_only: false,
        },
      },
    ]);
  });

  it("lets the person ask for recently confirmed beliefs only, and keeps a vendor's own ask", async () => {
    const b = new FakeBackend();
    b.requests = [grantRequest({ id: "asked" }, { fresh_only: true }), grantRequest({ id: "free" })];
    await startUnlocked(b);
    await clickOn("nav-inbox");
    const [asked, free] = [...document.querySelectorAll("[data-testid=grant-request]")];
    const box = (card: Element) => card.querySelector<HTMLInputElement>("[data-testid=fresh-only]")!;
    expect(box(asked!).checked).toBe(true);
    expect(box(asked!).disabled).toBe(true);
    expect(box(free!).checked).toBe(false);
    box(free!).click();
    await settle();
    free!.querySelector<HTMLButtonElement>("[data-testid=approve]")!.click();
    await settle();
    expect(b.approved[0]!.narrowing.fresh_only).toBe(true);
  });

  it("says which web page asked, and lets the person strip its origins and special data", async () => {
    const b = new FakeBackend();
    b.requests = [
      grantRequest(
        {
          id: "req-2",
          vendor: { id: "com.example.writer", name: "Writer", url: "https://writer.example" },
          user_code: "WXYZ-ABCD",
          web_origin: "https://notes-helper.example",
        },
        { special: true, origins: ["https://notes-helper.example", "https://other.example"] },
      ),
    ];
    await startUnlocked(b);
    await clickOn("nav-inbox");
    const card = document.querySelector("[data-testid=grant-request]")!;
    expect(card.querySelector("[data-testid=web-origin]")!.textContent).toContain("https://notes-helper.example");
    const origin = [...card.querySelectorAll<HTMLLabelElement>("label")].find((l) =>
      l.textContent!.includes("https://other.example"),
    )!;
    origin.querySelector("input")!.click();
    const special = [...card.querySelectorAll<HTMLLabelElement>("label")].find((l) =>
      l.textContent!.includes("special-category"),
    )!;
    special.querySelector("input")!.click();
    await settle();
    card.querySelector<HTMLButtonElement>("[data-testid=approve]")!.click();
    await settle();
    expect(b.approved[0]!.narrowing).toEqual({
      purposes: null,
      categories: null,
      operations: null,
      duration_days: null,
      origins: ["https://notes-helper.example"],
      no_special: true,
      fresh_only: false,
    });
  });
});

describe("access log retention", () => {
  it("shows the current detail period, refuses one under a month, and saves a shorter one", async () => {
    const b = new FakeBackend();
    await startUnlocked(b);
    await clickOn("nav-settings");
    const days = () => document.querySelector<HTMLInputElement>("[data-testid=access-log-days]")!;
    expect(days().value).toBe("365");
    const save = () =>
      days().closest("form")!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));

    input("[data-testid=access-log-days]", "7");
    await settle();
    save();
    await settle();
    expect(document.body.textContent).toContain("Choose a whole number of days from 30 to 36500.");
    expect(b.calls).not.toContain("set_access_log_retention");

    input("[data-testid=access-log-days]", "90");
    await settle();
    save();
    await settle();
    expect(b.calls).toContain("set_access_log_retention");
    expect(b.accessLogDays).toBe(90);
    expect(document.querySelector("[data-testid=access-log-message]")?.textContent).toBe(
      "Saved: requests are kept in detail for 90 days. 3 older log entries were folded into daily counts.",
    );
  });
});

describe("danger zone", () => {
  it("destroys the vault only after the typed phrase, then offers a new one", async () => {
    const b = await unlockedWith(row({ statement: "Likes tea" }));
    await clickOn("nav-settings");
    const button = () => document.querySelector<HTMLButtonElement>("[data-testid=destroy-vault]")!;
    input("[data-testid=destroy-confirm]", "destroy the vault");
    await settle();
    expect(button().disabled).toBe(true);

    input("[data-testid=destroy-confirm]", "destroy this vault");
    await settle();
    expect(button().disabled).toBe(false);
    button().click();
    await settle();
    expect(b.calls).toContain("destroy_vault");
    expect(document.body.textContent).toContain("Create your vault");
  });
});

describe("reports", () => {
  it("shows the report for the last 30 days, its chart, and saves the packages", async () => {
    const b = await unlockedWith(row(), row({ sensitivity: "special", category: "health" }), row({ status: "pending" }));
    // Alt+8 opens Reports.
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "8", altKey: true }));
    await settle();
    expect(document.querySelector("#reports-title")?.textContent).toBe("Reports");
    expect(b.reportPeriods).toHaveLength(1);
    const [from, to] = b.reportPeriods[0]!.split("..");
    expect(Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)).toBe(29 * 86_400_000);

    expect(document.querySelector("[data-testid=report-total]")?.textContent).toBe("3");
    expect(document.querySelector("[data-testid=report-verdict]")?.textContent).toContain("The chain is intact: 42 events");
    // The chart: one segment per vendor and step with disclosures; vendor names are text.
    expect(document.querySelectorAll("[data-testid=report-bar]")).toHaveLength(4);
    const legend = document.querySelector("[data-testid=report-legend]")!;
    expect(legend.textContent).toContain("Shop <b>&</b> Co — 5");
    expect(legend.querySelector("b")).toBeNull();
    expect(document.querySelectorAll("[data-testid=report-vendor]")).toHaveLength(2);

    // A period that ends before it starts is refused before asking the core.
    input("[data-testid=report-from]", "2026-03-10");
    input("[data-testid=report-to]", "2026-03-01");
    await settle();
    expect(document.body.textContent).toContain("The period must end on or after the day it starts.");
    expect(document.querySelector<HTMLButtonElement>("[data-testid=report-show]")!.disabled).toBe(true);
    input("[data-testid=report-to]", "2026-03-31");
    submit("[data-testid=report-period]");
    await settle();
    expect(b.reportPeriods.at(-1)).toBe("2026-03-10..2026-03-31");

    // Saving: the chosen format; the saved path is shown; a cancelled dialog says so.
    const select = document.querySelector<HTMLSelectElement>("[data-testid=save-format]")!;
    select.value = "json";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await clickOn("save-access");
    expect(b.saved).toEqual(["access:json"]);
    expect(document.querySelector("[data-testid=saved]")?.textContent).toContain("/tmp/selfmodel-access.json");
    await clickOn("save-right-to-know");
    expect(document.querySelector("[data-testid=saved]")?.textContent).toContain("right-to-know disclosure (CCPA)");
    b.cancelSave = true;
    await clickOn("save-report");
    expect(b.saved).toEqual(["access:json", "right-to-know:json"]);
    expect(document.body.textContent).toContain("Cancelled: nothing was saved.");
  });

  it("says so when nothing was disclosed in the period", async () => {
    const b = new FakeBackend();
    b.disclosures = [];
    await startUnlocked(b);
    await clickOn("nav-reports");
    expect(document.querySelector("[data-testid=report-chart-empty]")?.textContent).toContain("No beliefs were disclosed");
    expect(document.querySelector("[data-testid=report-chart]")).toBeNull();
  });
});

describe("the audit log", () => {
  it("shows the newest page first, fetches older pages as the list nears its end, and filters in the core", async () => {
    const b = new FakeBackend();
    b.unlocked = true;
    b.auditPage = 50;
    b.audit = Array.from({ length: 120 }, (_, i) => ({
      seq: i + 1,
      at: "2026-12-01T10:00:00.000000Z",
      action: i % 10 === 0 ? "belief.deleted" : "belief.created",
      subject: null,
      detail: null,
      hash: "ab".repeat(32),
    }));
    await start(b);
    document.querySelector<HTMLButtonElement>("[data-testid=nav-audit]")!.click();
    await settle();
    const shown = () => [...document.querySelectorAll("[data-testid=audit-row] .num")].map((e) => Number(e.textContent));
    const pages = () => b.calls.filter((c) => c === "audit_log").length;
    const loaded = () => Number(document.querySelector("[role=table]")!.getAttribute("aria-rowcount"));
    expect(shown()[0]).toBe(120);
    expect([pages(), loaded()]).toEqual([1, 50]);

    // Scrolled near the end of the first page: the next older page is fetched once.
    const viewport = document.querySelector<HTMLDivElement>(".viewport")!;
    viewport.scrollTop = 40 * 36;
    viewport.dispatchEvent(new Event("scroll"));
    await settle();
    expect([pages(), loaded()]).toEqual([2, 100]);
    expect(shown()).toContain(71);
    viewport.scrollTop = 90 * 36;
    viewport.dispatchEvent(new Event("scroll"));
    await settle();
    // The third page holds the last 20 and says none follow: the paging ends there.
    viewport.scrollTop = 110 * 36;
    viewport.dispatchEvent(new Event("scroll"));
    await settle();
    expect(shown()).toContain(1);
    expect(loaded()).toBe(120);
    const afterAll = pages();
    expect(afterAll).toBe(3);
    viewport.dispatchEvent(new Event("scroll"));
    await settle();
    expect(pages()).toBe(afterAll);

    // A filter asks the core for that action's events, newest first.
    const select = document.querySelector<HTMLSelectElement>("[data-testid=audit-filter]")!;
    select.value = "belief.deleted";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    viewport.scrollTop = 0;
    viewport.dispatchEvent(new Event("scroll"));
    await settle();
    expect(shown().slice(0, 3)).toEqual([111, 101, 91]);
    expect(shown()).toHaveLength(12);
    expect(loaded()).toBe(12);
  });
});

describe("activity", () => {
  it("pages the timeline newest first, filters in the core, and says who received what over the whole log", async () => {
    const b = new FakeBackend();
    b.unlocked = true;
    b.accessPage = 20;
    const kept = row({ statement: "Likes chess" });
    b.rows = [kept];
    b.accessEntries = Array.from({ length: 45 }, (_, i) => ({
      seq: i + 1,
      at: "2026-12-01T10:00:00.000000Z",
      grant_id: "g1",
      vendor_id: "com.example.shop",
      purpose: "recommendations",
      operation: "beliefs.read",
      allowed: i % 5 !== 0,
      denied_because: i % 5 === 0 ? "purpose_not_granted" : null,
      disclosed: i % 5 === 0 ? [] : [i % 2 === 0 ? kept.id : "0190e0a0-0000-7000-8000-000000000001"],
      requests: 1,
    }));
    await start(b);
    document.querySelector<HTMLButtonElement>("[data-testid=nav-activity]")!.click();
    await settle();
    const items = () => document.querySelectorAll("[data-testid=activity] li");
    const older = () => document.querySelector<HTMLButtonElement>("[data-testid=activity-older]");
    expect(items()).toHaveLength(20);
    expect(items()[0]?.textContent).toContain("1 belief disclosed");

    older()!.click();
    await settle();
    expect(items()).toHaveLength(40);
    older()!.click();
    await settle();
    expect(items()).toHaveLength(45);
    expect(older()).toBeNull();

    // Refusals only: asked of the core, from the newest again.
    const denied = document.querySelector<HTMLInputElement>("[data-testid=activity-denied]")!;
    denied.checked = true;
    denied.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect(items()).toHaveLength(9);
    expect([...items()].every((li) => li.textContent!.includes("refused: purpose_not_granted"))).toBe(true);

    // Who knows what: both beliefs, one of them since erased.
    const knows = document.querySelector("[data-testid=knows]")!;
    expect(knows.textContent).toContain("received 2 beliefs");
    expect(knows.textContent).toContain("Likes chess");
    expect(knows.textContent).toContain("(since deleted)");
  });
});
