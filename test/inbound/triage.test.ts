import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { acme, api, removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';

let options: RuntimeOptions;
let runtime: Runtime;

beforeAll(async () => {
  options = await testOptions({ inMemory: true, unknownSender: 'triage' });
  runtime = await startRuntime(options);
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
