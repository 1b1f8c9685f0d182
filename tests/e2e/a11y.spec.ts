// Accessibility of the panel: an axe scan of every step (zero violations), a keyboard-only walk
// from the launcher to a sent ticket, focus moved in / trapped / returned, Esc, and the full-screen
// layout on a phone-sized viewport.
import type { Locator, Page } from '@playwright/test';
import { test, expect, scanAxe, screenshot, launcher, dialog, heading } from './support';

const WIDGET = '#triage-widget';

/** Presses Tab until `target` has focus (at most `max` times). */
async function tabTo(page: Page, target: Locator, max = 30, shift = false): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).activeElement === el)) return;
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
  }
  await expect(target, `Tab never reached the element`).toBeFocused();
}

test('every step passes an axe scan', async ({ page }) => {
  await page.goto('/');
  await expect(launcher(page)).toBeVisible();
  await scanAxe(page, { include: WIDGET });

  await launcher(page).click();
  await expect(dialog(page).locator('fieldset')).toBeVisible();
  await scanAxe(page, { include: WIDGET });

  // Continue without an answer: the inline message.
  await dialog(page).locator('button[type="submit"]').click();
  await expect(dialog(page).locator('#tw-q-error')).toBeVisible();
  await scanAxe(page, { include: WIDGET });

  for (const answer of ['not_working', 'stopped']) {
    await dialog(page).locator(`input[value="${answer}"]`).check();
    await dialog(page).locator('button[type="submit"]').click();
    await expect(dialog(page).locator('fieldset')).toBeVisible();
    await scanAxe(page, { include: WIDGET });
  }
  await dialog(page).locator('input[value="temporary"]').check();
  await dialog(page).locator('button[type="submit"]').click();
  await expect(dialog(page).locator('.tw-severity')).toHaveText(/P2/);
  await scanAxe(page, { include: WIDGET });

  // Ask for a higher severity: select and reason appear.
  await dialog(page).locator('.tw-escalation input[type="checkbox"]').check();
  await expect(dialog(page).locator('#tw-escalation-reason')).toBeVisible();
  await dialog(page).locator('.tw-actions .tw-primary').click();
  await expect(dialog(page).locator('#tw-escalation-reason-error')).toBeVisible();
  await expect(dialog(page).locator('#tw-escalation-reason')).toBeFocused();
  await scanAxe(page, { include: WIDGET });
  await screenshot(page, 'a11y-escalation');
  await dialog(page).locator('#tw-escalation-reason').fill('A folha de pagamento de 3 mil pessoas vence hoje.');
  await dialog(page).locator('.tw-actions .tw-primary').click();

  await expect(dialog(page).locator('form #tw-name')).toBeVisible();
  await scanAxe(page, { include: WIDGET });
  await dialog(page).locator('button[type="submit"]').click();
  await expect(dialog(page).locator('#tw-name-error')).toBeVisible();
  await scanAxe(page, { include: WIDGET });

  await dialog(page).locator('#tw-name').fill('Ana Souza');
  await dialog(page).locator('#tw-email').fill('ana@example.com');
  await dialog(page).locator('#tw-subject').fill('Acessibilidade: envio');
  await dialog(page).locator('#tw-description').fill('Teste de acessibilidade do fluxo completo.');
  await dialog(page).locator('button[type="submit"]').click();
  await expect(dialog(page).locator('.tw-reference')).toBeVisible({ timeout: 20_000 });
  await scanAxe(page, { include: WIDGET });
});

test('the T1–T4 policy in English passes axe on its result (channels, status pages)', async ({ page }) => {
  await page.goto('/www/demo-impact.html');
  await launcher(page).click();
  for (const answer of ['broken', 'none', 'all_users']) {
    await dialog(page).locator(`input[value="${answer}"]`).check();
    await dialog(page).locator('button[type="submit"]').click();
  }
  await expect(dialog(page).locator('.tw-severity')).toHaveText(/T1/);
  await expect(dialog(page).locator('#tw-channels')).toBeVisible();
  await expect(dialog(page).locator('.tw-links a')).toHaveCount(2);
  await scanAxe(page, { include: WIDGET });
  await dialog(page).locator('.tw-actions .tw-primary').click();
  await expect(dialog(page).locator('#tw-product')).toBeVisible();
  await scanAxe(page, { include: WIDGET });
});

test('keyboard only: launcher to sent ticket, with focus trapped and returned', async ({ page }) => {
  await page.goto('/');
  await tabTo(page, launcher(page));
  await page.keyboard.press('Enter');
  await expect(dialog(page)).toBeVisible();
  await expect(heading(page)).toBeFocused();

  // The focus trap: Shift+Tab from the first control wraps to the last, Tab wraps back.
  const close = dialog(page).locator('.tw-close');
  const submit = dialog(page).locator('button[type="submit"]');
  await close.focus();
  await page.keyboard.press('Shift+Tab');
  await expect(submit).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(close).toBeFocused();

  // Answer with Tab, arrows and Enter: not_working → usable → short_term gives P3.
  for (const answer of ['not_working', 'usable', 'short_term']) {
    const radios = dialog(page).locator('input[type="radio"]');
    await tabTo(page, radios.first());
    const values = await radios.evaluateAll((all) => all.map((r) => (r as HTMLInputElement).value));
    await page.keyboard.press('Space');
    for (let i = 0; i < values.indexOf(answer); i++) await page.keyboard.press('ArrowDown');
    await expect(dialog(page).locator(`input[value="${answer}"]`)).toBeChecked();
    await page.keyboard.press('Enter');
    await expect(heading(page)).toBeFocused();
  }
  await expect(dialog(page).locator('.tw-severity')).toHaveText(/P3/);
  await tabTo(page, dialog(page).locator('.tw-actions .tw-primary'));
  await page.keyboard.press('Enter');
  await expect(heading(page)).toBeFocused();

  await tabTo(page, dialog(page).locator('#tw-name'));
  await page.keyboard.type('Ana Souza');
  await page.keyboard.press('Tab');
  await page.keyboard.type('ana@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Teclado apenas');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Enviado só com o teclado.');
  await tabTo(page, submit);
  await page.keyboard.press('Enter');
  await expect(dialog(page).locator('.tw-reference')).toBeVisible({ timeout: 20_000 });
  await expect(heading(page)).toBeFocused();

  // Esc closes and focus returns to the launcher.
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toHaveCount(0);
  await expect(launcher(page)).toBeFocused();
  await expect(launcher(page)).toHaveAttribute('aria-expanded', 'false');
});

test('the close button closes and returns focus; reopening keeps the step', async ({ page }) => {
  await page.goto('/');
  await launcher(page).click();
  await dialog(page).locator('input[value="not_working"]').check();
  await dialog(page).locator('button[type="submit"]').click();
  await expect(dialog(page).locator('.tw-progress-label')).toContainText('2');
  await dialog(page).locator('.tw-close').click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(launcher(page)).toBeFocused();
  await launcher(page).click();
  await expect(dialog(page).locator('.tw-progress-label')).toContainText('2');
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('the panel fills the screen, inputs are 16 px, and axe passes', async ({ page }) => {
    await page.goto('/');
    await launcher(page).click();
    await expect(dialog(page)).toBeVisible();
    // Polled: the panel opens with a short scale-in animation, and mid-way it is slightly smaller.
    await expect.poll(() => dialog(page).boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    await screenshot(page, 'a11y-mobile-question');
    await scanAxe(page, { include: WIDGET });
    await dialog(page).locator('input[value="question"]').check();
    await dialog(page).locator('button[type="submit"]').click();
    await expect(dialog(page).locator('.tw-severity')).toBeVisible();
    await screenshot(page, 'a11y-mobile-result');
    await dialog(page).locator('.tw-actions .tw-primary').click();
    const fontSize = await dialog(page).locator('#tw-email').evaluate((el) => getComputedStyle(el).fontSize);
    expect(fontSize).toBe('16px');
    await screenshot(page, 'a11y-mobile-form');
    await scanAxe(page, { include: WIDGET });
  });
});

test.describe('with reduced motion', () => {
  test.use({ reducedMotion: 'reduce' });

  test('the panel does not animate', async ({ page }) => {
    await page.goto('/');
    await launcher(page).click();
    await expect(dialog(page)).toBeVisible();
    const animation = await dialog(page).evaluate((el) => getComputedStyle(el).animationName);
    expect(animation).toBe('none');
  });
});
