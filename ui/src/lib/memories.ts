// Importing memories saved by other assistants: the sources as the person knows them, and what
// a preview holds, grouped for display.

import type { MemoryImport, MemoryItem, MemorySourceName } from "./backend";

/** Each source as the person knows it, in the order offered. */
export const SOURCE_LABELS: Record<MemorySourceName, string> = {
  chatgpt: "ChatGPT",
  claude: "Claude",
  gemini: "Gemini",
  mem0: "mem0 (JSON export)",
  "me-md": "me.md (folder)",
  text: "Other list",
};

/** The longest paste the app's IPC accepts (4 Mi characters). */
export const MAX_PASTE_CHARS = 4 * 1024 * 1024;

/** At most this many proposed (or refused) memories are listed; the rest are counted. */
export const SHOWN = 200;

/** A preview's items by fate, each list in input order. */
export interface Grouped {
  proposed: MemoryItem[];
  refused: MemoryItem[];
  duplicates: MemoryItem[];
  erased: MemoryItem[];
}

export function grouped(preview: MemoryImport): Grouped {
  const g: Grouped = { proposed: [], refused: [], duplicates: [], erased: [] };
  for (const item of preview.items) {
    if (item.fate === "proposed") g.proposed.push(item);
    else if (item.fate === "refused") g.refused.push(item);
    else if (item.fate === "duplicate") g.duplicates.push(item);
    else g.erased.push(item);
  }
  return g;
}

/** Where a memory was: its line, and its file within a me.md folder. */
export function place(item: MemoryItem): string {
  return item.file === null ? `Line ${item.line}` : `${item.file}, line ${item.line}`;
}

/** The places of some memories, as one short phrase (the first `max`, then how many more). */
export function places(items: readonly MemoryItem[], max = 50): string {
  const shown = items.slice(0, max).map((i) => (i.file === null ? String(i.line) : `${i.file}:${i.line}`));
  const more = items.length - shown.length;
  return `Line${items.length === 1 ? "" : "s"} ${shown.join(", ")}${more > 0 ? ` and ${more.toLocaleString()} more` : ""}`;
}
