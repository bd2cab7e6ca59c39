import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { customerEmails } from '../../kernel/email-channel.ts';
import { defaultPolicy } from '../../modules/policies/index.ts';
import { acme, inbox, invoiceInput, useRuntime } from '../support/runtime.ts';

const env = useRuntime({ clockStart: '2026-11-26T08:00:00Z' }); // Thursday 09:00 in Berlin

const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toUTC().toISO()!;
const local = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toFormat('yyyy-MM-dd HH:mm');
const moveTo = (iso: string) => env.client.moveTo(iso);
const call = async (method: 'POST' | 'GET' | 'PUT', path: string, body?: unknown) => {
  const response = method === 'GET' ? await env.client.get(path) : await env.client.call(method, path, body);
  await env.runtime.tracker.idle();
  return response;
};
const invoice = (id: string, customerId: string, dueDate: string, amount = 100) => invoiceInput(id, customerId, dueDate, amount);
const customer = (id: string, policy = 'default') =>
  env.client.post('/customers', {
    ...acme,
    policy,
    id,
    name: `Customer ${id}`,
    emailDomains: [],
    contacts: [{ name: 'Payer', email: `pay@${id}.test`, roles: ['billing'] }],
  });
/** What Steward sent about a customer, as [local time, first recipient, template]. */
const sent = async (customerId: string) =>
  (await customerEmails(env.runtime.store, customerId)).map((email) => [local(email.sentAt), email.to[0].split('@')[0], email.template]);
const customerSteps = async (customerId: string) =>
  (await sent(customerId))
    .filter(([, to, template]) => to === 'pay' && template.startsWith('dunning-'))
    .map(([at, , template]) => `${at} ${template}`);

// One clock for the file, moving forward only: each scenario has its own customer and dates.
describe('events change the course at once', () => {
  it('a dispute pauses only that invoice and tells the service manager; resolving it with a credit settles the rest', async () => {
    await customer('dis');
    await moveTo(berlin('2026-11-26T10:00'));
    await call('POST', '/invoices', invoice('D-1', 'dis', '2026-11-30'));
    await call('POST', '/invoices', invoice('D-2', 'dis', '2026-11-30'));
    const dispute = await call('POST', '/invoices/D-1/events', {
      type: 'dispute',
      reason: 'Billed twice for November',
      fault: 'us',
      resolveBy: '2026-12-10',
    });
    expect(dispute.status).toBe(202);
    expect((await sent('dis')).filter(([, to]) => to === 'sam')).toEqual([['2026-11-26 10:00', 'sam', 'dunning-dispute']]);
    await moveTo(berlin('2026-12-02T12:00'));
    const reminder = (await customerEmails(env.runtime.store, 'dis')).find((email) => email.template === 'dunning-reminder')!;
    expect(reminder.subject).toBe('Payment reminder: 1 overdue invoice');
    const inboxed = (await (await fetch(env.runtime.urls.sesStore)).json()) as { emails: { messageId: string; body: { text: string } }[] };
    const text = inboxed.emails.find((email) => email.messageId === reminder.messageId)!.body.text;
    expect(text).toContain('D-2');
    expect(text).not.toContain('D-1');
    const resolved = await call('POST', '/invoices/D-1/events', {
      type: 'resolve-dispute',
      outcome: 'Duplicate line removed',
      fault: 'us',
      credit: 100,
    });
    expect(resolved.body).toMatchObject({ status: 'paid', credit: 100 });
    // The customer is told at once (12:00, outside the send window: it answers their dispute).
    expect((await customerSteps('dis')).at(-1)).toBe('2026-12-02 12:00 dunning-dispute-resolved');
    const told = (await inbox(env.runtime)).find((email) => email.subject === 'Your dispute of invoice D-1 is resolved')!;
    expect(told.destination.to).toEqual(['pay@dis.test']);
    expect(told.body.text).toMatch(/^Hello Payer,/);
    expect(told.body.text).toContain('Outcome: Duplicate line removed\nCredit: €100.00\nNothing is left to pay on this invoice.');
    expect(told.replyTo?.[0]).toMatch(/^support\+re-/);
    expect((await call('POST', '/invoices/D-1/events', { type: 'resolve-dispute', outcome: 'again', fault: 'us' })).status).toBe(409);
  });

  it('a promise pauses until its date; broken, it tells the service manager and resumes at the next step at once', async () => {
    await customer('pro');
    await call('POST', '/invoices', invoice('P-1', 'pro', '2026-12-09'));
    await moveTo(berlin('2026-12-10T12:00')); // the reminder went out at 09:00
    expect(await customerSteps('pro')).toEqual(['2026-12-07 09:00 dunning-courtesy', '2026-12-10 09:00 dunning-reminder']);
    expect((await call('POST', '/invoices/P-1/events', { type: 'promise', date: '2026-12-28', reasonCode: 'cash-flow' })).status).toBe(202);
    expect((await call('POST', '/invoices/P-1/events', { type: 'promise', date: '2020-01-01' })).status).toBe(409);
    await moveTo(berlin('2026-12-29T08:59'));
    expect(await customerSteps('pro')).toHaveLength(2); // D+7 and D+14 passed quietly during the promise
    await moveTo(berlin('2026-12-29T12:00'));
    expect((await sent('pro')).filter(([, to]) => to === 'sam')).toEqual([['2026-12-29 09:00', 'sam', 'dunning-promise-broken']]);
    // "At the next step": the second reminder, not the warning that the calendar would have due.
    expect((await customerSteps('pro')).slice(2)).toEqual(['2026-12-29 09:00 dunning-why']);
    const stored = (await call('GET', '/invoices/P-1')).body;
    expect(stored.promise.outcome).toBe('broken');
    expect(stored.reasons.map((reason: { code: string }) => reason.code)).toEqual(['cash-flow']);
  });

  it('declining the suspension holds it for 7 days, then it is proposed again', async () => {
    // A ladder of the suspension step alone, so the proposal is the first thing due.
    const { name: _name, version: _version, ...body } = defaultPolicy;
    const suspensionOnly = { ...body, dunning: { ...body.dunning, steps: body.dunning.steps.filter((step) => step.approval) } };
    expect((await call('PUT', '/policies/suspension-only', suspensionOnly)).status).toBe(200);
    await customer('dec', 'suspension-only');
    await call('POST', '/invoices', invoice('S-1', 'dec', '2026-12-01'));
    await moveTo(berlin('2026-12-31T12:00'));
    const proposals = () => sent('dec').then((all) => all.filter(([, , template]) => template === 'dunning-suspension-proposal'));
    expect(await proposals()).toHaveLength(1);
    expect((await call('POST', '/customers/dec/dunning/events', { type: 'decline-suspension' })).status).toBe(202);
    expect((await call('POST', '/customers/dec/dunning/events', { type: 'decline-suspension' })).status).toBe(409);
    await moveTo(berlin('2027-01-07T11:59'));
    expect(await proposals()).toHaveLength(1);
    await moveTo(berlin('2027-01-08T12:00'));
    expect((await proposals()).map(([at]) => at)).toEqual(['2026-12-31 09:00', '2027-01-07 12:00']);
    expect((await customerSteps('dec')).filter((step) => step.endsWith('dunning-suspension'))).toEqual([]);
  });

  it('an open sev1 holds warning, final notice and suspension (the service manager is asked); plain reminders continue', async () => {
    await customer('out');
    await call('POST', '/invoices', invoice('O-1', 'out', '2027-01-11'));
    await moveTo(berlin('2027-01-24T20:00'));
    const issue = (await call('POST', '/issues', { customerId: 'out', title: 'Data centre down', severity: 'sev1' })).body;
    await moveTo(berlin('2027-01-27T12:00'));
    expect((await customerSteps('out')).map((step) => step.slice(17))).toEqual(['dunning-courtesy', 'dunning-reminder', 'dunning-why']);
    expect((await sent('out')).filter(([, , template]) => template === 'dunning-outage-hold').map(([at]) => at)).toEqual([
      '2027-01-25 09:00',
    ]);
    await call('POST', `/issues/${issue.id}/events`, { type: 'resolve', rfo: 'Power failure' });
    await call('POST', `/issues/${issue.id}/events`, { type: 'accept-rfo' });
    // Still held for 7 days after the resolution, then the warning goes out: the ladder never skips a step.
    await moveTo(berlin('2027-02-03T08:00'));
    expect((await customerSteps('out')).some((step) => step.endsWith('dunning-warning'))).toBe(false);
    await moveTo(berlin('2027-02-04T12:00'));
    expect((await customerSteps('out')).slice(3)).toEqual(['2027-02-04 09:00 dunning-warning']);
  });

  it('the links in the second reminder: promise a date or dispute an invoice (GET shows a form, only POST acts); pause and write-off', async () => {
    await customer('lnk');
    await call('POST', '/invoices', invoice('K-1', 'lnk', '2027-02-01', 300));
    await call('POST', '/invoices', invoice('K-2', 'lnk', '2027-02-01', 200));
    await call('POST', '/invoices', invoice('K-3', 'lnk', '2027-02-01', 50));
    // Posted at 12:00, after the send window: the reminder goes out on 5 Feb, the second reminder 5 days later.
    await moveTo(berlin('2027-02-10T12:00'));
    const why = (await inbox(env.runtime))
      .filter((email) => email.destination.to.includes('pay@lnk.test') && email.subject.startsWith('Second reminder'))
      .at(-1)!;
    const promiseLink = /promise a payment date \((\S+)\)/.exec(why.body.text!)![1];
    const disputeLink = /dispute an invoice with the reason \((\S+)\)/.exec(why.body.text!)![1];
    const page = await (await fetch(promiseLink)).text();
    expect(page).toContain('<option value="K-1">');
    expect((await call('GET', '/invoices/K-1')).body.promise).toBeUndefined();
    const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields) });
    expect((await fetch(promiseLink, form({ invoiceId: 'K-1', date: '2027-02-20', reasonCode: 'missing-po' }))).status).toBe(200);
    expect((await fetch(promiseLink, form({ invoiceId: 'K-9', date: '2027-02-20' }))).status).toBe(400);
    expect((await fetch(disputeLink, form({ invoiceId: 'K-2', reason: 'The service was down half the month' }))).status).toBe(200);
    await env.runtime.tracker.idle();
    const [k1, k2] = [(await call('GET', '/invoices/K-1')).body, (await call('GET', '/invoices/K-2')).body];
    expect(k1.promise).toMatchObject({ date: '2027-02-20', amount: 300 });
    expect(k1.reasons.map((reason: { code: string }) => reason.code)).toEqual(['missing-po']);
    // The same link posted again for the same invoice (a replay, a double click) records nothing.
    const replay = await fetch(promiseLink, form({ invoiceId: 'K-1', date: '2027-02-27', reasonCode: 'missing-po' }));
    expect([replay.status, await replay.text()]).toEqual([200, expect.stringContaining('This link has been used already')]);
    const afterReplay = (await call('GET', '/invoices/K-1')).body;
    expect([afterReplay.promisesMade, afterReplay.promise.date, afterReplay.reasons.length]).toEqual([1, '2027-02-20', 1]);
    expect(k2.dispute.reason).toBe('The service was down half the month');
    expect((await sent('lnk')).filter(([, to, template]) => to === 'sam' && template === 'dunning-dispute')).toHaveLength(1);
    expect((await call('POST', '/invoices/K-3/events', { type: 'pause', until: '2027-03-01' })).body.pausedUntil).toBe('2027-03-01');
    expect((await call('POST', '/invoices/K-3/events', { type: 'write-off', note: 'too small to chase' })).body.status).toBe('written-off');
    expect((await call('POST', '/invoices/K-3/events', { type: 'promise', date: '2027-03-01' })).status).toBe(409);
  });
});
