// Sending tickets against the real receiver, each test counting the tickets it stored: retries
// after server errors, offline queueing, a reload in the middle of the retries, a refused ticket,
// and a draft that survives a reload. Every ticket carries a unique subject to count it by.
import type { Locator, Page, Request, Route } from '@playwright/test';
import { test, expect, adminTickets, launcher, dialog, heading, answerToForm, screenshot } from './support';

const badge = (page: Page): Locator => page.locator('#triage-widget .tw-launcher-badge');
const SENT = /Chamado enviado/;
const QUEUED = /Salvo, será enviado quando a conexão voltar/;

const uniqueSubject = (what: string): string => `send ${what} ${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

/** Tickets the receiver stored with this subject. */
async function stored(request: Parameters<typeof adminTickets>[0], subject: string): Promise<number> {
  return (await adminTickets(request)).tickets.filter((ticket) => ticket.subject === subject).length;
}

/** Opens the panel, answers the one-question path (P4) and fills the form; does not send. */
async function fillTicket(page: Page, subject: string, email = 'ana@example.com'): Promise<void> {
  await launcher(page).click();
  await expect(dialog(page)).toBeVisible();
  await answerToForm(page);
  await dialog(page).locator('#tw-name').fill('Ana Souza');
  await dialog(page).locator('#tw-email').fill(email);
  await dialog(page).locator('#tw-subject').fill(subject);
  await dialog(page).locator('#tw-description').fill('A emissão de notas parou de funcionar depois da atualização.');
}

const send = (page: Page): Promise<void> => dialog(page).locator('button[type="submit"]').click();

/** Records the ticket POSTs the page makes (each with its Idempotency-Key). */
function recordPosts(page: Page): Array<{ key: string | null }> {
  const posts: Array<{ key: string | null }> = [];
  page.on('request', (req: Request) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/tickets') {
      posts.push({ key: req.headers()['idempotency-key'] ?? null });
    }
  });
  return posts;
}

test.describe('sending', () => {
  test.beforeEach(({ pageProblems }) => {
    // Failed attempts this suite provokes on purpose show up as network errors in the console.
    pageProblems.allow(/Failed to load resource: the server responded with a status of (500|503|400)/);
    pageProblems.allow(/net::ERR_INTERNET_DISCONNECTED|Failed to fetch/);
  });

  test('three 500s then success store exactly one ticket, with one idempotency key', async ({ page, request }) => {
    const subject = uniqueSubject('500x3');
    const posts = recordPosts(page);
    let failures = 0;
    await page.route('**/api/tickets', async (route: Route) => {
      if (route.request().method() === 'POST' && failures < 3) {
        failures += 1;
        await route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"provoked"}}' });
      } else {
        await route.continue();
      }
    });
    await page.goto('/');
    await fillTicket(page, subject);
    await send(page);
    await expect(heading(page)).toHaveText(SENT, { timeout: 45_000 });
    expect(failures).toBe(3);
    expect(posts).toHaveLength(4);
    expect(new Set(posts.map((post) => post.key)).size, 'the same Idempotency-Key on every attempt').toBe(1);
    expect(posts[0].key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await stored(request, subject)).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('triage-widget:outbox'))).toBeNull();
  });

  test('offline: queued in the panel and on the launcher, delivered once back online', async ({ page, context, request }) => {
    const subject = uniqueSubject('offline');
    await page.goto('/');
    await fillTicket(page, subject);
    await context.setOffline(true);
    await send(page);
    await expect(heading(page)).toHaveText(QUEUED);
    await screenshot(page, 'send-offline-queued');
    await dialog(page).locator('.tw-close').click();
    await expect(launcher(page)).toBeVisible();
    await expect(badge(page)).toHaveText('1');
    await expect(launcher(page)).toHaveAttribute('aria-label', 'Ajuda: 1 na fila');
    await screenshot(page, 'send-offline-launcher');
    expect(await stored(request, subject)).toBe(0);

    const delivered = page.waitForRequest((req) => req.method() === 'POST' && req.url().endsWith('/api/tickets'));
    await context.setOffline(false);
    await delivered;
    await expect(badge(page)).toHaveText('');
    await expect(launcher(page)).toHaveAttribute('aria-label', 'Ajuda');
    await expect.poll(() => stored(request, subject)).toBe(1);
    // Still exactly one a little later: nothing is sent twice.
    await page.waitForTimeout(1_500);
    expect(await stored(request, subject)).toBe(1);
  });

  test('a queued ticket the endpoint refuses later goes back into the form, nothing typed lost', async ({ page, context, request }) => {
    const subject = uniqueSubject('refused-later');
    await page.goto('/');
    await fillTicket(page, subject);
    await context.setOffline(true);
    await send(page);
    await expect(heading(page)).toHaveText(QUEUED);

    // Back online, the endpoint refuses the queued ticket, naming the e-mail field.
    await page.route('**/api/tickets', async (route: Route) => {
      if (route.request().method() !== 'POST') return route.continue();
      await route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'invalid_field', message: 'this mailbox does not exist', field: 'contact.email' } }),
      });
    });
    await context.setOffline(false);
    const email = dialog(page).locator('#tw-email');
    await expect(email).toHaveAttribute('aria-invalid', 'true', { timeout: 30_000 });
    await expect(dialog(page)).toContainText('this mailbox does not exist');
    await expect(dialog(page).locator('#tw-subject')).toHaveValue(subject);
    await expect(dialog(page).locator('#tw-description')).toHaveValue(/emissão de notas/);
    await expect(email).toHaveValue('ana@example.com');
    await screenshot(page, 'send-refused-later');
    await expect.poll(() => page.evaluate(() => localStorage.getItem('triage-widget:outbox'))).toBeNull();
    expect(await stored(request, subject)).toBe(0);

    // The draft holds it too: after a reload the panel, open before, reopens with the form filled in.
    await page.unroute('**/api/tickets');
    await page.reload();
    await expect(dialog(page)).toBeVisible({ timeout: 30_000 });
    await expect(dialog(page).locator('#tw-subject')).toHaveValue(subject);
  });

  test('a reload in the middle of the retries delivers once', async ({ page, request }) => {
    const subject = uniqueSubject('reload');
    const posts = recordPosts(page);
    let failing = true;
    let reachedReceiver = 0;
    await page.route('**/api/tickets', async (route: Route) => {
      if (route.request().method() !== 'POST' || !failing) return route.continue();
      if (reachedReceiver === 0) {
        // The first attempt reaches the receiver and is stored, but its answer is lost.
        reachedReceiver += 1;
        await route.fetch();
      }
      await route.fulfill({ status: 503, headers: { 'Retry-After': '1' }, body: 'busy' });
    });
    await page.goto('/');
    await fillTicket(page, subject);
    await send(page);
    await expect(heading(page)).toHaveText(QUEUED, { timeout: 30_000 });
    expect(await stored(request, subject), 'the lost answer still stored the ticket').toBe(1);

    failing = false;
    await page.reload();
    // The outbox holds a ticket: the loader loads the widget at once and it resends.
    await expect(badge(page)).toHaveText('', { timeout: 30_000 });
    await expect.poll(() => page.evaluate(() => localStorage.getItem('triage-widget:outbox'))).toBeNull();
    expect(new Set(posts.map((post) => post.key)).size, 'every attempt, before and after the reload, used one key').toBe(1);
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(await stored(request, subject)).toBe(1);
  });

  test('a 400 is shown next to its field and not retried', async ({ page, request }) => {
    const subject = uniqueSubject('400');
    const posts = recordPosts(page);
    await page.route('**/api/tickets', async (route: Route) => {
      // The receiver itself refuses: the ticket goes through with an e-mail the form would not accept.
      const ticket = JSON.parse(route.request().postData() ?? '{}');
      ticket.contact.email = 'not-an-e-mail';
      await route.continue({ postData: JSON.stringify(ticket) });
    });
    await page.goto('/');
    await fillTicket(page, subject);
    await send(page);
    const email = dialog(page).locator('#tw-email');
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog(page).locator('#tw-email-error')).toContainText(/O envio foi recusado/);
    await screenshot(page, 'send-rejected-400');
    // What the customer typed is still there to correct.
    await expect(dialog(page).locator('#tw-subject')).toHaveValue(subject);
    await page.waitForTimeout(5_000);
    expect(posts, 'a 400 is not retried').toHaveLength(1);
    expect(await page.evaluate(() => localStorage.getItem('triage-widget:outbox'))).toBeNull();
    expect(await stored(request, subject)).toBe(0);
  });

  test('a draft survives a reload and is sent once', async ({ page, request }) => {
    const subject = uniqueSubject('draft');
    await page.goto('/');
    await fillTicket(page, subject);
    await page.reload();
    await expect(dialog(page)).toBeVisible();
    await expect(dialog(page).locator('#tw-subject')).toHaveValue(subject);
    await expect(dialog(page).locator('#tw-email')).toHaveValue('ana@example.com');
    await send(page);
    await expect(heading(page)).toHaveText(SENT, { timeout: 20_000 });
    expect(await stored(request, subject)).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('triage-widget:draft:priority-p1-p4'))).toBeNull();
  });
});
