// The embed as a site owner gets it: one script tag, the TriageWidget command queue before the
// widget loads, lazy loading (nothing heavy before the page's load event, then on intent or idle),
// open state across navigations, a closed widget that takes no clicks, a strict CSP, shadow-DOM
// isolation both ways, and failures that leave the host page working with a fallback contact.
//
// Pages other than the demo are served by `page.route` on the receiver's origin, with the same
// strict CSP the receiver sends, so `/dist/loader.js` and `/api/*` are the real ones.
import type { Page, Route } from '@playwright/test';
import { test, expect, launcher, widgetHost, dialog, answerToForm, screenshot, DEMO_PAGE } from './support';
import { STRICT_CSP, WASM, NO_IDLE, gateWasm } from './support/loading';



interface TestPage {
  /** Attributes of the loader's script tag besides `src`. */
  tag?: Record<string, string>;
  /** Extra markup in `<head>` before the loader (external stylesheets and scripts only: strict CSP). */
  head?: string;
  body?: string;
  /** Files served next to the page: path under /embed-test/ → [content type, body]. */
  files?: Record<string, [string, string]>;
}

const DEFAULT_TAG = {
  'data-policy': '/www/policies/priority-p1-p4.json',
  'data-endpoint': '/api/tickets',
  'data-plan': 'business-plus',
  'data-fallback': 'mailto:suporte@example.com',
};

/** Serves `/embed-test/<name>.html` (and its files) and returns its path. */
async function servePage(page: Page, name: string, spec: TestPage): Promise<string> {
  const attributes = Object.entries({ ...DEFAULT_TAG, ...spec.tag })
    .map(([key, value]) => `${key}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
    .join(' ');
  const html = `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>${name}</title>
<link rel="icon" href="data:,">${spec.head ?? ''}
<script src="/dist/loader.js" ${attributes} async></script></head>
<body><h1>${name}</h1>${spec.body ?? ''}</body></html>`;
  await page.route(`**/embed-test/${name}.html*`, (route: Route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': STRICT_CSP }, body: html }),
  );
  for (const [file, [contentType, body]] of Object.entries(spec.files ?? {})) {
    await page.route(`**/embed-test/${file}`, (route: Route) => route.fulfill({ status: 200, contentType, body }));
  }
  return `/embed-test/${name}.html`;
}



test('TriageWidget calls made before the widget loads take effect once it does', async ({ page }) => {
  const path = await servePage(page, 'queue', {
    head: '<script src="/embed-test/stub.js"></script>',
    files: {
      'stub.js': [
        'text/javascript',
        `window.TriageWidget = window.TriageWidget || { q: [] };
TriageWidget.q.push(["on", "ready", function () { document.documentElement.setAttribute("data-ready-seen", "1"); }]);
TriageWidget.q.push(["identify", { name: "Ana Fila", email: "ana.fila@example.com" }]);
TriageWidget.q.push(["prefill", { subject: "Assunto vindo da fila" }]);`,
      ],
    },
  });
  await page.addInitScript(NO_IDLE);
  const wasm = await gateWasm(page);
  await page.goto(path);
  await expect(launcher(page)).toBeVisible();
  expect(wasm.requested(), 'nothing loaded before intent').toBe(false);

  // The real API is in place at once; calls wait in its queue.
  await page.evaluate(() => {
    const api = (window as any).TriageWidget;
    const seen: string[] = ((window as any).__seen = []);
    const dropped = () => seen.push('dropped listener ran');
    api.on('open', () => seen.push('on:open'));
    api.on('open', dropped);
    api.off('open', dropped);
    document.getElementById('triage-widget')!.addEventListener('triage:open', () => seen.push('dom:open'));
    api.open();
  });
  await expect.poll(wasm.requested, { message: 'open() fetches the wasm' }).toBe(true);
  await expect(dialog(page)).toHaveCount(0);
  wasm.release();

  await expect(dialog(page)).toBeVisible();
  await expect(launcher(page)).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('html')).toHaveAttribute('data-ready-seen', '1');
  expect(await page.evaluate(() => (window as any).__seen)).toEqual(['on:open', 'dom:open']);

  // identify and prefill from the stub's queue reached the form.
  await answerToForm(page);
  await expect(dialog(page).locator('#tw-name')).toHaveValue('Ana Fila');
  await expect(dialog(page).locator('#tw-email')).toHaveValue('ana.fila@example.com');
  await expect(dialog(page).locator('#tw-subject')).toHaveValue('Assunto vindo da fila');
});

test('no wasm before the page has loaded; the widget loads afterwards when idle', async ({ page }) => {
  const wasmRequest = page.waitForRequest(WASM);
  await page.goto(DEMO_PAGE);
  await expect(launcher(page)).toBeVisible();
  await expect(launcher(page)).toHaveAttribute('aria-label', 'Ajuda');
  await expect(launcher(page)).toHaveAttribute('aria-haspopup', 'dialog');
  await expect(launcher(page)).toHaveAttribute('aria-expanded', 'false');
  await wasmRequest; // idle loading, no interaction
  const order = await page.evaluate(async () => {
    const wasm = () => performance.getEntriesByType('resource').find((entry) => /\/dist\/[^/]+\.wasm$/.test(entry.name));
    while (!wasm()) await new Promise((resolve) => setTimeout(resolve, 50));
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { loadEventEnd: navigation.loadEventEnd, wasmStart: wasm()!.startTime };
  });
  expect(order.loadEventEnd, 'the load event fired').toBeGreaterThan(0);
  expect(order.wasmStart, 'the wasm was requested only after the load event').toBeGreaterThanOrEqual(order.loadEventEnd);
});

test('without idle time the wasm waits for intent: pointer over the launcher', async ({ page }) => {
  await page.addInitScript(NO_IDLE);
  let wasmRequests = 0;
  page.on('request', (request) => {
    if (WASM.test(new URL(request.url()).pathname)) wasmRequests += 1;
  });
  await page.goto(DEMO_PAGE);
  await expect(launcher(page)).toBeVisible();
  await page.waitForTimeout(1_000);
  expect(wasmRequests, 'no wasm without intent').toBe(0);
  const requested = page.waitForRequest(WASM);
  await launcher(page).hover();
  await requested;
  expect(wasmRequests).toBe(1);
});

test('the open panel survives a navigation, and a closed one stays closed', async ({ page }) => {
  await page.goto(DEMO_PAGE);
  await launcher(page).click();
  await expect(dialog(page)).toBeVisible();
  await page.goto(`${DEMO_PAGE}?page=2`);
  await expect(dialog(page)).toBeVisible();
  await expect(launcher(page)).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toBeHidden();
  await expect(launcher(page)).toHaveAttribute('aria-expanded', 'false');
  await page.goto(`${DEMO_PAGE}?page=3`);
  await expect(launcher(page)).toBeVisible();
  await expect(dialog(page)).toHaveCount(0);
});

test('a closed widget intercepts no clicks on the host page', async ({ page }) => {
  const path = await servePage(page, 'clicks', {
    head: '<link rel="stylesheet" href="/embed-test/catcher.css"><script src="/embed-test/catcher.js" defer></script>',
    body: '<button id="catcher" type="button">page</button>',
    files: {
      'catcher.css': ['text/css', '#catcher { position: fixed; inset: 0; width: 100%; height: 100%; opacity: .2; }'],
      'catcher.js': [
        'text/javascript',
        'document.getElementById("catcher").addEventListener("click", function (e) { window.__pageClicks = (window.__pageClicks || 0) + 1; });',
      ],
    },
  });
  await page.goto(path);
  await expect(launcher(page)).toBeVisible();
  const button = await launcher(page).boundingBox();
  await launcher(page).click();
  await expect(dialog(page)).toBeVisible();
  const panel = await dialog(page).boundingBox();
  expect(panel).not.toBeNull();
  expect(button).not.toBeNull();
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toBeHidden();
  await expect(launcher(page)).toBeVisible();

  // Where the panel was, and just beside the launcher, the page's own element gets the click.
  const points = [
    { x: panel!.x + panel!.width / 2, y: panel!.y + panel!.height / 2 },
    { x: panel!.x + 4, y: panel!.y + 4 },
    { x: button!.x - 6, y: button!.y + button!.height / 2 },
    { x: button!.x + button!.width / 2, y: button!.y - 6 },
  ];
  for (const point of points) {
    const hit = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.id, point);
    expect(hit, `element at ${point.x},${point.y}`).toBe('catcher');
    await page.mouse.click(point.x, point.y);
  }
  expect(await page.evaluate(() => (window as any).__pageClicks)).toBe(points.length);
});

test('works under a strict Content-Security-Policy with no violation', async ({ page }) => {
  const response = await page.goto(DEMO_PAGE);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  await launcher(page).click();
  await expect(dialog(page)).toBeVisible();
  await answerToForm(page);
  await screenshot(page, 'embed-strict-csp-form');
  // The fixture fails the test on any CSP violation report or console error seen meanwhile.
});

test("the host page's CSS cannot reach into the widget, nor ours out of it", async ({ page }) => {
  const path = await servePage(page, 'hostile', {
    head: '<link rel="stylesheet" href="/embed-test/hostile.css">',
    body: '<button id="page-button" type="button">page button</button><div id="probe">probe</div>',
    files: {
      'hostile.css': [
        'text/css',
        `button { color: rgb(255, 0, 0) !important; font-size: 40px !important; background: rgb(0, 128, 0) !important; }
* { font-family: serif !important; }
.tw-launcher, .tw-panel { display: none !important; }
#probe { width: 100px; padding: 10px; }`,
      ],
    },
  });
  await page.goto(path);
  // The page's rules do apply to the page (so the test can fail)…
  await expect(page.locator('#page-button')).toHaveCSS('color', 'rgb(255, 0, 0)');
  // …but not to the launcher in the shadow root.
  await expect(launcher(page)).toBeVisible();
  await expect(launcher(page)).not.toHaveCSS('color', 'rgb(255, 0, 0)');
  await expect(launcher(page)).not.toHaveCSS('font-size', '40px');
  await expect(launcher(page)).not.toHaveCSS('background-color', 'rgb(0, 128, 0)');
  await launcher(page).click();
  await expect(dialog(page)).toBeVisible();
  // And the widget's `* { box-sizing: border-box }` stays inside: the page's box is content-box.
  await expect(page.locator('#probe')).toHaveCSS('box-sizing', 'content-box');
  const probeWidth = await page.locator('#probe').evaluate((el) => el.getBoundingClientRect().width);
  expect(probeWidth).toBe(120);
  await screenshot(page, 'embed-hostile-css');
});

test('a broken policy URL: one console error naming it, and the fallback contact', async ({ page, pageProblems }) => {
  pageProblems.allow(/triage-widget/);
  pageProblems.allow(/Failed to load resource: the server responded with a status of 404/);
  const path = await servePage(page, 'broken-policy', { tag: { 'data-policy': '/www/policies/does-not-exist.json' } });
  await page.goto(path);
  await launcher(page).click();
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page).locator('a[href="mailto:suporte@example.com"]')).toBeVisible();
  await screenshot(page, 'embed-broken-policy');
  const ours = pageProblems.all().filter((problem) => problem.text.includes('triage-widget'));
  expect(ours, ours.map((problem) => problem.text).join('\n')).toHaveLength(1);
  expect(ours[0].text).toContain('does-not-exist.json');
  // The host page still works.
  await expect(page.locator('h1')).toHaveText('broken-policy');
});

test('the widget failing to load: one console error, and the launcher opens the fallback contact in the panel frame', async ({ page, context, pageProblems }) => {
  pageProblems.allow(/triage-widget: could not load/);
  pageProblems.allow(/Failed to load resource|net::ERR_FAILED/);
  await page.route(WASM, (route) => route.abort('failed'));
  await context.route('https://help.example.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Contato</title>' }),
  );
  const path = await servePage(page, 'load-failure', { tag: { 'data-fallback': 'https://help.example.com/contato' } });
  await page.goto(path);
  await launcher(page).hover();
  await expect.poll(() => pageProblems.all().filter((p) => p.text.includes('could not load')).length).toBe(1);
  // The launcher opens the panel's frame, which now holds the fallback contact as a link.
  await launcher(page).click();
  await expect(launcher(page)).toHaveAttribute('aria-expanded', 'true');
  const contactLink = widgetHost(page).locator('.tw-busy a');
  await expect(contactLink).toBeVisible();
  await expect(contactLink).toHaveText('https://help.example.com/contato');
  const popup = context.waitForEvent('page');
  await contactLink.click();
  const contact = await popup;
  expect(contact.url()).toBe('https://help.example.com/contato');
  const ours = pageProblems.all().filter((problem) => problem.text.includes('triage-widget'));
  expect(ours).toHaveLength(1);
  await expect(page.locator('h1')).toHaveText('load-failure');
});

// The loader fetches each file with the SRI hash of the manifest it carries: a file that does not
// match (a tampered CDN copy, a half-finished deploy) is refused, never run.
const TAMPERED = [
  // An empty custom section named "x": still a valid module, so only the hash can refuse it.
  { kind: 'wasm', url: /\/dist\/[^/]+\.[0-9a-f]{8}\.wasm$/, extra: Buffer.from([0, 2, 1, 0x78]) },
  { kind: 'glue', url: /\/dist\/[^/]+\.[0-9a-f]{8}\.js$/, extra: Buffer.from('\n;') },
];
for (const { kind, url, extra } of TAMPERED) {
  test(`a ${kind} that does not match its SRI hash is refused: the launcher falls back`, async ({ page, context, pageProblems }) => {
    pageProblems.allow(/triage-widget: could not load/);
    pageProblems.allow(/integrity|digest/i);
    let tampered = 0;
    await page.route(url, async (route: Route) => {
      const response = await route.fetch();
      tampered += 1;
      await route.fulfill({ response, body: Buffer.concat([await response.body(), extra]) });
    });
    await context.route('https://help.example.com/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Contato</title>' }),
    );
    const path = await servePage(page, `tampered-${kind}`, { tag: { 'data-fallback': 'https://help.example.com/contato' } });
    await page.addInitScript(NO_IDLE);
    await page.goto(path);
    await launcher(page).hover();
    await expect.poll(() => pageProblems.all().filter((p) => p.text.includes('could not load')).length).toBe(1);
    expect(tampered, `the ${kind} was requested (and tampered with) once`).toBe(1);
    await launcher(page).click();
    const popup = context.waitForEvent('page');
    await widgetHost(page).locator('.tw-busy a').click();
    expect((await popup).url()).toBe('https://help.example.com/contato');
    await expect(dialog(page)).toHaveCount(0);
  });
}

test('a stylesheet that does not match its SRI hash is refused: the launcher stays hidden', async ({ page, pageProblems }) => {
  pageProblems.allow(/integrity|digest/i);
  await page.route(/\/dist\/[^/]+\.[0-9a-f]{8}\.css$/, async (route: Route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: `${await response.text()}\n.tw-launcher { color: red; }` });
  });
  await page.addInitScript(NO_IDLE);
  await page.goto(DEMO_PAGE);
  await expect(widgetHost(page)).toHaveCount(1);
  await expect.poll(() => pageProblems.all().some((p) => /integrity|digest/i.test(p.text)), 'Chromium reports the blocked stylesheet').toBe(true);
  const link = await widgetHost(page).evaluate((host) => {
    const stylesheet = host.shadowRoot!.querySelector('link[rel="stylesheet"]') as HTMLLinkElement;
    return { integrity: stylesheet.integrity, crossOrigin: stylesheet.crossOrigin, loaded: stylesheet.sheet != null };
  });
  expect(link).toEqual({ integrity: expect.stringMatching(/^sha256-/), crossOrigin: 'anonymous', loaded: false });
  await expect(launcher(page)).toBeHidden();
});

test('a javascript: fallback is never offered', async ({ page, context, pageProblems }) => {
  pageProblems.allow(/triage-widget: could not load/);
  pageProblems.allow(/Failed to load resource|net::ERR_FAILED/);
  await page.route(WASM, (route) => route.abort('failed'));
  const path = await servePage(page, 'bad-fallback', { tag: { 'data-fallback': 'javascript:alert(1)' } });
  await page.goto(path);
  // The idle load fails; without a safe fallback there is nothing to offer: the launcher goes
  // away (no dead button, no javascript: link), the page stays.
  await expect(widgetHost(page)).toHaveCount(0);
  expect(pageProblems.all().filter((p) => p.text.includes('could not load'))).toHaveLength(1);
  expect(context.pages()).toHaveLength(1);
  await expect(page.locator('h1')).toHaveText('bad-fallback');
});

test('queued tickets show on the launcher at once and load the widget without waiting for idle', async ({ page }) => {
  await page.addInitScript(NO_IDLE);
  await page.addInitScript(() => {
    if (!sessionStorage.getItem('seeded')) {
      sessionStorage.setItem('seeded', '1');
      localStorage.setItem('triage-widget:outbox', '2');
    }
  });
  const wasm = await gateWasm(page);
  await page.goto(DEMO_PAGE);
  await expect(page.locator('#triage-widget .tw-launcher-badge')).toHaveText('2');
  await expect(launcher(page)).toHaveAttribute('aria-label', 'Ajuda: 2 na fila');
  await expect.poll(wasm.requested, { message: 'loaded at once to flush the outbox' }).toBe(true);
  wasm.release();
  // The outbox is really empty: the widget corrects the count and the badge follows.
  await expect(page.locator('#triage-widget .tw-launcher-badge')).toHaveText('');
  await expect(launcher(page)).toHaveAttribute('aria-label', 'Ajuda');
});
