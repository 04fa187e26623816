// Selecting many rows of a list with the mouse and the keyboard, as the Inbox and Review screens
// do: the selection is a Set of ids, replaced (never mutated) on each change, and the keys are
// read the same way everywhere.

/** `set` with `id` added, or removed if it was there: a new Set. */
export function toggled(set: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** `set` keeping only the ids in `keep` (the rows still shown); the same Set if none went. */
export function kept(set: Set<string>, keep: ReadonlySet<string>): Set<string> {
  return [...set].some((id) => !keep.has(id)) ? new Set([...set].filter((id) => keep.has(id))) : set;
}

/** The selected ids in the order of `ids`. */
export function inOrder(ids: readonly string[], selected: ReadonlySet<string>): string[] {
  return ids.filter((id) => selected.has(id));
}

/** A step through a list: by some rows, or to its first or last. */
export type Step = number | "first" | "last";

/** The index a `step` from `at` (-1: no row has focus) lands on in a list of `length` rows. */
export function stepTo(length: number, at: number, step: Step): number {
  if (step === "first") return 0;
  if (step === "last") return length - 1;
  if (at < 0) return 0;
  return Math.max(0, Math.min(length - 1, at + step));
}

/** The id a `step` from the `focused` row lands on in `ids` (from the top if none has focus). */
export function stepFrom(ids: readonly string[], focused: string | null, step: Step): string | undefined {
  if (ids.length === 0) return undefined;
  return ids[stepTo(ids.length, focused === null ? -1 : ids.indexOf(focused), step)];
}

/** The rows an action applies to: the selected ones in list order, or else `row` (the focused one) if listed. */
export function targetsOf(ids: readonly string[], selected: ReadonlySet<string>, row: string | null): string[] {
  if (selected.size > 0) return inOrder(ids, selected);
  return row !== null && ids.includes(row) ? [row] : [];
}

const NOT_TEXT = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"]);

/** Whether keys pressed on `t` are typing (a text field, a select): shortcuts stay away then. */
export function isTyping(t: HTMLElement): boolean {
  if (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
  return t.tagName === "INPUT" && !NOT_TEXT.has((t as HTMLInputElement).type);
}

/** What a key means to a selectable list, or `null` if it means nothing to it. */
export type ListKey = { move: Step } | "toggle" | "all" | "escape";

/**
 * The list keys: ↑/↓ (k/j) move, Home/End, Space toggles the focused row, Ctrl/⌘+A selects
 * all, Escape. Other keys (a screen's own, like the Inbox's a and r) are `null`.
 */
export function listKey(e: KeyboardEvent): ListKey | null {
  if (e.ctrlKey || e.metaKey) return e.key.toLowerCase() === "a" ? "all" : null;
  switch (e.key) {
    case "ArrowDown":
    case "j":
      return { move: 1 };
    case "ArrowUp":
    case "k":
      return { move: -1 };
    case "Home":
      return { move: "first" };
    case "End":
      return { move: "last" };
    case " ":
      return "toggle";
    case "Escape":
      return "escape";
    default:
      return null;
  }
}
