// The real deployment, from the npm tarball alone: the widget's files on a CDN's origin (the
// tarball unpacked and served by a plain static server that sends `Access-Control-Allow-Origin`,
// as jsDelivr and unpkg do), the receiver on a second origin started with `--allow-origin`, and the
// host page on a third, embedding the tag the package's README shows (integrity on the loader)
// with a policy written by `triage init`. The whole flow reaches the receiver; SRI holds; the CORS
// preflight passes; a tampered loader or wasm is refused by the browser.
//
// `cargo xtask test e2e` passes TRIAGE_PACKAGE (the tarball `cargo xtask package` wrote),
// TRIAGE_RECEIVER_BIN and TRIAGE_CLI_BIN.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test, expect, launcher, dialog, heading, screenshot, widgetHost } from './support';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with \`cargo xtask test e2e\``);
  return value;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** A plain static file server on 127.0.0.1:0: `routes` maps a URL prefix to a folder. */
async function staticServer(
  routes: Record<string, string>,
  headers: (file: string) => Record<string, string> = () => ({}),
): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const prefix = Object.keys(routes)
      .filter((p) => url.pathname.startsWith(p))
      .sort((a, b) => b.length - a.length)[0];
    const file = prefix === undefined ? undefined : path.join(routes[prefix], url.pathname.slice(prefix.length) || 'index.html');
    if (!file || !file.startsWith(routes[prefix!]) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...headers(file) });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Starts the receiver and resolves with its origin once it prints `listening on http://…`. */
function startReceiver(args: string[], log: string): Promise<{ child: ChildProcess; origin: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(required('TRIAGE_RECEIVER_BIN'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = fs.createWriteStream(log);
    child.stderr!.pipe(out);
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out.write(chunk);
      seen += chunk.toString();
      const match = /listening on (http:\/\/[0-9.:]+)/.exec(seen);
      if (match) resolve({ child, origin: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`the receiver exited (${code}) before listening; see ${log}`)));
  });
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-cross-origin-'));
const adminToken = randomBytes(16).toString('hex');
let cdn: { server: http.Server; origin: string };
let host: { server: http.Server; origin: string };
let receiver: { child: ChildProcess; origin: string };
let loaderIntegrity = '';
let readme = '';

test.beforeAll(async () => {
  // 1. The tarball, unpacked as a CDN would serve it, and a tampered copy.
  execFileSync('tar', ['xzf', required('TRIAGE_PACKAGE'), '-C', work]);
  const pkg = path.join(work, 'package');
  const evil = path.join(work, 'evil');
  fs.cpSync(pkg, evil, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'manifest.json'), 'utf8'));
  const wasm = path.join(evil, manifest.wasm.file);
  const bytes = fs.readFileSync(wasm);
  bytes[bytes.length - 1] ^= 0xff;
  fs.writeFileSync(wasm, bytes);
  const evilLoader = path.join(work, 'evil-loader');
  fs.cpSync(pkg, evilLoader, { recursive: true });
  fs.appendFileSync(path.join(evilLoader, 'loader.js'), '\n;document.title="tampered";\n');
  cdn = await staticServer({ '/v/': pkg, '/evil/': evil, '/evil-loader/': evilLoader }, () => ({ 'Access-Control-Allow-Origin': '*' }));

  // The snippet's integrity is the loader's real sha256, and the manifest says so too.
  loaderIntegrity = 'sha256-' + createHash('sha256').update(fs.readFileSync(path.join(pkg, 'loader.js'))).digest('base64');
  expect(manifest.loader.integrity).toBe(loaderIntegrity);
  readme = fs.readFileSync(path.join(pkg, 'README.md'), 'utf8');
  const pkgJson = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
  expect(readme).toContain(`https://cdn.jsdelivr.net/npm/${pkgJson.name}@${pkgJson.version}/loader.js`);
  expect(readme).toContain(`integrity="${loaderIntegrity}" crossorigin="anonymous"`);

  // 2. The site owner's policy, from `triage init`.
  const site = path.join(work, 'site');
  fs.mkdirSync(site);
  execFileSync(required('TRIAGE_CLI_BIN'), [
    'init', '--defaults', '--template', 'priority-p1-p4', '--name', 'Loja Cruzada', '--locales', 'pt-BR, en',
    '--time-zone', 'America/Sao_Paulo', '--plan', 'ouro=Ouro:P1=30m/4h,P2=1h/8h,P3=2h/1bd,P4=4h/2bd',
    '--output', path.join(site, 'policy.json'),
  ]);

  // 3. The host page's origin (its port is needed for the receiver's --allow-origin).
  // Its CSP is written by the server itself, not rewritten through page.route: a response that
  // Playwright fulfils has no address, so Chromium's Local Network Access would take the page for a
  // public one and refuse it the loopback CDN.
  host = await staticServer({ '/': site }, (file) =>
    file.endsWith('.html')
      ? {
          'Content-Security-Policy':
            `default-src 'self'; script-src 'self' ${cdn.origin} 'wasm-unsafe-eval'; style-src 'self' ${cdn.origin}; ` +
            // The receiver's origin is known only once it listens (step 4), before any page is served.
            `img-src 'self' data:; connect-src 'self' ${cdn.origin} ${receiver.origin}; base-uri 'none'; frame-ancestors 'none'`,
        }
      : {},
  );

  // 4. The receiver on its own origin, allowing the host page's.
  receiver = await startReceiver(
    [
      '--bind', '127.0.0.1:0', '--db', path.join(work, 'receiver.sqlite'), '--policy', path.join(site, 'policy.json'),
      '--allow-origin', host.origin, '--admin-token', adminToken, '--rate-limit-per-minute', '0',
    ],
    path.join(work, 'receiver.log'),
  );

  for (const [name, base] of [['index', 'v'], ['evil', 'evil'], ['evil-loader', 'evil-loader']]) {
    const tag =
      `<script src="${cdn.origin}/${base}/loader.js" integrity="${loaderIntegrity}" crossorigin="anonymous" ` +
      `data-policy="${host.origin}/policy.json" data-endpoint="${receiver.origin}/api/tickets" data-plan="ouro" ` +
      `data-fallback="mailto:suporte@loja.example" async></script>`;
    fs.writeFileSync(
      path.join(site, `${name}.html`),
      `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>Loja Cruzada</title>` +
        `<link rel="icon" href="data:,">${tag}</head><body><h1>Central de ajuda</h1></body></html>`,
    );
  }
});

test.afterAll(async () => {
  receiver?.child.kill('SIGINT');
  await Promise.all([cdn, host].filter(Boolean).map((s) => new Promise((resolve) => s.server.close(resolve))));
  fs.rmSync(work, { recursive: true, force: true });
});

test('from the tarball alone: a page on another origin sends a ticket to the receiver', async ({ page, request }) => {
  const fromCdn: string[] = [];
  page.on('response', (response) => {
    if (response.url().startsWith(cdn.origin)) fromCdn.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  await page.goto(`${host.origin}/index.html`);
  await launcher(page).click();
  await expect(dialog(page)).toBeVisible();
  for (const answer of ['not_working', 'stopped', 'none']) {
    await dialog(page).locator(`input[type="radio"][value="${answer}"]`).check();
    await dialog(page).locator('button[type="submit"]').click();
  }
  await expect(dialog(page).locator('.tw-severity')).toHaveText(/P1/);
  await expect(dialog(page).locator('.tw-card .tw-target-limit').nth(0)).toHaveText(/30 minutos/);
  await dialog(page).locator('.tw-actions .tw-primary').click();
  const subject = `cross-origin ${Date.now()}`;
  await dialog(page).locator('#tw-name').fill('Ana Souza');
  await dialog(page).locator('#tw-email').fill('ana@example.com');
  await dialog(page).locator('#tw-subject').fill(subject);
  await dialog(page).locator('#tw-description').fill('O painel não abre desde as 10h.');
  await dialog(page).locator('button[type="submit"]').click();
  await expect(heading(page)).toHaveText(/Chamado enviado/, { timeout: 20_000 });
  await screenshot(page, 'cross-origin-sent');

  // Every widget file came from the CDN's origin, all with 200 (fetched with their SRI hashes).
  for (const file of ['loader.js', '.wasm', '.js', '.css']) {
    expect(fromCdn.some((entry) => entry.startsWith('200 ') && entry.endsWith(file)), `${file} in ${fromCdn}`).toBe(true);
  }

  // The ticket is stored once by the receiver on its own origin, under the init-made policy.
  const listed = await request.get(`${receiver.origin}/api/tickets?limit=50`, { headers: { Authorization: `Bearer ${adminToken}` } });
  expect(listed.status()).toBe(200);
  const tickets = ((await listed.json()) as { tickets: { subject: string; severity: string; plan: string }[] }).tickets;
  const stored = tickets.filter((t) => t.subject === subject);
  expect(stored).toHaveLength(1);
  expect(stored[0].severity).toBe('P1');
  expect(stored[0].plan).toBe('ouro');
});

test('the CORS preflight allows the host page and no other origin', async ({ request }) => {
  const preflight = (origin: string) =>
    request.fetch(`${receiver.origin}/api/tickets`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,idempotency-key',
      },
    });
  const allowed = await preflight(host.origin);
  expect(allowed.status()).toBeLessThan(300);
  expect(allowed.headers()['access-control-allow-origin']).toBe(host.origin);
  const allowHeaders = (allowed.headers()['access-control-allow-headers'] ?? '').toLowerCase();
  expect(allowHeaders).toContain('idempotency-key');
  expect(allowHeaders).toContain('content-type');
  const other = await preflight('http://evil.example');
  expect(other.headers()['access-control-allow-origin']).toBeUndefined();
});

test('a tampered wasm on the CDN is refused: no widget, the launcher offers the fallback', async ({ page, pageProblems }) => {
  pageProblems.allow(/triage-widget: could not load/);
  pageProblems.allow(/integrity|digest/i);
  await page.goto(`${host.origin}/evil.html`);
  await launcher(page).click();
  await expect.poll(() => pageProblems.all().some((p) => p.text.includes('triage-widget: could not load'))).toBe(true);
  expect(pageProblems.all().some((p) => /integrity|digest/i.test(p.text)), 'refused by its SRI hash').toBe(true);
  await expect(dialog(page)).toHaveCount(0);
  await expect(widgetHost(page).locator('.tw-busy a')).toHaveAttribute('href', 'mailto:suporte@loja.example');
});

test('a tampered loader on the CDN does not run at all', async ({ page, pageProblems }) => {
  pageProblems.allow(/integrity|digest/i);
  await page.goto(`${host.origin}/evil-loader.html`);
  await page.waitForLoadState('load');
  await expect.poll(() => pageProblems.all().some((p) => /integrity|digest/i.test(p.text))).toBe(true);
  await expect(page.locator('#triage-widget')).toHaveCount(0);
  expect(await page.title()).toBe('Loja Cruzada');
  expect(await page.evaluate(() => 'TriageWidget' in window)).toBe(false);
});
