// A form's or a button's work against the core: while it runs it is `busy` (what started it is
// disabled); if it fails, `error` says why in plain words. Both are reactive state.

import { describe } from "./errors";

export class Task {
  busy = $state(false);
  /** What went wrong; a component may also set it, for a check of its own. */
  error = $state("");

  /** Clears the error and runs `work` while busy; whether it succeeded. */
  async run(work: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.error = "";
    try {
      await work();
      return true;
    } catch (e) {
      this.error = describe(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
