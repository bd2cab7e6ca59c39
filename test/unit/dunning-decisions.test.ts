import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { businessCalendar } from '../../kernel/calendar.ts';
import { defaultDunningPolicy } from '../../modules/policies/index.ts';
import { decideDunning, sendSlot, type DunningState } from '../../modules/receivables/dunning.ts';
import { applyInvoiceEvent, upsertInvoice, type Invoice } from '../../modules/receivables/invoices.ts';

const berlin = businessCalendar({ timezone: 'Europe/Berlin', country: 'DE' }, { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] });
const local = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toJSDate();
const show = (iso: string | Date | undefined) =>
  iso ? DateTime.fromJSDate(new Date(iso), { zone: 'Europe/Berlin' }).toFormat('ccc yyyy-MM-dd HH:mm') : undefined;
const invoice = (id: string, dueDate: string, amount = 100): Invoice =>
  upsertInvoice(
    undefined,
    { id, customerId: 'acme', issueDate: '2026-11-01', dueDate, currency: 'EUR', amount, amountPaid: 0 },
    '2026-11-01T00:00:00Z',
    '2026-11-01',
  );
const fresh = (): DunningState => ({ customerId: 'acme', generation: 1, sent: {} });
const decide = (state: DunningState, invoices: Invoice[], at: string, outage = false) =>
  decideDunning({ state, invoices, policy: defaultDunningPolicy, calendar: berlin, outage, now: local(at) });

describe('sendSlot: 09:00 local on the first business day on or after a date', () => {
  it.each([
    ['2026-12-02', 'Wed 2026-12-02 09:00'], // a Wednesday
    ['2026-12-05', 'Mon 2026-12-07 09:00'], // a Saturday
    ['2026-12-25', 'Mon 2026-12-28 09:00'], // Christmas Day, Boxing Day, then Sunday
    ['2027-03-28', 'Tue 2027-03-30 09:00'], // Easter Sunday (clocks go forward that night), Easter Monday: 09:00 local all the same
  ])('%s → %s', (date, expected) => {
    expect(sendSlot(date, berlin, '09:00').toFormat('ccc yyyy-MM-dd HH:mm')).toBe(expected);
  });
});

describe('decideDunning: one step at a time, from the invoices and the state alone', () => {
  it('walks the ladder of one invoice due Tuesday 1 Dec: courtesy (due Saturday, sent Monday), reminder, why, warning (service manager told), final (director told)', () => {
    let state = fresh();
    const steps: [string, string[]][] = [];
    for (const at of ['2026-11-30T09:00', '2026-12-02T09:00', '2026-12-08T09:00', '2026-12-15T09:00', '2026-12-22T09:00']) {
      const decision = decide(state, [invoice('A-1', '2026-12-01')], at);
      state = decision.state;
      steps.push([at, decision.emails.map((email) => `${email.template}→${email.audience}`)]);
    }
    expect(steps).toEqual([
      ['2026-11-30T09:00', ['dunning-courtesy→customer']],
      ['2026-12-02T09:00', ['dunning-reminder→customer']],
      ['2026-12-08T09:00', ['dunning-why→customer']],
      ['2026-12-15T09:00', ['dunning-warning→customer', 'dunning-notice-call→serviceManager']],
      ['2026-12-22T09:00', ['dunning-final→customer', 'dunning-notice-inform→director']],
    ]);
    expect(show(state.nextDunningAt)).toBe('Thu 2026-12-31 09:00');
  });

  it('after missed days only the step now due goes out; the stale ones are recorded as skipped', () => {
    const decision = decide(fresh(), [invoice('A-1', '2026-12-01')], '2026-12-16T10:00');
    expect(decision.emails.map((email) => email.template)).toEqual(['dunning-warning', 'dunning-notice-call']);
    expect(
      Object.entries(decision.state.sent)
        .filter(([, at]) => at.startsWith('skipped'))
        .map(([key]) => key),
    ).toEqual(['reminder@2026-12-01', 'why@2026-12-01']);
  });

  it('a second run at the same instant sends nothing', () => {
    const first = decide(fresh(), [invoice('A-1', '2026-12-01')], '2026-12-02T09:00');
    expect(decide(first.state, [invoice('A-1', '2026-12-01')], '2026-12-02T09:00').emails).toEqual([]);
  });

  it('after a step goes out, a second wake the same day sends nothing, even when a later step is past its calendar date', () => {
    // A promise broken on 29 Dec resumes with the next step (why); the warning, due by the calendar
    // since 15 Dec, waits for the next slot however often the cycle is woken in between.
    const promised = applyInvoiceEvent(
      invoice('P-1', '2026-12-01'),
      { type: 'promise', date: '2026-12-28' },
      '2026-12-03T10:00:00Z',
      '2026-12-03',
    );
    const resumed = decide({ ...fresh(), sent: { 'reminder@2026-12-01': '2026-12-02T08:00:00Z' } }, [promised], '2026-12-29T09:00');
    expect(resumed.emails.map((email) => email.template)).toEqual(['dunning-promise-broken', 'dunning-why']);
    const invoices = [{ ...promised, ...resumed.invoices.find((changed) => changed.id === 'P-1') }];
    expect(decide(resumed.state, invoices, '2026-12-29T09:00').emails).toEqual([]);
    expect(decide(resumed.state, invoices, '2026-12-29T16:00').emails).toEqual([]);
    expect(show(decide(resumed.state, invoices, '2026-12-29T16:00').state.nextDunningAt)).toBe('Wed 2026-12-30 09:00');
  });

  it('an open sev1/sev2 (outage) holds a consequence step and asks the service manager instead; plain reminders go on', () => {
    expect(decide(fresh(), [invoice('A-1', '2026-12-01')], '2026-12-02T09:00', true).emails.map((email) => email.template)).toEqual([
      'dunning-reminder',
    ]);
    const held = decide(fresh(), [invoice('A-1', '2026-12-01')], '2026-12-15T09:00', true);
    expect(held.emails.map((email) => `${email.template}→${email.audience}`)).toEqual(['dunning-outage-hold→serviceManager']);
  });

  it('the suspension step waits for the service manager: a proposal, never the notice, until approved', () => {
    const proposal = decide(fresh(), [invoice('A-1', '2026-12-01')], '2026-12-31T09:00');
    expect(proposal.emails.map((email) => `${email.template}→${email.audience}`)).toEqual(['dunning-suspension-proposal→serviceManager']);
    const approved = { ...proposal.state, approval: { ...proposal.state.approval!, state: 'approved' as const } };
    expect(decide(approved, [invoice('A-1', '2026-12-01')], '2026-12-31T10:00').emails.map((email) => email.template)).toEqual([
      'dunning-suspension',
    ]);
  });

  it('a disputed invoice is held; the others are dunned alone', () => {
    const disputed = applyInvoiceEvent(
      invoice('A-1', '2026-12-01'),
      { type: 'dispute', reason: 'Billed twice' },
      '2026-12-01T10:00:00Z',
      '2026-12-01',
    );
    const decision = decide(fresh(), [disputed, invoice('A-2', '2026-12-01', 50)], '2026-12-02T09:00');
    expect(decision.emails.map((email) => [email.template, email.invoices.map((entry) => entry.id)])).toEqual([
      ['dunning-reminder', ['A-2']],
    ]);
  });

  it('everything paid ends the cycle with one thank-you once the ladder had started; nothing when it had not', () => {
    const paid = { ...invoice('A-1', '2026-12-01'), status: 'paid' as const, amountPaid: 100 };
    const started = decide(fresh(), [invoice('A-1', '2026-12-01')], '2026-12-02T09:00').state;
    expect(decide(started, [paid], '2026-12-03T09:00')).toMatchObject({ done: true, emails: [{ template: 'dunning-thanks' }] });
    expect(decide(fresh(), [paid], '2026-12-03T09:00')).toMatchObject({ done: true, emails: [] });
  });
});
