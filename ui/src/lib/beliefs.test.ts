import { describe, expect, it } from "vitest";
import {
  defaultQuery,
  filterBeliefs,
  flatten,
  fold,
  groupByType,
  isFiltered,
  itemKey,
  sortBeliefs,
  view,
  visibleRange,
} from "./beliefs";
import { CATALOGUE, row } from "./testing/fake";

const rows = [
  row({ statement: "Prefers concise answers", confidence: 0.9, updated_at: "2026-03-01T00:00:00.000Z" }),
  row({ statement: "Writes in British English", confidence: 0.6, purposes: ["personalisation"] }),
  row({
    statement: "Has a café habit",
    category: "health",
    confidence: 0.8,
    sensitivity: "special",
    status: "pending",
    expires_at: "2027-01-01T00:00:00.000Z",
  }),
  row({ statement: "Uses a screen reader", category: "accessibility", confidence: 0.3 }),
];

describe("filtering", () => {
  it("matches every search word, ignoring case and accents", () => {
    expect(filterBeliefs(rows, { ...defaultQuery(), search: "CAFE" }).map((r) => r.statement)).toEqual([
      "Has a café habit",
    ]);
    expect(filterBeliefs(rows, { ...defaultQuery(), search: "english british" })).toHaveLength(1);
    expect(filterBeliefs(rows, { ...defaultQuery(), search: "english french" })).toHaveLength(0);
    expect(filterBeliefs(rows, { ...defaultQuery(), search: "   " })).toHaveLength(4);
  });

  it("filters by type, purpose, confidence, status and sensitivity", () => {
    const q = defaultQuery();
    expect(filterBeliefs(rows, { ...q, category: "health" })).toHaveLength(1);
    expect(filterBeliefs(rows, { ...q, purpose: "personalisation" })).toHaveLength(1);
    expect(filterBeliefs(rows, { ...q, minConfidence: 0.8 }).map((r) => r.confidence)).toEqual([0.9, 0.8]);
    expect(filterBeliefs(rows, { ...q, status: "pending" })).toHaveLength(1);
    expect(filterBeliefs(rows, { ...q, sensitivity: "special" })).toHaveLength(1);
    expect(filterBeliefs(rows, { ...q, sensitivity: "normal", minConfidence: 0.5 })).toHaveLength(2);
  });

  it("knows when a filter is set", () => {
    expect(isFiltered(defaultQuery())).toBe(false);
    expect(isFiltered({ ...defaultQuery(), sort: "confidence" })).toBe(false);
    expect(isFiltered({ ...defaultQuery(), minConfidence: 0.5 })).toBe(true);
  });

  it("folds accents", () => {
    expect(fold("Ünïcödé")).toBe("unicode");
  });
});

describe("sorting", () => {
  it("sorts by confidence both ways", () => {
    expect(sortBeliefs(rows, "confidence", "asc").map((r) => r.confidence)).toEqual([0.3, 0.6, 0.8, 0.9]);
    expect(sortBeliefs(rows, "confidence", "desc").map((r) => r.confidence)).toEqual([0.9, 0.8, 0.6, 0.3]);
  });

  it("sorts statements alphabetically, ignoring case", () => {
    const s = sortBeliefs([row({ statement: "b" }), row({ statement: "A" }), row({ statement: "c" })], "statement", "asc");
    expect(s.map((r) => r.statement)).toEqual(["A", "b", "c"]);
  });

  it("puts beliefs that never expire last", () => {
    expect(sortBeliefs(rows, "expires", "asc")[0]!.statement).toBe("Has a café habit");
  });

  it("breaks ties by creation order and does not mutate its input", () => {
    const copy = [...rows];
    const s = sortBeliefs(rows, "created", "desc");
    expect(s[0]).toBe(rows[3]);
    expect(rows).toEqual(copy);
    const same = [row({ confidence: 0.5 }), row({ confidence: 0.5 })];
    expect(sortBeliefs([same[1]!, same[0]!], "confidence", "asc")).toEqual(same);
  });
});

describe("grouping", () => {
  it("groups in catalogue order, unknown types after, empty groups left out", () => {
    const groups = groupByType(rows, CATALOGUE.types);
    expect(groups.map((g) => [g.id, g.rows.length])).toEqual([
      ["communication-style", 2],
      ["health", 1],
      ["accessibility", 1],
    ]);
    expect(groups[0]!.name).toBe("Communication style");
    expect(groups[2]!.name).toBe("accessibility");
  });

  it("flattens headers and rows, hiding folded groups", () => {
    const groups = groupByType(rows, CATALOGUE.types);
    const items = flatten(groups, new Set(["health"]));
    expect(items.map((i) => i.kind)).toEqual(["header", "row", "row", "header", "header", "row"]);
    expect(items[3]).toMatchObject({ kind: "header", collapsed: true });
    expect(itemKey(items[0]!)).toBe("group:communication-style");
    expect(itemKey(items[1]!)).toBe(items[1]!.kind === "row" ? items[1]!.row.id : "");
  });

  it("filters, sorts and groups ten thousand beliefs in one pass", () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      row({ statement: `Belief ${i} about ${i % 7 === 0 ? "music" : "work"}`, confidence: (i % 100) / 100 }),
    );
    const v = view(many, CATALOGUE.types, { ...defaultQuery(), search: "music", minConfidence: 0.5 }, new Set());
    expect(v.matched).toBe(many.filter((r, i) => i % 7 === 0 && r.confidence >= 0.5).length);
    expect(v.items[0]!.kind).toBe("header");
    expect(v.items).toHaveLength(v.matched + 1);
  });
});

describe("virtual window", () => {
  it("renders only what is in view, plus a margin", () => {
    expect(visibleRange(0, 440, 44, 10_000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(44_000, 440, 44, 10_000, 5)).toEqual({ start: 995, end: 1016 });
    expect(visibleRange(10_000 * 44, 440, 44, 10_000, 5)).toEqual({ start: 9995, end: 10_000 });
    expect(visibleRange(0, 440, 44, 0)).toEqual({ start: 0, end: 0 });
  });
});
