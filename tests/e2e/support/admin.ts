// The receiver's admin API, to check what was really stored.
import { expect, type APIRequestContext } from '@playwright/test';
import { adminToken, baseUrl } from './env';

/** One stored ticket as `GET /api/tickets` lists it (the fields tests usually look at). */
export interface StoredTicket {
  id: string;
  reference: string;
  severity: string;
  classified_severity: string;
  browser_severity: string;
  plan: string;
  subject: string;
  flags: string[];
  [field: string]: unknown;
}

export interface StoredTickets {
  /** Tickets stored in all (every page). */
  total: number;
  /** The newest tickets first, up to 500. */
  tickets: StoredTicket[];
}

/** Lists stored tickets through `GET /api/tickets` with the admin token. */
export async function adminTickets(request: APIRequestContext, query: Record<string, string> = {}): Promise<StoredTickets> {
  const params = new URLSearchParams({ limit: '500', ...query });
  const response = await request.get(`${baseUrl()}/api/tickets?${params}`, {
    headers: { Authorization: `Bearer ${adminToken()}` },
  });
  expect(response.status(), `GET /api/tickets answered ${response.status()}: ${await response.text()}`).toBe(200);
  const body = (await response.json()) as { total: number; tickets: StoredTicket[] };
  return { total: body.total, tickets: body.tickets };
}

/** The number of tickets stored so far. */
export async function adminTicketCount(request: APIRequestContext): Promise<number> {
  return (await adminTickets(request)).total;
}
