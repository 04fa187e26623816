// Tells the core the person is active (auto-lock counts idle time in the core), at most once per
// `intervalMs`, however many keys and clicks happen.

export function throttle(fn: () => void, intervalMs: number, now: () => number = Date.now): () => void {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last >= intervalMs) {
      last = t;
      fn();
    }
  };
}

const EVENTS = ["keydown", "pointerdown", "wheel", "pointermove"] as const;

/** Calls `touch` on activity in `target`; returns a function that stops listening. */
export function watchActivity(target: EventTarget, touch: () => void, intervalMs = 30_000): () => void {
  const handler = throttle(touch, intervalMs);
  for (const e of EVENTS) target.addEventListener(e, handler, { passive: true });
  return () => {
    for (const e of EVENTS) target.removeEventListener(e, handler);
  };
}
