// `cargo xtask bench open`: how opening the widget feels on a phone, measured in Debian's
// Chromium against the demo server (TRIAGE_BASE_URL). A benchmark, never a test: it prints
// figures and asserts nothing about time.
//
// Every run: a fresh browser context (empty HTTP cache), a 390×844 viewport, Chrome DevTools
// Protocol emulation of 1.6 Mbps down / 750 kbps up / 150 ms round trip and a CPU 4× slower.
// - cold: the launcher is clicked as soon as it is visible; click → busy frame shown, and click →
//   first question shown (its first radio button rendered).
// - prefetched: the page is visited once, then reloaded and left idle (the loader downloads and
//   compiles the widget from the warm cache) until the wasm is compiled, then the launcher is
//   clicked.
// - long tasks: the page's long tasks (≥ 50 ms, PerformanceObserver `longtask`) from navigation
//   until 10 s of idleness after its load event, with the loader and with its script tag removed.
//
// Times are taken inside the page (`performance.now()` at the click's pointerdown, then in a
// requestAnimationFrame loop), so they include rendering but not Playwright's round trips.
import { chromium } from '@playwright/test';

const baseURL = process.env.TRIAGE_BASE_URL;
if (!baseURL) throw new Error('TRIAGE_BASE_URL is not set: run `cargo xtask bench open`');
const RUNS = Number(process.env.BENCH_RUNS || 5);
const IDLE_MS = 10_000;

/** Network and CPU emulation of issue 10 (bytes per second for throughput). */
const NETWORK = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };
const CPU_SLOWDOWN = 4;
const VIEWPORT = { width: 390, height: 844 };

/** Installed before any page script: click, busy-frame and first-question times, long tasks. */
const PROBE = () => {
  const probe = (window.__bench = { longTasks: [], click: null, busy: null, question: null });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  addEventListener(
    'pointerdown',
    (event) => {
      if (probe.click != null || !event.composedPath().some((node) => node.classList?.contains('tw-launcher'))) return;
      probe.click = performance.now();
      const watch = () => {
        const root = document.getElementById('triage-widget')?.shadowRoot;
        const busy = root?.querySelector('.tw-busy');
        if (probe.busy == null && busy && getComputedStyle(busy).display != 'none') probe.busy = performance.now();
        if (root?.querySelector('.tw-panel[role="dialog"] input[type="radio"]')) {
          probe.question = performance.now();
          if (probe.busy == null) probe.busy = probe.question;
          return;
        }
        requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
    },
    true,
  );
};

async function emulatedPage(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  await page.addInitScript(PROBE);
  return page;
}

const newContext = (browser) =>
  browser.newContext({ baseURL, viewport: VIEWPORT, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'pt-BR', timezoneId: 'America/Sao_Paulo' });

async function clickAndMeasure(page) {
  const launcher = page.locator('#triage-widget .tw-launcher');
  await launcher.waitFor({ state: 'visible', timeout: 120_000 });
  await launcher.click();
  await page.waitForFunction(() => window.__bench.question != null, null, { timeout: 120_000, polling: 100 });
  const { click, busy, question } = await page.evaluate(() => window.__bench);
  return { busy: busy - click, question: question - click };
}

/** Resolves once the loader's idle prefetch has downloaded (and compiled) the wasm. */
const wasmLoaded = (page) => page.waitForResponse((response) => /\/dist\/[^/]+\.wasm$/.test(response.url()), { timeout: 120_000 });

async function cold(browser) {
  const context = await newContext(browser);
  try {
    const page = await emulatedPage(context);
    await page.goto('/', { waitUntil: 'commit' });
    return await clickAndMeasure(page);
  } finally {
    await context.close();
  }
}

async function prefetched(browser) {
  const context = await newContext(browser);
  try {
    const page = await emulatedPage(context);
    const first = wasmLoaded(page);
    await page.goto('/');
    await (await first).finished();
    const again = wasmLoaded(page);
    await page.reload();
    await (await again).finished();
    // The compilation runs off the main thread after the download; leave it (and idle) time.
    await page.waitForTimeout(3_000);
    return await clickAndMeasure(page);
  } finally {
    await context.close();
  }
}

async function longTasks(browser, withLoader) {
  const context = await newContext(browser);
  try {
    const page = await emulatedPage(context);
    if (!withLoader) {
      await page.route('**/', async (route) => {
        const response = await route.fetch();
        const body = (await response.text()).replace(/<script src="\/dist\/loader\.js"[^>]*><\/script>/, '');
        await route.fulfill({ response, body });
      });
    }
    await page.goto('/', { waitUntil: 'load' });
    await page.waitForTimeout(IDLE_MS);
    const tasks = await page.evaluate(() => window.__bench.longTasks);
    const loaded = await page.evaluate(() => !!document.getElementById('triage-widget'));
    if (loaded != withLoader) throw new Error(`the page ${withLoader ? 'lacks' : 'still has'} the widget`);
    return tasks;
  } finally {
    await context.close();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value) => `${Math.round(value)} ms`;
const list = (values) => values.map((value) => Math.round(value)).join(', ');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
try {
  console.log(`bench open: ${baseURL}, ${RUNS} runs each; 1.6 Mbps down / 150 ms RTT, CPU ${CPU_SLOWDOWN}× slower, ${VIEWPORT.width}×${VIEWPORT.height}`);
  const results = {};
  for (const [name, run] of [['cold', cold], ['prefetched', prefetched]]) {
    const runs = [];
    for (let i = 0; i < RUNS; i += 1) runs.push(await run(browser));
    results[name] = runs;
    console.log(
      `${name.padEnd(11)} click → first question: median ${ms(median(runs.map((r) => r.question)))} (${list(runs.map((r) => r.question))}); ` +
        `click → busy frame: median ${ms(median(runs.map((r) => r.busy)))} (${list(runs.map((r) => r.busy))})`,
    );
  }
  for (const withLoader of [true, false]) {
    const tasks = await longTasks(browser, withLoader);
    const total = tasks.reduce((sum, task) => sum + task.duration, 0);
    results[withLoader ? 'longTasksWithLoader' : 'longTasksWithoutLoader'] = tasks;
    console.log(
      `long tasks ${withLoader ? 'with the loader   ' : 'without the loader'}: ${tasks.length} (${ms(total)} in all; ${list(tasks.map((t) => t.duration))}) in load + ${IDLE_MS / 1000} s idle`,
    );
  }
  console.log('json: ' + JSON.stringify(results));
} finally {
  await browser.close();
}
