// Accessibility scan with axe-core (WCAG 2.2 A/AA rules), inside open shadow roots too.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export interface AxeOptions {
  /** Only scan inside this selector (e.g. `#triage-widget`); the whole page by default. */
  include?: string;
  /** Leave these selectors out (e.g. a third-party frame). */
  exclude?: string[];
  /** Rule ids to switch off, each with a reason in the calling test. */
  disableRules?: string[];
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** Runs axe on the page as it is now and fails with a readable list if anything is violated. */
export async function scanAxe(page: Page, options: AxeOptions = {}): Promise<void> {
  // preload: false — axe's CSSOM preload parses stylesheets through inline <style> elements, which the
  // demo's CSP (style-src 'self') blocks and reports as violations; only css-orientation-lock uses it.
  let builder = new AxeBuilder({ page }).withTags(WCAG_TAGS).options({ preload: false });
  if (options.include) builder = builder.include(options.include);
  for (const selector of options.exclude ?? []) builder = builder.exclude(selector);
  if (options.disableRules?.length) builder = builder.disableRules(options.disableRules);
  const results = await builder.analyze();
  const report = results.violations
    .map((violation) => {
      const targets = violation.nodes.map((node) => `      ${JSON.stringify(node.target)}: ${node.failureSummary ?? ''}`.replace(/\n/g, ' '));
      return `  ${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help}\n${targets.join('\n')}`;
    })
    .join('\n');
  expect(results.violations, `axe found accessibility violations:\n${report}`).toEqual([]);
}
