import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { isThrottle } from '../../kernel/http.ts';
import { sweepWorkflows } from '../../kernel/pace.ts';
import { keepRunning, RunsExhausted, runOf } from '../../kernel/workflow-runs.ts';
import { DUNNING_SHARDS, DUNNING_WORKFLOW, dunningExecutionName, InvoiceRepository } from '../../modules/receivables/index.ts';
import declaration from './function.ts';

/** Starts and signals per second at most, below Step Functions' StartExecution and SendTaskSuccess refill rates. */
const MAX_PER_SECOND = 200;
const STOP_BEFORE_TIMEOUT_MS = 30_000;

/**
 * The scheduled dunning run: reads, shard by shard, only the customers whose next dunning is due
 * (the sparse index), and wakes each one's workflow, or starts it. Idempotent: a second run finds
 * nothing new due (each step moves the customer's next date on), and after missed runs each
 * customer is woken once and sends only the step now due.
 */
export const createHandler = ({ store, workflows, clock, telemetry }: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (_event: unknown, context: Context) => {
    const repo = new InvoiceRepository(store);
    const now = clock.now();
    let read = 0;
    let started = 0;
    let restarted = 0;
    let signalled = 0;
    let stuck = 0;
    let throttled = 0;
    // Describing and starting runs is paced under Step Functions' control-plane rates; signals are not (a higher quota).
    const paced = sweepWorkflows(workflows);
    let windowStart = performance.now();
    let inWindow = 0;
    let stoppedEarly = false;
    // The shards are read at once: a run with nothing due costs one round trip, not sixteen.
    const dueByShard = await Promise.all(Array.from({ length: DUNNING_SHARDS }, (_, shard) => repo.dueIn(shard, now)));
    for (const due of dueByShard.flat()) {
      // Stop well before Lambda's timeout: whoever is left stays due in the index for the next run.
      if (context.getRemainingTimeInMillis() < STOP_BEFORE_TIMEOUT_MS) {
        stoppedEarly = true;
        break;
      }
      read++;
      if (++inWindow > MAX_PER_SECOND) {
        const pause = 1000 - (performance.now() - windowStart);
        if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
        windowStart = performance.now();
        inWindow = 1;
      }
      const wait = await repo.waitRecord(due.customerId);
      // A stale token (its run ended or moved on) is not a wake-up: the run's status decides below.
      if (wait && (await workflows.sendTaskSuccess(wait.token, { woke: 'dunning-run' }).catch(() => false))) {
        signalled++;
        continue;
      }
      const base = dunningExecutionName(due);
      try {
        const input = { customerId: due.customerId, generation: due.generation };
        const { outcome } = await keepRunning(paced, DUNNING_WORKFLOW, base, input, runOf(base, wait?.execution));
        if (outcome === 'started') started++;
        if (outcome === 'restarted') restarted++;
      } catch (error) {
        // Throttled: the customer stays due in the index, and the next run wakes it.
        if (isThrottle(error)) throttled++;
        else if (error instanceof RunsExhausted) {
          stuck++;
          telemetry.error('dunning workflow cannot be kept running', error, { customerId: due.customerId });
        } else throw error;
      }
    }
    const counts = { read, started, restarted, signalled, stuck, throttled, stoppedEarly };
    telemetry.count('DunningCustomersDue', read);
    telemetry.count('DunningCustomersWoken', started + restarted + signalled);
    telemetry.count('ExecutionsRestarted', restarted);
    // One line per run that found work: CloudWatch metric filters alarm on stoppedEarly and stuck (infra/cdk/operations.ts).
    if (read || stoppedEarly) (stuck || stoppedEarly || throttled ? telemetry.warn : telemetry.info).call(telemetry, 'dunning run', counts);
    return counts;
  });

export const handler = lambda(declaration, createHandler);
