import { readFileSync } from 'node:fs';
import { CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PLACE } from '../../infra/aws-names.ts';
import { ActivityTracker, ManualClock } from '../../infra/local/clock.ts';
import type { DynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { LocalEngine, localFunctionArn } from '../../infra/local/engine.ts';
import { ExecutionRecords } from '../../infra/local/execution-records.ts';
import { LocalTimers, SCHEDULER_API_QUOTAS, startSchedulerApi } from '../../infra/local/scheduler-api.ts';
import { ApiQuotas } from '../../infra/local/sfn-api.ts';
import { LocalTelemetry } from '../../infra/local/telemetry.ts';
import { CASE_LOOP_DEFINITION, substitute } from '../../infra/workflow-manifest.ts';
import { SchedulerTimers, SEND_TASK_SUCCESS_TARGET, timerName } from '../../kernel/aws/scheduler-timers.ts';
import { Telemetry } from '../../kernel/telemetry.ts';
import { timerMinute } from '../../kernel/timer-port.ts';
import { startTestDynamoDb } from '../support/dynamodb.ts';

const GROUP = 'steward-timers';
const ROLE = 'arn:aws:iam::000000000000:role/steward-timers';
const definition = substitute(JSON.parse(readFileSync(CASE_LOOP_DEFINITION, 'utf8')), { TurnFunctionArn: localFunctionArn('turn') });

let db: DynamoDbLocal;
let engine: LocalEngine;
let clock: ManualClock;
let localTimers: LocalTimers;
let server: { close: (done: () => void) => void };
let sdk: SchedulerClient;
let timers: SchedulerTimers;
/** Each turn as the turn function saw it: when, and the token it kept. */
const turns = new Map<string, { at: string; token: string }[]>();
/** What each case's next turn does: wait this many seconds, or end the case. */
const plan = new Map<string, ('end' | number)[]>();

beforeAll(async () => {
  db = await startTestDynamoDb();
  const records = new ExecutionRecords(db.client, 'case-loop-test');
  await records.ensureTable();
  const tracker = new ActivityTracker();
  clock = new ManualClock(new Date('2026-01-05T09:00:00Z'), () => tracker.idle());
  const telemetry = new Telemetry(new LocalTelemetry('silent'));
  // The case loop's turn as kernel/case-loop.ts takes it, reduced to what the definition sees: it keeps the token and sets its timer.
  const invoke = async (_fn: string, payload: { case: { id: string }; taskToken: string }) => {
    const id = payload.case.id;
    turns.set(id, [...(turns.get(id) ?? []), { at: clock.now().toISOString(), token: payload.taskToken }]);
    const next = plan.get(id)?.shift() ?? 'end';
    if (next === 'end') await engine.sendTaskFailure(payload.taskToken, 'CaseClosed', 'over');
    else await timers.answerAt(payload.taskToken, new Date(clock.now().getTime() + next * 1000), { wokeBy: 'deadline' });
    return null;
  };
  engine = new LocalEngine([{ name: 'case', definition }], invoke as never, clock, tracker, records, { retryIntervalMs: 0, telemetry });
  localTimers = new LocalTimers([GROUP], clock, (token, output) => engine.sendTaskSuccess(token, output), tracker, telemetry);
  const api = await startSchedulerApi(0, localTimers);
  server = api.server;
  sdk = new SchedulerClient({
    endpoint: api.endpoint,
    region: LOCAL_PLACE.region,
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  timers = new SchedulerTimers(GROUP, ROLE, sdk, clock);
});
afterAll(async () => {
  engine?.shutdown();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await db?.stop();
});

const schedule = (name: string, overrides: Record<string, unknown> = {}) =>
  new CreateScheduleCommand({
    Name: name,
    GroupName: GROUP,
    ScheduleExpression: 'at(2026-01-05T10:00:00)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: { Arn: SEND_TASK_SUCCESS_TARGET, RoleArn: ROLE, Input: JSON.stringify({ TaskToken: 'x.aaaaaaaaaaaaaaaa', Output: '{}' }) },
    ...overrides,
  });
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: Error) => error.name,
  );

describe('the case loop on the embedded engine and Scheduler', () => {
  it('one state per wake: each turn is answered by its timer at the whole minute at or after the deadline, never before', async () => {
    plan.set('a', [90, 3600, 'end']);
    await engine.start('case', 'a', JSON.stringify({ id: 'a' }));
    await clock.advanceBy(0);
    expect(turns.get('a')!.map((turn) => turn.at)).toEqual(['2026-01-05T09:00:00.000Z']);
    // Deadline 09:01:30: the schedule names 09:02, as AWS fires within the minute it names.
    await clock.advanceTo(new Date('2026-01-05T09:01:59Z'));
    expect(turns.get('a')).toHaveLength(1);
    await clock.advanceTo(new Date('2026-01-05T09:02:00Z'));
    expect(turns.get('a')!.map((turn) => turn.at)).toEqual(['2026-01-05T09:00:00.000Z', '2026-01-05T09:02:00.000Z']);
    await clock.advanceTo(new Date('2026-01-05T10:02:00Z'));
    expect((await engine.describe('case', 'a'))?.status).toBe('SUCCEEDED');
    // Three turns and the end: four states entered, where Step and Wait took two a turn.
    const entered = (await engine.describe('case', 'a'))!.events
      .filter((event) => event.type === 'StateEntered')
      .map((event) => event.state);
    expect(entered).toEqual(['Turn', 'Turn', 'Turn', 'Ended']);
    // A fired timer is deleted after it (ActionAfterCompletion DELETE).
    for (const { token } of turns.get('a')!)
      expect(await refusal(sdk.send(new GetScheduleCommand({ Name: timerName(token), GroupName: GROUP })))).toBe(
        'ResourceNotFoundException',
      );
  });

  it('an event answers first: the turn runs at once, and the old timer is cancelled or answers a closed task harmlessly', async () => {
    plan.set('b', [600, 600, 'end']);
    await engine.start('case', 'b', JSON.stringify({ id: 'b' }));
    await clock.advanceBy(0);
    const first = turns.get('b')![0].token;
    expect((await sdk.send(new GetScheduleCommand({ Name: timerName(first), GroupName: GROUP }))).ScheduleExpression).toBe(
      `at(${timerMinute(new Date(clock.now().getTime() + 600_000), clock.now())
        .toISOString()
        .slice(0, 19)})`,
    );
    await engine.sendTaskSuccess(first, JSON.stringify({ wokeBy: 'event' }));
    await clock.advanceBy(0);
    expect(turns.get('b')).toHaveLength(2);
    await timers.cancel(first);
    await timers.cancel(first); // cancelling twice (a retried turn) changes nothing
    const staleBefore = localTimers.counters.stale;
    await clock.advanceBy(11 * 60_000);
    expect(turns.get('b')).toHaveLength(3); // the second turn's timer, not the first's
    expect(localTimers.counters.stale).toBe(staleBefore);
    expect((await engine.describe('case', 'b'))?.status).toBe('SUCCEEDED');
  });

  it('a timer for a task that was answered meanwhile is dropped (Scheduler drops a client error), and the case goes on', async () => {
    plan.set('c', [120, 'end']);
    await engine.start('case', 'c', JSON.stringify({ id: 'c' }));
    await clock.advanceBy(0);
    const [{ token }] = turns.get('c')!;
    await engine.sendTaskSuccess(token, '{}');
    const stale = localTimers.counters.stale;
    await clock.advanceBy(3 * 60_000);
    expect(localTimers.counters.stale).toBe(stale + 1);
    expect((await engine.describe('case', 'c'))?.status).toBe('SUCCEEDED');
  });

  it('setting the same token’s timer twice is the same timer (a retried turn), as ConflictException tells the adapter', async () => {
    const at = new Date(clock.now().getTime() + 3_600_000);
    await timers.answerAt('twice.aaaaaaaaaaaaaaaa', at, {});
    await timers.answerAt('twice.aaaaaaaaaaaaaaaa', at, {});
    expect(localTimers.list().filter((timer) => timer.token === 'twice.aaaaaaaaaaaaaaaa')).toHaveLength(1);
    await timers.cancel('twice.aaaaaaaaaaaaaaaa');
    expect(localTimers.list().filter((timer) => timer.token === 'twice.aaaaaaaaaaaaaaaa')).toHaveLength(0);
  });

  it('refuses what Scheduler refuses, by its error names: names, expressions, windows, roles, targets, groups, duplicates', async () => {
    const now = clock.now();
    const later = `at(${new Date(now.getTime() + 3_600_000).toISOString().slice(0, 19)})`;
    const past = `at(${new Date(now.getTime() - 60_000).toISOString().slice(0, 19)})`;
    expect(await refusal(sdk.send(schedule('x'.repeat(65), { ScheduleExpression: later })))).toBe('ValidationException');
    expect(await refusal(sdk.send(schedule('bad name', { ScheduleExpression: later })))).toBe('ValidationException');
    expect(await refusal(sdk.send(schedule('ok-1', { ScheduleExpression: 'at(2026-13-45T99:00:00)' })))).toBe('ValidationException');
    expect(await refusal(sdk.send(schedule('ok-1', { ScheduleExpression: past })))).toBe('ValidationException');
    expect(await refusal(sdk.send(schedule('ok-1', { ScheduleExpression: later, FlexibleTimeWindow: undefined })))).toBe(
      'ValidationException',
    );
    expect(
      await refusal(
        sdk.send(
          schedule('ok-1', { ScheduleExpression: later, Target: { Arn: SEND_TASK_SUCCESS_TARGET, RoleArn: 'nobody', Input: '{}' } }),
        ),
      ),
    ).toBe('ValidationException');
    expect(
      await refusal(
        sdk.send(
          schedule('ok-1', {
            ScheduleExpression: later,
            Target: { Arn: SEND_TASK_SUCCESS_TARGET, RoleArn: ROLE, Input: JSON.stringify({ TaskToken: 'x', Output: 'y'.repeat(9000) }) },
          }),
        ),
      ),
    ).toBe('ValidationException');
    expect(await refusal(sdk.send(schedule('ok-1', { ScheduleExpression: later, GroupName: 'elsewhere' })))).toBe(
      'ResourceNotFoundException',
    );
    expect(await refusal(sdk.send(schedule('ok-1', { ScheduleExpression: later })))).toBe('accepted');
    expect(await refusal(sdk.send(schedule('ok-1', { ScheduleExpression: later })))).toBe('ConflictException');
    expect(await refusal(sdk.send(new DeleteScheduleCommand({ Name: 'ok-1', GroupName: GROUP })))).toBe('accepted');
    expect(await refusal(sdk.send(new DeleteScheduleCommand({ Name: 'ok-1', GroupName: GROUP })))).toBe('ResourceNotFoundException');
  });

  it('throttles as Scheduler does: past 250 calls a second, ThrottlingException (HTTP 429)', async () => {
    // Its own API whose quota clock stands still, so the bucket never refills: exactly 250 calls pass.
    const frozen = await startSchedulerApi(0, localTimers, new ApiQuotas(SCHEDULER_API_QUOTAS, () => 0));
    try {
      const once = new SchedulerClient({
        endpoint: frozen.endpoint,
        region: LOCAL_PLACE.region,
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
        maxAttempts: 1,
      });
      const answers = await Promise.all(
        Array.from({ length: 400 }, (_, n) => refusal(once.send(new GetScheduleCommand({ Name: `none-${n}`, GroupName: GROUP })))),
      );
      expect(answers.filter((name) => name === 'ResourceNotFoundException')).toHaveLength(250);
      expect(answers.filter((name) => name === 'ThrottlingException')).toHaveLength(150);
      expect(frozen.quotas.throttled).toEqual({ GetSchedule: 150 });
    } finally {
      await new Promise<void>((resolve) => frozen.server.close(() => resolve()));
    }
  });

  it('rounds a deadline up to its whole minute, and never to a minute that has begun', () => {
    const now = new Date('2026-01-05T09:00:10Z');
    expect(timerMinute(new Date('2026-01-05T09:30:00Z'), now).toISOString()).toBe('2026-01-05T09:30:00.000Z');
    expect(timerMinute(new Date('2026-01-05T09:30:00.001Z'), now).toISOString()).toBe('2026-01-05T09:31:00.000Z');
    expect(timerMinute(new Date('2026-01-05T09:00:11Z'), now).toISOString()).toBe('2026-01-05T09:01:00.000Z');
  });
});
