// Display helpers.

export function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

/** A date and time in the person's locale, from an RFC 3339 string. */
export function dateTime(iso: string | null): string {
  if (iso === null) return "never";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function date(iso: string | null): string {
  if (iso === null) return "never";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(undefined, { dateStyle: "medium" });
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** A short form of a long id or hash. */
export function short(s: string, n = 8): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}
