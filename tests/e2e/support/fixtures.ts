// The `test` every spec imports: its `page` fails the test on any console error, uncaught page
// error or Content-Security-Policy violation, listing each one.
import { test as base, expect, type ConsoleMessage, type Page } from '@playwright/test';

export { expect };

/** One thing that went wrong in the page. */
export interface PageProblem {
  kind: 'console' | 'pageerror' | 'csp';
  text: string;
  /** Where, when the browser says (`url:line:column`). */
  where?: string;
}

/** Collects the page's problems; tests may allow the ones they provoke on purpose. */
export class PageProblems {
  private readonly seen: PageProblem[] = [];
  private readonly allowed: RegExp[];

  constructor(allowed: RegExp[]) {
    this.allowed = [...allowed];
  }

  record(problem: PageProblem): void {
    this.seen.push(problem);
  }

  /** Everything seen so far, allowed or not. */
  all(): PageProblem[] {
    return [...this.seen];
  }

  /** Problems no allowed pattern matches: the test fails if any remain at its end. */
  unexpected(): PageProblem[] {
    return this.seen.filter((problem) => !this.allowed.some((pattern) => pattern.test(problem.text)));
  }

  /** Tolerates problems whose text matches `pattern` for the rest of this test (e.g. a provoked 503). */
  allow(pattern: RegExp): void {
    this.allowed.push(pattern);
  }
}

interface Fixtures {
  /** Patterns of console errors a whole spec file expects (`test.use({ allowedProblems: [...] })`). */
  allowedProblems: RegExp[];
  pageProblems: PageProblems;
}

// Bridges `securitypolicyviolation` events (also from shadow roots: they bubble to the document) into
// the console, where the collector below sees them. Injected by Playwright, not subject to the CSP.
const REPORT_CSP_VIOLATIONS = `
  document.addEventListener('securitypolicyviolation', (event) => {
    console.error('[csp] ' + event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline') +
      ' at ' + (event.sourceFile || location.href) + ':' + event.lineNumber);
  }, true);
`;

function describeLocation(message: ConsoleMessage): string | undefined {
  const { url, lineNumber, columnNumber } = message.location();
  return url ? `${url}:${lineNumber}:${columnNumber}` : undefined;
}

function collect(page: Page, problems: PageProblems): void {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const kind = text.startsWith('[csp] ') || /Content Security Policy/i.test(text) ? 'csp' : 'console';
    problems.record({ kind, text, where: describeLocation(message) });
  });
  page.on('pageerror', (error) => {
    problems.record({ kind: 'pageerror', text: `${error.name}: ${error.message}`, where: error.stack?.split('\n')[1]?.trim() });
  });
}

function format(problems: PageProblem[]): string {
  return problems.map((p) => `  [${p.kind}] ${p.text}${p.where ? `  (${p.where})` : ''}`).join('\n');
}

export const test = base.extend<Fixtures>({
  allowedProblems: [[], { option: true }],

  pageProblems: async ({ allowedProblems }, use) => {
    await use(new PageProblems(allowedProblems));
  },

  page: async ({ page, pageProblems }, use, testInfo) => {
    await page.addInitScript(REPORT_CSP_VIOLATIONS);
    collect(page, pageProblems);
    await use(page);
    const unexpected = pageProblems.unexpected();
    if (unexpected.length > 0) {
      await testInfo.attach('page-problems.txt', { body: format(pageProblems.all()), contentType: 'text/plain' });
    }
    expect(unexpected, `console errors, page errors or CSP violations:\n${format(unexpected)}`).toEqual([]);
  },
});
