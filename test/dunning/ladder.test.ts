import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { customerEmails } from '../../kernel/email-channel.ts';
import { acme, inbox, invoiceInput, useRuntime } from '../support/runtime.ts';

const env = useRuntime({ clockStart: '2026-11-25T08:00:00Z' }); // Wednesday 09:00 in Berlin

const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toUTC().toISO()!;
const local = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toFormat('ccc yyyy-MM-dd HH:mm');
const moveTo = (iso: string) => env.client.moveTo(iso);
const post = async (path: string, body: unknown, status = 201) => {
  const response = await env.client.post(path, body);
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  await env.runtime.tracker.idle();
  return response.body;
};
const invoice = (id: string, customerId: string, dueDate: string, amount = 1000) => invoiceInput(id, customerId, dueDate, amount);
/** Emails to an address as SES got them, with the (manual-clock) time Steward sent each, from its outbox. */
const mailTo = async (address: string, subject = '') => {
  const sent = new Map((await customerEmails(env.runtime.store, 'lad')).map((email) => [email.messageId, email.sentAt]));
  return (await inbox(env.runtime))
    .filter((email) => email.destination.to.includes(address) && email.subject.includes(subject))
    .map((email) => ({ ...email, at: sent.get(email.messageId) ?? '?' }));
};

describe('AR dunning: one consolidated email per step, at 09:00 local on business days', () => {
  it('three overdue invoices walk the whole ladder; the suspension waits for approval; payment in full restores the service', async () => {
    await env.client.post('/customers', {
      ...acme,
      id: 'lad',
      name: 'Ladder GmbH',
      emailDomains: ['ladder.test'],
      contacts: [{ name: 'Pay Ladder', email: 'pay@ladder.test', roles: ['billing'] }],
    });
    await moveTo(berlin('2026-11-25T10:00'));
    await post('/invoices', invoice('L-1', 'lad', '2026-12-01'));
    await post('/invoices', invoice('L-2', 'lad', '2026-12-03', 500));
    await post('/invoices', invoice('L-3', 'lad', '2026-12-04', 250));

    await moveTo(berlin('2027-01-05T12:00'));
    const toCustomer = await mailTo('pay@ladder.test');
    expect(toCustomer.map((email) => [local(email.at), email.subject])).toEqual([
      ['Mon 2026-11-30 09:00', 'Invoices coming due from Tuesday 1 December 2026'],
      ['Tue 2026-12-01 09:00', 'Invoices coming due from Friday 4 December 2026'],
      ['Wed 2026-12-02 09:00', 'Payment reminder: 1 overdue invoice'],
      ['Tue 2026-12-08 09:00', 'Second reminder: 3 overdue invoices — is something wrong?'],
      ['Tue 2026-12-15 09:00', 'Overdue invoices: service may be suspended on Thursday 31 December 2026'],
      ['Tue 2026-12-22 09:00', 'Final notice: service suspension on Thursday 31 December 2026'],
    ]);
    const second = toCustomer[3].body.text!;
    expect(second).toMatch(/L-1 +due 1 Dec 2026 +7 days overdue +€1,000\.00/);
    expect(second).toMatch(/Total: €1,750\.00/);
    expect(second).toMatch(/promise a payment date \(http:\/\/127\.0\.0\.1:\d+\/links\/\S+\)/);
    expect((await mailTo('sam@provider.test', 'Task: call Ladder GmbH')).map((email) => local(email.at))).toEqual(['Tue 2026-12-15 09:00']);
    expect((await mailTo('dora@provider.test', 'final notice to Ladder GmbH')).map((email) => local(email.at))).toEqual([
      'Tue 2026-12-22 09:00',
    ]);
    const proposals = await mailTo('sam@provider.test', 'Approve suspension of Ladder GmbH?');
    expect(proposals.map((email) => local(email.at))).toEqual(['Thu 2026-12-31 09:00']);

    // Nothing reaches the customer until the service manager approves (here by the signed link).
    const approve = /Approve: (\S+)/.exec(proposals[0].body.text!)![1];
    expect((await fetch(approve)).status).toBe(200);
    expect((await mailTo('pay@ladder.test')).length).toBe(6);
    // Approved at 12:00, after the send window: the notice goes out at the customer's next send time.
    const approved = await fetch(approve, { method: 'POST' });
    expect([approved.status, await approved.text()]).toEqual([
      200,
      expect.stringContaining('the suspension notice goes out at the customer&#x27;s next send time, Wed 6 Jan 2027, 09:00 CET'),
    ]);
    await env.runtime.tracker.idle();
    expect((await mailTo('pay@ladder.test', 'Service suspended')).length).toBe(0);
    const again = await fetch(approve, { method: 'POST' });
    expect([again.status, await again.text()]).toEqual([409, expect.stringContaining('already approved (Tue 5 Jan 2027, 12:00 CET)')]);
    await moveTo(berlin('2027-01-06T12:00'));
    expect((await mailTo('pay@ladder.test', 'Service suspended')).map((email) => local(email.at))).toEqual(['Wed 2027-01-06 09:00']);
    expect((await env.client.get('/customers/lad/dunning')).body).toMatchObject({
      lastStep: { key: 'suspension' },
      suspension: { date: '2026-12-31', proposal: { round: 1, state: 'approved' }, suspendedAt: berlin('2027-01-06T09:00') },
    });

    for (const [id, amount] of [
      ['L-1', 1000],
      ['L-2', 500],
      ['L-3', 250],
    ] as const)
      await post('/payments', { invoiceId: id, amount, date: '2027-01-06', reference: `wire-${id}` }, 202);
    // Suspended and now paid in full: told at once that service is restored; the service manager restores it.
    expect((await mailTo('pay@ladder.test', 'Thank you for your payment')).map((email) => email.subject)).toEqual([
      'Thank you for your payment: service restored',
    ]);
    expect((await mailTo('sam@provider.test', 'Task: restore the service of Ladder GmbH')).length).toBe(1);
    await moveTo(berlin('2027-02-15T12:00'));
    expect((await mailTo('pay@ladder.test')).length).toBe(8);
    expect((await env.client.get('/invoices?customerId=lad')).body.invoices.map((i: { status: string }) => i.status)).toEqual([
      'paid',
      'paid',
      'paid',
    ]);
  }, 180_000); // 82 simulated days, each hour with its dunning run
});
