import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaSandbox } from '../../infra/local/lambda-sandbox.ts';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { sentEmails } from '../../kernel/email-channel.ts';
import { acme, api, inbox, removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';

let options: RuntimeOptions | undefined;
let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop();
  if (options) removeDataDir(options);
  runtime = options = undefined;
});

const start = async (overrides: Partial<RuntimeOptions> = {}) => {
  options = await testOptions({ inMemory: true, ...overrides });
  runtime = await startRuntime(options);
  await api(runtime).post('/customers', acme);
  return { runtime, client: api(runtime) };
};
const health = async (rt: Runtime) =>
  (
    (await (await fetch(rt.urls.health)).json()) as {
      components: { functions: { errors: Record<string, Record<string, number>>; failedEvents: number } };
    }
  ).components;
const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
  for (const stop = Date.now() + ms; Date.now() < stop; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** A DynamoDB client of a fresh runtime's DynamoDB Local, guarded by a sandbox of its own. */
const guardedClient = async () => {
  const { runtime: rt } = await start();
  const client = new DynamoDBClient({
    endpoint: rt.dynamodb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  const sandbox = new LambdaSandbox();
  sandbox.guard(client);
  return { client, sandbox };
};

describe("each function's timeout, as Lambda enforces it", () => {
  it('an invocation past its timeout fails with Sandbox.Timedout, and nothing it does afterwards reaches AWS', async () => {
    const { client, sandbox } = await guardedClient();
    const put = (id: string) =>
      client.send(new PutItemCommand({ TableName: 'steward', Item: { pk: { S: `SANDBOX#${id}` }, sk: { S: 'META' } } }));
    const exists = async (id: string) =>
      (await client.send(new GetItemCommand({ TableName: 'steward', Key: { pk: { S: `SANDBOX#${id}` }, sk: { S: 'META' } } }))).Item !==
      undefined;

    let lateWrite: Promise<unknown> | undefined;
    const slow = sandbox.run('slow', 'req-1', 0.2, async () => {
      await put('before');
      await new Promise((resolve) => setTimeout(resolve, 400));
      lateWrite = put('after');
      return lateWrite;
    });
    await expect(slow).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
      message: 'RequestId: req-1 Error: Task timed out after 0.20 seconds',
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(lateWrite).rejects.toThrow(/slow \(request req-1\) has ended; its sandbox is frozen/);
    expect(await exists('before')).toBe(true);
    expect(await exists('after')).toBe(false);
    expect(sandbox.timedOut.get('slow')).toBe(1);
    expect(
      await sandbox.run('quick', 'req-2', 1, async () => {
        await put('quick');
        return 'done';
      }),
    ).toBe('done');
    expect(await exists('quick')).toBe(true);
  });

  it('work a handler leaves running after it returned does not reach AWS', async () => {
    const { client, sandbox } = await guardedClient();
    let leftRunning: Promise<unknown> | undefined;
    await sandbox.run('careless', 'req-3', 5, async () => {
      leftRunning = new Promise((resolve) => setTimeout(resolve, 100)).then(() =>
        client.send(new PutItemCommand({ TableName: 'steward', Item: { pk: { S: 'SANDBOX#careless' }, sk: { S: 'META' } } })),
      );
    });
    await expect(leftRunning).rejects.toThrow(/careless \(request req-3\) has ended/);
  });

  it('a workflow step that runs out of time on a slow DynamoDB is retried by its Retry and sends every email once', {
    timeout: 90_000,
  }, async () => {
    const { runtime: rt, client } = await start({ functionTimeouts: { 'issue-step': 1 } });
    const earlier = new Set((await inbox(rt)).map((email) => email.messageId));
    const { id } = (await client.post('/issues', { customerId: 'acme', title: 'Portal slow', severity: 'sev2' })).body;
    await rt.tracker.idle();
    await client.post('/_local/faults', { delayMs: { dynamodb: 1500 } });
    const moved = client.advance('PT4H'); // the next step finds DynamoDB slower than issue-step's timeout
    await until('a timed-out issue-step', async () => ((await health(rt)).functions.errors['issue-step']?.TimeoutError ?? 0) >= 1);
    await client.post('/_local/faults', {});
    await moved;

    const run = await rt.engine.describe('issue-lifecycle', `issue-${id}-g1`);
    expect(run?.status).toBe('RUNNING');
    // The handler's middleware (Middy) gives up just before Lambda's timeout, as on AWS; the Turn's Retry runs it again.
    expect(run?.events).toContainEqual(expect.objectContaining({ type: 'StateFailed', state: 'Turn', Error: 'TimeoutError' }));
    const recorded = await sentEmails(rt.store, `ISSUE#${id}`);
    const delivered = (await inbox(rt)).filter((email) => !earlier.has(email.messageId));
    expect(recorded.map((email) => email.template)).toEqual(expect.arrayContaining(['acknowledgement', 'holding-update']));
    expect(delivered.map((email) => email.messageId).sort()).toEqual(recorded.map((email) => email.messageId).sort());
  });
});

describe('asynchronous invocations: two retries, then the failed-events destination', () => {
  it('an event whose three attempts fail is kept with its error, shown in /health, and redriven on request', {
    timeout: 60_000,
  }, async () => {
    const { runtime: rt, client } = await start();
    await client.post('/_local/faults', { dynamodb: 1 });
    await client.moveTo('2026-11-02T08:09:00Z'); // the hourly sweep (reconcile) at 08:07 and its first retry at 08:08 fail
    expect((await client.get('/_local/failed-events')).body.count).toBe(0);
    await client.moveTo('2026-11-02T08:11:00Z'); // its last attempt at 08:10
    expect((await client.get('/_local/failed-events')).body.events.map((event: { functionName: string }) => event.functionName)).toEqual([
      'reconcile',
    ]);
    // The maintenance sweep (reconcile) at 08:27, 08:28 and 08:30; dunning-run at 09:00, 09:01 and 09:03.
    await client.moveTo('2026-11-02T09:05:00Z');

    const { count, events } = (await client.get('/_local/failed-events')).body;
    expect(count).toBe(3);
    expect(events.map((event: { functionName: string }) => event.functionName)).toEqual(['reconcile', 'reconcile', 'dunning-run']);
    expect(events[1].record.requestPayload).toMatchObject({ schedule: 'reconcile-maintenance', sweep: 'maintenance' });
    expect(events[0].record).toMatchObject({
      version: '1.0',
      timestamp: '2026-11-02T08:10:00.000Z',
      requestContext: {
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:reconcile',
      },
      requestPayload: { source: 'steward.scheduler', schedule: 'reconcile-workflows', sweep: 'issues' },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorType: 'ThrottlingException' },
    });
    expect((await health(rt)).functions.failedEvents).toBe(3);

    await client.post('/_local/faults', {});
    const before = rt.invocations.get('reconcile')!.count;
    expect((await client.post('/_local/failed-events/redrive')).body).toEqual({ redriven: 3 });
    await rt.tracker.idle();
    expect(rt.invocations.get('reconcile')!.count).toBe(before + 2);
    expect((await client.get('/_local/failed-events')).body.count).toBe(0);
    expect((await health(rt)).functions.failedEvents).toBe(0);
  });
});
