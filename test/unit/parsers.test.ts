import { describe, expect, it } from 'vitest';
import {
  alertmanagerSchema,
  defaultIntegration,
  fromAlertmanager,
  fromDatadog,
  routeAlert,
  type Alert,
} from '../../modules/intake/alerts.ts';
import { replyText, subjectTag } from '../../modules/intake/inbound-mail.ts';
import { parseInvoiceCsv } from '../../modules/receivables/invoice-csv.ts';
import { parseDuration } from '../../infra/local/duration.ts';
import { headerValue } from '../../kernel/mailer.ts';

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
      fromAlertmanager(alertmanagerSchema.parse(payload)).map(({ key, status, title, labels }) => ({
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
      { customerId: 'acme', severity: 'sev1' },
    ],
    [
      { customer: 'acme', severity: 'WARNING' },
      { customerId: 'acme', severity: 'sev3' },
    ],
    [
      { customer: 'acme', severity: 'high' },
      { problem: 'alert k: severity "high" is not mapped (known: critical, error, warning, info, P1, P2, P3, P4, P5)' },
    ],
    [{ severity: 'critical' }, { problem: 'alert k: no "customer" label and integration alertmanager has no default customer' }],
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
