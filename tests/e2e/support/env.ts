// Where the suite runs: the receiver's URL and admin token, as `cargo xtask test e2e` passes them.

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite with \`cargo xtask test e2e\``);
  }
  return value;
}

/** Base URL of the receiver serving the demo page, e.g. `http://127.0.0.1:41234` (no trailing slash). */
export const baseUrl = (): string => required('TRIAGE_BASE_URL').replace(/\/+$/, '');

/** Bearer token of the receiver's admin API. */
export const adminToken = (): string => required('TRIAGE_ADMIN_TOKEN');

/** The path of the demo page that embeds the widget with its one script tag. */
export const DEMO_PAGE = '/';
