import * as z from 'zod/mini';
import type { Clock } from './clock.ts';
import type { DynamoStore, Key } from './dynamo-store.ts';
import { stepOrWaitForDelivery } from './outbox.ts';
import type { TimerPort } from './timer-port.ts';
import { readWait, storeWaitToken } from './wait-tokens.ts';
import { continueAsNew, runName, shouldContinueAsNew } from './workflow-runs.ts';
import type { WorkflowPort } from './workflow-port.ts';

/**
 * A case driven through timed follow-ups (an issue generation, a customer's dunning cycle): what its
 * module supplies to the one case loop. The loop is one state machine shape (kernel/case-loop.asl.json):
 * a single callback task whose function takes the turn (runs the step, keeps the token) and ends
 * when an event or the step's deadline answers it: one billed state per wake.
 */
export interface CaseIdentity<Owner> {
  /** Its state machine (declared by its module as a `caseLoop`). */
  workflow: string;
  /** The owner an execution's input names; throws on any other input. */
  owner(input: unknown): Owner;
  /** The name of the owner's first run (kernel/workflow-runs.ts names the next ones). */
  base(owner: Owner): string;
  /** The execution input of the owner's runs. */
  input(owner: Owner): unknown;
  /** Where the owner's waiting token is kept (kernel/wait-tokens.ts). */
  waitKey(owner: Owner): Key;
  /**
   * Whether something arrived while the step ran that needs a turn now. Read after the token is
   * stored: an event writes first and reads the token after, so one of the two sees the other.
   */
  pending(deps: { store: DynamoStore; clock: Clock }, owner: Owner): Promise<boolean>;
  /** A finished case's wait item is deleted (for cases that something wakes by reading their wait items). */
  clearWaitOnClose?: boolean;
  /** The names the two-state definition (before the case loop) catches: its runs still end with them. */
  legacy: { closedError: string };
}

export interface CaseType<Owner> extends CaseIdentity<Owner> {
  /** Does what is due and says when to look again (or that the case is over). */
  step(owner: Owner): Promise<{ done: boolean; waitSeconds: number }>;
  /** The error a step throws when the owner no longer exists: the run ends, not a failure. */
  isGone(error: unknown): boolean;
}

export type CaseLoopDeps = { store: DynamoStore; workflows: WorkflowPort; timers: TimerPort; clock: Clock };

/** What the error names of the loop's definition mean: each ends the run as a success. */
export const CASE_ENDINGS = { closed: 'CaseClosed', gone: 'CaseGone', continued: 'ContinuedAsNew' } as const;

/** What a timer answers the task with: the turn does not read it, a person reading the history does. */
export const WOKEN_BY_DEADLINE = { wokeBy: 'deadline' };

const MAX_TOKEN_CHARS = 1024;
const turnInput = z.object({
  case: z.unknown(),
  taskToken: z.string().check(z.minLength(1), z.maxLength(MAX_TOKEN_CHARS)),
  execution: z.string().check(z.minLength(1), z.maxLength(80)),
  startedAt: z.string(),
});

export type TurnOutcome = 'waiting' | 'woken' | 'closed' | 'gone' | 'continued';

/**
 * One turn of a case: the step, then the token kept for whatever answers first, an event or the
 * deadline's timer. A run that has waited long or often hands over to the owner's next run
 * (continue as new), which picks up the current definition.
 */
export async function takeTurn<Owner>(deps: CaseLoopDeps, type: CaseType<Owner>, event: unknown): Promise<{ outcome: TurnOutcome }> {
  const { store, workflows, timers, clock } = deps;
  const { case: input, taskToken, execution, startedAt } = turnInput.parse(event);
  const owner = type.owner(input);
  const base = type.base(owner);
  let step: { done: boolean; waitSeconds: number; retrying: boolean };
  try {
    step = await stepOrWaitForDelivery(() => type.step(owner), 'wait');
  } catch (error) {
    if (!type.isGone(error)) throw error;
    await workflows.sendTaskFailure(taskToken, CASE_ENDINGS.gone, (error as Error).message);
    return { outcome: 'gone' };
  }
  if (step.done) {
    const last = await closeWait(store, type, owner, execution);
    if (last) await timers.cancel(last.token);
    await workflows.sendTaskFailure(taskToken, CASE_ENDINGS.closed, `${base} is over`);
    return { outcome: 'closed' };
  }
  const now = clock.now();
  const wait = await storeWaitToken(store, type.waitKey(owner), taskToken, execution, base);
  if (wait.superseded || shouldContinueAsNew(wait.turns, startedAt, now)) {
    if (!wait.superseded && wait.previousToken) await timers.cancel(wait.previousToken);
    return endInNextRun(deps, type, owner, { token: taskToken, execution, superseded: wait.superseded });
  }
  // The last turn's timer, unless it is what woke this one (it is deleted once it fired).
  if (wait.previousToken && wait.previousToken !== taskToken) await timers.cancel(wait.previousToken);
  if (await wokenByPending(deps, type, owner, taskToken, step.retrying)) return { outcome: 'woken' };
  await timers.answerAt(taskToken, new Date(now.getTime() + step.waitSeconds * 1000), WOKEN_BY_DEADLINE);
  return { outcome: 'waiting' };
}

/**
 * A finished run's wait item: returned when this run stored it (its timer may still be set), and
 * deleted then when the case type says so. A wait item another run stored is left alone.
 */
async function closeWait<Owner>(store: DynamoStore, type: CaseIdentity<Owner>, owner: Owner, execution: string | undefined) {
  const last = await readWait(store, type.waitKey(owner));
  if (!last || (last.execution !== undefined && last.execution !== execution)) return undefined;
  if (type.clearWaitOnClose) await store.delete(type.waitKey(owner));
  return last;
}

const legacyWaitInput = z.object({
  taskToken: z.string().check(z.minLength(1), z.maxLength(MAX_TOKEN_CHARS)),
  done: z._default(z.boolean(), false),
  retrying: z._default(z.boolean(), false),
  execution: z.optional(z.string().check(z.maxLength(80))),
});

/**
 * The wait state of a run of the two-state definition (Step, then WaitForEventOrDeadline) that
 * started before the case loop: from its second wait on, the run hands over to the owner's next
 * run, which starts on the current definition, a case loop. Its step has just run, so the new
 * run's first turn finds nothing due and sets the deadline's timer: no follow-up is lost or sent
 * twice. A run's first wait is kept as it was (token stored, its own timeout the deadline): a run
 * started while a deploy is under way, on the old definition, would otherwise hand over to another
 * old-definition run at once, again and again, until the new definition is in place.
 */
export async function handOverLegacyRun<Owner>(
  deps: Pick<CaseLoopDeps, 'workflows' | 'store' | 'clock'>,
  type: CaseIdentity<Owner>,
  event: unknown,
): Promise<{ outcome: 'closed' | 'continued' | 'waiting' | 'woken' }> {
  const { taskToken, done, retrying, execution } = legacyWaitInput.parse(event);
  const owner = type.owner(event);
  const base = type.base(owner);
  if (done) {
    await closeWait(deps.store, type, owner, execution);
    await deps.workflows.sendTaskFailure(taskToken, type.legacy.closedError, `${base} is over`);
    return { outcome: 'closed' };
  }
  const wait = await storeWaitToken(deps.store, type.waitKey(owner), taskToken, execution, base);
  if (wait.superseded || !execution || wait.turns >= 2)
    return endInNextRun(deps, type, owner, { token: taskToken, execution: execution ?? runName(base, 1), superseded: wait.superseded });
  if (await wokenByPending(deps, type, owner, taskToken, retrying)) return { outcome: 'woken' };
  return { outcome: 'waiting' };
}

/**
 * Ends the run `execution` in the owner's next run (continue as new), or, when a later run already
 * stored its token (`superseded`), in that one: the task fails with ContinuedAsNew, which the
 * definition catches.
 */
async function endInNextRun<Owner>(
  deps: Pick<CaseLoopDeps, 'workflows'>,
  type: CaseIdentity<Owner>,
  owner: Owner,
  run: { token: string; execution: string; superseded: boolean },
): Promise<{ outcome: 'continued' }> {
  const base = type.base(owner);
  const next = run.superseded ? 'a later run' : await continueAsNew(deps.workflows, type.workflow, base, run.execution, type.input(owner));
  await deps.workflows.sendTaskFailure(run.token, CASE_ENDINGS.continued, `${base} continues in ${next}`);
  return { outcome: 'continued' };
}

/** Answers the task at once when something arrived while the step ran (not while another attempt sends its email). */
async function wokenByPending<Owner>(
  deps: Pick<CaseLoopDeps, 'workflows' | 'store' | 'clock'>,
  type: CaseIdentity<Owner>,
  owner: Owner,
  token: string,
  retrying: boolean,
): Promise<boolean> {
  if (retrying || !(await type.pending(deps, owner))) return false;
  await deps.workflows.sendTaskSuccess(token, { wokeBy: 'pending-event' });
  return true;
}

/**
 * The step function of a case type: a turn of the case loop (its input carries the task token), or
 * the Step state of a two-state run started before it (its input is the owner; the answer is the
 * step's, as that definition reads it).
 */
export async function caseFunction<Owner>(deps: CaseLoopDeps, type: CaseType<Owner>, event: unknown) {
  if (event && typeof event === 'object' && 'taskToken' in event) return takeTurn(deps, type, event);
  const emailInFlight = (event as { emailInFlight?: unknown } | null)?.emailInFlight === 'wait' ? 'wait' : undefined;
  const owner = type.owner(event);
  return stepOrWaitForDelivery(() => type.step(owner), emailInFlight);
}
