import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentEmails } from '../../kernel/email-channel.ts';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { acme, api, inbox, removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';

let options: RuntimeOptions;
let runtime: Runtime;

beforeAll(async () => {
  options = await testOptions({ inMemory: true });
  runtime = await startRuntime(options);
  await api(runtime).post('/customers', acme);
});
afterAll(async () => {
  await runtime?.stop();
  removeDataDir(options);
});

const minutes = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60_000;

describe('sev1 opened and never acknowledged (default policy, manual clock)', () => {
  it('acknowledges at once, updates every 30 min, tells team lead at 15 min, service manager at 1 h, director at 4 h, each once', async () => {
    const client = api(runtime);
    const created = await client.post('/issues', {
      customerId: 'acme',
      title: 'Core router down',
      severity: 'sev1',
      impact: 'all sites offline',
    });
    expect(created.status).toBe(201);
    const { id, createdAt } = created.body;
    await runtime.tracker.idle();

    await client.advance('PT4H10M');
    const emails = (await sentEmails(runtime.store, `ISSUE#${id}`)).sort((a, b) => a.sentAt.localeCompare(b.sentAt));
    const at = (template: string) => emails.filter((email) => email.template === template).map((email) => minutes(createdAt, email.sentAt));

    expect(at('acknowledgement')).toEqual([0]);
    expect(at('holding-update')).toEqual([30, 60, 90, 120, 150, 180, 210, 240]);
    const escalations = emails.filter((email) => email.template === 'escalation');
    expect(escalations.map((email) => [email.to[0], minutes(createdAt, email.sentAt)])).toEqual([
      ['tina@provider.test', 15],
      ['sam@provider.test', 60],
      ['dora@provider.test', 240],
    ]);
    expect((await client.get(`/issues/${id}`)).body.escalationLevel).toBe(3);

    // The escalation carries context: why, the customer's history, what the customer was last told.
    const toDirector = (await inbox(runtime)).find(
      (email) => email.destination.to[0] === 'dora@provider.test' && email.subject.includes(id),
    )!;
    expect(toDirector.body.text).toMatch(/unresolved after 4 hours/);
    expect(toDirector.body.text).toMatch(/last 90 days: 1 issue, 1 of them still open/);
    expect(toDirector.body.text).toMatch(/Last told the customer: "\[ISS-\d+\] Update: Core router down"/);
    const holding = (await inbox(runtime)).find((email) => email.subject === `[${id}] Update: Core router down`)!;
    expect(holding.body.text).toMatch(/again by \w{3} \d+ \w{3} \d{4}, \d\d:\d\d/);

    // Later: more updates, but no escalation twice.
    await client.advance('PT2H');
    const later = await sentEmails(runtime.store, `ISSUE#${id}`);
    expect(later.filter((email) => email.template === 'escalation')).toHaveLength(3);
    expect(later.filter((email) => email.template === 'holding-update')).toHaveLength(12);
  });

  it('acknowledged in time: no team-lead escalation; resolved: the ladder and the updates stop', async () => {
    const client = api(runtime);
    const { id } = (await client.post('/issues', { customerId: 'acme', title: 'Packet loss', severity: 'sev1' })).body;
    await client.advance('PT10M');
    expect((await client.post(`/issues/${id}/events`, { type: 'acknowledge' })).status).toBe(202);
    await client.advance('PT50M');
    let emails = await sentEmails(runtime.store, `ISSUE#${id}`);
    expect(emails.filter((email) => email.template === 'escalation').map((email) => email.to[0])).toEqual(['sam@provider.test']);
    expect((await client.post(`/issues/${id}/events`, { type: 'resolve', rfo: 'A failed line card was replaced.' })).status).toBe(202);
    await client.advance('PT6H');
    emails = await sentEmails(runtime.store, `ISSUE#${id}`);
    expect(emails.filter((email) => email.template === 'escalation')).toHaveLength(1);
    expect(emails.filter((email) => email.template === 'holding-update')).toHaveLength(2);
  });
});
