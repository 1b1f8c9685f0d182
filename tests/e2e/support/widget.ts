// Locators of the embedded widget. Playwright's CSS locators pierce open shadow roots.
import { expect, type Locator, type Page } from '@playwright/test';

/** The host element the loader appends to `<body>`; its open shadow root holds the widget. */
export const widgetHost = (page: Page): Locator => page.locator('#triage-widget');

/** The launcher button the loader draws at once, before any wasm is fetched. */
export const launcher = (page: Page): Locator => page.locator('#triage-widget .tw-launcher');

/** The panel, a dialog inside the shadow root. */
export const dialog = (page: Page): Locator => page.locator('#triage-widget [role="dialog"]');

/** The current step's heading (focus moves to it on every step). */
export const heading = (page: Page): Locator => dialog(page).locator('#tw-heading');

/** On the demo policy's first question, takes the one-question path (a question about the
 * product: P4), checks the result and goes on to the contact form. The panel must be open. */
export async function answerToForm(page: Page): Promise<void> {
  await dialog(page).locator('input[type="radio"][value="question"]').check();
  await dialog(page).locator('button[type="submit"]').click();
  await expect(dialog(page).locator('.tw-severity')).toHaveText(/P4/);
  await dialog(page).locator('.tw-actions .tw-primary').click();
  await expect(dialog(page).locator('#tw-subject')).toBeVisible();
}
