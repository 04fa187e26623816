// Where the keyboard is in a list of selectable rows (the Inbox's proposals, Review's due
// beliefs): the row that last had focus, moving it, and who takes it when rows are gone.

import { tick } from "svelte";
import { stepFrom, type Step } from "./selection";

export class RowFocus {
  /** The id of the row that last had focus. */
  focused = $state<string | null>(null);
  readonly #ids: () => readonly string[];
  readonly #prefix: string;
  /** Each row's index in the list. */
  readonly position = $derived(new Map(this.ids.map((id, i) => [id, i])));

  /** `ids`: the rows' ids in list order, as they are now; `prefix`: the start of their DOM ids. */
  constructor(ids: () => readonly string[], prefix: string) {
    this.#ids = ids;
    this.#prefix = prefix;
  }

  get ids(): readonly string[] {
    return this.#ids();
  }

  /** The DOM id of the row `id`. */
  domId = (id: string): string => `${this.#prefix}${id}`;

  /** Focuses the row `id`, if there is one. */
  focus(id: string | undefined): void {
    if (id === undefined) return;
    this.focused = id;
    document.getElementById(this.domId(id))?.focus();
  }

  /** Moves focus a `step` through the rows (from the top if none has it). */
  move(step: Step): void {
    this.focus(stepFrom(this.ids, this.focused, step));
  }

  /** The index of the first of these rows in the list (0 if none is listed). */
  firstIndex(ids: readonly string[]): number {
    return Math.min(...ids.map((id) => this.position.get(id) ?? 0));
  }

  /**
   * After the rows `gone` were acted on, once the list is drawn again: if focus went with them, it
   * goes to the first row left at or after index `from` (or else the last), or to `fallback`.
   */
  async refocus(gone: ReadonlySet<string>, from: number, fallback: () => void): Promise<void> {
    await tick();
    const active = document.activeElement;
    if (active !== null && active !== document.body && active.isConnected) return;
    const next = this.ids.slice(Math.max(0, from)).find((id) => !gone.has(id)) ?? this.ids.at(-1);
    if (next !== undefined) this.focus(next);
    else fallback();
  }
}
