// The whole customer flow for both seed policies, against the real receiver: answers → severity →
// targets and due times in the customer's zone → contact form → a ticket stored exactly once,
// with a screenshot of every step (artifacts/screenshots/flow-*.png).
import type { Page } from '@playwright/test';
import { test, expect, screenshot, adminTickets, launcher, dialog, heading, answerToForm } from './support';

interface Flow {
  /** Policy id, also the screenshot prefix. */
  policy: string;
  page: string;
  /** Answer ids in order, from the first question to the last. */
  answers: string[];
  severity: RegExp;
  /** The two target durations as shown (first response, resolution). */
  limits: [RegExp, RegExp];
  /** How a concrete due time ends in the page's language. */
  yourTime: RegExp;
  sentHeading: RegExp;
  product?: string;
  attach?: boolean;
}

const FLOWS: Flow[] = [
  {
    policy: 'priority-p1-p4',
    page: '/',
    answers: ['not_working', 'stopped', 'none'],
    severity: /P1/,
    limits: [/(em até|within) 30 (minutos|minutes)/, /(em até|within) 4 (horas|hours)/],
    yourTime: /(no seu horário|your time)$/,
    sentHeading: /Chamado enviado|Ticket sent/,
  },
  {
    policy: 'impact-t1-t4',
    page: '/www/demo-impact.html',
    answers: ['broken', 'none', 'one_user'],
    severity: /T2/,
    limits: [/within \d+ (minutes|hours?)/, /within 1 day/],
    yourTime: /your time$/,
    sentHeading: /Ticket sent/,
    product: 'nps',
    attach: true,
  },
];


// 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

for (const flow of FLOWS) {
  test(`${flow.policy}: answers to severity to due times to one stored ticket`, async ({ page, request }) => {
    const subject = `e2e ${flow.policy} ${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    await page.goto(flow.page);
    await launcher(page).click();
    await expect(dialog(page)).toBeVisible();
    await expect(dialog(page).locator('fieldset legend')).toBeVisible();

    for (const [index, answer] of flow.answers.entries()) {
      const progress = dialog(page).locator('.tw-progress-label');
      await expect(progress).toContainText(String(index + 1));
      await dialog(page).locator(`input[type="radio"][value="${answer}"]`).check();
      await screenshot(page, `flow-${flow.policy}-${index + 1}-question`);
      await dialog(page).locator('button[type="submit"]').click();
    }

    // The result: severity, why, targets as durations and as due times in the customer's zone.
    await expect(dialog(page).locator('.tw-severity')).toHaveText(flow.severity);
    await expect(dialog(page).locator('.tw-reasons li')).toHaveCount(flow.answers.length);
    const limits = dialog(page).locator('.tw-card .tw-target-limit');
    await expect(limits.nth(0)).toHaveText(flow.limits[0]);
    await expect(limits.nth(1)).toHaveText(flow.limits[1]);
    const dues = dialog(page).locator('.tw-card .tw-due');
    await expect(dues).toHaveCount(2);
    for (const due of await dues.allTextContents()) expect(due.trim()).toMatch(flow.yourTime);
    await expect(page.locator('#triage-widget [aria-live="polite"]')).toContainText(flow.severity);
    await screenshot(page, `flow-${flow.policy}-${flow.answers.length + 1}-result`);
    await dialog(page).locator('.tw-actions').scrollIntoViewIfNeeded();
    await screenshot(page, `flow-${flow.policy}-${flow.answers.length + 1}-result-end`);

    // The form.
    await dialog(page).locator('.tw-actions .tw-primary').click();
    await expect(heading(page)).toBeFocused();
    await dialog(page).locator('#tw-name').fill('Ana Souza');
    await dialog(page).locator('#tw-email').fill('ana@example.com');
    if (flow.product) await dialog(page).locator('#tw-product').selectOption(flow.product);
    await dialog(page).locator('#tw-subject').fill(subject);
    await dialog(page).locator('#tw-description').fill('Relatórios não carregam desde as 10h; já limpei o cache.');
    if (flow.attach) {
      await dialog(page).locator('#tw-files').setInputFiles({ name: 'tela.png', mimeType: 'image/png', buffer: PNG });
      await expect(dialog(page).locator('.tw-file-name')).toHaveText(['tela.png']);
    }
    await screenshot(page, `flow-${flow.policy}-${flow.answers.length + 2}-form`);

    // Send → confirmation with the receiver's reference and due times.
    await dialog(page).locator('button[type="submit"]').click();
    await expect(heading(page)).toHaveText(flow.sentHeading, { timeout: 20_000 });
    const reference = (await dialog(page).locator('.tw-reference').textContent())?.trim() ?? '';
    expect(reference).not.toBe('');
    for (const due of await dialog(page).locator('.tw-due').allTextContents()) expect(due.trim()).toMatch(flow.yourTime);
    await screenshot(page, `flow-${flow.policy}-${flow.answers.length + 3}-sent`);

    // Exactly one ticket with this subject reached the receiver, classified as in the browser.
    const stored = (await adminTickets(request)).tickets.filter((ticket) => ticket.subject === subject);
    expect(stored).toHaveLength(1);
    expect(stored[0].reference).toBe(reference);
    expect(stored[0].severity).toMatch(flow.severity);
    expect(stored[0].browser_severity).toMatch(flow.severity);

    // The draft is gone once delivered.
    const draft = await page.evaluate((key) => localStorage.getItem(key), `triage-widget:draft:${flow.policy}`);
    expect(draft).toBeNull();
  });
}

test('a reload keeps the answers and what was typed (draft)', async ({ page }) => {
  await page.goto('/');
  await launcher(page).click();
  await answerToForm(page);
  await dialog(page).locator('#tw-subject').fill('Rascunho que sobrevive');
  await page.reload();
  // The panel was open: it reopens after the navigation, at the same step with the same text.
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page).locator('#tw-subject')).toHaveValue('Rascunho que sobrevive');
});

test('invalid fields are flagged inline and focus goes to the first one', async ({ page }) => {
  await page.goto('/');
  await launcher(page).click();
  await answerToForm(page);
  await dialog(page).locator('#tw-name').fill('Ana');
  await dialog(page).locator('#tw-email').fill('ana-sem-arroba');
  await dialog(page).locator('button[type="submit"]').click();
  const email = dialog(page).locator('#tw-email');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAttribute('aria-describedby', 'tw-email-error');
  await expect(dialog(page).locator('#tw-email-error')).toBeVisible();
  await expect(email).toBeFocused();
  await screenshot(page, 'flow-form-errors');
});
