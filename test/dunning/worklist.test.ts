import { describe, expect, it } from 'vitest';
import { acme, inbox, invoiceInput, useRuntime } from '../support/runtime.ts';

const env = useRuntime({ clockStart: '2026-11-26T08:00:00Z' }); // Thursday 09:00 in Berlin

const customer = (id: string) =>
  env.client.post('/customers', {
    ...acme,
    id,
    name: `Customer ${id}`,
    emailDomains: [],
    contacts: [{ name: 'Payer', email: `pay@${id}.test`, roles: ['billing'] }],
  });
const invoice = async (id: string, customerId: string, dueDate: string, amount: number, currency = 'EUR') => {
  const created = await env.client.post('/invoices', {
    ...invoiceInput(id, customerId, dueDate, amount),
    issueDate: '2026-09-01',
    currency,
  });
  expect(created.status).toBe(201);
};
const ids = (answer: { body: { customers?: { customerId: string }[]; invoices?: { id: string }[] } }) =>
  answer.body.customers?.map((entry) => entry.customerId) ?? answer.body.invoices?.map((entry) => entry.id);

describe('the dunning worklist and the aging click-through (the console’s Receivables)', () => {
  it('lists who needs a person first (broken promise, dispute past its deadline), then who gets what next; paged', async () => {
    for (const id of ['late', 'promiser', 'disputer', 'fine']) expect((await customer(id)).status).toBe(201);
    await invoice('L-1', 'late', '2026-10-15', 200);
    await invoice('L-2', 'late', '2026-11-20', 50);
    await invoice('L-3', 'late', '2026-09-15', 80, 'USD');
    await invoice('P-1', 'promiser', '2026-11-10', 120);
    await invoice('D-1', 'disputer', '2026-11-01', 300);
    await invoice('F-1', 'fine', '2026-12-20', 999);
    expect((await env.client.post('/invoices/P-1/events', { type: 'promise', date: '2026-11-28' })).status).toBe(202);
    const dispute = { type: 'dispute', reason: 'Wrong rate', owner: 'Fay Finance', resolveBy: '2026-11-27' };
    expect((await env.client.post('/invoices/D-1/events', dispute)).status).toBe(202);
    await env.runtime.tracker.idle();
    await env.client.moveTo('2026-12-01T08:00:00Z'); // Tuesday: the promise is broken, the dispute is past its deadline

    const list = await env.client.get('/dunning/worklist');
    expect(list.status).toBe(200);
    expect(list.body.count).toBe(3);
    const [first, second, third] = list.body.customers;
    expect([first.customerId, second.customerId].sort()).toEqual(['disputer', 'promiser']);
    expect(third.customerId).toBe('late');
    const byId = Object.fromEntries(list.body.customers.map((entry: { customerId: string }) => [entry.customerId, entry]));
    expect(byId.promiser.promises).toEqual([{ invoiceId: 'P-1', date: '2026-11-28', amount: 120, state: 'broken' }]);
    expect(byId.disputer.disputes).toEqual([
      expect.objectContaining({ invoiceId: 'D-1', reason: 'Wrong rate', owner: 'Fay Finance', resolveBy: '2026-11-27', late: true }),
    ]);
    expect(byId.late.overdue).toEqual([
      { currency: 'EUR', amount: 250, invoices: 2, oldestDueDate: '2026-10-15', daysOverdue: 47 },
      { currency: 'USD', amount: 80, invoices: 1, oldestDueDate: '2026-09-15', daysOverdue: 77 },
    ]);
    expect(byId.late.lastStep.key).toEqual(expect.any(String)); // the run has sent it a reminder by now
    expect(byId.late.next.at).toEqual(expect.any(String));
    expect(byId.late.promises).toEqual([]);

    const page = await env.client.get('/dunning/worklist?limit=2');
    expect(ids(page)).toEqual([first.customerId, second.customerId]);
    expect(page.body.next).toBe(second.customerId);
    expect(ids(await env.client.get(`/dunning/worklist?limit=2&after=${page.body.next}`))).toEqual(['late']);
    const bad = await env.client.get('/dunning/worklist?limit=5000');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('limit');
  });

  it('GET /invoices?aging=: the open invoices of one aging bucket and currency, oldest due first, paged', async () => {
    expect(ids(await env.client.get('/invoices?aging=31-60&currency=EUR'))).toEqual(['L-1']);
    expect(ids(await env.client.get('/invoices?aging=1-30'))).toEqual(['P-1', 'L-2']);
    expect(ids(await env.client.get('/invoices?aging=61-90&currency=USD'))).toEqual(['L-3']);
    expect(ids(await env.client.get('/invoices?aging=disputed'))).toEqual(['D-1']);
    expect(ids(await env.client.get('/invoices?aging=current'))).toEqual(['F-1']);
    const kpis = (await env.client.get('/kpis/ar')).body.byCurrency;
    expect([kpis.EUR.aging['31-60'], kpis.EUR.aging['1-30'], kpis.EUR.aging.disputed]).toEqual([200, 170, 300]);
    const first = await env.client.get('/invoices?aging=1-30&limit=1');
    expect([ids(first), first.body.count, first.body.next]).toEqual([['P-1'], 2, 'P-1']);
    expect(first.body.invoices[0].balance).toBe(120);
    expect(ids(await env.client.get('/invoices?aging=1-30&limit=1&after=P-1'))).toEqual(['L-2']);
    const bad = await env.client.get('/invoices?aging=ancient');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('aging');
    expect((await env.client.get('/invoices?aging=current&currency=euro')).status).toBe(400);
  });

  it('GET /kpis/ar?by=week: DSO, CEI and the receivable per currency at each week end, the last as GET /kpis/ar says now', async () => {
    const trend = await env.client.get('/kpis/ar?by=week&weeks=2');
    expect(trend.status).toBe(200);
    expect(trend.body.weeks.map((week: { asOf: string }) => week.asOf)).toEqual(['2026-11-24', '2026-12-01']);
    const now = (await env.client.get('/kpis/ar')).body.byCurrency;
    expect(trend.body.weeks[1].byCurrency.USD).toEqual({ receivable: 80, dsoDays: now.USD.dsoDays, ceiPct: now.USD.ceiPct });
    for (const query of ['by=month', 'by=week&weeks=60', 'by=week&x=1'])
      expect((await env.client.get(`/kpis/ar?${query}`)).status, query).toBe(400);
  });

  it("a dispute nobody was named to own is the service manager's: the worklist, the history and the email name the same person", async () => {
    expect((await customer('unowned')).status).toBe(201);
    await invoice('U-1', 'unowned', '2026-11-02', 40);
    expect((await env.client.post('/invoices/U-1/events', { type: 'dispute', reason: 'Never ordered' })).status).toBe(202);
    await env.runtime.tracker.idle();
    const entry = (await env.client.get('/dunning/worklist?limit=100')).body.customers.find(
      (line: { customerId: string }) => line.customerId === 'unowned',
    );
    expect(entry.disputes[0].owner).toBe('Sam Manager');
    expect((await env.client.get('/customers/unowned')).body.history.disputes[0].owner).toBe('Sam Manager');
    const told = (await inbox(env.runtime)).filter((email) => email.subject === 'Invoice U-1 disputed by Customer unowned');
    expect(told.map((email) => email.destination.to)).toEqual([['sam@provider.test']]);
    expect(told[0].body.text).toContain('Owner: Sam Manager.');
  });
});
