import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { isThrottle } from '../../kernel/http.ts';
import { sweepWorkflows } from '../../kernel/pace.ts';
import { sliceBudget } from '../../kernel/slice-budget.ts';
import { keepRunning, type RunOutcome, RunsExhausted, runOf } from '../../kernel/workflow-runs.ts';
import { executionName, ISSUE_WORKFLOW, IssueRepository, workflowInput } from '../../modules/issues/index.ts';
import { DUNNING_SHARDS, DUNNING_WORKFLOW, dunningExecutionName, InvoiceRepository } from '../../modules/receivables/index.ts';
import declaration from './function.ts';

/** Owners checked at once. */
const PARALLEL = 8;

/** Every cycle in the sparse due index, whenever it is due. */
const EVERY_DUE_DATE = new Date('9999-12-31T00:00:00Z');
/** Runs an ended run's event restarts at once; past this, only the hourly sweep tries again (a run that always fails needs a person). */
const RESTARTS_ON_EVENT = 5;
const OPEN_STATUSES = ['open', 'acknowledged', 'resolved'] as const;

const statusChange = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    stateMachineArn: z.string(),
    name: z.string(),
    status: z.string(),
    input: z.string(),
    error: z.nullish(z.string()),
    cause: z.nullish(z.string()),
  }),
});
const sweepScope = z.object({ sweep: z.optional(z.enum(['issues', 'dunning', 'all'])) });
const issueOwner = z.object({ issueId: z.string(), generation: z.int() });
const dunningOwner = z.object({ customerId: z.string(), generation: z.int() });

/**
 * Every unfinished issue and every customer in a dunning cycle keeps a live execution, judged by
 * execution status, not by a start attempt. Two triggers: Step Functions' status-change event for
 * a run that failed, timed out or was stopped (its owner gets the next run at once), and sweeps of
 * every owner (a lost start is made, a missed event caught up): issues hourly, dunning cycles daily.
 */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (event: unknown, context: Context) => {
    const ended = statusChange.safeParse(event);
    if (ended.success) return restartOwner(deps, ended.data.detail);
    const scope = sweepScope.safeParse(event);
    const counts = await sweep(
      deps,
      (scope.success && scope.data.sweep) || 'all',
      sliceBudget(() => context.getRemainingTimeInMillis()),
    );
    deps.telemetry.count('ExecutionsRestarted', counts.restarted);
    if (counts.started || counts.restarted || counts.stuck) deps.telemetry.warn('sweep found owners without a live execution', counts);
    if (counts.throttled) deps.telemetry.warn('sweep skipped owners Step Functions throttled; the next sweep checks them', counts);
    if (counts.deferred) deps.telemetry.warn('sweep ran out of time; the owners left are checked by a later sweep', counts);
    return counts;
  });

type ReconcileDeps = Pick<DepsOf<typeof declaration.needs>, 'store' | 'workflows' | 'telemetry'>;

async function restartOwner({ store, workflows, telemetry }: ReconcileDeps, ended: z.infer<typeof statusChange>['detail']) {
  const workflow = workflows.workflowOf(ended.stateMachineArn);
  const input = JSON.parse(ended.input) as unknown;
  let owner: { base: string; input: unknown } | undefined;
  if (workflow === ISSUE_WORKFLOW) {
    const { issueId, generation } = issueOwner.parse(input);
    const issue = await new IssueRepository(store).getIssue(issueId);
    if (issue && issue.generation === generation && (OPEN_STATUSES as readonly string[]).includes(issue.status))
      owner = { base: executionName(issue), input: workflowInput(issue) };
  } else if (workflow === DUNNING_WORKFLOW) {
    const cycle = dunningOwner.parse(input);
    const state = await new InvoiceRepository(store).dunningState(cycle.customerId);
    if (state.generation === cycle.generation && state.nextDunningAt) owner = { base: dunningExecutionName(cycle), input: cycle };
  }
  const ending = { execution: ended.name, status: ended.status, error: ended.error ?? undefined, cause: ended.cause?.slice(0, 300) };
  if (!owner || !workflow) return { restarted: 0, reason: 'the owner needs no workflow any more' };
  const run = runOf(owner.base, ended.name) ?? 1;
  if (run >= RESTARTS_ON_EVENT) {
    telemetry.error(`the ${run}th run to end so; the hourly sweep retries`, undefined, ending);
    return { restarted: 0, reason: 'too many runs ended; left to the hourly sweep' };
  }
  const { outcome, name } = await keepRunning(workflows, workflow, owner.base, owner.input, run);
  if (outcome !== 'running') {
    telemetry.count('ExecutionsRestarted');
    telemetry.warn('execution ended; its owner runs again', { ...ending, next: name });
  }
  return { restarted: outcome === 'running' ? 0 : 1, name };
}

/**
 * Owners are checked in random order and the sweep stops before its timeout: at the paced rate one
 * sweep checks about 6,700 owners in its 15 minutes (less a quarter kept in reserve), and past that
 * each hour checks a different part instead of timing out on the same first ones every hour.
 */
async function sweep({ store, workflows: unpaced, telemetry }: ReconcileDeps, scope: 'issues' | 'dunning' | 'all', timeLeft: () => number) {
  const issues = new IssueRepository(store);
  const invoices = new InvoiceRepository(store);
  const workflows = sweepWorkflows(unpaced);
  const counts: Record<RunOutcome | 'checked' | 'stuck' | 'throttled' | 'deferred', number> = {
    checked: 0,
    running: 0,
    started: 0,
    restarted: 0,
    stuck: 0,
    throttled: 0,
    deferred: 0,
  };
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

  const open = scope === 'dunning' ? [] : (await Promise.all(OPEN_STATUSES.map((status) => issues.listIssues({ status })))).flat();
  await check(
    open.map((issue) => async () => {
      const base = executionName(issue);
      const wait = await issues.waitRecord(issue.id);
      return (await keepRunning(workflows, ISSUE_WORKFLOW, base, workflowInput(issue), runOf(base, wait?.execution))).outcome;
    }),
  );

  const cycles =
    scope === 'issues'
      ? []
      : (await Promise.all(Array.from({ length: DUNNING_SHARDS }, (_, shard) => invoices.dueIn(shard, EVERY_DUE_DATE)))).flat();
  await check(
    cycles.map((cycle) => async () => {
      const base = dunningExecutionName(cycle);
      const wait = await invoices.waitRecord(cycle.customerId);
      return (await keepRunning(workflows, DUNNING_WORKFLOW, base, cycle, runOf(base, wait?.execution))).outcome;
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

export const handler = lambda(declaration, createHandler);
