import { describe, expect, it } from 'vitest';
import { renderIssueEmail } from '../../modules/issues/templates.ts';
import { renderDunningEmail } from '../../modules/receivables/templates.ts';
import { counted, durationInWords, inWords, namesInWords } from '../../kernel/time-words.ts';
import { contactNames } from '../../modules/customers/index.ts';
import { daysOverdue } from '../../modules/receivables/dunning-step.ts';

const customer = {
  id: 'acme',
  name: 'ACME Corp',
  tier: 'gold',
  timezone: 'Europe/Berlin',
  contacts: [
    { name: 'Ann Admin', email: 'ann@acme.test', roles: ['technical'] },
    { name: 'Carl Crash', email: 'carl@acme.test', roles: ['technical'] },
    { name: 'Bill Payer', email: 'bill@acme.test', roles: ['billing'] },
  ],
  team: {
    teamLead: { name: 'Tina Lead', email: 'tina@provider.test' },
    serviceManager: { name: 'Maria Santos', email: 'maria@provider.test' },
    director: { name: 'Dora Director', email: 'dora@provider.test' },
  },
};
const issue = { id: 'ISS-1001', title: 'VPN down', severity: 'sev2', status: 'open', impact: '', source: 'api', reopenCount: 0 };

describe('what people read: times in words, names, counts', () => {
  it('an instant in the reader’s time zone, in English whatever the locale', async () => {
    expect(inWords('2026-11-30T13:40:00.000Z', 'Europe/Berlin')).toBe('Mon 30 Nov 2026, 14:40 CET');
    expect(inWords('2026-11-30T13:40:00.000Z', 'Australia/Sydney')).toMatch(/^Tue 1 Dec 2026, 00:40 /);
    expect(inWords(undefined, 'Europe/Berlin')).toBeUndefined();
  });

  it('counts and lists of names read as English', async () => {
    expect([counted(1, 'day'), counted(3, 'day'), counted(1, 'business day')]).toEqual(['1 day', '3 days', '1 business day']);
    expect([namesInWords(['Ann']), namesInWords(['Ann', 'Bob']), namesInWords(['Ann', 'Bob', 'Carl'])]).toEqual([
      'Ann',
      'Ann and Bob',
      'Ann, Bob and Carl',
    ]);
    expect(contactNames(customer as never, ['ann@acme.test', 'carl@acme.test'])).toBe('Ann Admin and Carl Crash');
  });

  it('days overdue count the customer’s calendar: a Sydney invoice due 1 December is one day overdue at 01:00 on 2 December there', async () => {
    const now = new Date('2026-12-01T14:00:00Z'); // 2 December 01:00 in Sydney, still 1 December in UTC
    expect(daysOverdue('2026-12-01', now, 'Australia/Sydney')).toBe(1);
    expect(daysOverdue('2026-12-01', now, 'Europe/Berlin')).toBe(0);
  });
});

describe('email wording', () => {
  it('customer emails greet the contacts by name; an issue opened by monitoring says monitoring detected it', async () => {
    const ack = await renderIssueEmail('acknowledgement', {
      issue: { ...issue, source: 'webhook' },
      customer,
      greetName: 'Ann Admin',
      links: {},
    });
    expect(ack.text).toMatch(/^Hello Ann Admin,\n\nour monitoring detected a problem: "VPN down"/);
    const fallback = await renderIssueEmail('acknowledgement', { issue, customer, links: {} });
    expect(fallback.text).toMatch(/^Hello ACME Corp,\n\nwe have received your issue "VPN down"/);
  });

  it('internal emails give times in words and leave out an empty impact', async () => {
    const data = {
      issue,
      customer,
      person: customer.team.teamLead,
      reason: 'it is not acknowledged',
      openedAt: 'Mon 30 Nov 2026, 09:30 CET',
      history: { recentIssues: 1, openIssues: 1 },
    };
    const without = (await renderIssueEmail('escalation', data)).text;
    expect(without).toContain('Opened:   Mon 30 Nov 2026, 09:30 CET');
    expect(without).not.toContain('Impact:');
    expect(without).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect((await renderIssueEmail('escalation', { ...data, issue: { ...issue, impact: 'All branches offline' } })).text).toContain(
      'Impact:   All branches offline',
    );
  });

  it('a revised RFO says so in its subject and first line', async () => {
    const rfo = { text: 'A failed switch', status: 'pending', revision: 2 };
    const revised = await renderIssueEmail('resolution', {
      issue: { ...issue, status: 'resolved', rfo },
      customer,
      rfoRevised: true,
      links: {},
    });
    expect(revised.subject).toBe('[ISS-1001] Revised reason for outage: VPN down');
    expect(revised.text).toContain('we have revised the reason for outage of issue ISS-1001');
    expect((await renderIssueEmail('resolution', { issue: { ...issue, rfo: { ...rfo, revision: 1 } }, customer, links: {} })).subject).toBe(
      '[ISS-1001] Resolved: VPN down',
    );
  });

  it('dunning: "1 day overdue", the suspension notice says how to reach the service manager, internal notes name steps in words', async () => {
    const invoices = [{ id: 'L-1', dueDate: '2026-12-01', age: 1, overdue: '1 day', balance: 1000, currency: 'EUR' }];
    const totals = [{ amount: 1000, currency: 'EUR' }];
    const reminder = (await renderDunningEmail('dunning-reminder', { customer, invoices, totals, count: 1, links: {} })).text;
    expect(reminder).toMatch(/L-1 +due 1 Dec 2026 +1 day overdue +€1,000\.00\n +Total: €1,000\.00/);
    expect(reminder).toContain('our records show this invoice as unpaid');
    expect(
      (
        await renderDunningEmail('dunning-reminder', {
          customer,
          invoices: [...invoices, { ...invoices[0], id: 'L-2' }],
          totals,
          count: 2,
          links: {},
        })
      ).text,
    ).toContain('our records show these invoices as unpaid');
    // Money per currency and the reader's country: no decimals for yen, grouping, the symbol.
    const yen = (
      await renderDunningEmail('dunning-reminder', {
        customer: { ...customer, country: 'JP' },
        invoices: [{ ...invoices[0], balance: 1_200_000, currency: 'JPY' }],
        totals: [{ amount: 1_200_000, currency: 'JPY' }],
        count: 1,
        links: {},
      })
    ).text;
    expect(yen).toContain('¥1,200,000');
    expect(yen).not.toContain('JPY');
    expect((await renderDunningEmail('dunning-suspension', { customer, invoices, totals, links: {} })).text).toContain(
      'Please contact Maria Santos (maria@provider.test), or reply to this email.',
    );
    const hold = await renderDunningEmail('dunning-outage-hold', {
      customer,
      person: customer.team.serviceManager,
      invoices,
      totals,
      step: 'final',
      stepName: 'final notice',
    });
    expect(hold.text).toContain('the final notice to ACME Corp is due');
    expect(hold.text).not.toContain('"final"');
  });
});

describe('durations in words (staff emails say "15 minutes", not "15m")', () => {
  it('reads weeks, days, hours and minutes as people write them', async () => {
    expect(durationInWords('PT15M')).toBe('15 minutes');
    expect(durationInWords('PT1H30M')).toBe('1 hour 30 minutes');
    expect(durationInWords('P2D')).toBe('2 days');
    expect(durationInWords('P1W')).toBe('1 week');
    expect(durationInWords('P1DT4H')).toBe('1 day 4 hours');
  });
});

describe('a moved ETR, as the customer reads it', () => {
  it('says it moved, from when to when, and why', async () => {
    const text = (
      await renderIssueEmail('status-update', {
        issue,
        customer,
        links: {},
        update: { message: 'The spare part arrives at 12:00.' },
        etr: 'Tue 3 Nov, 14:00 CET',
        etrMovedFrom: 'Tue 3 Nov, 11:00 CET',
        nextUpdateAt: 'Tue 3 Nov, 12:30 CET',
      })
    ).text;
    expect(text).toContain(
      'We have moved the estimated time of repair from Tue 3 Nov, 11:00 CET to Tue 3 Nov, 14:00 CET. Why: The spare part arrives at 12:00.',
    );
  });
});
