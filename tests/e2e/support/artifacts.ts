// Screenshots for people to look at, saved under tests/e2e/artifacts/ (git-ignored).
import * as path from 'node:path';
import type { Page } from '@playwright/test';

export const ARTIFACTS_DIR = path.resolve(__dirname, '..', 'artifacts');

/** Saves `artifacts/screenshots/<name>.png` of the viewport and returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'screenshot';
  const file = path.join(ARTIFACTS_DIR, 'screenshots', `${safe}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false });
  return file;
}
