// Smoke test of the whole chain: the receiver serves the demo page under its CSP, the one pasted
// script tag draws the launcher in an open shadow root, the bundle matches its SRI manifest, and the
// closed state passes axe.
import { createHash } from 'node:crypto';
import { test, expect, scanAxe, screenshot, launcher, widgetHost, DEMO_PAGE } from './support';

test.describe('demo page', () => {
  test('loads under the CSP header and shows the launcher in a shadow root', async ({ page }) => {
    const response = await page.goto(DEMO_PAGE);
    expect(response, 'the demo page answered').not.toBeNull();
    expect(response!.status()).toBe(200);
    const csp = response!.headers()['content-security-policy'] ?? '';
    expect(csp, 'the receiver sends its Content-Security-Policy on the page').toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toContain('unsafe-inline');

    await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
    await expect(page.getByRole('heading', { level: 1, name: 'Como podemos ajudar?' })).toBeVisible();

    // The page embeds the widget with exactly one script tag and nothing else.
    await expect(page.locator('script')).toHaveCount(1);
    await expect(page.locator('script[src="/dist/loader.js"]')).toHaveAttribute('data-plan', 'business-plus');

    const button = launcher(page);
    await expect(button).toBeVisible();
    await expect(button).toHaveAttribute('aria-expanded', 'false');
    await expect(button).not.toHaveAccessibleName('');

    const placement = await widgetHost(page).evaluate((host) => {
      const root = host.shadowRoot;
      const link = root?.querySelector('link[rel="stylesheet"]') as HTMLLinkElement | null;
      return {
        hostInBody: host.parentElement === document.body,
        openShadowRoot: root !== null,
        launcherInShadow: root?.querySelector('.tw-launcher') !== null,
        launcherInLightDom: document.querySelector('.tw-launcher') !== null,
        stylesheetHref: link?.href ?? null,
        stylesheetLoaded: link?.sheet != null,
      };
    });
    expect(placement).toEqual({
      hostInBody: true,
      openShadowRoot: true,
      launcherInShadow: true,
      launcherInLightDom: false,
      stylesheetHref: expect.stringMatching(/\/dist\/tw\.[0-9a-f]{8}\.css$/),
      stylesheetLoaded: true,
    });

    // The page stays usable around the widget: its own links still work.
    await page.getByRole('link', { name: 'Atendimento', exact: true }).click();
    await expect(page).toHaveURL(/#atendimento$/);

    await screenshot(page, 'smoke-demo-closed');
  });

  test('while the page is idle the widget downloads its wasm; it runs (ready) only on intent, without errors', async ({ page }) => {
    // A capturing listener on window sees the host's `triage:ready` even if it does not bubble.
    await page.addInitScript(() => {
      window.addEventListener('triage:ready', () => document.documentElement.setAttribute('data-test-widget-ready', ''), true);
    });
    const wasmFetched = page.waitForResponse((response) => /\/dist\/tw\.[0-9a-f]{8}\.wasm$/.test(response.url()));
    await page.goto(DEMO_PAGE);
    expect((await wasmFetched).status()).toBe(200);
    await launcher(page).hover();
    await expect(page.locator('html'), 'the widget emitted `ready` (CustomEvent "triage:ready" on #triage-widget)')
      .toHaveAttribute('data-test-widget-ready', '', { timeout: 20_000 });
    await expect(launcher(page)).toHaveAttribute('aria-expanded', 'false');
  });

  test('the closed state passes axe', async ({ page }) => {
    await page.goto(DEMO_PAGE);
    await expect(launcher(page)).toBeVisible();
    await scanAxe(page);
  });

  test('the closed state passes axe on a phone-sized screen', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(DEMO_PAGE);
    await expect(launcher(page)).toBeVisible();
    await expect(launcher(page)).toBeInViewport();
    await scanAxe(page);
    await screenshot(page, 'smoke-demo-closed-phone');
  });
});

test.describe('bundle', () => {
  test('every file in dist/manifest.json is served with the SRI hash the loader carries', async ({ request }) => {
    const manifestResponse = await request.get('/dist/manifest.json');
    expect(manifestResponse.status()).toBe(200);
    const manifest = (await manifestResponse.json()) as Record<string, { file: string; integrity: string }>;
    expect(Object.keys(manifest).sort()).toEqual(['css', 'js', 'wasm']);

    const loader = await request.get('/dist/loader.js');
    expect(loader.status()).toBe(200);
    expect(loader.headers()['content-type']).toMatch(/javascript/);
    const loaderText = await loader.text();
    expect(loaderText, 'xtask build replaced the manifest placeholder').not.toContain('__TRIAGE_MANIFEST__');
    // The loader carries the same names and hashes as `[[file, integrity], …]` in the order css, js, wasm.
    const inlined = JSON.stringify(['css', 'js', 'wasm'].map((kind) => [manifest[kind].file, manifest[kind].integrity]));
    expect(loaderText, 'loader.js carries the manifest as [[file, integrity], …] (css, js, wasm)').toContain(inlined);

    for (const [kind, entry] of Object.entries(manifest)) {
      expect(entry.file, `${kind} file name is fingerprinted`).toMatch(/\.[0-9a-f]{8}\.(js|wasm|css)$/);
      expect(loaderText, `loader.js names ${entry.file}`).toContain(entry.file);
      expect(loaderText, `loader.js carries the integrity of ${entry.file}`).toContain(entry.integrity);
      const file = await request.get(`/dist/${entry.file}`);
      expect(file.status(), `GET /dist/${entry.file}`).toBe(200);
      const digest = createHash('sha256').update(await file.body()).digest('base64');
      expect(`sha256-${digest}`, `integrity of ${entry.file}`).toBe(entry.integrity);
    }
    const wasm = await request.get(`/dist/${manifest.wasm.file}`);
    expect(wasm.headers()['content-type'], 'wasm needs its MIME type for streaming compilation').toBe('application/wasm');
  });
});
