import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { acme, api, inbox, removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';

let options: RuntimeOptions;
let runtime: Runtime;

beforeAll(async () => {
  options = await testOptions({ inMemory: true, unknownSender: 'triage' });
  runtime = await startRuntime(options);
  await api(runtime).post('/customers', acme);
  await api(runtime).post('/customers', {
    ...acme,
    id: 'triage',
    name: 'Triage',
    emailDomains: [],
    contacts: [{ name: 'Desk', email: 'desk@provider.test', roles: ['technical'] }],
  });
});
afterAll(async () => {
  await runtime?.stop();
  removeDataDir(options);
});

describe('STEWARD_UNKNOWN_SENDER=<customer id>', () => {
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
    const told = (await inbox(runtime)).filter((email) => email.destination.to.includes('desk@provider.test'));
    expect(told.map((email) => email.subject)).toContain(`[${issue.id}] We are working on: DiskFull`);
    expect(told.at(-1)?.body.text).toContain('our monitoring detected a problem: "DiskFull"');

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
