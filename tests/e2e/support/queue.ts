// The agents' queue page (`/admin`): signing in, and storing tickets straight through the API so
// a test controls their severity, e-mail and attachments.
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { adminToken, baseUrl } from './env';

/** An e-mail no other test uses: the queue is searched by it to see only this test's tickets. */
export const uniqueEmail = (what: string): string =>
  `${what}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@queue.example`;

/** Signs in through the form with the admin token; ends on the queue. */
export async function signIn(page: Page, next = '/admin'): Promise<void> {
  await page.goto(`/admin/sign-in?next=${encodeURIComponent(next)}`);
  await page.locator('#token').fill(adminToken());
  await page.locator('#sign-in-form button[type="submit"]').click();
  await expect(page.locator('main h1')).toBeVisible();
}

export interface QueueTicket {
  severity: 'P1' | 'P4';
  email: string;
  subject: string;
  files?: Array<{ name: string; mimeType: string; buffer: Buffer }>;
}

const ANSWERS = { P1: 'service_down', P4: 'question' } as const;

/** Stores a `priority-p1-p4` ticket through `POST /api/tickets`; returns its reference. */
export async function storeTicket(request: APIRequestContext, ticket: QueueTicket): Promise<string> {
  const now = new Date().toISOString();
  const body = {
    policy: { id: 'priority-p1-p4', version: '2026-11-23' },
    plan: 'business-plus',
    severity: ticket.severity,
    answers: [{ question: 'situation', answer: ANSWERS[ticket.severity] }],
    reasons: [],
    due: { first_response: { due: now }, resolution: { due: now } },
    contact: { name: 'Ana Souza', email: ticket.email },
    subject: ticket.subject,
    description: 'Criado pelo teste da fila.',
    page_url: `${baseUrl()}/`,
    locale: 'pt-BR',
    time_zone: 'America/Sao_Paulo',
    created_at: now,
    fill_ms: 30000,
    attachments: (ticket.files ?? []).map((f) => ({ name: f.name, type: f.mimeType, size: f.buffer.length })),
  };
  const headers = { 'Idempotency-Key': crypto.randomUUID() };
  const response = ticket.files?.length
    ? await request.post(`${baseUrl()}/api/tickets`, {
        headers,
        multipart: {
          ticket: { name: 'ticket.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(body)) },
          ...Object.fromEntries(ticket.files.map((f, i) => [`attachments${i ? i : ''}`, f])),
        },
      })
    : await request.post(`${baseUrl()}/api/tickets`, { headers, data: body });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { reference: string }).reference;
}

/** Unused here but kept next to the helpers: the admin token for API checks. */
export const bearer = (): Record<string, string> => ({ Authorization: `Bearer ${adminToken()}` });
