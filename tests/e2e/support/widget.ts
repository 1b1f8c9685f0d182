// Locators of the embedded widget. Playwright's CSS locators pierce open shadow roots.
import type { Locator, Page } from '@playwright/test';

/** The host element the loader appends to `<body>`; its open shadow root holds the widget. */
export const widgetHost = (page: Page): Locator => page.locator('#triage-widget');

/** The launcher button the loader draws at once, before any wasm is fetched. */
export const launcher = (page: Page): Locator => page.locator('#triage-widget .tw-launcher');
