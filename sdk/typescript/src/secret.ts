/**
 * Secrets a vendor holds: the grant's bearer token and a grant request's poll secret. Their text
 * is reachable only through `expose()`: it never appears in `JSON.stringify`, `String()`, string
 * templates or Node's `util.inspect` / `console.log`.
 */

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

abstract class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret's text, to store it or send it. Never log it. */
  expose(): string {
    return this.#value;
  }

  /** What is shown instead of the secret. */
  protected abstract shown(): string;

  toJSON(): string {
    return this.shown();
  }

  toString(): string {
    return this.shown();
  }

  [inspectSymbol](): string {
    return this.shown();
  }
}

/** A grant's bearer token (`smt_…`). Store it like a password; the server hands it over only once. */
export class Token extends Secret {
  /** The public id part of the token (safe to log), if it has the usual shape. */
  get publicId(): string | undefined {
    return this.expose().split("_")[1];
  }

  protected shown(): string {
    return `Token(${this.publicId ?? "?"}, redacted)`;
  }
}

/** The secret a grant request is polled with (`smp_…`). */
export class PollSecret extends Secret {
  protected shown(): string {
    return "PollSecret(redacted)";
  }
}
