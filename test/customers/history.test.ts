import { beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_IN_VIEW } from '../../modules/customer-view/index.ts';
import { acme, invoiceInput, useRuntime } from '../support/runtime.ts';

const env = useRuntime({ clockStart: '2026-11-26T08:00:00Z' });
const hist = {
  ...acme,
  id: 'hist',
  name: 'History Ltd',
  emailDomains: ['hist.test'],
  contacts: [{ ...acme.contacts[0], email: 'ann@hist.test' }],
};

/** Personal tokens of an agent (no invoices:read) and of finance (no issues:read). */
const tokens: Record<'agent' | 'finance', string> = { agent: '', finance: '' };
const as = (role: keyof typeof tokens, path: string) => env.client.call('GET', path, undefined, tokens[role]);

/** Every page of one history list, following `next`. */
async function walk(list: string, limit: number): Promise<{ pages: unknown[][]; all: Record<string, unknown>[] }> {
  const pages: unknown[][] = [];
  let after: string | undefined;
  do {
    const answer = await env.client.get(
      `/customers/hist/history/${list}?limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    pages.push(answer.body[list]);
    after = answer.body.next;
  } while (after && pages.length < 50);
  return { pages, all: pages.flat() as Record<string, unknown>[] };
}

beforeAll(async () => {
  expect((await env.client.post('/customers', hist)).status).toBe(201);
  for (let n = 1; n <= 5; n++) {
    const issue = await env.client.post('/issues', { customerId: 'hist', title: `Outage ${n}`, severity: 'sev3' });
    expect(issue.status).toBe(201);
    if (n % 2 === 1) await env.client.post(`/issues/${issue.body.id}/events`, { type: 'resolve', rfo: `Cause ${n}.` });
    await env.client.advance('PT1M');
  }
  // H-001 has three payments, H-002 one, the rest none.
  for (let n = 1; n <= 4; n++)
    expect((await env.client.post('/invoices', invoiceInput(`H-00${n}`, 'hist', '2026-12-20', 300))).status).toBe(201);
  for (const [invoiceId, reference] of [
    ['H-001', 'a'],
    ['H-001', 'b'],
    ['H-001', 'c'],
    ['H-002', 'd'],
  ])
    expect((await env.client.post('/payments', { invoiceId, amount: 10, date: '2026-11-25', reference })).status).toBe(202);
  await env.runtime.tracker.idle();
  for (const role of ['agent', 'finance'] as const) {
    const user = await env.client.post('/users', { email: `${role}@provider.test`, name: role, roles: [role] });
    tokens[role] = (await env.client.post(`/users/${user.body.id}/tokens`, { name: 'tests' })).body.token;
  }
});

describe("a customer's history, page by page (GET /customers/{id}/history/{list})", () => {
  it('issues newest first, RFOs among them, emails newest first: every entry once, in order, the last page without next', async () => {
    const issues = await walk('issues', 2);
    expect(issues.pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(issues.all.map((issue) => issue.title)).toEqual(['Outage 5', 'Outage 4', 'Outage 3', 'Outage 2', 'Outage 1']);

    const rfos = await walk('rfos', 2);
    expect(rfos.all.map((rfo) => rfo.text)).toEqual(['Cause 5.', 'Cause 3.', 'Cause 1.']);
    expect(rfos.pages.map((page) => page.length)).toEqual([2, 1]);

    const view = (await env.client.get('/customers/hist')).body;
    const emails = await walk('emails', 3);
    expect(emails.all.length).toBeGreaterThanOrEqual(5); // an acknowledgement per issue at least
    expect(emails.all.map((email) => email.messageId)).toEqual(
      view.history.emails.map((email: { messageId: string }) => email.messageId).reverse(),
    );
    expect(new Set(emails.all.map((email) => email.messageId)).size).toBe(emails.all.length);
  });

  it('payments page at whole invoices: a page holds at least `limit` unless it is the last', async () => {
    const payments = await walk('payments', 2);
    expect(payments.pages.map((page) => (page as { reference: string }[]).map((payment) => payment.reference))).toEqual([
      ['a', 'b', 'c'],
      ['d'],
    ]);
    const invoices = await walk('invoices', 3);
    expect(invoices.all.map((invoice) => invoice.id)).toEqual(['H-001', 'H-002', 'H-003', 'H-004']);
  });

  it('GET /customers/{id} shows each list as before, with no historyNext while everything fits', async () => {
    const view = (await env.client.get('/customers/hist')).body;
    expect(view.history.issues).toHaveLength(5);
    expect(view.history.rfos).toHaveLength(3);
    expect(view.history.payments).toHaveLength(4);
    expect(view.history.replies).toEqual([]);
    expect(view.historyNext).toBeUndefined();
  });

  it('issue lists need issues:read and money lists invoices:read: a 403 naming it, and the customer view leaves them out', async () => {
    const agentView = await as('agent', '/customers/hist');
    expect(agentView.status).toBe(200);
    expect(Object.keys(agentView.body.history).sort()).toEqual(['emails', 'issues', 'rfos']);
    const refused = await as('agent', '/customers/hist/history/payments');
    expect([refused.status, refused.body.details?.permission]).toEqual([403, 'invoices:read']);

    const financeView = await as('finance', '/customers/hist');
    expect(Object.keys(financeView.body.history).sort()).toEqual(['disputes', 'emails', 'invoices', 'payments', 'promises', 'replies']);
    expect((await as('finance', '/customers/hist/history/rfos')).status).toBe(403);
    expect((await as('finance', '/customers/hist/history/invoices')).status).toBe(200);
  });

  it('bad input: a 4xx naming the field, never a 5xx', async () => {
    const cases: [string, number, string][] = [
      ['/customers/hist/history/secrets', 404, 'list'],
      ['/customers/hist/history/issues?limit=0', 400, 'limit'],
      ['/customers/hist/history/issues?limit=201', 400, 'limit'],
      [`/customers/hist/history/issues?after=${'x'.repeat(301)}`, 400, 'after'],
      ['/customers/hist/history/issues?page=2', 400, 'page'],
      ['/customers/nobody/history/issues', 404, 'nobody'],
      [`/invoices?customerId=${'c'.repeat(300)}`, 400, 'customerId'],
      ['/invoices?customerId=hist&limit=1001', 400, 'limit'],
    ];
    for (const [path, status, named] of cases) {
      const answer = await env.client.get(path);
      expect([path, answer.status], JSON.stringify(answer.body)).toEqual([path, status]);
      expect(answer.body.error).toContain(named);
    }
    // A cursor that names nothing stored is only a place in the order: the page after it.
    const odd = await env.client.get('/customers/hist/history/issues?after=zzzz');
    expect([odd.status, odd.body.issues.length]).toEqual([200, 5]);
  });
});

describe('lists that grow with the years have a maximum per answer', () => {
  it(`GET /customers/{id} shows the first ${HISTORY_IN_VIEW} invoices and names where the rest continue; GET /invoices?customerId= pages`, async () => {
    const many = Array.from({ length: HISTORY_IN_VIEW + 5 }, (_, n) => `M-${String(n).padStart(4, '0')}`);
    for (let start = 0; start < many.length; start += 20)
      await Promise.all(
        many
          .slice(start, start + 20)
          .map(async (id) => expect((await env.client.post('/invoices', invoiceInput(id, 'hist', '2026-12-31', 5))).status).toBe(201)),
      );
    const view = (await env.client.get('/customers/hist')).body;
    expect(view.history.invoices).toHaveLength(HISTORY_IN_VIEW);
    expect(view.historyNext.invoices).toBe(view.history.invoices.at(-1).id);
    expect(view.historyNext.payments).toBe(view.historyNext.invoices);
    expect(view.historyNext.issues).toBeUndefined();
    const rest = await env.client.get(`/customers/hist/history/invoices?limit=200&after=${view.historyNext.invoices}`);
    expect(rest.body.invoices).toHaveLength(9);
    expect(rest.body.next).toBeUndefined();

    const first = await env.client.get('/invoices?customerId=hist&limit=50');
    expect([first.body.invoices.length, first.body.next]).toEqual([50, expect.any(String)]);
    const second = await env.client.get(`/invoices?customerId=hist&limit=100&after=${first.body.next}`);
    expect([second.body.invoices.length, second.body.next]).toEqual([59, undefined]);
    const ids = [...first.body.invoices, ...second.body.invoices].map((invoice: { id: string }) => invoice.id);
    expect(new Set(ids).size).toBe(109);
    expect((await env.client.get('/invoices?customerId=hist')).body.invoices).toHaveLength(109); // without limit: up to 1,000
    const open = await env.client.get('/invoices?status=open&limit=30');
    expect(open.status, JSON.stringify(open.body)).toBe(200);
    expect([open.body.invoices.length, open.body.next]).toEqual([30, expect.any(String)]);
  });
});
