import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { DUNNING_SHARDS, dunningExecutionName, InvoiceRepository } from '../../modules/receivables/index.ts';
import declaration from './function.ts';

/** Starts and signals per second at most, below Step Functions' StartExecution and SendTaskSuccess refill rates. */
const MAX_PER_SECOND = 200;
const DUNNING_WORKFLOW = 'invoice-dunning';
const STOP_BEFORE_TIMEOUT_MS = 30_000;

/**
 * The scheduled dunning run: reads, shard by shard, only the customers whose next dunning is due
 * (the sparse index), and wakes each one's workflow, or starts it. Idempotent: a second run finds
 * nothing new due (each step moves the customer's next date on), and after missed runs each
 * customer is woken once and sends only the step now due.
 */
export const createHandler = ({ store, workflows, clock }: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (_event: unknown, context: Context) => {
    const repo = new InvoiceRepository(store);
    const now = clock.now();
    let read = 0;
    let started = 0;
    let signalled = 0;
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
        const wait = 1000 - (performance.now() - windowStart);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        windowStart = performance.now();
        inWindow = 1;
      }
      const token = await repo.waitToken(due.customerId);
      if (
        token &&
        (await workflows.sendTaskSuccess(token, { woke: 'dunning-run' }).then(
          () => true,
          () => false,
        ))
      ) {
        signalled++;
        continue;
      }
      const result = await workflows.start(DUNNING_WORKFLOW, dunningExecutionName(due), {
        customerId: due.customerId,
        generation: due.generation,
      });
      if (!result.alreadyStarted) started++;
    }
    return { read, started, signalled, stoppedEarly };
  });

export const handler = lambda(declaration, createHandler);
