// The loader's promises of issue 10: the idle prefetch downloads and compiles but runs none of the
// widget before intent; a click is acknowledged at once by the panel's busy frame (focused, with a
// status line for screen readers) while the wasm is still on its way; the launcher carries the
// site owner's words (`data-label`, `data-<language>-label`), as text only; and when the wasm
// cannot arrive, the frame holds the fallback contact.
//
// Test pages are served by `page.route` on the receiver's origin under the demo's strict CSP, so
// `/dist/loader.js` and `/api/*` are the real ones.
import type { Page, Route } from '@playwright/test';
import { test, expect, launcher, widgetHost, dialog, DEMO_PAGE } from './support';
import { STRICT_CSP, WASM, NO_IDLE, gateWasm } from './support/loading';


const POLICY = /\/www\/policies\/[^/]+\.json$/;


/** Serves `/loader-test/<name>.html` with the loader's tag carrying `tag` (plus defaults). */
async function servePage(page: Page, name: string, tag: Record<string, string>, lang = 'pt-BR'): Promise<string> {
  const attributes = Object.entries({
    'data-policy': '/www/policies/priority-p1-p4.json',
    'data-endpoint': '/api/tickets',
    'data-fallback': 'mailto:suporte@example.com',
    ...tag,
  })
    .map(([key, value]) => `${key}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"`)
    .join(' ');
  const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${name}</title>
<link rel="icon" href="data:,"><script src="/dist/loader.js" ${attributes} async></script></head>
<body><h1>${name}</h1></body></html>`;
  await page.route(`**/loader-test/${name}.html*`, (route: Route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': STRICT_CSP }, body: html }),
  );
  return `/loader-test/${name}.html`;
}


const busyFrame = (page: Page) => widgetHost(page).locator('.tw-busy');

test('a click shows the busy frame before the wasm has arrived, announced and focused; the panel replaces it', async ({ page }) => {
  await page.addInitScript(NO_IDLE);
  const wasm = await gateWasm(page);
  await page.goto(DEMO_PAGE);
  await expect(launcher(page)).toBeVisible();
  await expect(busyFrame(page), 'no frame before the click').toBeHidden();

  await launcher(page).click();
  await expect.poll(wasm.requested, { message: 'the click fetched the wasm' }).toBe(true);
  // The wasm is still held: everything below is the loader's own doing.
  await expect(busyFrame(page)).toBeVisible();
  await expect(busyFrame(page)).toHaveAttribute('role', 'status');
  await expect(busyFrame(page)).toHaveText('Carregando…');
  await expect(busyFrame(page)).toBeFocused();
  await expect(launcher(page)).toHaveAttribute('aria-expanded', 'true');
  await expect(dialog(page)).toHaveCount(0);
  const box = await busyFrame(page).boundingBox();
  expect(box && box.width > 200 && box.height >= 180, `the frame is the panel's size: ${JSON.stringify(box)}`).toBe(true);

  wasm.release();
  await expect(dialog(page)).toBeVisible();
  await expect(busyFrame(page), 'the widget panel replaced the frame').toBeHidden();
  await expect(dialog(page).locator('#tw-heading')).toBeFocused();
});

test('close() while the frame shows hides it; the widget then stays closed', async ({ page }) => {
  await page.addInitScript(NO_IDLE);
  const wasm = await gateWasm(page);
  await page.goto(DEMO_PAGE);
  await launcher(page).click();
  await expect(busyFrame(page)).toBeVisible();
  // The frame covers the launcher's corner, as the widget's panel does: the page closes it.
  await page.evaluate(() => (window as any).TriageWidget.close());
  await expect(busyFrame(page)).toBeHidden();
  await expect(launcher(page)).toHaveAttribute('aria-expanded', 'false');
  const ready = page.evaluate(() => new Promise((resolve) => (window as any).TriageWidget.on('ready', resolve)));
  wasm.release();
  await ready;
  await expect(dialog(page)).toHaveCount(0);
  await expect(launcher(page)).toHaveAttribute('aria-expanded', 'false');
});

test('the idle prefetch downloads the wasm and the policy but instantiates nothing before intent', async ({ page }) => {
  let wasmRequests = 0;
  let policyRequests = 0;
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (WASM.test(path)) wasmRequests += 1;
    if (POLICY.test(path)) policyRequests += 1;
  });
  await page.addInitScript(() => {
    window.addEventListener('triage:ready', () => document.documentElement.setAttribute('data-ready', ''), true);
  });
  const wasmDone = page.waitForResponse(WASM);
  await page.goto(DEMO_PAGE);
  expect((await wasmDone).status()).toBe(200);
  // Give the compilation time to finish; no intent yet.
  await page.waitForTimeout(2_000);
  expect(policyRequests, 'the loader fetches the policy beside the wasm').toBe(1);
  await expect(widgetHost(page).locator('.tw-root'), 'nothing mounted').toHaveCount(0);
  await expect(page.locator('html')).not.toHaveAttribute('data-ready', '');

  await launcher(page).hover(); // intent
  await expect(page.locator('html')).toHaveAttribute('data-ready', '', { timeout: 20_000 });
  expect(policyRequests, "the loader's response to the policy was used, not fetched again").toBe(1);
  expect(wasmRequests, 'the prefetched, compiled wasm was used, not fetched again').toBe(1);
});

test('data-label names the launcher, shown and announced as text, never as HTML', async ({ page }) => {
  const hostile = '<img src=x onerror="document.title=\'pwned\'">Fale <b>conosco</b> & cia';
  await page.addInitScript(NO_IDLE);
  await page.goto(await servePage(page, 'hostile-label', { 'data-label': hostile }));
  await expect(launcher(page)).toBeVisible();
  await expect(launcher(page)).toHaveAttribute('aria-label', hostile);
  expect(await launcher(page).evaluate((button) => button.firstChild!.textContent)).toBe(hostile);
  await expect(widgetHost(page).locator('img, b')).toHaveCount(0);
  await expect(page).toHaveTitle('hostile-label');
  await expect(page.getByRole('button', { name: hostile })).toHaveCount(1);
});

for (const { locale, expected } of [
  { locale: 'en', expected: 'Support' },
  { locale: 'es', expected: 'Soporte' },
  { locale: 'pt-BR', expected: 'Suporte' }, // no data-pt-label: data-label
]) {
  test(`per-locale labels: data-locale=${locale} shows "${expected}"`, async ({ page }) => {
    await page.addInitScript(NO_IDLE);
    await page.goto(
      await servePage(page, `label-${locale}`, {
        'data-locale': locale,
        'data-label': 'Suporte',
        'data-en-label': 'Support',
        'data-es-label': 'Soporte',
      }),
    );
    await expect(launcher(page)).toHaveAttribute('aria-label', expected);
    await expect(launcher(page)).toHaveText(expected);
  });
}

test('the label follows the page language when the tag names none, and falls back to ours', async ({ page }) => {
  await page.addInitScript(NO_IDLE);
  await page.goto(await servePage(page, 'label-page-lang', { 'data-en-label': 'Support' }, 'en'));
  await expect(launcher(page)).toHaveAttribute('aria-label', 'Support');
  await page.goto(await servePage(page, 'label-none', { 'data-en-label': 'Support' }, 'es'));
  await expect(launcher(page)).toHaveAttribute('aria-label', 'Ayuda');
});

test('the T1–T4 demo page and its launcher both say "Support"', async ({ page }) => {
  await page.goto('/www/demo-impact.html');
  await expect(page.locator('main strong', { hasText: 'Support' }).first()).toBeVisible();
  await expect(launcher(page)).toHaveAttribute('aria-label', 'Support');
  await expect(launcher(page)).toHaveText('Support');
});

test('a click while the wasm cannot arrive: the frame turns into the fallback contact', async ({ page, pageProblems }) => {
  pageProblems.allow(/triage-widget: could not load/);
  pageProblems.allow(/Failed to load resource|net::ERR_FAILED/);
  await page.addInitScript(NO_IDLE);
  let fail!: () => void;
  const failing = new Promise<void>((resolve) => (fail = resolve));
  await page.route(WASM, async (route) => {
    await failing;
    await route.abort('failed');
  });
  await page.goto(DEMO_PAGE);
  await launcher(page).click();
  await expect(busyFrame(page)).toHaveText('Carregando…');
  fail();
  const link = busyFrame(page).locator('a');
  await expect(link).toHaveText('mailto:suporte@example.com');
  await expect(link).toHaveAttribute('href', 'mailto:suporte@example.com');
  await expect(busyFrame(page)).toBeVisible();
  expect(pageProblems.all().filter((p) => p.text.includes('could not load'))).toHaveLength(1);
});
