import { describe, expect, it } from 'vitest';
import { inbox, invoiceInput, useRuntime } from '../support/runtime.ts';

const env = useRuntime();

/** A POST with an Idempotency-Key (or none), answered with its status, body and replay header. */
const post = async (path: string, body: unknown, key?: string) => {
  const response = await fetch(env.runtime.urls.api + path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${env.runtime.apiToken}`,
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
  });
  await env.runtime.tracker.idle();
  return { status: response.status, body: (await response.json()) as any, replayed: response.headers.get('idempotent-replayed') };
};
const issueIds = async () => ((await env.client.get('/issues?customerId=acme')).body.issues as { id: string }[]).map(({ id }) => id);
const mailsAbout = async (issueId: string) => (await inbox(env.runtime)).filter((mail) => mail.subject.includes(issueId));
const newIssue = { customerId: 'acme', title: 'VPN down in Hamburg', severity: 'sev3' };

describe('retried requests create once (Idempotency-Key)', () => {
  it('POST /issues: a retry with the same key and body answers the same issue; one issue, one acknowledgement', async () => {
    const first = await post('/issues', newIssue, 'retry-1');
    expect([first.status, first.replayed]).toEqual([201, null]);
    const again = await post('/issues', newIssue, 'retry-1');
    expect([again.status, again.body.id, again.replayed]).toEqual([201, first.body.id, 'true']);
    expect((await issueIds()).filter((id) => id === first.body.id)).toHaveLength(1);
    expect(await issueIds()).toHaveLength(1);
    const acknowledgements = (await mailsAbout(first.body.id)).filter((mail) => mail.destination.to.includes('ann@acme.test'));
    expect(acknowledgements).toHaveLength(1);
  });

  it('ten parallel creates with one key open one issue', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => post('/issues', { ...newIssue, title: 'Parallel' }, 'retry-2')));
    expect(new Set(answers.map(({ status }) => status))).toEqual(new Set([201]));
    expect(new Set(answers.map(({ body }) => body.id)).size).toBe(1);
    expect(await issueIds()).toHaveLength(2);
  });

  it('the same key with another body is a 422; a bad key is a 400; an unknown customer uses up no issue number', async () => {
    const other = await post('/issues', { ...newIssue, title: 'Something else' }, 'retry-1');
    expect([other.status, other.body.details]).toEqual([422, [{ field: 'Idempotency-Key', problem: 'already used with another body' }]]);
    expect((await post('/issues', newIssue, 'k'.repeat(201))).status).toBe(400);
    const before = await post('/issues', newIssue);
    expect((await post('/issues', { ...newIssue, customerId: 'nobody' }, 'retry-3')).status).toBe(400);
    const after = await post('/issues', newIssue);
    expect(Number(after.body.id.split('-')[1])).toBe(Number(before.body.id.split('-')[1]) + 1);
    expect(await issueIds()).toHaveLength(4);
  });

  it('POST /payments: a retry records one payment, even after it settled the invoice; another body under the key is a 422', async () => {
    expect((await env.client.post('/invoices', invoiceInput('RT-1', 'acme', '2026-12-01', 100))).status).toBe(201);
    const payment = { invoiceId: 'RT-1', amount: 100, date: '2026-11-02', reference: 'bank-4711' };
    const first = await post('/payments', payment, 'pay-1');
    expect([first.status, first.body.status]).toEqual([202, 'paid']);
    const retried = await post('/payments', payment, 'pay-1');
    expect([retried.status, retried.body.payments]).toEqual([202, [{ amount: 100, date: '2026-11-02', reference: 'bank-4711' }]]);
    // Without a key, the reference alone makes the retry harmless (it was a 409 once the invoice was paid).
    expect((await post('/payments', payment)).status).toBe(202);
    // A refused request keeps nothing under its key: the same key then serves another request.
    expect((await post('/payments', { ...payment, invoiceId: 'RT-404' }, 'pay-2')).status).toBe(404);
    expect((await env.client.post('/invoices', invoiceInput('RT-2', 'acme', '2026-12-01', 80))).status).toBe(201);
    expect((await post('/payments', { ...payment, invoiceId: 'RT-2', reference: 'bank-4712' }, 'pay-2')).status).toBe(202);
    const changed = await post('/payments', { ...payment, amount: 50 }, 'pay-1');
    expect(changed.status).toBe(422);
    expect((await env.client.get('/invoices/RT-1')).body).toMatchObject({ amountPaid: 100, payments: [{ reference: 'bank-4711' }] });
  });

  it('twenty parallel payments under one key (3 rounds): one payment, every answer 202, and the key then refuses another body', async () => {
    for (const round of [1, 2, 3]) {
      const invoiceId = `RT-P${round}`;
      expect((await env.client.post('/invoices', invoiceInput(invoiceId, 'acme', '2026-12-01', 1000))).status).toBe(201);
      const payment = { invoiceId, amount: 10, date: '2026-11-02', reference: `bank-par-${round}` };
      const answers = await Promise.all(Array.from({ length: 20 }, () => post('/payments', payment, `par-${round}`)));
      expect(answers.map(({ status }) => status)).toEqual(Array(20).fill(202));
      const other = await post('/payments', { ...payment, amount: 20, reference: `bank-par-${round}-b` }, `par-${round}`);
      expect(other.status, `round ${round}`).toBe(422);
      expect((await env.client.get(`/invoices/${invoiceId}`)).body.payments, `round ${round}`).toHaveLength(1);
    }
  });

  it('twenty parallel payments on one customer, each its own: all 202, none "changed concurrently"', async () => {
    expect((await env.client.post('/invoices', invoiceInput('RT-C1', 'acme', '2026-12-01', 1000))).status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        post('/payments', { invoiceId: 'RT-C1', amount: 5, date: '2026-11-02', reference: `bank-c-${n}` }),
      ),
    );
    expect(answers.map(({ status }) => status)).toEqual(Array(20).fill(202));
    expect((await env.client.get('/invoices/RT-C1')).body.payments).toHaveLength(20);
  });
});
