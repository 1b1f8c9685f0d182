// What specs of the loader's own behaviour share: the demo's strict CSP for pages they serve,
// the wasm's URL, and ways to hold back the idle prefetch or the wasm itself.
import type { Page, Route } from '@playwright/test';

/** The strict Content-Security-Policy the demo runs under, for pages a spec serves itself. */
export const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The widget's fingerprinted wasm. */
export const WASM = /\/dist\/[^/]+\.wasm$/;

/** An init script that makes `requestIdleCallback` never run the loader's idle prefetch
 * (Chromium has it, so the loader takes no fallback). */
export const NO_IDLE = 'window.requestIdleCallback = function () { return 0; };';

/** Holds every wasm request until `release()` is called. */
export async function gateWasm(page: Page): Promise<{ requested: () => boolean; release: () => void }> {
  let requested = false;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route(WASM, async (route: Route) => {
    requested = true;
    await gate;
    await route.continue();
  });
  return { requested: () => requested, release };
}
