import type { CaseIdentity } from './case-loop.ts';
import type { DynamoStore } from './dynamo-store.ts';
import { isThrottle } from './http.ts';
import { sweepWorkflows } from './pace.ts';
import type { Telemetry } from './telemetry.ts';
import { readWait } from './wait-tokens.ts';
import { keepRunning, type RunOutcome, RunsExhausted, runOf } from './workflow-runs.ts';
import type { WorkflowPort } from './workflow-port.ts';

/**
 * A case type as the reconcile function keeps it running: which owners need a live run. Every case
 * type is in one registry (functions/reconcile), so a new one is kept running by adding it there.
 */
export interface KeptCase<Owner> extends CaseIdentity<Owner> {
  /** The sweep that checks its owners (the reconcile function's `sweep` input, as its schedule sends it). */
  sweep: string;
  /** Every owner that needs a live run now. */
  live(store: DynamoStore): Promise<Owner[]>;
  /** Whether this owner, whose run ended, still needs one. */
  isLive(store: DynamoStore, owner: Owner): Promise<boolean>;
}

export type ReconcileDeps = { store: DynamoStore; workflows: WorkflowPort; telemetry: Telemetry };

// biome-ignore lint/suspicious/noExplicitAny: a registry of case types, each with its own owner type
type AnyCase = KeptCase<any>;

/** Owners checked at once. */
const PARALLEL = 8;
/** Runs an ended run's event restarts at once; past this, only the sweep tries again (a run that always fails needs a person). */
const RESTARTS_ON_EVENT = 5;

export interface EndedRun {
  stateMachineArn: string;
  name: string;
  status: string;
  input: string;
  error?: string | null;
  cause?: string | null;
}

/** Step Functions' status-change event for a run that failed, timed out or was stopped: its owner gets the next run at once. */
export async function restartEnded({ store, workflows, telemetry }: ReconcileDeps, cases: AnyCase[], ended: EndedRun) {
  const workflow = workflows.workflowOf(ended.stateMachineArn);
  const type = cases.find((entry) => entry.workflow === workflow);
  const owner = type?.owner(JSON.parse(ended.input));
  const ending = { execution: ended.name, status: ended.status, error: ended.error ?? undefined, cause: ended.cause?.slice(0, 300) };
  if (!type || !workflow || !(await type.isLive(store, owner))) return { restarted: 0, reason: 'the owner needs no workflow any more' };
  const base = type.base(owner);
  const run = runOf(base, ended.name) ?? 1;
  if (run >= RESTARTS_ON_EVENT) {
    telemetry.error(`the ${run}th run to end so; the hourly sweep retries`, undefined, ending);
    return { restarted: 0, reason: 'too many runs ended; left to the hourly sweep' };
  }
  const { outcome, name } = await keepRunning(workflows, workflow, base, type.input(owner), run);
  if (outcome !== 'running') {
    telemetry.count('ExecutionsRestarted');
    telemetry.warn('execution ended; its owner runs again', { ...ending, next: name });
  }
  return { restarted: outcome === 'running' ? 0 : 1, name };
}

export type SweepCounts = Record<RunOutcome | 'checked' | 'stuck' | 'throttled' | 'deferred', number>;

/**
 * Every owner of the case types swept keeps a live execution, judged by execution status, not by a
 * start attempt. Owners are checked in random order and the sweep stops when `timeLeft` runs out:
 * at the paced rate one sweep checks about 6,700 owners in its 15 minutes (less a quarter kept in
 * reserve), and past that each sweep checks a different part instead of timing out on the same
 * first ones every time.
 */
export async function sweepCases({ store, workflows: unpaced, telemetry }: ReconcileDeps, cases: AnyCase[], timeLeft: () => number) {
  const workflows = sweepWorkflows(unpaced);
  const counts: SweepCounts = { checked: 0, running: 0, started: 0, restarted: 0, stuck: 0, throttled: 0, deferred: 0 };
  const check = async (owners: (() => Promise<RunOutcome>)[]) => {
    shuffle(owners);
    for (let from = 0; from < owners.length; from += PARALLEL) {
      if (counts.deferred || timeLeft() <= 0) {
        counts.deferred += owners.length - from;
        return;
      }
      const outcomes = await Promise.allSettled(owners.slice(from, from + PARALLEL).map((owner) => owner()));
      for (const outcome of outcomes) {
        counts.checked++;
        if (outcome.status === 'fulfilled') counts[outcome.value]++;
        else if (outcome.reason instanceof RunsExhausted) {
          counts.stuck++;
          telemetry.error('an owner cannot be kept running', outcome.reason);
        } else if (isThrottle(outcome.reason))
          counts.throttled++; // the next sweep checks it; one throttle never ends this one
        else throw outcome.reason;
      }
    }
  };
  for (const type of cases)
    await check(
      (await type.live(store)).map((owner) => async () => {
        const base = type.base(owner);
        const wait = await readWait(store, type.waitKey(owner));
        return (await keepRunning(workflows, type.workflow, base, type.input(owner), runOf(base, wait?.execution))).outcome;
      }),
    );
  return counts;
}

/** Fisher–Yates, in place. */
function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
