import { afterAll, describe, expect, it } from 'vitest';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { sentEmails } from '../../kernel/email-channel.ts';
import { acme, api, inbox, removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';
import { freePort } from '../support/dynamodb.ts';

let options: RuntimeOptions;
const runtimes: Runtime[] = [];

afterAll(async () => {
  for (const runtime of runtimes) await runtime.stop();
  if (options) removeDataDir(options);
});

describe('restart', () => {
  it('resumes open workflows from DynamoDB after a crash; the clock, the data and the sent emails survive; nothing is sent twice', async () => {
    options = await testOptions();
    const first = await startRuntime(options);
    runtimes.push(first);
    const client1 = api(first);
    await client1.post('/customers', acme);
    await client1.advance('PT1H');
    const clockBefore = (await client1.get('/_local/clock')).body.now;
    const id = (await client1.post('/issues', { customerId: 'acme', title: 'Disk full', severity: 'sev3' })).body.id;
    await first.tracker.idle();
    expect((await inbox(first)).filter((email) => email.subject.startsWith(`[${id}]`))).toHaveLength(1);
    // The SES emulator keeps its inbox in module state, so in one test process it outlives the
    // runtime: count only what arrives after the restart.
    const before = new Set((await inbox(first)).map((email) => email.messageId));
    const newMail = async (runtime: Runtime) =>
      (await inbox(runtime))
        .filter((email) => !before.has(email.messageId) && email.subject.startsWith(`[${id}]`))
        .map((email) => email.subject);

    await first.crash();
    runtimes.pop();

    // Same data folder, every port new: nothing but DynamoDB Local's files carries over.
    const second = await startRuntime({
      ...options,
      port: await freePort(),
      dynamodbPort: await freePort(),
      sesPort: await freePort(),
      smtpPort: await freePort(),
      sfnPort: await freePort(),
      s3Port: await freePort(),
    });
    runtimes.push(second);
    const client2 = api(second);
    expect((await client2.get('/_local/clock')).body.now).toBe(clockBefore);
    await second.tracker.idle();
    const execution = await client2.get(`/_local/executions/issue-lifecycle/issue-${id}-g1`);
    expect(execution.body.status).toBe('RUNNING');
    expect(execution.body.events.map((event: { type: string }) => event.type)).toContain('ExecutionResumed');
    // The resumed step found the acknowledgement already sent: the new SES emulator got nothing.
    expect(await newMail(second)).toEqual([]);

    // The resumed execution still reacts to events and its deadline timers.
    expect((await client2.post(`/issues/${id}/events`, { type: 'close' })).status).toBe(202);
    await second.tracker.idle();
    expect(await newMail(second)).toEqual([`[${id}] Closed: Disk full`]);
    const recorded = await sentEmails(second.store, `ISSUE#${id}`);
    expect(recorded.map((email) => email.template).sort()).toEqual(['acknowledgement', 'closure']);
    expect((await client2.get(`/_local/executions/issue-lifecycle/issue-${id}-g1`)).body.status).toBe('SUCCEEDED');
  });
});
