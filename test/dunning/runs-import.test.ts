import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { customerEmails } from '../../kernel/email-channel.ts';
import { schedules } from '../../infra/schedules.ts';
import { run } from '../support/real-clients.ts';
import { acme, useRuntime } from '../support/runtime.ts';

const env = useRuntime({
  clockStart: '2026-11-25T08:00:00Z', // Wednesday 09:00 in Berlin
  setup: async (client) => {
    for (const id of ['run', 'csv', 'str'])
      await client.post('/customers', {
        ...acme,
        id,
        name: `Customer ${id}`,
        emailDomains: [],
        contacts: [{ name: 'Payer', email: `pay@${id}.test`, roles: ['billing'] }],
      });
  },
});

const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toUTC().toISO()!;
const moveTo = (iso: string) => env.client.moveTo(iso);
const templates = async (customerId: string) => (await customerEmails(env.runtime.store, customerId)).map((email) => email.template);
const csvPost = async (csv: string) => {
  const response = await fetch(`${env.runtime.urls.api}/invoices/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.runtime.apiToken}`, 'content-type': 'text/csv' },
    body: csv,
  });
  await env.runtime.tracker.idle();
  return { status: response.status, body: (await response.json()) as any };
};
const HEADER = 'invoice_number,customer_id,issue_date,due_date,currency,amount,amount_paid';

describe('dunning runs', () => {
  it('after missed days a run starts the ladder with the first reminder (never a later step first); a second run the same day sends nothing', async () => {
    env.runtime.scheduler.stop(); // the hourly run is "down"
    await moveTo(berlin('2026-11-25T10:00'));
    expect(
      (
        await env.client.post('/invoices', {
          id: 'R-1',
          customerId: 'run',
          issueDate: '2026-11-01',
          dueDate: '2026-12-01',
          currency: 'EUR',
          amount: 80,
          amountPaid: 0,
        })
      ).status,
    ).toBe(201);
    await moveTo(berlin('2026-12-08T10:00')); // courtesy (11-28), reminder (12-02) and more were missed
    expect(await templates('run')).toEqual([]);
    const first = await env.runtime.invoke('dunning-run', {});
    await env.runtime.tracker.idle();
    expect(first).toMatchObject({ read: 1, started: 1 });
    // The run's line, whose top-level keys the stopped-early and stuck metric filters read on AWS (infra/cdk/operations.ts).
    const runLines = env.runtime.telemetry.records.filter((record) => record.message === 'dunning run');
    expect(runLines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        attributes: expect.objectContaining({ function_name: 'dunning-run', read: 1, started: 1, stuck: 0, stoppedEarly: false }),
      }),
    ]);
    expect(env.runtime.telemetry.metrics()).toMatchObject({ DunningCustomersDue: 1, DunningCustomersWoken: 1 });
    expect(await templates('run')).toEqual(['dunning-reminder']);
    const second = await env.runtime.invoke('dunning-run', {});
    await env.runtime.tracker.idle();
    expect(second).toMatchObject({ read: 0, started: 0, signalled: 0 });
    expect(await templates('run')).toEqual(['dunning-reminder']);
    env.runtime.scheduler.start(schedules);
  });
});

describe('CSV import', () => {
  it('reports every bad row by line and column and writes nothing; a good file imports; re-importing updates', async () => {
    const bad = [
      HEADER,
      'C-1,csv,2026-11-01,2026-12-01,EUR,100.00,0',
      'C-2,csv,2026-11-01,2026-13-45,EUR,50,0',
      'C-3,csv,2026-11-01,2026-12-01,eur,-5,0',
      'C-1,csv,2026-11-01,2026-12-01,EUR,100,0',
      'C-4,csv,2026-11-01',
    ].join('\n');
    const refused = await csvPost(bad);
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      { line: 3, column: 'due_date', problem: expect.any(String), value: '2026-13-45' },
      { line: 4, column: 'currency', problem: expect.stringContaining('ISO 4217'), value: 'eur' },
      // A negative amount is one problem: not also "amount_paid must not exceed amount".
      { line: 4, column: 'amount', problem: expect.any(String), value: '-5' },
      { line: 5, column: 'invoice_number', problem: '"C-1" is also on line 2', value: 'C-1' },
      { line: 6, column: '(row)', problem: '3 columns, expected 7' },
    ]);
    expect((await env.client.get('/invoices?customerId=csv')).body.invoices).toEqual([]);
    // Every problem in one pass: an unknown customer with its line, beside a bad currency and an amount that is no number.
    const unknown = await csvPost(
      `${HEADER}\nC-9,nobody,2026-11-01,2026-12-01,EUR,1,0\nC-10,csv,2026-11-01,2026-12-01,EURO,lots,0\nC-11,nobody,2026-11-01,2026-12-01,XX,1,0\n`,
    );
    expect(unknown.body.details).toEqual([
      { line: 2, column: 'customer_id', problem: 'no customer "nobody"', value: 'nobody' },
      { line: 3, column: 'amount', problem: '"lots" is not a decimal number such as 1250.00', value: 'lots' },
      { line: 3, column: 'currency', problem: expect.stringContaining('ISO 4217'), value: 'EURO' },
      { line: 4, column: 'currency', problem: expect.stringContaining('ISO 4217'), value: 'XX' },
      { line: 4, column: 'customer_id', problem: 'no customer "nobody"', value: 'nobody' },
    ]);

    const good = [HEADER, 'C-1,csv,2026-11-01,2026-12-01,EUR,100.00,0', 'C-2,csv,2026-11-02,2026-12-02,EUR,50,10'].join('\r\n');
    expect(await csvPost(good)).toEqual({ status: 200, body: { rows: 2, created: 2, updated: 0 } });
    expect(await csvPost(good.replace('100.00', '120.00'))).toEqual({ status: 200, body: { rows: 2, created: 0, updated: 2 } });
    const invoices = (await env.client.get('/invoices?customerId=csv')).body.invoices;
    expect(invoices.map((i: { id: string; amount: number; amountPaid: number }) => [i.id, i.amount, i.amountPaid])).toEqual([
      ['C-1', 120, 0],
      ['C-2', 50, 10],
    ]);
  });

  it('two parallel imports of the same 120 invoice ids (three transactions each) for two customers: a refused one writes nothing, the counts are exact', async () => {
    for (const id of ['impa', 'impb'])
      await env.client.post('/customers', {
        ...acme,
        id,
        name: `Importer ${id}`,
        emailDomains: [],
        contacts: [{ name: 'P', email: `pay@${id}.test`, roles: ['billing'] }],
      });
    const file = (customerId: string) =>
      [HEADER, ...Array.from({ length: 120 }, (_, n) => `P-${n},${customerId},2026-11-01,2026-12-01,EUR,${10 + n},0`)].join('\n');
    const answers = await Promise.all([csvPost(file('impa')), csvPost(file('impb'))]);
    // Claims interleave: one import wins whole, or both are refused; a refused one writes nothing.
    const won = answers.filter(({ status }) => status === 200);
    expect(won.length).toBeLessThanOrEqual(1);
    for (const answer of won) expect(answer.body).toEqual({ rows: 120, created: 120, updated: 0 });
    for (const answer of answers.filter(({ status }) => status !== 200)) {
      expect(answer.status).toBe(409);
      expect(answer.body.error).toMatch(/belongs to customer (impa|impb); nothing was imported/);
    }
    const ofCustomer = async (id: string) =>
      ((await env.client.get(`/invoices?customerId=${id}`)).body.invoices as { id: string }[]).filter((i) => i.id.startsWith('P-'));
    const stored = [(await ofCustomer('impa')).length, (await ofCustomer('impb')).length];
    expect(stored.sort((x, y) => x - y)).toEqual(won.length ? [0, 120] : [0, 0]);
    if (!won.length) expect(await csvPost(file('impa'))).toEqual({ status: 200, body: { rows: 120, created: 120, updated: 0 } });
    const holder = (await ofCustomer('impa')).length ? 'impa' : 'impb';
    const other = holder === 'impa' ? 'impb' : 'impa';
    expect(await csvPost(file(other))).toMatchObject({ status: 409 }); // whoever holds the ids keeps them
    expect(await ofCustomer(other)).toEqual([]);
    for (const n of [0, 60, 119]) expect((await env.client.get(`/invoices/P-${n}`)).status).toBe(200);
  });

  it('npm run import -- <file> posts the file and prints the outcome; a bad file exits 1 with line and column', async () => {
    const dir = env.options.dataDir;
    writeFileSync(join(dir, 'good.csv'), `${HEADER}\nC-5,csv,2026-11-01,2026-12-05,EUR,70,0\n`);
    writeFileSync(join(dir, 'bad.csv'), `${HEADER}\nC-6,csv,2026-11-01,not-a-date,EUR,70,0\n`);
    const cli = (file: string) =>
      run('node', ['--import', 'tsx', 'scripts/import-invoices.ts', join(dir, file)], 60_000, {
        STEWARD_URL: env.runtime.urls.api,
        STEWARD_API_TOKEN: env.runtime.apiToken,
      });
    const ok = await cli('good.csv');
    expect(ok.output).toContain('imported 1 rows: 1 created, 0 updated');
    expect(ok.ok).toBe(true);
    const refused = await cli('bad.csv');
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/line 2, due_date: /);
  });
});

describe('Stripe invoice webhooks', () => {
  const stripe = new Stripe('sk_unused');
  const deliver = async (type: string, object: Record<string, unknown>, secret = env.runtime.apiToken, timestamp?: number) => {
    const payload = JSON.stringify({ id: `evt_${type}_${object.id}`, object: 'event', type, data: { object } });
    const response = await fetch(`${env.runtime.urls.api}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
      },
      body: payload,
    });
    await env.runtime.tracker.idle();
    return { status: response.status, body: (await response.json()) as any };
  };
  const stripeInvoice = {
    id: 'in_1',
    object: 'invoice',
    number: 'ST-0001',
    customer: 'cus_1',
    metadata: { customer_id: 'str' },
    created: 1764547200,
    due_date: 1765152000,
    currency: 'eur',
    amount_due: 4200,
    amount_paid: 0,
  };

  it('finalized creates the invoice (redelivery is harmless), paid settles it, voided voids; a bad signature is 401', async () => {
    expect((await deliver('invoice.finalized', stripeInvoice)).body).toMatchObject({ invoiceId: 'ST-0001', outcome: 'upserted' });
    expect((await deliver('invoice.finalized', stripeInvoice)).status).toBe(200);
    const created = (await env.client.get('/invoices/ST-0001')).body;
    expect(created).toMatchObject({
      customerId: 'str',
      amount: 42,
      currency: 'EUR',
      issueDate: '2025-12-01',
      dueDate: '2025-12-08',
      status: 'open',
    });
    expect((await deliver('invoice.paid', stripeInvoice)).body.outcome).toBe('paid');
    expect((await deliver('invoice.paid', stripeInvoice)).status).toBe(200);
    const paid = (await env.client.get('/invoices/ST-0001')).body;
    expect(paid).toMatchObject({ status: 'paid', amountPaid: 42 });
    expect(paid.payments).toHaveLength(1);
    expect((await deliver('invoice.finalized', { ...stripeInvoice, id: 'in_2', number: 'ST-0002' }, 'wrong-secret')).status).toBe(401);
    expect((await env.client.get('/invoices/ST-0002')).status).toBe(404);
    await deliver('invoice.finalized', { ...stripeInvoice, id: 'in_3', number: 'ST-0003' });
    expect((await deliver('invoice.voided', { ...stripeInvoice, id: 'in_3', number: 'ST-0003' })).body.outcome).toBe('void');
  });

  it('the signature timestamp must be within 5 minutes either way: one 6 minutes old or 6 minutes ahead is a 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const invoice = { ...stripeInvoice, id: 'in_4', number: 'ST-0004' };
    const ahead = await deliver('invoice.finalized', invoice, env.runtime.apiToken, now + 360);
    expect(ahead.status).toBe(401);
    expect(ahead.body.error).toMatch(/future/);
    expect((await deliver('invoice.finalized', invoice, env.runtime.apiToken, now - 360)).status).toBe(401);
    expect((await env.client.get('/invoices/ST-0004')).status).toBe(404);
    expect((await deliver('invoice.finalized', invoice, env.runtime.apiToken, now + 60)).status).toBe(200);
  });

  it('a correctly signed event of an unexpected shape is a 400 naming the field, and stores nothing', async () => {
    const signedRaw = async (payload: string) => {
      const response = await fetch(`${env.runtime.urls.api}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: env.runtime.apiToken }),
        },
        body: payload,
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const invoice = { ...stripeInvoice, id: 'in_5', number: 'ST-0005' };
    const shapes: [string, string][] = [
      [JSON.stringify({ id: 'evt_1', object: 'event' }), 'type'],
      [JSON.stringify({ id: 'evt_2', type: 42, data: { object: invoice } }), 'type'],
      [JSON.stringify({ id: 'evt_3', type: 'invoice.finalized' }), 'data'],
      [JSON.stringify({ id: 'evt_4', type: 'invoice.finalized', data: { object: null } }), 'data.object'],
      [JSON.stringify({ id: 'evt_5', type: 'invoice.paid', data: { object: { ...invoice, number: ['ST-0005'] } } }), 'data.object.number'],
      [
        JSON.stringify({ id: 'evt_6', type: 'invoice.finalized', data: { object: { ...invoice, metadata: { customer_id: 7 } } } }),
        'customer_id',
      ],
      [JSON.stringify({ id: 'evt_7', type: 'invoice.finalized', data: { object: { ...invoice, amount_due: '4200' } } }), 'amount_due'],
      [JSON.stringify({ id: 'evt_8', type: 'invoice.finalized', data: { object: { ...invoice, created: 1e20 } } }), 'created'],
      [JSON.stringify({ id: 'evt_9', type: 'invoice.voided', data: { object: { ...invoice, number: 'x'.repeat(2_100) } } }), 'number'],
      ['[]', '(body)'],
      ['"invoice.finalized"', '(body)'],
    ];
    for (const [payload, field] of shapes) {
      const answer = await signedRaw(payload);
      expect([payload.slice(0, 80), answer.status]).toEqual([payload.slice(0, 80), 400]);
      expect(answer.body.error).toContain(field);
    }
    expect((await env.client.get('/invoices/ST-0005')).status).toBe(404);
  });
});

describe('AR KPIs and the customer history', () => {
  it('GET /kpis/ar: aging with disputes apart, DSO, CEI, % current, promises, disputes, recovered after dunning, why-not-paying codes', async () => {
    await env.client.post('/invoices/C-2/events', { type: 'dispute', reason: 'wrong quantity', reasonCode: 'dispute' });
    const kpis = (await env.client.get('/kpis/ar')).body;
    expect(kpis.aging.disputed).toBe(40);
    expect(Object.keys(kpis.aging)).toEqual(['current', '1-30', '31-60', '61-90', '91-120', '120+', 'disputed']);
    expect(kpis.openAmount).toBe(
      kpis.aging.current +
        kpis.aging['1-30'] +
        kpis.aging['31-60'] +
        kpis.aging['61-90'] +
        kpis.aging['91-120'] +
        kpis.aging['120+'] +
        kpis.aging.disputed,
    );
    expect(kpis.dsoDays).toBeGreaterThan(0);
    expect(kpis.whyNotPaying.dispute).toBeGreaterThanOrEqual(1);
    expect(kpis).toHaveProperty('ceiPct');
    expect(kpis).toHaveProperty('promiseKeptPct');
    expect(kpis.disputeRatePct).toBeGreaterThan(0);

    const history = (await env.client.get('/customers/csv')).body.history;
    expect(history.invoices.map((invoice: { id: string }) => invoice.id).sort()).toEqual(['C-1', 'C-2', 'C-5']);
    expect(history.disputes).toEqual([expect.objectContaining({ invoiceId: 'C-2', reason: 'wrong quantity' })]);
    expect((await env.client.get('/customers/run')).body.history.emails.map((email: { template: string }) => email.template)).toContain(
      'dunning-reminder',
    );
  });
});

describe('invoice ownership', () => {
  it('an invoice id belongs to one customer for good: racing creates for two customers store it once and answer 409 naming the owner', async () => {
    const ids = Array.from({ length: 10 }, (_, n) => `RACE-${n}`);
    const answers = await Promise.all(
      ids.flatMap((id) =>
        ['csv', 'str'].map(async (customerId) => ({
          id,
          customerId,
          ...(await env.client.post('/invoices', {
            id,
            customerId,
            issueDate: '2026-11-01',
            dueDate: '2026-12-20',
            currency: 'EUR',
            amount: 10,
          })),
        })),
      ),
    );
    await env.runtime.tracker.idle();
    const stored = [
      ...(await env.client.get('/invoices?customerId=csv')).body.invoices,
      ...(await env.client.get('/invoices?customerId=str')).body.invoices,
    ].filter((invoice: { id: string }) => invoice.id.startsWith('RACE-'));
    expect(stored.map((invoice: { id: string }) => invoice.id).sort()).toEqual(ids.sort());
    for (const id of ids) {
      const owner = stored.find((invoice: { id: string }) => invoice.id === id).customerId;
      const [won, lost] = [
        answers.find((a) => a.id === id && a.customerId === owner)!,
        answers.find((a) => a.id === id && a.customerId !== owner)!,
      ];
      expect([won.status, lost.status, lost.body.error]).toEqual([201, 409, `invoice ${id} belongs to customer ${owner}`]);
    }
  });
});
