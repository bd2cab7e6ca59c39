import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { createTransport } from 'nodemailer';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { TABLE_NAME } from '../../infra/local/runtime.ts';
import { type Route, routes } from '../../infra/routes.ts';
import { acme, invoiceInput, storedInboundMail, useRuntime } from '../support/runtime.ts';

/**
 * Hostile input on every route, the CSV import, the links and the SMTP listener (fast-check).
 * Properties: no answer is a 5xx (SMTP: no 451, the listener's "internal failure"), and a request
 * that is refused stores nothing. Bounded by FUZZ_RUNS (default 1,500 HTTP requests, 150 SMTP
 * sessions) so it takes about a minute; the seed is printed, and FUZZ_SEED replays a run.
 */
const HTTP_RUNS = Number(process.env.FUZZ_RUNS ?? 1_500);
const SMTP_RUNS = Math.max(20, Math.floor(HTTP_RUNS / 10));
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const env = useRuntime({
  setup: async (client) => {
    await client.post('/issues', { customerId: 'acme', title: 'Fuzz target', severity: 'sev3' });
    await client.post('/invoices', invoiceInput('FZ-1', 'acme', '2026-12-01', 100));
  },
});

const itemCount = async () =>
  (await env.runtime.dynamodb.client.send(new ScanCommand({ TableName: TABLE_NAME, Select: 'COUNT' }))).Count ?? 0;
const storedMail = async () => (await storedInboundMail(env.runtime)).length;

/** A well-formed body for each route that takes one: the fuzzer breaks it one field at a time. */
const seeds: Record<string, unknown> = {
  'POST /customers': {
    ...acme,
    id: 'fuzzed',
    emailDomains: ['fuzzed.test'],
    contacts: [{ name: 'F', email: 'f@fuzzed.test', roles: ['technical'] }],
  },
  'PUT /customers/{id}': acme,
  'POST /issues': { customerId: 'acme', title: 'Fuzzed', severity: 'sev3', description: 'x' },
  'POST /users': { email: 'fz@provider.test', name: 'Fz', roles: ['agent'], timezone: 'Europe/Berlin' },
  'PATCH /users/{id}': { name: 'Fz', roles: ['viewer'] },
  'POST /users/{id}/tokens': { name: 'fz', expiresAt: '2027-01-01T00:00:00Z' },
  'POST /issues/{id}/events': { type: 'update', message: 'Working on it', etr: '2026-11-03T10:00:00Z' },
  'PUT /policies/{name}': { issue: { sev3: { updateEvery: 'PT4H' } } },
  'PUT /integrations/{name}': { kind: 'pagerduty', routingKey: 'fuzz-routing-key', severityMap: { high: 'sev2' } },
  'POST /invoices': invoiceInput('FZ-2', 'acme', '2026-12-01', 50),
  'POST /invoices/{id}/events': { type: 'promise', date: '2026-11-20' },
  'POST /payments': { invoiceId: 'FZ-1', amount: 10, date: '2026-11-02', reference: 'fz' },
  'POST /customers/{id}/dunning/events': { type: 'approve-suspension', round: 1 },
  'POST /webhooks/alertmanager': {
    version: '4',
    groupKey: 'g',
    status: 'firing',
    receiver: 'steward',
    commonLabels: { customer: 'acme' },
    alerts: [{ status: 'firing', labels: { alertname: 'Fz', severity: 'warning' }, startsAt: '2026-11-02T08:00:00Z', fingerprint: 'fz1' }],
  },
  'POST /webhooks/generic': { key: 'fz', status: 'firing', title: 'Fz', severity: 'sev3', customer: 'acme' },
  'POST /v2/enqueue': { routing_key: 'x', event_action: 'trigger', payload: { summary: 'Fz', source: 'fz', severity: 'error' } },
  'POST /webhooks/datadog': { id: '1', title: 'Fz', alert_transition: 'Triggered', tags: 'customer:acme' },
};

/** A Stripe invoice event; the fuzzer breaks the envelope or the invoice inside it, and signs most of them correctly. */
const stripeInvoice = {
  id: 'in_fz',
  object: 'invoice',
  number: 'FZ-S1',
  customer: 'cus_fz',
  metadata: { customer_id: 'acme' },
  created: 1_764_547_200,
  due_date: 1_765_152_000,
  currency: 'eur',
  amount_due: 4_200,
  amount_paid: 0,
};
const stripeEvent = (invoice: unknown, type = 'invoice.finalized') => ({ id: 'evt_fz', object: 'event', type, data: { object: invoice } });
const stripeSigner = new Stripe('sk_unused');

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '%ZZ',
    '%00',
    '../../etc/passwd',
    '__proto__',
    'constructor',
    'toString',
    '\r\nBcc: victim@evil.test',
    '<script>alert(1)</script>',
    '2026-02-30',
    '2026-11-02T25:00:00Z',
    'P1M',
    'P99999D',
    '-PT1H',
    '0x10',
    '1e2',
    'NaN',
    'sev0',
    'x'.repeat(2_100),
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    // Bytes, not characters: within a 2,000-character limit, over DynamoDB's 2,048-byte key limit.
    'ß'.repeat(1_100),
    '😀'.repeat(600),
    'a'.repeat(10_001),
  ),
);
const hostileValue = fc.oneof(
  hostileString,
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    -0,
    1e21,
    2 ** 53 + 2,
    0.1,
    Number.MAX_VALUE,
    [],
    {},
    { __proto__: { admin: true } },
    { toString: 'x' },
    { valueOf: 1, toJSON: 'x' },
  ),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.array(hostileString, { maxLength: 5 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 4 }),
  fc.anything({ maxDepth: 3 }),
);

/** The seed with one field replaced, removed or added (a "__proto__" key written as an own key, as JSON.parse makes it). */
const mutatedBody = (seed: unknown) =>
  fc.oneof(
    fc
      .record({ key: fc.constantFrom(...Object.keys(seed as object), '__proto__', 'constructor', 'extra'), value: hostileValue })
      .map(({ key, value }) => {
        const copy = JSON.parse(JSON.stringify(seed));
        Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
        return JSON.stringify(copy);
      }),
    fc.constantFrom(...Object.keys(seed as object)).map((key) => {
      const copy = JSON.parse(JSON.stringify(seed));
      delete copy[key];
      return JSON.stringify(copy);
    }),
  );
/** Alerts whose labels (customer, severity, anything) or PagerDuty custom details are hostile: each sender kind, one level down. */
const hostileLabels = fc.dictionary(
  fc.constantFrom('customer', 'severity', 'alertname', 'impact', 'toString', 'constructor'),
  hostileValue,
  {
    maxKeys: 4,
  },
);
const nestedAlertBodies: Record<string, fc.Arbitrary<string>> = {
  'POST /webhooks/alertmanager': fc.tuple(hostileLabels, hostileLabels).map(([labels, common]) => {
    const body = JSON.parse(JSON.stringify(seeds['POST /webhooks/alertmanager'])) as Record<string, any>;
    body.commonLabels = { customer: 'acme', ...common };
    body.alerts.push({ ...body.alerts[0], fingerprint: 'fz2', labels: { alertname: 'Fz2', ...labels } });
    return JSON.stringify(body);
  }),
  'POST /webhooks/grafana': fc.tuple(hostileLabels, hostileString).map(([labels, fingerprint]) =>
    JSON.stringify({
      receiver: 'steward',
      status: 'firing',
      orgId: 1,
      groupKey: 'g',
      title: 'Fz',
      state: 'alerting',
      message: 'fz',
      alerts: [
        { status: 'firing', labels: { customer: 'acme', ...labels }, annotations: {}, startsAt: '2026-11-02T08:00:00Z', fingerprint },
      ],
    }),
  ),
  'POST /v2/enqueue': fc.tuple(hostileLabels, fc.option(hostileString, { nil: undefined })).map(([details, dedup]) =>
    JSON.stringify({
      routing_key: 'test-token',
      event_action: 'trigger',
      ...(dedup === undefined ? {} : { dedup_key: dedup }),
      payload: { summary: 'Fz', source: 'fz', severity: 'error', custom_details: details },
    }),
  ),
  'POST /webhooks/pagerduty': hostileLabels.map((details) =>
    JSON.stringify({
      routing_key: 'x',
      event_action: 'trigger',
      payload: { summary: 'Fz', source: 'fz', severity: 'error', custom_details: { customer: 'acme', ...details } },
    }),
  ),
  'POST /webhooks/datadog': fc
    .tuple(hostileString, hostileString)
    .map(([tag, key]) =>
      JSON.stringify({ alert_id: '1', alert_cycle_key: key, title: 'Fz', alert_transition: 'Triggered', tags: `customer:${tag},env:prod` }),
    ),
};
const anyBody = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', '{', 'null', '[]', '"x"', '{"a":'.repeat(2_000), `{"pad":"${'x'.repeat(1_100_000)}"}`),
);
const csvBody = fc
  .array(
    fc.tuple(
      hostileString,
      fc.constantFrom('acme', 'nobody', ''),
      hostileString,
      hostileString,
      fc.constantFrom('EUR', 'eur', 'XXX', ''),
      hostileString,
      hostileString,
    ),
    { maxLength: 6 },
  )
  .map((rows) =>
    [
      'invoice_number,customer_id,issue_date,due_date,currency,amount,amount_paid',
      ...rows.map((row) => row.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(',')),
    ].join('\n'),
  );
const pathSegment = fc.oneof(
  fc.constantFrom('acme', 'ISS-1001', 'FZ-1', 'default', 'fz-int', '%ZZ', '%2e%2e', '__proto__', 'a'.repeat(2_100), '%00', 'ISS-9999'),
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
);

const request = (route: Route) =>
  fc.record({
    segments: fc.array(pathSegment, { minLength: 4, maxLength: 4 }),
    body:
      route.path === '/invoices/import'
        ? fc.oneof(csvBody, anyBody)
        : route.path === '/links/{token}'
          ? fc.oneof(fc.string({ maxLength: 100 }), fc.constant('invoiceId=FZ-1&date=2026-12-01'))
          : route.path === '/webhooks/stripe'
            ? fc.oneof(
                mutatedBody(stripeEvent(stripeInvoice)),
                fc
                  .tuple(
                    mutatedBody(stripeInvoice),
                    fc.constantFrom('invoice.finalized', 'invoice.paid', 'invoice.voided', 'customer.created'),
                  )
                  .map(([invoice, type]) => JSON.stringify(stripeEvent(JSON.parse(invoice), type))),
                anyBody,
              )
            : nestedAlertBodies[`${route.method} ${route.path}`]
              ? fc.oneof(
                  nestedAlertBodies[`${route.method} ${route.path}`],
                  ...(seeds[`${route.method} ${route.path}`] ? [mutatedBody(seeds[`${route.method} ${route.path}`])] : []),
                  anyBody,
                )
              : seeds[`${route.method} ${route.path}`]
                ? fc.oneof(mutatedBody(seeds[`${route.method} ${route.path}`]), anyBody)
                : anyBody,
    /** Query parameters every list and sender reads, with hostile values (bytes over key limits among them). */
    query: fc.option(
      fc.dictionary(
        fc.constantFrom('integration', 'customerId', 'after', 'limit', 'status', 'open', 'aging', 'currency', 'severity'),
        hostileString,
        {
          maxKeys: 3,
        },
      ),
      { nil: undefined },
    ),
    /** Besides the API token and none: a forged JWT with an unknown critical extension, and junk. */
    credential: fc.constantFrom(...Array(8).fill('api-token'), 'crit-jwt', 'junk'),
    authorized: fc.integer({ min: 0, max: 99 }).map((n) => n < 85 || route.path.startsWith('/links')),
    signed: fc.integer({ min: 0, max: 99 }).map((n) => n < 85),
    idempotencyKey: fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constant('k'.repeat(300))), { nil: undefined }),
    contentType: fc.constantFrom('application/json', 'text/csv', 'application/x-www-form-urlencoded', 'text/plain; charset=utf-16'),
  });

/** A JWT whose header names an unknown critical extension (it once made every staff route a 503). */
const CRIT_JWT = [
  Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k', crit: ['x-fuzz'], 'x-fuzz': 1 })).toString('base64url'),
  Buffer.from(JSON.stringify({ email: 'a@b.test', exp: 4_000_000_000 })).toString('base64url'),
  Buffer.from('signature').toString('base64url'),
].join('.');

const statuses = new Map<number, number>();
const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

describe('hostile input (fast-check)', () => {
  it(`every route: no 5xx, and a refused request stores nothing (${HTTP_RUNS} requests, seed ${SEED})`, async () => {
    console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays this run)`);
    const route = fc.constantFrom(...routes);
    await fc.assert(
      fc.asyncProperty(
        route.chain((r) => request(r).map((input) => ({ route: r, ...input }))),
        async ({ route: r, segments, body, authorized, signed, idempotencyKey, contentType, query, credential }) => {
          let index = 0;
          const path = r.path.replace(/\{[^}]+\}/g, () => segments[index++]) + (query ? `?${new URLSearchParams(query).toString()}` : '');
          const bearer = credential === 'api-token' ? env.runtime.apiToken : credential === 'crit-jwt' ? CRIT_JWT : 'junk.token';
          await env.runtime.tracker.idle(); // what earlier requests started has finished
          const before = await itemCount();
          const response = await fetch(`${env.runtime.urls.api}${path}`, {
            method: r.method,
            headers: {
              'content-type': contentType,
              ...(authorized ? { authorization: `Bearer ${bearer}` } : {}),
              ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
              ...(signed && r.path === '/webhooks/stripe'
                ? { 'stripe-signature': stripeSigner.webhooks.generateTestHeaderString({ payload: body, secret: env.runtime.apiToken }) }
                : {}),
            },
            body: r.method === 'GET' ? undefined : body,
          });
          const text = await response.text();
          await env.runtime.tracker.idle();
          count(response.status);
          expect(response.status, `${r.method} ${path} → ${response.status} ${text.slice(0, 300)}`).toBeLessThan(500);
          if (response.status >= 400)
            expect(await itemCount(), `${r.method} ${path} → ${response.status} ${text.slice(0, 200)} stored items`).toBe(before);
        },
      ),
      { numRuns: HTTP_RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(
      `fuzz HTTP statuses: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${status}×${n}`)
        .join(', ')}`,
    );
  }, 600_000);

  it(`the SMTP listener: no 451, and refused mail stores nothing (${SMTP_RUNS} sessions)`, async () => {
    const replies = new Map<string, number>();
    const transport = createTransport({ host: '127.0.0.1', port: env.options.smtpPort, secure: false, ignoreTLS: true });
    /** The listener's answer to the message: 250, or the code it refused it with. */
    const smtp = async (from: string, to: string, raw: string): Promise<string> => {
      try {
        await transport.sendMail({ envelope: { from, to: [to] }, raw });
        return '250';
      } catch (error) {
        return `${(error as { responseCode?: number }).responseCode ?? `? ${(error as { code?: string }).code}`} ${(error as Error).message}`;
      }
    };
    const header = fc.oneof(
      fc.constantFrom(
        'Subject: hi',
        'Content-Type: multipart/report; report-type=delivery-status; boundary=b',
        'Auto-Submitted: auto-replied',
        'In-Reply-To: <x@y>',
        'Content-Transfer-Encoding: base64',
      ),
      fc
        .tuple(
          fc.string({ minLength: 1, maxLength: 20 }).filter((name) => /^[\x21-\x39\x3b-\x7e]+$/.test(name)),
          fc.string({ maxLength: 60 }),
        )
        .map(([name, value]) => `${name}: ${value.replace(/[\r\n]/g, ' ')}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('ann@acme.test', 'someone@else.test', '', 'mailer-daemon@x.test'),
        fc.constantFrom(
          'support@steward.localhost',
          'support+ISS-1001.000000000000@steward.localhost',
          `support+bounce-${'0'.repeat(20)}.${'0'.repeat(12)}@steward.localhost`,
        ),
        fc.array(header, { maxLength: 6 }),
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.constantFrom('Final-Recipient: rfc822; ann@acme.test\r\nAction: failed', '=?utf-8?B?////?='),
        ),
        async (from, to, headers, body) => {
          const [items, mail] = [await itemCount(), await storedMail()];
          const reply = await smtp(from, to, `From: ${from || 'x@y'}\r\n${headers.join('\r\n')}\r\n\r\n${body}`);
          await env.runtime.tracker.idle();
          const code = reply.slice(0, 3);
          replies.set(code, (replies.get(code) ?? 0) + 1);
          expect(code, `an internal failure: ${reply}`).not.toBe('451');
          if (code.startsWith('5'))
            expect([await itemCount(), await storedMail()], `refused mail stored something: ${reply}`).toEqual([items, mail]);
        },
      ),
      { numRuns: SMTP_RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(`fuzz SMTP replies to DATA: ${[...replies].map(([code, n]) => `${code}×${n}`).join(', ')}`);
    expect((await fetch(env.runtime.urls.health)).status).toBe(200);
  }, 600_000);
});
