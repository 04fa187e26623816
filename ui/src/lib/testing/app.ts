// The whole app in jsdom, for tests: what jsdom lacks, mounting on a fake backend, unmounting
// after each test, and letting every pending promise and effect run (no clock involved).
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeAll } from "vitest";
import App from "../../App.svelte";
import type { FakeBackend } from "./fake";

let app: ReturnType<typeof mount> | undefined;

/** Registers, for the calling test file, jsdom's missing pieces and the unmount after each test. */
export function useApp() {
  beforeAll(() => {
    // jsdom lacks these; the app only needs them to exist.
    globalThis.ResizeObserver ??= class {
      observe() {}
      unobserve() {}
      disconnect() {}
    } as unknown as typeof ResizeObserver;
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
      this.open = false;
    };
  });
  afterEach(() => {
    if (app) unmount(app);
    app = undefined;
    document.body.replaceChildren();
  });
}

/** Mounts the app on `backend` (replacing any mounted one) and lets it settle. */
export function mountApp(backend: FakeBackend) {
  if (app) unmount(app);
  app = mount(App, { target: document.body, props: { backend } });
  return settle();
}

/** Lets every pending promise and effect run. */
export async function settle() {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
  }
}
