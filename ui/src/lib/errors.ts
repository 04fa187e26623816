// Plain-words messages for the core's stable error codes. Unknown codes show the core's message.

import { BackendError, type ErrorCode } from "./backend";

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  wrong_passphrase: "Wrong passphrase. Check it and try again.",
  vault_locked: "The vault is locked. Unlock it to continue.",
  no_vault: "There is no vault at this location yet.",
  already_exists: "A vault already exists here; unlock it instead.",
  busy: "The vault is busy (another Selfmodel program is writing). Try again in a moment.",
  corrupted: "The vault file is damaged and cannot be opened safely.",
  too_new: "This vault was written by a newer Selfmodel. Update the app to open it.",
  not_a_vault: "This file is not a Selfmodel vault.",
  cancelled: "Cancelled: nothing was changed.",
};

/** The message to show for an error thrown by the backend. */
export function describe(e: unknown): string {
  const err = BackendError.from(e);
  const known = MESSAGES[err.code];
  if (known !== undefined) return known;
  const m = err.message.trim();
  return m === "" ? "Something went wrong." : m.charAt(0).toUpperCase() + m.slice(1);
}
