// `triage preview mine.json` in a real browser with the real widget (from the npm tarball): the
// page runs the policy against the preview's local endpoint, reloads by itself when the file is
// saved, and shows a broken edit's problems with their JSON paths on the page.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test, expect, launcher, dialog, heading } from './support';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with \`cargo xtask test e2e\``);
  return value;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-preview-'));
const policyFile = path.join(work, 'mine.json');
let preview: ChildProcess;
let origin = '';
let seed = '';

test.beforeAll(async () => {
  execFileSync('tar', ['xzf', required('TRIAGE_PACKAGE'), '-C', work]);
  seed = fs.readFileSync(path.join(work, 'package/policies/priority-p1-p4.json'), 'utf8');
  fs.writeFileSync(policyFile, seed);
  preview = spawn(required('TRIAGE_CLI_BIN'), ['preview', policyFile, '--port', '0', '--widget', path.join(work, 'package')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  origin = await new Promise<string>((resolve, reject) => {
    let seen = '';
    preview.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /preview on (http:\/\/[0-9.:]+)\//.exec(seen);
      if (match) resolve(match[1]);
    });
    preview.on('exit', (code) => reject(new Error(`triage preview exited (${code}) before serving`)));
  });
});

test.afterAll(() => {
  preview?.kill('SIGINT');
  fs.rmSync(work, { recursive: true, force: true });
});

test('the preview reloads after an edit and shows a broken edit with its JSON path', async ({ page }) => {
  await page.goto(`${origin}/`);
  await expect(page.locator('html')).toHaveAttribute('data-status', 'valid');
  await expect(launcher(page)).toBeVisible();

  // A broken edit: the page reloads by itself and lists the problem with its path and fix.
  const broken = JSON.parse(seed);
  delete broken.plans[1].targets.P4;
  let reloaded = page.waitForEvent('load');
  fs.writeFileSync(policyFile, JSON.stringify(broken, null, 2));
  await reloaded;
  await expect(page.locator('html')).toHaveAttribute('data-status', 'invalid');
  const problem = page.locator('#problems .problem');
  await expect(problem).toHaveCount(1);
  await expect(problem.locator('.path')).toHaveText('$.plans[1].targets');
  await expect(problem.locator('.message')).toHaveText('missing severity "P4"');
  await expect(problem.locator('.fix')).toContainText('add `plans[1].targets.P4`');
  await expect(page.locator('#triage-widget')).toHaveCount(0);

  // Fixed again: the widget is back, and a ticket goes to the preview's local endpoint.
  reloaded = page.waitForEvent('load');
  fs.writeFileSync(policyFile, seed);
  await reloaded;
  await expect(page.locator('html')).toHaveAttribute('data-status', 'valid');
  await launcher(page).click();
  for (const answer of ['not_working', 'stopped', 'none']) {
    await dialog(page).locator(`input[type="radio"][value="${answer}"]`).check();
    await dialog(page).locator('button[type="submit"]').click();
  }
  await expect(dialog(page).locator('.tw-severity')).toHaveText(/P1/);
  await dialog(page).locator('.tw-actions .tw-primary').click();
  await dialog(page).locator('#tw-name').fill('Ana Souza');
  await dialog(page).locator('#tw-email').fill('ana@example.com');
  await dialog(page).locator('#tw-subject').fill('Prévia');
  await dialog(page).locator('#tw-description').fill('Testando a política antes de publicar.');
  await dialog(page).locator('button[type="submit"]').click();
  await expect(heading(page)).toHaveText(/Chamado enviado|Ticket sent/, { timeout: 20_000 });
  await expect(dialog(page).locator('.tw-reference')).toContainText('PREVIEW-');
});
