import { createHash } from 'node:crypto';
import { isNameTaken, type WorkflowPort } from './workflow-port.ts';

/**
 * An owner (an issue's generation, a customer's dunning cycle) is served by one execution at a
 * time, named `<base>`, then `<base>-r2`, `<base>-r3`…: a failed, timed-out or aborted run is
 * replaced by the next name (AWS keeps a closed name for 90 days), and a long-lived run hands over
 * to the next one itself ("continue as new") before AWS's limits and so picks up the current
 * definition. Steps check the owner's generation, never the run, so any run of it does the work.
 */
export const runName = (base: string, run: number) => withinNameLimit(base, run <= 1 ? '' : `-r${run}`);

/** AWS's longest execution name (characters). */
export const MAX_EXECUTION_NAME = 80;

/**
 * `base` + `suffix`, or, when that is longer than AWS allows (a 64-character customer id and a run
 * number that grows with every continue-as-new), the base cut short with a hash of the whole of it:
 * the same base always gives the same name, and two bases that share a start do not collide.
 */
function withinNameLimit(base: string, suffix: string): string {
  if (base.length + suffix.length <= MAX_EXECUTION_NAME) return base + suffix;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 10);
  return `${base.slice(0, MAX_EXECUTION_NAME - suffix.length - hash.length - 1)}-${hash}${suffix}`;
}

/** The run number of an execution name of `base`, or undefined when the name is not one of its runs. */
export function runOf(base: string, name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  if (name === runName(base, 1)) return 1;
  const run = Number(/-r(\d{1,9})$/.exec(name)?.[1]);
  return Number.isInteger(run) && run >= 2 && runName(base, run) === name ? run : undefined;
}

/** The statuses after which an owner needs its next run (CDK's event rule and the embedded engine match these). */
export const RESTART_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** Runs of one owner the sweep will walk past before it stops and says so: something fails every run. */
export const MAX_RUNS_WALKED = 25;

export type RunOutcome = 'running' | 'started' | 'restarted';

export class RunsExhausted extends Error {
  override name = 'RunsExhausted';
}

/**
 * Makes sure the owner has a live execution, judged by execution status: from `fromRun` (the last
 * run known to the caller, 1 when none), closed runs are walked past; the first name with no
 * execution is started. A start racing with another caller's start of the same name and input is
 * the same execution on AWS and here.
 */
export async function keepRunning(
  workflows: WorkflowPort,
  workflow: string,
  base: string,
  input: unknown,
  fromRun = 1,
): Promise<{ outcome: RunOutcome; name: string }> {
  for (let run = Math.max(1, fromRun); run < fromRun + MAX_RUNS_WALKED; run++) {
    const name = runName(base, run);
    const found = await workflows.describe(workflow, name);
    if (found?.status === 'RUNNING') return { outcome: 'running', name };
    if (found) continue;
    try {
      await workflows.start(workflow, name, input);
    } catch (error) {
      if (isNameTaken(error)) continue;
      throw error;
    }
    return { outcome: run === 1 ? 'started' : 'restarted', name };
  }
  throw new RunsExhausted(`${workflow} ${base}: ${MAX_RUNS_WALKED} runs from run ${fromRun} ended without finishing; read their errors`);
}

/** When a run hands over to the next: well before AWS's 25,000 history events (about 11 per turn) and 1-year limit. */
export const CONTINUE_AS_NEW = { turns: 1_000, ageMs: 7 * 24 * 60 * 60 * 1000 };

export function shouldContinueAsNew(turns: number, startedAt: string | undefined, now: Date): boolean {
  const age = startedAt ? now.getTime() - Date.parse(startedAt) : 0;
  return turns >= CONTINUE_AS_NEW.turns || age >= CONTINUE_AS_NEW.ageMs;
}

/** Starts the run after `current` with the same input; the caller then ends `current`. */
export async function continueAsNew(
  workflows: WorkflowPort,
  workflow: string,
  base: string,
  current: string,
  input: unknown,
): Promise<string> {
  const next = (runOf(base, current) ?? 1) + 1;
  return (await keepRunning(workflows, workflow, base, input, next)).name;
}
