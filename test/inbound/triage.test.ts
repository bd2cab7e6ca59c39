import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { acme, api, inbox, removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';

let options: RuntimeOptions;
let runtime: Runtime;

const DESK = 'desk@provider.test';

beforeAll(async () => {
  // Nothing about triage is configured: the built-in triage customer is the default.
  options = await testOptions({ inMemory: true, adminEmail: DESK });
  runtime = await startRuntime(options);
  await api(runtime).post('/customers', acme);
});
afterAll(async () => {
  await runtime?.stop();
  removeDataDir(options);
});

const post = (body: unknown) =>
  fetch(`${runtime.urls.api}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${runtime.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));
const notification = (fingerprint: string, labels: Record<string, string>) => ({
  version: '4',
  groupKey: 'g',
  status: 'firing',
  receiver: 'steward',
  alerts: [{ status: 'firing', labels: { alertname: 'DiskFull', ...labels }, startsAt: '2026-11-02T08:00:00Z', fingerprint }],
});

describe('the built-in triage customer (STEWARD_UNKNOWN_SENDER unset)', () => {
  it('is there from the start, listed, with the admin as its desk (contact and team), and edited like any customer', async () => {
    const triage = (await api(runtime).get('/customers/triage')).body;
    expect(triage).toMatchObject({
      id: 'triage',
      name: 'Triage (no known customer)',
      contacts: [{ email: DESK, roles: ['technical'] }],
      team: { teamLead: { email: DESK }, serviceManager: { email: DESK }, director: { email: DESK } },
    });
    expect((await api(runtime).get('/customers')).body.customers.map((customer: { id: string }) => customer.id)).toContain('triage');
    const { version: _version, updatedAt: _updatedAt, history: _history, historyNext: _next, ...facts } = triage;
    expect((await api(runtime).call('PUT', '/customers/triage', { ...facts, timezone: 'Europe/Lisbon', country: 'PT' })).status).toBe(200);
  });

  it('files mail from an unknown sender under the triage customer instead of refusing it', async () => {
    const raw =
      'From: stranger@nowhere.test\r\nTo: support@steward.localhost\r\nSubject: Our shop is offline\r\nMessage-Id: <t-1@nowhere.test>\r\n\r\nHelp please.\r\n';
    await runtime.deps.blobs.put('inbound/triage-1', Buffer.from(raw));
    const outcome = await runtime.invoke('inbound-email', {
      Records: [
        {
          ses: { mail: { messageId: 'triage-1', source: 'stranger@nowhere.test' }, receipt: { recipients: ['support@steward.localhost'] } },
        },
      ],
    });
    expect(outcome).toMatchObject({ outcome: 'opened' });
    await runtime.tracker.idle();
    const issue = (await api(runtime).get(`/issues/${(outcome as { issueId: string }).issueId}`)).body;
    expect(issue).toMatchObject({
      customerId: 'triage',
      title: 'Our shop is offline',
      source: 'email',
      origin: { from: 'stranger@nowhere.test' },
    });
  });
});

describe('alerts are never dropped for their labels (a 4xx makes Alertmanager drop them for good)', () => {
  const openedIssue = async (answer: { body: { alerts: { issueId: string }[] } }) => {
    await runtime.tracker.idle();
    return (await api(runtime).get(`/issues/${answer.body.alerts[0].issueId}`)).body;
  };

  it('an unknown customer, or none, is filed under the triage customer, whose people are told; the issue says why', async () => {
    const unknown = await post(notification('tr1', { customer: 'nobody', severity: 'critical' }));
    expect(unknown.status).toBe(202);
    const issue = await openedIssue(unknown);
    expect([issue.customerId, issue.severity]).toEqual(['triage', 'sev1']);
    expect(issue.description).toMatch(/^The alert names no customer "nobody"; filed under the triage customer triage\./);
    const told = (await inbox(runtime)).filter((email) => email.destination.to.includes(DESK));
    // The desk hears it needs a customer, in the words of someone inside; nothing is written as if to a customer.
    expect(told.filter((email) => email.subject.includes(`[${issue.id}]`)).map((email) => email.subject)).toEqual([
      `[${issue.id}] For no known customer: DiskFull`,
    ]);
    expect(told.at(-1)?.body.text).toContain(
      'Steward filed an alert under Triage (no known customer): the alert names no customer "nobody". Nobody outside has been told.',
    );
    expect(told.at(-1)?.body.text).toContain('(Move, on the issue in the console)');

    const none = await openedIssue(await post(notification('tr2', { severity: 'critical' })));
    expect(none.customerId).toBe('triage');
    expect(none.description).toMatch(/has no "customer" label/);
  });

  it('an unmapped severity opens with the integration default (sev3), and the issue says which label was not mapped', async () => {
    for (const severity of ['high', 'constructor', '__proto__']) {
      const answer = await post(notification(`sev-${severity}`, { customer: 'acme', severity }));
      expect([severity, answer.status]).toEqual([severity, 202]);
      const issue = await openedIssue(answer);
      expect([issue.customerId, issue.severity]).toEqual(['acme', 'sev3']);
      expect(issue.description).toContain(`The alert's severity "${severity}" is not mapped by integration alertmanager`);
    }
  });
});

describe('moving an issue to its customer (a "move" event)', () => {
  const event = (id: string, body: unknown) => api(runtime).post(`/issues/${id}/events`, body);

  it('files it under the customer: its pointers move, its later emails go to that customer, who is told at once; the desk is not told again', async () => {
    const opened = await post(notification('move-1', { alertname: 'Core switch unreachable', customer: 'someone-unknown' }));
    expect(opened.status).toBe(202);
    await runtime.tracker.idle();
    const id = opened.body.alerts[0].issueId;
    expect((await api(runtime).get(`/issues/${id}`)).body.customerId).toBe('triage');

    expect((await event(id, { type: 'move', customerId: 'nobody' })).body.details[0]).toEqual({
      field: 'customerId',
      problem: 'unknown customer',
    });
    expect((await event(id, { type: 'move', customerId: 'triage' })).status).toBe(400);
    const moved = await event(id, { type: 'move', customerId: 'acme', reason: "the switch is in ACME's rack" });
    expect(moved.status).toBe(202);
    await runtime.tracker.idle();

    const issue = (await api(runtime).get(`/issues/${id}`)).body;
    expect(issue.customerId).toBe('acme');
    expect(issue.timeline.map((entry: { type: string }) => entry.type)).toContain('move');
    const ids = async (customer: string) =>
      (await api(runtime).get(`/customers/${customer}/history/issues`)).body.issues.map((item: { id: string }) => item.id);
    expect(await ids('acme')).toContain(id);
    expect(await ids('triage')).not.toContain(id);
    expect((await api(runtime).get('/issues?customerId=acme')).body.issues.map((item: { id: string }) => item.id)).toContain(id);

    const about = (await inbox(runtime)).filter((email) => email.subject.includes(`[${id}]`));
    const toAcme = about.filter((email) => email.destination.to.some((to) => to.endsWith('@acme.test')));
    expect(toAcme.map((email) => email.subject)).toEqual([`[${id}] We are working on: Core switch unreachable`]);
    const deskBefore = about.filter((email) => email.destination.to.includes(DESK)).length;
    expect((await event(id, { type: 'update', message: 'A field engineer is on the way.' })).status).toBe(202);
    await runtime.tracker.idle();
    const after = (await inbox(runtime)).filter((email) => email.subject.includes(`[${id}]`));
    expect(after.filter((email) => email.destination.to.includes(DESK)).length).toBe(deskBefore);
    expect(after.at(-1)?.destination.to.every((to) => to.endsWith('@acme.test'))).toBe(true);
  });
});

describe('on AWS the triage customer is stored when first needed, by the function that needs it', () => {
  const forget = async () => {
    // As a fresh deploy: no triage customer and no pointer to its desk (the runtime, not a function, removes them).
    await runtime.store.delete({ pk: 'CUSTOMER#triage', sk: 'META' });
    await runtime.store.delete({ pk: `CONTACT#${DESK}`, sk: 'SENDER' });
    expect((await api(runtime).get('/customers/triage')).status).toBe(404);
  };

  it('an alert for no known customer stores it (webhooks), within that function’s declared table keys', async () => {
    await forget();
    const posted = await post(notification('first-need-1', { customer: 'nobody-known' }));
    expect(posted.status).toBe(202);
    await runtime.tracker.idle();
    expect((await api(runtime).get('/customers/triage')).body.contacts).toEqual([expect.objectContaining({ email: DESK })]);
    expect(runtime.tableAccess.refused).toEqual([]);
  });

  it('mail from an unknown sender stores it (inbound-email), within that function’s declared table keys', async () => {
    await forget();
    const raw =
      'From: someone@elsewhere.test\r\nTo: support@steward.localhost\r\nSubject: Printer on fire\r\nMessage-Id: <t-2@elsewhere.test>\r\n\r\nSmoke.\r\n';
    await runtime.deps.blobs.put('inbound/triage-2', Buffer.from(raw));
    const outcome = await runtime.invoke('inbound-email', {
      Records: [
        {
          ses: {
            mail: { messageId: 'triage-2', source: 'someone@elsewhere.test' },
            receipt: { recipients: ['support@steward.localhost'] },
          },
        },
      ],
    });
    expect(outcome).toMatchObject({ outcome: 'opened' });
    expect((await api(runtime).get('/customers/triage')).status).toBe(200);
    expect(runtime.tableAccess.refused).toEqual([]);
  });
});
