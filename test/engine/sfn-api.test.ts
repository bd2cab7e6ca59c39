import { readFileSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfnWorkflows } from '../../kernel/aws/sfn-workflows.ts';
import { executionArn, LOCAL_PLACE, stateMachineArn } from '../../infra/aws-names.ts';
import { ActivityTracker, ManualClock } from '../../infra/local/clock.ts';
import type { DynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { LocalEngine, localFunctionArn } from '../../infra/local/engine.ts';
import { ExecutionRecords } from '../../infra/local/execution-records.ts';
import { ApiQuotas, SFN_API_QUOTAS, type SfnApi, sfnOperations, startSfnApi } from '../../infra/local/sfn-api.ts';
import { substitute } from '../../infra/workflow-manifest.ts';
import { freePort, startTestDynamoDb } from '../support/dynamodb.ts';

const tour = JSON.parse(readFileSync(new URL('./feature-tour.asl.json', import.meta.url), 'utf8'));
const definition = substitute(tour, { StepFunctionArn: localFunctionArn('tour-step'), WaitFunctionArn: localFunctionArn('tour-wait') });
const TOUR = stateMachineArn(LOCAL_PLACE, 'tour');

let db: DynamoDbLocal;
let api: SfnApi;
let engine: LocalEngine;
let clock: ManualClock;
let tracker: ActivityTracker;
const tokens = new Map<string, string>();
/** Executions whose wait handler signals at once, so they loop as fast as they can. */
const busy = new Set<string>();
let sdk: SFNClient;

beforeAll(async () => {
  db = await startTestDynamoDb();
  const records = new ExecutionRecords(db.client, 'sfn-api-test');
  await records.ensureTable();
  tracker = new ActivityTracker();
  clock = new ManualClock(new Date('2026-01-05T09:00:00Z'), () => tracker.idle());
  const invoke = async (fn: string, payload: { id: string; execution: string; taskToken: string }) => {
    if (fn === 'tour-step') return { action: 'wait', waitSeconds: 40 * 86_400 };
    tokens.set(payload.id, payload.taskToken);
    if (busy.has(payload.id)) await engine.sendTaskSuccess(payload.taskToken, '{}');
    return null;
  };
  engine = new LocalEngine([{ name: 'tour', definition }], invoke as never, clock, tracker, records, {
    retryIntervalMs: 0,
    historyEventLimit: 200,
  });
  api = await startSfnApi(await freePort(), sfnOperations(engine, new Map([['tour', definition]]), clock.now()));
  sdk = new SFNClient({ endpoint: api.endpoint, region: LOCAL_PLACE.region, credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
});
afterAll(async () => {
  engine?.shutdown();
  await new Promise((resolve) => api?.server.close(resolve));
  await db?.stop();
});

const named = (name: string) => expect.objectContaining({ name });

describe('the Step Functions API of the embedded engine, through @aws-sdk/client-sfn', () => {
  it('lists and describes state machines, starts, describes, lists, stops and reads history', async () => {
    const machines = await sdk.send(new ListStateMachinesCommand({}));
    expect(machines.stateMachines?.map((machine) => machine.stateMachineArn)).toEqual([TOUR]);
    const described = await sdk.send(new DescribeStateMachineCommand({ stateMachineArn: TOUR }));
    expect(JSON.parse(described.definition!).StartAt).toBe('Step');

    const started = await sdk.send(new StartExecutionCommand({ stateMachineArn: TOUR, name: 'api-a', input: '{"id":"a"}' }));
    expect(started.executionArn).toBe(executionArn(LOCAL_PLACE, 'tour', 'api-a'));
    expect(started.startDate?.toISOString()).toBe('2026-01-05T09:00:00.000Z'); // the runtime's clock, not the machine's
    await tracker.idle();
    const running = await sdk.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(running).toMatchObject({ status: 'RUNNING', name: 'api-a', input: '{"id":"a"}', stateMachineArn: TOUR });
    // The same name and input while running: the same execution (StartExecution is idempotent then).
    const again = await sdk.send(new StartExecutionCommand({ stateMachineArn: TOUR, name: 'api-a', input: '{"id":"a"}' }));
    expect(again.executionArn).toBe(started.executionArn);
    await expect(sdk.send(new StartExecutionCommand({ stateMachineArn: TOUR, name: 'api-a', input: '{"id":"b"}' }))).rejects.toThrow(
      named('ExecutionAlreadyExists'),
    );
    await sdk.send(new SendTaskHeartbeatCommand({ taskToken: tokens.get('a') }));

    const listed = await sdk.send(new ListExecutionsCommand({ stateMachineArn: TOUR, statusFilter: 'RUNNING' }));
    expect(listed.executions?.map((execution) => execution.name)).toContain('api-a');
    const history = await sdk.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    expect(history.events?.map((event) => event.type)).toContain('TaskTokenIssued');

    await sdk.send(new StopExecutionCommand({ executionArn: started.executionArn }));
    await tracker.idle();
    expect((await sdk.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))).status).toBe('ABORTED');
    // A closed execution keeps its name: the same start is refused, and its token is stale.
    await expect(sdk.send(new StartExecutionCommand({ stateMachineArn: TOUR, name: 'api-a', input: '{"id":"a"}' }))).rejects.toThrow(
      named('ExecutionAlreadyExists'),
    );
    await expect(sdk.send(new SendTaskSuccessCommand({ taskToken: tokens.get('a'), output: '{}' }))).rejects.toThrow(named('TaskTimedOut'));
  });

  it('answers malformed requests with the errors AWS names', async () => {
    const malformed = 'arn:aws:states:us-east-1:000000000000:stateMachine/steward-tour';
    await expect(sdk.send(new StartExecutionCommand({ stateMachineArn: malformed, name: 'x' }))).rejects.toThrow(named('InvalidArn'));
    const unknown = stateMachineArn(LOCAL_PLACE, 'nothing');
    await expect(sdk.send(new StartExecutionCommand({ stateMachineArn: unknown, name: 'x' }))).rejects.toThrow(
      named('StateMachineDoesNotExist'),
    );
    await expect(sdk.send(new StartExecutionCommand({ stateMachineArn: TOUR, name: 'has space' }))).rejects.toThrow(named('InvalidName'));
    await expect(
      sdk.send(new StartExecutionCommand({ stateMachineArn: TOUR, name: 'big', input: JSON.stringify({ id: 'x'.repeat(262_144) }) })),
    ).rejects.toThrow(named('InvalidExecutionInput'));
    await expect(sdk.send(new StartExecutionCommand({ stateMachineArn: TOUR, name: 'broken', input: '{' }))).rejects.toThrow(
      named('InvalidExecutionInput'),
    );
    await expect(sdk.send(new DescribeExecutionCommand({ executionArn: executionArn(LOCAL_PLACE, 'tour', 'never') }))).rejects.toThrow(
      named('ExecutionDoesNotExist'),
    );
    await expect(sdk.send(new SendTaskSuccessCommand({ taskToken: 'nonsense', output: '{}' }))).rejects.toThrow(named('InvalidToken'));
    await expect(sdk.send(new SendTaskSuccessCommand({ taskToken: 'api-x.AAAAAAAAAAAAAAAA', output: '{}' }))).rejects.toThrow(
      named('TaskDoesNotExist'),
    );
  });

  it('the workflow port adapter used on AWS maps those answers: a stale token is false, a taken name throws', async () => {
    const workflows = new SfnWorkflows({ tour: TOUR }, sdk);
    await workflows.start('tour', 'port-c', { id: 'c' });
    await tracker.idle();
    expect((await workflows.describe('tour', 'port-c'))?.status).toBe('RUNNING');
    expect(await workflows.describe('tour', 'port-never')).toBeUndefined();
    expect(await workflows.sendTaskSuccess(tokens.get('c')!, {})).toBe(true);
    await tracker.idle();
    expect(await workflows.sendTaskSuccess('port-c.AAAAAAAAAAAAAAAA', {})).toBe(false);
    await workflows.stop('tour', 'port-c');
    await tracker.idle();
    await expect(workflows.start('tour', 'port-c', { id: 'c' })).rejects.toThrow(named('ExecutionAlreadyExists'));
  });

  it('fails an execution past the history event limit, and times one out after a year on the clock', async () => {
    busy.add('loop');
    await engine.start('tour', 'limit-loop', '{"id":"loop"}');
    await tracker.idle();
    const looped = await engine.describe('tour', 'limit-loop');
    expect(looped).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(looped?.cause).toMatch(/maximum number of history events \(200\)/);

    await engine.start('tour', 'limit-year', '{"id":"year"}');
    await tracker.idle();
    await clock.advanceBy(364 * 86_400_000);
    expect((await engine.describe('tour', 'limit-year'))?.status).toBe('RUNNING');
    await clock.advanceBy(2 * 86_400_000);
    expect(await engine.describe('tour', 'limit-year')).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });
});

describe("the local Step Functions API's quotas", () => {
  it('refuses a call past its operation’s token bucket with ThrottlingException, as AWS does, and serves it again once refilled', async () => {
    let now = 0;
    const quotas = new ApiQuotas({ DescribeExecution: { burst: 3, perSecond: 2 } }, () => now);
    const throttled = await startSfnApi(await freePort(), sfnOperations(engine, new Map([['tour', definition]]), clock.now()), quotas);
    const client = new SFNClient({
      endpoint: throttled.endpoint,
      region: LOCAL_PLACE.region,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      maxAttempts: 1,
    });
    try {
      await engine.start('tour', 'quota-a', '{"id":"quota-a"}');
      await tracker.idle();
      const describe = () => client.send(new DescribeExecutionCommand({ executionArn: executionArn(LOCAL_PLACE, 'tour', 'quota-a') }));
      for (let call = 0; call < 3; call++) expect((await describe()).status).toBe('RUNNING');
      await expect(describe()).rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
      // Other operations have buckets of their own.
      expect((await client.send(new ListStateMachinesCommand({}))).stateMachines).toHaveLength(1);
      now += 499;
      await expect(describe()).rejects.toMatchObject({ name: 'ThrottlingException' });
      now += 1;
      expect((await describe()).status).toBe('RUNNING');
      expect(quotas.throttled).toEqual({ DescribeExecution: 2 });
      expect(quotas.served).toMatchObject({ DescribeExecution: 4, ListStateMachines: 1 });
    } finally {
      await new Promise((resolve) => throttled.server.close(resolve));
    }
  });

  it('holds the documented defaults: DescribeExecution refills 15 a second from a burst of 250', () => {
    expect(SFN_API_QUOTAS.DescribeExecution).toEqual({ burst: 250, perSecond: 15 });
    expect(SFN_API_QUOTAS.StartExecution).toEqual({ burst: 800, perSecond: 150 });
  });
});
