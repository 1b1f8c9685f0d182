// The support team's queue page against the real receiver: sign-in (right, wrong, CSRF refused),
// ordering by due time, a new ticket appearing without a reload, both actions changing the SLA
// state, filters, hostile strings rendered as text, the phone layout, keyboard use and axe on
// every view. Each test searches the queue by its own e-mail, so other specs' tickets do not count.
import type { Page } from '@playwright/test';
import { test, expect, scanAxe, screenshot, baseUrl, adminToken } from './support';
import { signIn, storeTicket, uniqueEmail } from './support/queue';

const rows = (page: Page) => page.locator('#queue-rows tr[data-id]');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

async function openQueueFor(page: Page, email: string, extra = ''): Promise<void> {
  await page.goto(`/admin?q=${encodeURIComponent(email)}${extra}`);
  await expect(page.locator('#queue')).toBeVisible();
}

test.describe('queue page', () => {
  test('sign-in: a wrong token is refused, the right one opens the queue', async ({ page, pageProblems }) => {
    pageProblems.allow(/Failed to load resource: the server responded with a status of 401/);
    await page.goto('/admin');
    await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fadmin$/);
    await expect(page.locator('h1')).toHaveText('Entrar');
    await scanAxe(page);
    await screenshot(page, 'queue-sign-in');

    await page.locator('#token').fill('not-the-token');
    await page.locator('#sign-in-form button[type="submit"]').click();
    await expect(page.locator('#sign-in-error')).toHaveText(/não está certo/);
    await expect(page.locator('#token')).toHaveAttribute('aria-invalid', 'true');
    await scanAxe(page);
    await screenshot(page, 'queue-sign-in-wrong');

    await page.locator('#token').fill(adminToken());
    await page.locator('#sign-in-form button[type="submit"]').click();
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.locator('h1')).toHaveText('Chamados abertos, próximo prazo primeiro');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'tw_admin');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
  });

  test('the demo link signs in from the fragment, which never reaches the server', async ({ page }) => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`/admin/sign-in#token=${encodeURIComponent(adminToken())}`);
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.locator('#queue')).toBeVisible();
    expect(requested.some((url) => url.includes(adminToken()))).toBe(false);
  });

  test('a form without the session CSRF token is refused and records nothing', async ({ page, request }) => {
    const email = uniqueEmail('csrf');
    const reference = await storeTicket(request, { severity: 'P4', email, subject: 'csrf check' });
    await signIn(page);
    const forged = await page.request.post(`/admin/tickets/${reference}/progress/first-response`, {
      form: { csrf: 'forged' },
      headers: { Origin: baseUrl() },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    const other = await page.request.post(`/admin/tickets/${reference}/progress/first-response`, {
      form: { csrf: 'forged' },
      headers: { Origin: 'https://evil.example' },
      maxRedirects: 0,
    });
    expect(other.status()).toBe(403);
    await page.goto(`/admin/tickets/${reference}`);
    await expect(page.locator('.sla-box .sla').first()).toHaveText('No prazo');
  });

  test('open tickets are ordered by their next due time; filters narrow them', async ({ page, request }) => {
    const email = uniqueEmail('order');
    const low = await storeTicket(request, { severity: 'P4', email, subject: 'dúvida sobre relatório' });
    const urgent = await storeTicket(request, { severity: 'P1', email, subject: 'sistema fora do ar' });
    await signIn(page);
    await openQueueFor(page, email);
    await expect(rows(page)).toHaveCount(2);
    await expect(rows(page).nth(0).locator('th a')).toHaveText(urgent);
    await expect(rows(page).nth(1).locator('th a')).toHaveText(low);
    // Severity as text next to its colour, and a countdown in words.
    await expect(rows(page).nth(0).locator('.sev')).toHaveText('Urgente (P1)');
    await expect(rows(page).nth(0).locator('time.countdown').first()).toHaveText(/^primeira resposta em \d+/);
    await scanAxe(page);
    await screenshot(page, 'queue-list', { fullPage: true });

    await page.locator('#f-severity').selectOption('P4');
    await page.locator('.filters button[type="submit"]').click();
    await expect(page).toHaveURL(/severity=P4/);
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first().locator('th a')).toHaveText(low);

    await page.goto(`/admin?q=${urgent}`);
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first().locator('th a')).toHaveText(urgent);
    await screenshot(page, 'queue-filtered');
  });

  test('a new ticket appears without a reload and is announced', async ({ page, request }) => {
    const email = uniqueEmail('live');
    await signIn(page);
    await openQueueFor(page, email);
    await expect(page.locator('#queue-rows tr.empty')).toBeVisible();
    const marker = await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
      return true;
    });
    expect(marker).toBe(true);
    const reference = await storeTicket(request, { severity: 'P1', email, subject: 'chegou agora' });
    await expect(rows(page).first().locator('th a')).toHaveText(reference, { timeout: 20_000 });
    await expect(rows(page).first()).toHaveClass(/new/);
    await expect(page.locator('#queue-announce')).toHaveText(/1 chamado\(s\) novo\(s\)/);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expect(page).toHaveTitle(/Fila · Triage/);
  });

  test('"first response sent" and "resolved" are confirmed, recorded and change the SLA state', async ({ page, request }) => {
    const email = uniqueEmail('actions');
    const reference = await storeTicket(request, { severity: 'P1', email, subject: 'ação do agente' });
    await signIn(page);
    await openQueueFor(page, email);
    await rows(page).first().locator('th a').click();
    await expect(page.locator('h1')).toHaveText('ação do agente');
    await scanAxe(page);
    await screenshot(page, 'queue-ticket', { fullPage: true });

    await page.getByRole('link', { name: 'Primeira resposta enviada' }).click();
    await expect(page.locator('#confirm-question')).toContainText(`Registrar que a primeira resposta a ${reference}`);
    await scanAxe(page);
    await screenshot(page, 'queue-confirm');
    await page.getByRole('button', { name: 'Sim, registrar' }).click();
    await expect(page.locator('#recorded')).toHaveText(/Primeira resposta registrada às/);
    await expect(page.locator('.sla-box .sla').first()).toHaveText('Cumprido');
    await expect(page.getByRole('link', { name: 'Primeira resposta enviada' })).toHaveCount(0);

    await page.getByRole('link', { name: 'Resolvido' }).click();
    await page.getByRole('button', { name: 'Sim, registrar' }).click();
    await expect(page.locator('#recorded')).toHaveText(/Resolução registrada às/);
    await expect(page.locator('.sla-box .sla').nth(1)).toHaveText('Cumprido');
    await screenshot(page, 'queue-ticket-resolved');
    await openQueueFor(page, email);
    await expect(rows(page)).toHaveCount(0);
  });

  test('a hostile subject and file name are shown as text', async ({ page, request }) => {
    const email = uniqueEmail('hostile');
    const subject = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const fileName = '<img src=y onerror=window.pwned=3>.png';
    const reference = await storeTicket(request, {
      severity: 'P4',
      email,
      subject,
      files: [{ name: fileName, mimeType: 'image/png', buffer: PNG }],
    });
    await signIn(page);
    await openQueueFor(page, email);
    await expect(rows(page).first().locator('.subject')).toHaveText(subject);
    await page.goto(`/admin/tickets/${reference}`);
    await expect(page.locator('h1')).toHaveText(subject);
    await expect(page.locator('.attachments .file-name')).toHaveText(fileName);
    await expect(page.locator('img[src="x"], img[src="y"], main script')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    const download = await page.request.get(`/admin/tickets/${reference}/attachments/0`);
    expect(download.headers()['content-disposition']).toMatch(/^attachment;/);
    expect(download.headers()['x-content-type-options']).toBe('nosniff');
    await screenshot(page, 'queue-ticket-hostile', { fullPage: true });
  });

  test('phone layout at 390 px: cards, no sideways scrolling, keyboard only', async ({ page, request }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const email = uniqueEmail('phone');
    const reference = await storeTicket(request, { severity: 'P1', email, subject: 'no celular' });
    await signIn(page);
    await openQueueFor(page, email);
    await expect(rows(page)).toHaveCount(1);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await scanAxe(page);
    await screenshot(page, 'queue-phone', { fullPage: true });

    // Keyboard only: the skip link, then through the filters to the ticket's link.
    await page.keyboard.press('Tab');
    await expect(page.locator('.skip')).toBeFocused();
    const link = rows(page).first().locator('th a');
    for (let i = 0; i < 20 && !(await link.evaluate((el) => el === document.activeElement)); i += 1) {
      await page.keyboard.press('Tab');
    }
    await expect(link).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/admin/tickets/${reference}$`));
    const ticketOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(ticketOverflow).toBeLessThanOrEqual(0);
    await scanAxe(page);
    await screenshot(page, 'queue-phone-ticket', { fullPage: true });
  });

  test('the language switch changes every label', async ({ page }) => {
    await signIn(page);
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('h1')).toHaveText('Open tickets, next due first');
    await page.getByRole('link', { name: 'Español' }).click();
    await expect(page.locator('h1')).toHaveText('Tickets abiertos, el próximo plazo primero');
    await scanAxe(page);
    await screenshot(page, 'queue-es');
  });
});
