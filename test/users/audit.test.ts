import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../modules/policies/index.ts';
import { acme, invoiceInput, latestEmail, linkIn, sendMail, submitLink, useRuntime } from '../support/runtime.ts';

const env = useRuntime();
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toUTC().toISO()!;

type Person = { id: string; token: string; tokenId: string; actor: Record<string, string> };
const people: Record<'alice' | 'mia' | 'fred', Person> = {} as never;

const as = (person: Person) => async (method: string, path: string, body?: unknown) => {
  const response = await fetch(env.runtime.urls.api + path, {
    method,
    headers: { authorization: `Bearer ${person.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  await env.runtime.tracker.idle();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};

beforeAll(async () => {
  for (const [key, name, role] of [
    ['alice', 'Alice Agent', 'agent'],
    ['mia', 'Mia Manager', 'manager'],
    ['fred', 'Fred Finance', 'finance'],
  ] as const) {
    const user = (await env.client.post('/users', { email: `${key}@provider.test`, name, roles: [role] })).body;
    const token = (await env.client.post(`/users/${user.id}/tokens`, { name: 'laptop' })).body;
    people[key] = {
      id: user.id,
      token: token.token,
      tokenId: token.id,
      actor: { kind: 'token', id: token.id, name: `${name} (token "laptop")`, userId: user.id },
    };
  }
});

describe('who did what: on the record and in GET /audit', () => {
  it('an acknowledgement, an RFO accepted by link, a write-off, a policy version and two suspension approvals each name their actor', {
    timeout: 180_000,
  }, async () => {
    const alice = as(people.alice);
    const mia = as(people.mia);
    const fred = as(people.fred);
    const customerLink = { kind: 'customer-link', id: 'acme', name: 'ACME Corp' };

    // The issue: acknowledged by Alice's token, resolved by Mia, the RFO accepted by the customer's link.
    const issue = (await alice('POST', '/issues', { customerId: 'acme', title: 'Core switch down', severity: 'sev2', description: 'x' }))
      .body;
    expect((await alice('POST', `/issues/${issue.id}/events`, { type: 'acknowledge' })).status).toBe(202);
    expect((await mia('POST', `/issues/${issue.id}/events`, { type: 'resolve', rfo: 'A line card failed.' })).status).toBe(202);
    const resolved = await latestEmail(env.runtime, 'ann@acme.test', `[${issue.id}] Resolved`);
    expect((await submitLink(linkIn(resolved.body.text, 'accept'))).status).toBe(200);
    const timeline = (await env.client.get(`/issues/${issue.id}`)).body.timeline as { type: string; by?: unknown }[];
    const byType = (type: string) => timeline.find((entry) => entry.type === type)?.by;
    expect([byType('acknowledge'), byType('resolve'), byType('accept-rfo')]).toEqual([people.alice.actor, people.mia.actor, customerLink]);

    // A write-off by Fred: on the invoice's history.
    expect((await fred('POST', '/invoices', invoiceInput('W-1', 'acme', '2026-11-20', 80))).status).toBe(201);
    expect((await fred('POST', '/invoices/W-1/events', { type: 'write-off', note: 'goodwill' })).status).toBe(202);
    const written = (await fred('GET', '/invoices/W-1')).body;
    expect(written.status).toBe('written-off');
    expect(written.history).toEqual([{ type: 'write-off', at: expect.any(String), by: people.fred.actor }]);

    // A policy version by Mia.
    const { name: _name, version: _version, ...body } = defaultPolicy;
    const suspensionOnly = { ...body, dunning: { ...body.dunning, steps: body.dunning.steps.filter((step) => step.approval) } };
    expect((await mia('PUT', '/policies/suspension-only', suspensionOnly)).status).toBe(200);
    expect((await alice('GET', '/policies/suspension-only')).body).toMatchObject({ version: 1, updatedBy: people.mia.actor });

    // Two suspensions proposed: Mia approves one through the API, the service manager the other by the emailed link.
    for (const id of ['sus-a', 'sus-b']) {
      const customer = { ...acme, id, name: `Customer ${id}`, emailDomains: [`${id}.test`], policy: 'suspension-only' };
      customer.contacts = [{ name: 'Pay', email: `pay@${id}.test`, roles: ['billing'] }];
      expect((await mia('POST', '/customers', customer)).status).toBe(201);
      expect((await fred('POST', '/invoices', invoiceInput(`${id}-1`, id, '2026-12-01', 900))).status).toBe(201);
    }
    await env.client.moveTo(berlin('2026-12-31T12:00'));
    expect((await fred('POST', '/customers/sus-a/dunning/events', { type: 'approve-suspension' })).status).toBe(403);
    const approved = await mia('POST', '/customers/sus-a/dunning/events', { type: 'approve-suspension' });
    expect(approved.status).toBe(202);
    expect(approved.body.suspension.proposal).toMatchObject({ state: 'approved', by: people.mia.actor });
    // Answered again: the refusal gives the time in the caller's zone (Mia has none: the customer's), never UTC.
    const again = await mia('POST', '/customers/sus-a/dunning/events', { type: 'approve-suspension' });
    expect([again.status, again.body.error]).toEqual([409, 'the suspension proposal was already approved (Thu 31 Dec 2026, 12:00 CET)']);
    const proposal = await latestEmail(env.runtime, 'sam@provider.test', 'Approve suspension of Customer sus-b?');
    const approveLink = /Approve: (\S+)/.exec(proposal.body.text!)![1];
    expect((await fetch(approveLink, { method: 'POST' })).status).toBe(200);
    const sam = { kind: 'staff-link', id: 'sam@provider.test', name: 'Sam Manager' };
    expect((await env.client.get('/customers/sus-b/dunning')).body.suspension.proposal).toMatchObject({ state: 'approved', by: sam });

    // The trail, newest first: what each did, by whom.
    const from = encodeURIComponent('2026-11-01T00:00:00Z');
    const trail = (await env.client.get(`/audit?from=${from}&limit=500`)).body.entries as {
      actor: { kind: string; id: string };
      action: string;
      type?: string;
      target: Record<string, string>;
    }[];
    const line = (entry: (typeof trail)[number]) =>
      `${entry.actor.kind}:${entry.actor.id} ${entry.action}${entry.type ? ` ${entry.type}` : ''}`;
    const lines = trail.map(line);
    for (const expected of [
      `token:${people.alice.tokenId} POST /issues/{id}/events acknowledge`,
      `token:${people.mia.tokenId} POST /issues/{id}/events resolve`,
      'customer-link:acme link accept-rfo accept-rfo',
      `token:${people.fred.tokenId} POST /invoices/{id}/events write-off`,
      `token:${people.mia.tokenId} PUT /policies/{name}`,
      `token:${people.mia.tokenId} POST /customers/{id}/dunning/events approve-suspension`,
      'staff-link:sam@provider.test link approve-suspension',
    ])
      expect(lines).toContain(expected);
    expect(lines.indexOf('staff-link:sam@provider.test link approve-suspension')).toBeLessThan(
      lines.indexOf(`token:${people.alice.tokenId} POST /issues/{id}/events acknowledge`),
    );
    expect(trail.find((entry) => entry.type === 'write-off')?.target).toEqual({ invoiceId: 'W-1' });
    // A create names what it made (from its Location).
    expect(trail.find((entry) => entry.action === 'POST /issues')?.target).toEqual({ issueId: issue.id });
    // Refused requests and a person's reads leave no trace; every use of the bootstrap token does, reads too.
    expect(lines.filter((entry) => entry.startsWith(`token:${people.fred.tokenId}`) && entry.includes('dunning/events'))).toEqual([]);
    expect(lines.filter((entry) => entry.includes(' GET ') && !entry.startsWith('api-token:'))).toEqual([]);
    expect(lines.some((entry) => entry.startsWith('api-token:') && entry.includes(' GET '))).toBe(true);
  });

  it('filters by actor and kind, pages with next, refuses a bad query naming the field and anyone without audit:read', async () => {
    const from = encodeURIComponent('2026-11-01T00:00:00Z');
    const aliceOnly = (await env.client.get(`/audit?from=${from}&actor=${people.alice.tokenId}`)).body.entries;
    expect(aliceOnly.length).toBeGreaterThan(0);
    expect(aliceOnly.every((entry: { actor: { id: string } }) => entry.actor.id === people.alice.tokenId)).toBe(true);
    const links = (await env.client.get(`/audit?from=${from}&kind=staff-link`)).body.entries;
    expect(links.map((entry: { action: string }) => entry.action)).toEqual(['link approve-suspension']);

    const all = (await env.client.get(`/audit?from=${from}&limit=500`)).body.entries;
    const pages: unknown[] = [];
    let next: string | undefined;
    do {
      const page = (await env.client.get(`/audit?from=${from}&limit=3${next ? `&after=${encodeURIComponent(next)}` : ''}`)).body;
      expect(page.entries.length).toBeLessThanOrEqual(3);
      pages.push(...page.entries);
      next = page.next;
    } while (next);
    // The bootstrap token's own reads of the trail are recorded as the test pages through it.
    const writes = (entries: unknown[]) =>
      (entries as { actor: { kind: string }; action: string }[]).filter(
        (entry) => !(entry.actor.kind === 'api-token' && entry.action.startsWith('GET ')),
      );
    expect(writes(pages)).toEqual(writes(all));

    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['limit=0', 'limit'],
      ['kind=robot', 'kind'],
      ['from=2020-01-01T00:00:00Z', 'from'],
      ['after=x', 'after'],
      ['from=2026-12-31T00:00:00Z&to=2026-12-01T00:00:00Z', 'to'],
    ]) {
      const refused = await env.client.get(`/audit?${query}`);
      expect(refused.status, query).toBe(400);
      expect(JSON.stringify(refused.body.details), query).toContain(`"${field}"`);
    }
    // A cursor naming a day far after the range reads only the range's days.
    const farCursor = await env.client.get(`/audit?after=${encodeURIComponent('2999-01-01|x')}`);
    expect([farCursor.status, farCursor.body.count]).toEqual([200, expect.any(Number)]);
    expect((await as(people.alice)('GET', '/audit')).status).toBe(403);
    expect((await as(people.mia)('GET', '/audit')).status).toBe(200);
  });

  it('monitoring and customers by email are actors too: an alert that opens and clears an issue, a mail that opens one; redeliveries add nothing', async () => {
    const from = encodeURIComponent('2026-11-01T00:00:00Z');
    const alert = (status: string) =>
      fetch(`${env.runtime.urls.api}/webhooks/alertmanager`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.runtime.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          version: '4',
          groupKey: 'g',
          status,
          receiver: 'steward',
          commonLabels: { customer: 'acme' },
          alerts: [
            { status, labels: { alertname: 'AuditDisk', severity: 'warning' }, startsAt: '2026-11-02T08:00:00Z', fingerprint: 'audit-1' },
          ],
        }),
      });
    expect((await alert('firing')).status).toBe(202);
    expect((await alert('firing')).status).toBe(202); // redelivered: an occurrence at most, no entry
    expect((await alert('resolved')).status).toBe(202);
    await env.runtime.tracker.idle();
    const monitoring = (await env.client.get(`/audit?from=${from}&kind=integration`)).body.entries;
    // Both at the same instant of the manual clock: in no particular order.
    expect(monitoring.map((entry: { type: string; actor: object }) => [entry.type, entry.actor]).sort()).toEqual([
      ['cleared', { kind: 'integration', id: 'alertmanager' }],
      ['opened', { kind: 'integration', id: 'alertmanager' }],
    ]);

    const mail = [
      '--from',
      'ann@acme.test',
      '--to',
      'support@steward.localhost',
      '--header',
      'Subject: Printer on fire',
      '--header',
      'Message-Id: <audit-1@acme.test>',
      '--body',
      'Help',
    ];
    expect((await sendMail(env, mail)).ok).toBe(true);
    expect((await sendMail(env, mail)).ok).toBe(true); // the same message again
    const byEmail = (await env.client.get(`/audit?from=${from}&kind=email`)).body.entries;
    expect(byEmail).toEqual([
      expect.objectContaining({
        actor: { kind: 'email', id: 'ann@acme.test' },
        action: 'inbound email',
        type: 'opened',
        target: { issueId: expect.any(String) },
      }),
    ]);
  });
});
