import { describe, expect, it } from 'vitest';
import {
  alertmanagerSchema,
  defaultIntegration,
  fromAlertmanager,
  fromDatadog,
  routeAlert,
  type Alert,
} from '../../modules/intake/alerts.ts';
import { replyText, subjectTag, titleFromSubject } from '../../modules/intake/inbound-mail.ts';
import { parseInvoiceCsv } from '../../modules/receivables/invoice-csv.ts';
import { paymentSchema } from '../../modules/receivables/invoices.ts';
import { parseDuration } from '../../infra/local/duration.ts';
import { headerValue } from '../../kernel/mailer.ts';
import { clientRecord } from '../../kernel/client-record.ts';
import * as z from 'zod';

const HEADER = 'invoice_number,customer_id,issue_date,due_date,currency,amount,amount_paid';

describe('invoice CSV: every problem by line and column, nothing returned when there is one', () => {
  it.each([
    ['a good file', `${HEADER}\nA-1,acme,2026-11-01,2026-12-01,EUR,100.50,0\nA-2,acme,2026-11-01,2026-12-01,EUR,20,`, 2, []],
    ['a wrong header', 'number,customer\nA-1,acme', 0, [{ line: 1, column: '(header)' }]],
    ['a short row', `${HEADER}\nA-1,acme,2026-11-01`, 0, [{ line: 2, column: '(row)' }]],
    [
      'an amount that is not a number, and a duplicate id',
      `${HEADER}\nA-1,acme,2026-11-01,2026-12-01,EUR,lots,0\nA-2,acme,2026-11-01,2026-12-01,EUR,1,0\nA-2,acme,2026-11-01,2026-12-01,EUR,1,0`,
      0,
      [
        { line: 2, column: 'amount' },
        { line: 4, column: 'invoice_number' },
      ],
    ],
    [
      'amounts Number() would read: hexadecimal, exponent, a plus sign',
      `${HEADER}\nA-1,acme,2026-11-01,2026-12-01,EUR,0x10,0\nA-2,acme,2026-11-01,2026-12-01,EUR,1e2,0\nA-3,acme,2026-11-01,2026-12-01,EUR,1,+1`,
      0,
      [
        { line: 2, column: 'amount' },
        { line: 3, column: 'amount' },
        { line: 4, column: 'amount_paid' },
      ],
    ],
    [
      'plain decimals; a blank amount paid is 0',
      `${HEADER}\nA-1,acme,2026-11-01,2026-12-01,EUR,1250.50,100\nA-2,acme,2026-11-01,2026-12-01,EUR,7,`,
      2,
      [],
    ],
    ['more rows than allowed', `${HEADER}\n${'A-1,acme,2026-11-01,2026-12-01,EUR,1,0\n'.repeat(4)}`, 0, [{ line: 5, column: '(file)' }]],
  ])('%s', (_name, text, count, problems) => {
    const result = parseInvoiceCsv(text, 3);
    expect(result.invoices).toHaveLength(count);
    expect(result.errors.map(({ line, column }) => ({ line, column }))).toEqual(problems);
  });
});

describe('alerts: one per fingerprint, routed by the integration mapping', () => {
  const payload = {
    groupKey: 'g',
    status: 'firing' as const,
    receiver: 'steward',
    groupLabels: {},
    commonLabels: { customer: 'acme' },
    commonAnnotations: {},
    alerts: [
      {
        status: 'firing' as const,
        labels: { alertname: 'DiskFull', severity: 'critical' },
        annotations: { summary: 'Disk full on db-1' },
        startsAt: '2026-11-02T08:00:00Z',
        fingerprint: 'f1',
      },
      {
        status: 'resolved' as const,
        labels: { alertname: 'DiskFull', severity: 'warning' },
        annotations: {},
        startsAt: '2026-11-02T08:00:00Z',
        fingerprint: 'f2',
      },
    ],
  };

  it('Alertmanager: common labels apply to each alert; the summary is the title, else the alert name', () => {
    expect(
      (fromAlertmanager(alertmanagerSchema.parse(payload)) as Alert[]).map(({ key, status, title, labels }) => ({
        key,
        status,
        title,
        customer: labels.customer,
      })),
    ).toEqual([
      { key: 'f1', status: 'firing', title: 'Disk full on db-1', customer: 'acme' },
      { key: 'f2', status: 'resolved', title: 'DiskFull', customer: 'acme' },
    ]);
  });

  it('Datadog: tags name the customer, "Recovered" resolves, the cycle key dedups', () => {
    const alert = fromDatadog(
      {
        alert_id: '1',
        alert_cycle_key: 'c1',
        alert_transition: 'Recovered',
        title: 'CPU',
        body: '',
        tags: 'customer:acme,env:prod',
        priority: 'p2',
      },
      '{}',
    );
    expect(alert).toMatchObject({ key: 'c1', status: 'resolved', labels: { customer: 'acme', env: 'prod', severity: 'P2' } });
  });

  const alert = (labels: Record<string, string>): Alert => ({
    key: 'k',
    occurrenceId: 'o',
    status: 'firing',
    title: 't',
    description: '',
    labels,
  });
  it.each([
    [
      { customer: 'acme', severity: 'critical' },
      { customerId: 'acme', severity: 'sev1', notes: [] },
    ],
    [
      { customer: 'acme', severity: 'WARNING' },
      { customerId: 'acme', severity: 'sev3', notes: [] },
    ],
    [
      { customer: 'acme', severity: 'high' },
      {
        customerId: 'acme',
        severity: 'sev3',
        notes: [
          'The alert\'s severity "high" is not mapped by integration alertmanager (known: critical, error, warning, info, P1, P2, P3, P4, P5); opened as sev3, its default.',
        ],
      },
    ],
    [{ severity: 'critical' }, { customerId: undefined, severity: 'sev1', notes: [] }],
  ])('%j → %j', (labels, routing) => {
    expect(routeAlert(alert(labels), defaultIntegration('alertmanager'))).toEqual(routing);
  });
});

describe('inbound mail helpers', () => {
  it.each([
    ['Re: [ISS-1042] Update: VPN down', 'ISS-1042'],
    ['AW: AW: [ISS-7] x', 'ISS-7'],
    ['[ISS-] no id', undefined],
    ['VPN down', undefined],
  ])('the subject tag of %j is %j', (subject, id) => expect(subjectTag(subject)).toBe(id));

  it.each([
    ['Thanks, it works.\r\n\r\nOn Mon, 2 Nov 2026 at 09:00, Steward wrote:\r\n> old text', 'Thanks, it works.'],
    ['Danke!\nAm 02.11.2026 schrieb Steward <s@x>:\n> alt', 'Danke!'],
    ['> only a quote', '> only a quote'],
  ])('the reply text of %j is %j', (text, reply) => expect(replyText(text)).toBe(reply));
});

describe('header values', () => {
  it.each([
    ['VPN down\r\nBcc: someone@evil.test', 'VPN down Bcc: someone@evil.test'],
    ['Tab\tand\u0000nul', 'Tab and nul'],
    ['  plain  ', 'plain'],
  ])('%j is sent as %j', (text, value) => expect(headerValue(text)).toBe(value));
});

describe('ISO-8601 durations for the clock', () => {
  it.each([
    ['PT2H', 7_200_000],
    ['P1DT30M', 88_200_000],
    ['P2W', 1_209_600_000],
    ['two hours', undefined],
    ['-PT1H', undefined],
  ])('%s is %s ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
});

describe('records from clients', () => {
  const labels = clientRecord(z.string(), 3);
  it.each([
    ['a "__proto__" key (JSON.parse makes it an own key)', '{"__proto__": "x"}', /"__proto__" is not allowed/],
    ['more keys than allowed', '{"a": "1", "b": "2", "c": "3", "d": "4"}', /at most 3 keys/],
    ['an empty key', '{"": "x"}', /Invalid key/],
  ])('refuses %s', (_name, json, message) => {
    const result = labels.safeParse(JSON.parse(json));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join('; ')).toMatch(message);
  });

  it('keeps "constructor" and "toString" as plain keys', () => {
    expect(labels.parse({ constructor: 'c', toString: 't' })).toEqual({ constructor: 'c', toString: 't' });
  });
});

describe('money amounts', () => {
  it.each([
    [5e-323, false], // zod's multipleOf(0.01) took it, and DynamoDB then refused the item with a 500
    [0.001, false],
    [12.345, false],
    [1e13, false],
    [0.01, true],
    [0.1 + 0.2, true],
    [1250.5, true],
  ])('a payment of %s is valid: %s', (amount, valid) => {
    expect(paymentSchema.safeParse({ invoiceId: 'A-1', amount, date: '2026-11-02', reference: 'r' }).success).toBe(valid);
  });
});

describe('titleFromSubject', () => {
  it('drops reply and forward prefixes, the subject tag and the words of our own emails, however they pile up', () => {
    expect(titleFromSubject('Re: [ISS-1002] Closed: Fibre link down at the depot')).toBe('Fibre link down at the depot');
    expect(titleFromSubject('AW: WG: Re: [ISS-7] Resolved: VPN down')).toBe('VPN down');
    expect(titleFromSubject('Fwd: RES: ENC: Printer jam')).toBe('Printer jam');
    expect(titleFromSubject('Re[2]: Update: Slow DNS')).toBe('Slow DNS');
    expect(titleFromSubject('Reboot: the core switch')).toBe('Reboot: the core switch');
    expect(titleFromSubject('Re:')).toBe('Re:');
  });
});
