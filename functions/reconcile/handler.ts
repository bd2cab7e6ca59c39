import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { restartEnded, sweepCases } from '../../kernel/case-reconcile.ts';
import { sliceBudget } from '../../kernel/slice-budget.ts';
import { issueRuns } from '../../modules/issues/index.ts';
import { maintenanceRuns } from '../../modules/maintenance/index.ts';
import { dunningRuns } from '../../modules/receivables/index.ts';
import declaration from './function.ts';

/** Every case type kept running: issues are swept hourly, dunning cycles daily (their modules' schedules). */
export const KEPT_CASES = [issueRuns, dunningRuns, maintenanceRuns];

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
const sweepScope = z.object({ sweep: z.optional(z.string()) });

/**
 * Every case (an unfinished issue, a customer in a dunning cycle) keeps a live execution, judged by
 * execution status, not by a start attempt (kernel/case-reconcile.ts). Two triggers: Step
 * Functions' status-change event for a run that failed, timed out or was stopped (its owner gets
 * the next run at once), and sweeps of every owner (a lost start is made, a missed event caught up).
 */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (event: unknown, context: Context) => {
    const ended = statusChange.safeParse(event);
    if (ended.success) return restartEnded(deps, KEPT_CASES, ended.data.detail);
    const scope = sweepScope.safeParse(event);
    const swept = KEPT_CASES.filter(
      (type) => !scope.success || !scope.data.sweep || scope.data.sweep === 'all' || scope.data.sweep === type.sweep,
    );
    const counts = await sweepCases(
      deps,
      swept.length ? swept : KEPT_CASES,
      sliceBudget(() => context.getRemainingTimeInMillis()),
    );
    deps.telemetry.count('ExecutionsRestarted', counts.restarted);
    if (counts.started || counts.restarted || counts.stuck) deps.telemetry.warn('sweep found owners without a live execution', counts);
    if (counts.throttled) deps.telemetry.warn('sweep skipped owners Step Functions throttled; the next sweep checks them', counts);
    if (counts.deferred) deps.telemetry.warn('sweep ran out of time; the owners left are checked by a later sweep', counts);
    return counts;
  });

export const handler = lambda(declaration, createHandler);
