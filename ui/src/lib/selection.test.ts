import { describe, expect, it } from "vitest";
import { inOrder, kept, listKey, stepFrom, stepTo, targetsOf, toggled } from "./selection";
import { grouped, places } from "./memories";
import type { MemoryImport } from "./backend";

const key = (k: string, mods: KeyboardEventInit = {}) => ({ key: k, ctrlKey: false, metaKey: false, ...mods }) as KeyboardEvent;

describe("selection", () => {
  it("toggles into a new set and keeps only what is still shown", () => {
    const a = new Set(["x"]);
    const b = toggled(a, "y");
    expect([...b]).toEqual(["x", "y"]);
    expect([...a]).toEqual(["x"]);
    expect([...toggled(b, "x")]).toEqual(["y"]);
    expect(kept(b, new Set(["x", "y", "z"]))).toBe(b);
    expect([...kept(b, new Set(["y"]))]).toEqual(["y"]);
    expect(inOrder(["c", "y", "x"], b)).toEqual(["y", "x"]);
  });

  it("steps within the list", () => {
    expect(stepTo(3, -1, 1)).toBe(0);
    expect(stepTo(3, 2, 1)).toBe(2);
    expect(stepTo(3, 0, -1)).toBe(0);
    expect(stepTo(3, 1, "last")).toBe(2);
    expect(stepTo(3, 1, "first")).toBe(0);
    expect(stepFrom(["a", "b", "c"], null, 1)).toBe("a");
    expect(stepFrom(["a", "b", "c"], "b", 1)).toBe("c");
    expect(stepFrom(["a", "b", "c"], "gone", "last")).toBe("c");
    expect(stepFrom([], null, 1)).toBeUndefined();
  });

  it("acts on the selection in list order, or else on the focused row", () => {
    expect(targetsOf(["a", "b", "c"], new Set(["c", "a"]), "b")).toEqual(["a", "c"]);
    expect(targetsOf(["a", "b", "c"], new Set(), "b")).toEqual(["b"]);
    expect(targetsOf(["a", "b", "c"], new Set(), "gone")).toEqual([]);
    expect(targetsOf(["a", "b", "c"], new Set(), null)).toEqual([]);
  });

  it("reads the list keys and leaves the others", () => {
    expect(listKey(key("ArrowDown"))).toEqual({ move: 1 });
    expect(listKey(key("k"))).toEqual({ move: -1 });
    expect(listKey(key("End"))).toEqual({ move: "last" });
    expect(listKey(key(" "))).toBe("toggle");
    expect(listKey(key("A", { metaKey: true }))).toBe("all");
    expect(listKey(key("c", { ctrlKey: true }))).toBeNull();
    expect(listKey(key("Escape"))).toBe("escape");
    expect(listKey(key("a"))).toBeNull();
  });
});

describe("memory previews", () => {
  it("groups items by fate and names their places", () => {
    const item = (line: number, fate: "proposed" | "duplicate" | "previously_erased" | "refused", file: string | null = null) => ({
      line,
      file,
      fate,
      statement: null,
      category: null,
      purposes: [],
      reason: null,
    });
    const preview: MemoryImport = {
      dry_run: true,
      changed: false,
      source: "me.md directory",
      items: [item(1, "proposed"), item(2, "duplicate"), item(3, "previously_erased", "me.md"), item(4, "duplicate")],
      proposed: 1,
      duplicates: 2,
      previously_erased: 1,
      refused: 0,
    };
    const g = grouped(preview);
    expect([g.proposed.length, g.duplicates.length, g.erased.length, g.refused.length]).toEqual([1, 2, 1, 0]);
    expect(places(g.duplicates)).toBe("Lines 2, 4");
    expect(places(g.erased)).toBe("Line me.md:3");
    expect(places(g.duplicates, 1)).toBe("Lines 2 and 1 more");
  });
});
