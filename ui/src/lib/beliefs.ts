// Filtering, sorting and grouping of the belief list. Pure functions over the rows the core
// returns, so the list stays responsive with tens of thousands of beliefs and is tested in
// isolation (beliefs.test.ts).

import type { BeliefRow, BeliefType, Sensitivity, Status } from "./bindings/ipc";

export type SortKey = "updated" | "created" | "confidence" | "statement" | "expires";
export type Direction = "asc" | "desc";

/** What the person asked the list to show. `null` matches everything. */
export interface BeliefQuery {
  search: string;
  category: string | null;
  purpose: string | null;
  /** Only beliefs at or above this confidence, in [0, 1]. */
  minConfidence: number;
  status: Status | null;
  sensitivity: Sensitivity | null;
  sort: SortKey;
  direction: Direction;
}

export const SORT_LABELS: Record<SortKey, string> = {
  updated: "Last changed",
  created: "Created",
  confidence: "Confidence",
  statement: "Statement (A–Z)",
  expires: "Expires",
};

export function defaultQuery(): BeliefQuery {
  return {
    search: "",
    category: null,
    purpose: null,
    minConfidence: 0,
    status: null,
    sensitivity: null,
    sort: "updated",
    direction: "desc",
  };
}

/** Whether any filter (not the sort) is set. */
export function isFiltered(q: BeliefQuery): boolean {
  return (
    q.search.trim() !== "" ||
    q.category !== null ||
    q.purpose !== null ||
    q.minConfidence > 0 ||
    q.status !== null ||
    q.sensitivity !== null
  );
}

/** Folds case and accents so "cafe" finds "Café". */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

const folded = new WeakMap<BeliefRow, string>();
function searchable(row: BeliefRow): string {
  let s = folded.get(row);
  if (s === undefined) {
    s = fold(row.statement);
    folded.set(row, s);
  }
  return s;
}

/** The rows that match the query's filters; every search word must appear in the statement. */
export function filterBeliefs(rows: readonly BeliefRow[], q: BeliefQuery): BeliefRow[] {
  const words = fold(q.search).split(/\s+/).filter((w) => w !== "");
  return rows.filter(
    (r) =>
      (q.category === null || r.category === q.category) &&
      (q.purpose === null || r.purposes.includes(q.purpose)) &&
      r.confidence >= q.minConfidence &&
      (q.status === null || r.status === q.status) &&
      (q.sensitivity === null || r.sensitivity === q.sensitivity) &&
      (words.length === 0 || words.every((w) => searchable(r).includes(w))),
  );
}

function compare(a: BeliefRow, b: BeliefRow, key: SortKey): number {
  switch (key) {
    case "updated":
      return a.updated_at.localeCompare(b.updated_at);
    case "created":
      return a.created_at.localeCompare(b.created_at);
    case "confidence":
      return a.confidence - b.confidence;
    case "statement":
      return a.statement.localeCompare(b.statement, undefined, { sensitivity: "base" });
    case "expires":
      // Beliefs that never expire go last when ascending.
      if (a.expires_at === b.expires_at) return 0;
      if (a.expires_at === null) return 1;
      if (b.expires_at === null) return -1;
      return a.expires_at.localeCompare(b.expires_at);
  }
}

/** A sorted copy; ties keep creation order (ids are UUIDv7, so they sort by creation). */
export function sortBeliefs(rows: readonly BeliefRow[], key: SortKey, dir: Direction): BeliefRow[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => sign * compare(a, b, key) || a.id.localeCompare(b.id));
}

export interface Group {
  /** The belief type's id (a belief's category). */
  id: string;
  name: string;
  rows: BeliefRow[];
}

/** Groups rows by type, in the catalogue's order; unknown types follow, by id. Empty groups are left out. */
export function groupByType(rows: readonly BeliefRow[], types: readonly BeliefType[]): Group[] {
  const byId = new Map<string, Group>();
  for (const t of types) byId.set(t.id, { id: t.id, name: t.name, rows: [] });
  const extra: Group[] = [];
  for (const r of rows) {
    let g = byId.get(r.category);
    if (g === undefined) {
      g = { id: r.category, name: r.category, rows: [] };
      byId.set(r.category, g);
      extra.push(g);
    }
    g.rows.push(r);
  }
  extra.sort((a, b) => a.id.localeCompare(b.id));
  return [...types.map((t) => byId.get(t.id)!), ...extra].filter((g) => g.rows.length > 0);
}

export type ListItem =
  | { kind: "header"; group: Group; collapsed: boolean }
  | { kind: "row"; row: BeliefRow; group: Group };

/** A stable key for a list item: the belief's id, or `group:<type id>` for a header. */
export function itemKey(it: ListItem): string {
  return it.kind === "header" ? `group:${it.group.id}` : it.row.id;
}

/** The groups as one flat list of headers and rows, for a virtualised list. */
export function flatten(groups: readonly Group[], collapsed: ReadonlySet<string>): ListItem[] {
  const items: ListItem[] = [];
  for (const group of groups) {
    const isCollapsed = collapsed.has(group.id);
    items.push({ kind: "header", group, collapsed: isCollapsed });
    if (!isCollapsed) for (const row of group.rows) items.push({ kind: "row", row, group });
  }
  return items;
}

/** Filter, sort and group in one go: what the list shows. */
export function view(
  rows: readonly BeliefRow[],
  types: readonly BeliefType[],
  q: BeliefQuery,
  collapsed: ReadonlySet<string>,
): { items: ListItem[]; matched: number } {
  const filtered = filterBeliefs(rows, q);
  const sorted = sortBeliefs(filtered, q.sort, q.direction);
  return { items: flatten(groupByType(sorted, types), collapsed), matched: filtered.length };
}

/** The window of a fixed-height list to render: indices [start, end). */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  itemHeight: number,
  count: number,
  overscan = 8,
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / itemHeight);
  const shown = Math.ceil(Math.max(0, viewport) / itemHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + shown + overscan);
  return { start, end: Math.max(start, end) };
}
