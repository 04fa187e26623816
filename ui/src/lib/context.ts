// The backend is handed to components through Svelte context, so tests can give them a fake.

import { getContext, setContext } from "svelte";
import type { Backend } from "./backend";

const KEY = Symbol("backend");

export function provideBackend(backend: Backend): void {
  setContext(KEY, backend);
}

export function useBackend(): Backend {
  const b = getContext<Backend | undefined>(KEY);
  if (b === undefined) throw new Error("no backend in context");
  return b;
}
