// Playwright configuration of the end-to-end suite. `cargo xtask test e2e` starts the real receiver
// on a free port and passes its URL (TRIAGE_BASE_URL) and admin token (TRIAGE_ADMIN_TOKEN).
import { defineConfig } from '@playwright/test';

const baseURL = process.env.TRIAGE_BASE_URL;
if (!baseURL) {
  throw new Error(
    'TRIAGE_BASE_URL is not set: run the suite with `cargo xtask test e2e`, which builds the widget ' +
      'and starts the receiver, or set TRIAGE_BASE_URL (and TRIAGE_ADMIN_TOKEN) to a running one.',
  );
}

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: 'artifacts/test-results',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // xtask reads the JSON report for the tier's summary line.
  reporter: [['list'], ['json', { outputFile: 'artifacts/results.json' }]],
  use: {
    baseURL,
    browserName: 'chromium',
    locale: 'pt-BR',
    timezoneId: 'America/Sao_Paulo',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium: nothing is downloaded (`playwright install` is never run).
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
  },
});
