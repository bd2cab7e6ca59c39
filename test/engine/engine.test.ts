import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityTracker, ManualClock } from '../../infra/local/clock.ts';
import { LocalEngine, localFunctionArn, namedError } from '../../infra/local/engine.ts';
import { ExecutionRecords } from '../../infra/local/execution-records.ts';
import { substitute } from '../../infra/workflow-manifest.ts';
import type { DynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { startTestDynamoDb } from '../support/dynamodb.ts';
import { runName, runOf } from '../../kernel/workflow-runs.ts';
import { dunningExecutionName } from '../../modules/receivables/index.ts';

const tour = JSON.parse(readFileSync(new URL('./feature-tour.asl.json', import.meta.url), 'utf8'));
const definition = substitute(tour, { StepFunctionArn: localFunctionArn('tour-step'), WaitFunctionArn: localFunctionArn('tour-wait') });

/** Scripted handlers: each id has a list of step results (or errors) consumed in order. */
class TourFunctions {
  scripts = new Map<string, (string | { throw: string })[]>();
  tokens = new Map<string, string>();
  calls: { fn: string; id: string }[] = [];
  engine!: LocalEngine;
  signalFromWait = new Set<string>();

  invoke = async (fn: string, payload: any): Promise<any> => {
    this.calls.push({ fn, id: payload.id });
    if (fn === 'tour-step') {
      const next = this.scripts.get(payload.id)?.shift() ?? 'done';
      if (typeof next === 'object') throw namedError(next.throw, 'scripted failure');
      return { action: next, waitSeconds: 3600 };
    }
    if (fn === 'tour-wait') {
      this.tokens.set(payload.id, payload.taskToken);
      // An event that arrived before the token was stored: the wait handler signals itself.
      if (this.signalFromWait.delete(payload.id)) await this.engine.sendTaskSuccess(payload.taskToken, JSON.stringify({ early: true }));
      return null;
    }
    throw new Error(`no function ${fn}`);
  };

  count(fn: string, id: string) {
    return this.calls.filter((call) => call.fn === fn && call.id === id).length;
  }
}

let db: DynamoDbLocal;
let records: ExecutionRecords;

beforeAll(async () => {
  db = await startTestDynamoDb();
  records = new ExecutionRecords(db.client, 'engine-test');
  await records.ensureTable();
});
afterAll(async () => db?.stop());

function makeEngine(functions: TourFunctions, clock?: ManualClock) {
  const tracker = new ActivityTracker();
  const manual = clock ?? new ManualClock(new Date('2026-01-05T09:00:00Z'), () => tracker.idle());
  const engine = new LocalEngine([{ name: 'tour', definition }], functions.invoke, manual, tracker, records, { retryIntervalMs: 0 });
  functions.engine = engine;
  return { engine, clock: manual, tracker };
}

describe('local engine', () => {
  it('waits for a callback, and runs the step again when the deadline passes on the manual clock', async () => {
    const fns = new TourFunctions();
    fns.scripts.set('a', ['wait', 'wait', 'done']);
    const { engine, clock, tracker } = makeEngine(fns);
    await engine.start('tour', 'tour-a', JSON.stringify({ id: 'a' }));
    await tracker.idle();
    expect(fns.count('tour-step', 'a')).toBe(1);
    expect(fns.count('tour-wait', 'a')).toBe(1);

    await clock.advanceBy(59 * 60 * 1000);
    expect(fns.count('tour-step', 'a')).toBe(1); // deadline not reached
    await clock.advanceBy(60 * 1000);
    expect(fns.count('tour-step', 'a')).toBe(2); // the timeout was caught and the step ran

    await engine.sendTaskSuccess(fns.tokens.get('a')!, JSON.stringify({ type: 'event' }));
    await tracker.idle();
    expect(fns.count('tour-step', 'a')).toBe(3);
    expect((await engine.describe('tour', 'tour-a'))?.status).toBe('SUCCEEDED');
    // A settled token cannot be used again: AWS's answers for a used, an unknown and a malformed token.
    await expect(engine.sendTaskSuccess(fns.tokens.get('a')!, '{}')).rejects.toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    await expect(engine.sendTaskSuccess('tour-a.AAAAAAAAAAAAAAAA', '{}')).rejects.toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
    await expect(engine.sendTaskSuccess('not a token', '{}')).rejects.toThrow(expect.objectContaining({ name: 'InvalidToken' }));
  });

  it('reuses an execution name as AWS does: the same running input answers it, anything else is ExecutionAlreadyExists', async () => {
    const fns = new TourFunctions();
    fns.scripts.set('b', ['wait']);
    const { engine, tracker } = makeEngine(fns);
    const first = await engine.start('tour', 'tour-b', JSON.stringify({ id: 'b' }));
    const again = await engine.start('tour', 'tour-b', JSON.stringify({ id: 'b' }));
    await tracker.idle();
    expect(again).toEqual(first);
    expect(fns.count('tour-step', 'b')).toBe(1);
    const taken = expect.objectContaining({ name: 'ExecutionAlreadyExists' });
    await expect(engine.start('tour', 'tour-b', JSON.stringify({ id: 'other' }))).rejects.toThrow(taken);
    await engine.stop('tour', 'tour-b');
    await tracker.idle();
    expect((await engine.describe('tour', 'tour-b'))?.status).toBe('ABORTED');
    // A closed execution's name stays taken, whatever the input.
    await expect(engine.start('tour', 'tour-b', JSON.stringify({ id: 'b' }))).rejects.toThrow(taken);
    await expect(engine.start('tour', 'bad name', '{}')).rejects.toThrow(expect.objectContaining({ name: 'InvalidName' }));
    // AWS's 80 characters: the dunning cycle of a 64-character customer id past run 10,000 is named within them.
    await expect(engine.start('tour', 'x'.repeat(81), '{}')).rejects.toThrow(expect.objectContaining({ name: 'InvalidName' }));
    const cycle = dunningExecutionName({ customerId: 'c'.repeat(64), generation: 12 });
    for (const run of [1, 2, 10_001, 123_456_789]) {
      const name = runName(cycle, run);
      expect([run, name.length <= 80, runOf(cycle, name)]).toEqual([run, true, run]);
      await engine.start('tour', name, JSON.stringify({ id: `long-${run}` }));
      expect((await engine.describe('tour', name))?.status).toBeDefined();
    }
    // Two long ids that share their first 70 characters name different executions; a name is no run of another base.
    const other = dunningExecutionName({ customerId: `${'c'.repeat(63)}d`, generation: 12 });
    expect(runName(other, 10_001)).not.toBe(runName(cycle, 10_001));
    expect(runOf(other, runName(cycle, 10_001))).toBeUndefined();
    await expect(engine.start('tour', 'tour-big', JSON.stringify({ id: 'x'.repeat(262_144) }))).rejects.toThrow(
      expect.objectContaining({ name: 'InvalidExecutionInput' }),
    );
  });

  it('retries a named error, then catches it into the Fail state', async () => {
    const fns = new TourFunctions();
    fns.scripts.set('c', [{ throw: 'Flaky' }, 'done']);
    fns.scripts.set('d', [{ throw: 'Fatal' }]);
    fns.scripts.set('e', [{ throw: 'Flaky' }, { throw: 'Flaky' }, { throw: 'Flaky' }]);
    const { engine, tracker } = makeEngine(fns);
    await engine.start('tour', 'tour-c', JSON.stringify({ id: 'c' }));
    await engine.start('tour', 'tour-d', JSON.stringify({ id: 'd' }));
    await engine.start('tour', 'tour-e', JSON.stringify({ id: 'e' }));
    await tracker.idle();
    expect((await engine.describe('tour', 'tour-c'))?.status).toBe('SUCCEEDED');
    expect(fns.count('tour-step', 'c')).toBe(2);
    const failed = await engine.describe('tour', 'tour-d');
    expect(failed?.status).toBe('FAILED');
    expect(failed?.error).toBe('TourFailed');
    expect(fns.count('tour-step', 'e')).toBe(3); // first try + 2 retries, then caught
    expect((await engine.describe('tour', 'tour-e'))?.status).toBe('FAILED');
    expect(failed?.events.map((event) => event.type)).toContain('StateCaught');
  });

  it('accepts a callback sent while the wait handler is still running', async () => {
    const fns = new TourFunctions();
    fns.scripts.set('f', ['wait', 'done']);
    fns.signalFromWait.add('f');
    const { engine, tracker } = makeEngine(fns);
    await engine.start('tour', 'tour-f', JSON.stringify({ id: 'f' }));
    await tracker.idle();
    expect((await engine.describe('tour', 'tour-f'))?.status).toBe('SUCCEEDED');
    expect(fns.count('tour-step', 'f')).toBe(2);
  });

  it('keeps deadlines longer than 24.8 days on the clock, not on the engine timers', async () => {
    const fns = new TourFunctions();
    fns.scripts.set('g', ['wait', 'done']);
    const original = fns.invoke;
    fns.invoke = async (fn, payload) =>
      fn === 'tour-step' ? { ...(await original(fn, payload)), waitSeconds: 40 * 86_400 } : original(fn, payload);
    const { engine, clock, tracker } = makeEngine(fns);
    await engine.start('tour', 'tour-g', JSON.stringify({ id: 'g' }));
    await tracker.idle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fns.count('tour-step', 'g')).toBe(1);
    await clock.advanceBy(39 * 86_400_000);
    expect(fns.count('tour-step', 'g')).toBe(1);
    await clock.advanceBy(86_400_000);
    expect(fns.count('tour-step', 'g')).toBe(2);
  });

  it('resumes executions left running by a stopped engine, from their first state', async () => {
    const fns = new TourFunctions();
    fns.scripts.set('h', ['wait', 'wait', 'done']);
    const first = makeEngine(fns);
    await first.engine.start('tour', 'tour-h', JSON.stringify({ id: 'h' }));
    await first.tracker.idle();
    first.engine.shutdown(); // as a crash: the record stays RUNNING
    expect((await records.get('tour', 'tour-h'))?.status).toBe('RUNNING');

    const second = makeEngine(fns);
    expect(await second.engine.resumeOpen()).toBeGreaterThanOrEqual(1);
    await second.tracker.idle();
    expect(fns.count('tour-step', 'h')).toBe(2);
    await second.clock.advanceBy(3600_000);
    expect((await second.engine.describe('tour', 'tour-h'))?.status).toBe('SUCCEEDED');
  });
});
