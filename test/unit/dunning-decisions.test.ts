import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { businessCalendar } from '../../kernel/calendar.ts';
import { defaultDunningPolicy } from '../../modules/policies/index.ts';
import { decideDunning, sendSlot, type DunningState } from '../../modules/receivables/dunning.ts';
import { dunningView } from '../../modules/receivables/suspension.ts';
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

  it('the first contact is always the first reminder, however old the debt; the next steps keep their notice days', () => {
    // Imported 60 days overdue: every step is due by the calendar, yet the customer hears the
    // reminder first, then each next step only after its notice days (5, 5, 7) on a business day.
    let state = fresh();
    const walk: string[] = [];
    for (let day = DateTime.fromISO('2027-01-04T09:00', { zone: 'Europe/Berlin' }); walk.length < 4; day = day.plus({ days: 1 })) {
      const decision = decide(state, [invoice('OLD-1', '2026-11-05')], day.toISO()!.slice(0, 16));
      state = decision.state;
      const toCustomer = decision.emails.filter((email) => email.audience === 'customer');
      walk.push(
        ...toCustomer.map(
          (email) => `${show(day.toJSDate())} ${email.template}${email.suspensionDate ? ` (suspension ${email.suspensionDate})` : ''}`,
        ),
      );
    }
    expect(walk).toEqual([
      'Mon 2027-01-04 09:00 dunning-reminder',
      'Mon 2027-01-11 09:00 dunning-why', // 9 Jan + 5 days is a Saturday
      'Mon 2027-01-18 09:00 dunning-warning (suspension 2027-02-01)', // final 25 Jan, suspension 7 days later
      'Mon 2027-01-25 09:00 dunning-final (suspension 2027-02-01)',
    ]);
  });

  it('customer mail goes out only in the send window of a business day: never at 04:00 right after an import, at 15:00 or on a Saturday', () => {
    const overdue = [invoice('A-1', '2026-11-20')];
    for (const [at, next] of [
      ['2026-12-02T04:00', 'Wed 2026-12-02 09:00'],
      ['2026-12-02T15:00', 'Thu 2026-12-03 09:00'],
      ['2026-12-05T10:00', 'Mon 2026-12-07 09:00'],
    ]) {
      const decision = decide(fresh(), overdue, at);
      expect(decision.emails, at).toEqual([]);
      expect(show(decision.state.nextDunningAt), at).toBe(next);
    }
    // A late run inside the window (09:00 + 120 minutes) still sends.
    expect(decide(fresh(), overdue, '2026-12-02T10:59').emails.map((email) => email.template)).toEqual(['dunning-reminder']);
  });

  it('the ladder only moves forward: paying the oldest invoice after the warning leads to the final notice with the same suspension date', () => {
    const invoices = [invoice('A-1', '2026-12-01'), invoice('A-2', '2026-12-10')];
    let state = fresh();
    for (const at of ['2026-12-02T09:00', '2026-12-08T09:00', '2026-12-15T09:00']) state = decide(state, invoices, at).state;
    expect(state).toMatchObject({ reached: 2, suspensionDate: '2026-12-31' });
    const paidOldest = [{ ...invoices[0], status: 'paid' as const, amountPaid: 100 }, invoices[1]];
    const sent: string[] = [];
    for (
      let day = DateTime.fromISO('2026-12-16T09:00', { zone: 'Europe/Berlin' });
      day.toISODate()! <= '2027-01-20';
      day = day.plus({ days: 1 })
    ) {
      const decision = decide(state, paidOldest, day.toISO()!.slice(0, 16));
      state = decision.state;
      sent.push(...decision.emails.map((email) => `${day.toISODate()} ${email.template} ${email.suspensionDate ?? ''}`.trim()));
    }
    // The steps keep their places before the suspension date told in the warning.
    expect(sent).toEqual([
      '2026-12-22 dunning-final 2026-12-31',
      '2026-12-22 dunning-notice-inform 2026-12-31',
      '2026-12-31 dunning-suspension-proposal 2026-12-31',
    ]);
  });

  it('a told suspension date moves only later, and only to keep the notice when a hold delayed the final notice', () => {
    const warned = { ...fresh(), reached: 2, lastStepAt: '2026-12-15T08:00:00Z', suspensionDate: '2026-12-31' };
    // An outage held the final notice until 29 Dec: suspension is then 7 days later, never 2.
    const final = decide(warned, [invoice('A-1', '2026-12-01')], '2026-12-29T09:00');
    expect(final.emails.map((email) => `${email.template} ${email.suspensionDate}`)).toEqual([
      'dunning-final 2027-01-05',
      'dunning-notice-inform 2027-01-05',
    ]);
  });

  it('woken only when it says it is next due, a started cycle whose overdue invoice was paid still reaches the next step for a later invoice', () => {
    const later = invoice('A-2', '2026-12-20');
    let state = decide(fresh(), [invoice('A-1', '2026-12-01'), later], '2026-12-02T09:00').state; // the reminder
    const paid = { ...invoice('A-1', '2026-12-01'), status: 'paid' as const, amountPaid: 100 };
    const sent: string[] = [];
    let at = local('2026-12-03T10:00');
    for (let wakes = 0; wakes < 10 && at < local('2027-01-31T00:00'); wakes++) {
      const decision = decideDunning({
        state,
        invoices: [paid, later],
        policy: defaultDunningPolicy,
        calendar: berlin,
        outage: false,
        now: at,
      });
      state = decision.state;
      sent.push(...decision.emails.map((email) => `${show(at)} ${email.template}`));
      if (!state.nextDunningAt) break;
      at = new Date(state.nextDunningAt);
    }
    // The courtesy note, then the second reminder on day 7 of A-2 (Sunday 27 Dec: Monday), never the reminder again.
    expect(sent.slice(0, 2)).toEqual(['Thu 2026-12-17 09:00 dunning-courtesy', 'Mon 2026-12-28 09:00 dunning-why']);
  });

  it('one email a morning: a courtesy note due the morning a ladder step goes out waits for the next morning', () => {
    const invoices = [invoice('A-1', '2026-12-01'), invoice('A-2', '2026-12-11')];
    let state = decide(fresh(), invoices, '2026-12-02T09:00').state; // the reminder for A-1
    const sent: string[] = [];
    for (const at of ['2026-12-08T09:00', '2026-12-09T09:00', '2026-12-10T09:00']) {
      const decision = decide(state, invoices, at);
      state = decision.state;
      sent.push(...decision.emails.map((email) => `${at} ${email.template} ${email.invoices.map((entry) => entry.id).join('+')}`));
      if (at === '2026-12-08T09:00') expect(show(state.nextDunningAt)).toBe('Wed 2026-12-09 09:00');
    }
    expect(sent).toEqual(['2026-12-08T09:00 dunning-why A-1', '2026-12-09T09:00 dunning-courtesy A-2']);
  });

  it('a suspended customer who pays one invoice hears nothing more; paying the rest tells them at once that service is restored', () => {
    const invoices = [invoice('A-1', '2026-12-01'), invoice('A-2', '2026-12-01', 50)];
    let state = fresh();
    for (const at of ['2026-12-02T09:00', '2026-12-08T09:00', '2026-12-15T09:00', '2026-12-22T09:00', '2026-12-31T09:00'])
      state = decide(state, invoices, at).state;
    state = decide({ ...state, approval: { ...state.approval!, state: 'approved' } }, invoices, '2026-12-31T10:00').state;
    expect(state.suspendedAt).toBeDefined();
    const onePaid = [{ ...invoices[0], status: 'paid' as const, amountPaid: 100 }, invoices[1]];
    for (const at of ['2027-01-04T09:00', '2027-01-11T09:00', '2027-02-01T09:00']) {
      const decision = decide(state, onePaid, at);
      expect(decision.emails, at).toEqual([]);
      state = decision.state;
    }
    const allPaid = onePaid.map((entry) => ({ ...entry, status: 'paid' as const, amountPaid: entry.amount }));
    expect(decide(state, allPaid, '2027-02-06T03:00').emails.map((email) => `${email.template}→${email.audience}`)).toEqual([
      'dunning-restored→customer',
      'dunning-restore-task→serviceManager',
    ]);
  });

  it('a second run at the same instant sends nothing', () => {
    const first = decide(fresh(), [invoice('A-1', '2026-12-01')], '2026-12-02T09:00');
    expect(decide(first.state, [invoice('A-1', '2026-12-01')], '2026-12-02T09:00').emails).toEqual([]);
  });

  it('after a step goes out, a second wake the same day sends nothing, even when a later step is past its calendar date', () => {
    // A promise broken on 29 Dec resumes with the next step (why); the warning, due by the calendar
    // since 15 Dec, keeps its 5 days' notice however often the cycle is woken in between.
    const promised = applyInvoiceEvent(
      invoice('P-1', '2026-12-01'),
      { type: 'promise', date: '2026-12-28' },
      '2026-12-03T10:00:00Z',
      '2026-12-03',
    );
    const resumed = decide(
      { ...fresh(), sent: { 'reminder@2026-12-01': '2026-12-02T08:00:00Z' } }, // a state from before `reached` was kept
      [promised],
      '2026-12-29T09:00',
    );
    expect(resumed.emails.map((email) => email.template)).toEqual(['dunning-promise-broken', 'dunning-why']);
    const invoices = [{ ...promised, ...resumed.invoices.find((changed) => changed.id === 'P-1') }];
    expect(decide(resumed.state, invoices, '2026-12-29T09:00').emails).toEqual([]);
    expect(decide(resumed.state, invoices, '2026-12-29T16:00').emails).toEqual([]);
    expect(show(decide(resumed.state, invoices, '2026-12-29T16:00').state.nextDunningAt)).toBe('Mon 2027-01-04 09:00');
  });

  it('an open sev1/sev2 (outage) holds a consequence step and asks the service manager instead; plain reminders go on', () => {
    expect(decide(fresh(), [invoice('A-1', '2026-12-01')], '2026-12-02T09:00', true).emails.map((email) => email.template)).toEqual([
      'dunning-reminder',
    ]);
    const whySent = { ...fresh(), reached: 1, lastStepAt: '2026-12-08T08:00:00Z' };
    const held = decide(whySent, [invoice('A-1', '2026-12-01')], '2026-12-15T09:00', true);
    expect(held.emails.map((email) => `${email.template}→${email.audience}`)).toEqual(['dunning-outage-hold→serviceManager']);
  });

  it('the suspension step waits for the service manager: a proposal, never the notice, until approved', () => {
    const finalSent = { ...fresh(), reached: 3, lastStepAt: '2026-12-22T08:00:00Z', suspensionDate: '2026-12-31' };
    const proposal = decide(finalSent, [invoice('A-1', '2026-12-01')], '2026-12-31T09:00');
    expect(proposal.emails.map((email) => `${email.template}→${email.audience}`)).toEqual(['dunning-suspension-proposal→serviceManager']);
    const approved = { ...proposal.state, approval: { ...proposal.state.approval!, state: 'approved' as const } };
    expect(decide(approved, [invoice('A-1', '2026-12-01')], '2026-12-31T10:00').emails.map((email) => email.template)).toEqual([
      'dunning-suspension',
    ]);
    // Approved after the send window: the notice waits for the next send time.
    const late = decide(approved, [invoice('A-1', '2026-12-01')], '2026-12-31T14:00');
    expect([late.emails, show(late.state.nextDunningAt)]).toEqual([[], 'Mon 2027-01-04 09:00']);
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
    // At once, not at the next send time: it answers the customer's payment.
    expect(decide(started, [paid], '2026-12-05T23:30')).toMatchObject({ done: true, emails: [{ template: 'dunning-thanks' }] });
  });
});

describe('dunningView: what the API shows of a cycle', () => {
  it('the furthest step, the suspension told and the proposal; a policy edited to fewer steps mid-cycle shows its last step', () => {
    const state = {
      ...fresh(),
      reached: 4,
      lastStepAt: '2026-12-31T08:00:00Z',
      suspensionDate: '2026-12-31',
      suspendedAt: '2026-12-31T08:00:00Z',
    };
    expect(dunningView(state, defaultDunningPolicy)).toMatchObject({
      cycle: 1,
      lastStep: { key: 'suspension' },
      suspension: { date: '2026-12-31' },
    });
    const shorter = { ...defaultDunningPolicy, steps: defaultDunningPolicy.steps.slice(0, 2) };
    expect(dunningView(state, shorter).lastStep).toEqual({ key: 'why', at: '2026-12-31T08:00:00Z' });
    expect(dunningView(fresh(), defaultDunningPolicy)).toEqual({ customerId: 'acme', cycle: 1, suspension: {} });
  });
});
