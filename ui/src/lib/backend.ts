// The one seam between the UI and the Rust core. Components talk to a `Backend`; the app uses
// `tauriBackend()` (IPC through `invoke`), tests use a fake. Every wire type comes from
// `bindings/ipc.ts`, generated from the Rust DTOs, and every command from `bindings/commands.ts`,
// generated from the Rust commands.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { commands, type Commands } from "./bindings/commands";
import type { ErrorCode, IpcError } from "./bindings/ipc";

export * from "./bindings/ipc";

/** Where memories come from, as `selfmodel import-memories --from` names them. */
export const MEMORY_SOURCES = ["chatgpt", "claude", "gemini", "mem0", "me-md", "text"] as const;
export type MemorySourceName = (typeof MEMORY_SOURCES)[number];

/** Everything the UI can ask of the core: its commands (generated from the Rust ones) and its events. */
export interface Backend extends Commands {
  /** Calls `handler` when the core locks the vault by itself; returns a function to stop. */
  onLocked(handler: () => void): Promise<() => void>;
  /** Calls `handler` when the core opened or changed the vault by itself (the demo at start). */
  onStatus(handler: () => void): Promise<() => void>;
  /** Calls `handler` with how many items wait in the inbox, when that changes. */
  onInbox(handler: (waiting: number) => void): Promise<() => void>;
  /** Calls `handler` with what the check of every page, started at unlock, found wrong with the vault file. */
  onDamaged(handler: (why: string) => void): Promise<() => void>;
}

/** An error from the core, with its stable code. */
export class BackendError extends Error implements IpcError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = "BackendError";
  }

  /** Whatever `invoke` rejected with, as a BackendError. */
  static from(e: unknown): BackendError {
    if (e instanceof BackendError) return e;
    if (e !== null && typeof e === "object" && "code" in e && "message" in e) {
      // The core sends only the codes of its one list (`ErrorCode`).
      return new BackendError(String(e.code) as ErrorCode, String(e.message));
    }
    return new BackendError("internal", e instanceof Error ? e.message : String(e));
  }
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw BackendError.from(e);
  }
}

/** The real backend: Tauri IPC. */
export function tauriBackend(): Backend {
  return {
    ...commands(call),
    onLocked: (handler) => listen("vault-locked", () => handler()),
    onStatus: (handler) => listen("vault-status", () => handler()),
    onInbox: (handler) => listen<number>("inbox-count", (e) => handler(e.payload)),
    onDamaged: (handler) => listen<string>("vault-damaged", (e) => handler(e.payload)),
  };
}
