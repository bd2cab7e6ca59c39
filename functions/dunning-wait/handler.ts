import middy from '@middy/core';
import * as z from 'zod/mini';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { continueAsNew, shouldContinueAsNew } from '../../kernel/workflow-runs.ts';
import { DUNNING_WORKFLOW, dunningExecutionName, InvoiceRepository } from '../../modules/receivables/index.ts';
import declaration from './function.ts';

const inputSchema = z.object({
  customerId: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
  done: z._default(z.boolean(), false),
  // The step waits for an email another attempt is sending: only the deadline or a change wakes it.
  retrying: z._default(z.boolean(), false),
  // From the execution's context; absent in runs of a definition older than run tracking.
  generation: z.optional(z.int().check(z.positive())),
  execution: z.optional(z.string()),
  startedAt: z.optional(z.string()),
});

/**
 * Callback registration of the invoice-dunning workflow. The dunning run or an invoice change
 * wakes it through the stored token. Something that fell due while the step ran wakes it at once;
 * when the cycle is over, the task fails with DunningDone and the execution ends. A customer who
 * always owes something keeps a cycle for good: its run hands over to the next one (continue as
 * new) after a week or 1,000 turns, long before AWS's limits.
 */
export const createHandler = ({ store, workflows, clock }: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (event: unknown) => {
    const { customerId, taskToken, done, retrying, generation, execution, startedAt } = inputSchema.parse(event);
    const repo = new InvoiceRepository(store);
    if (done) {
      await repo.clearWaitToken(customerId);
      await workflows.sendTaskFailure(taskToken, 'DunningDone', `no money owed by ${customerId}`);
      return {};
    }
    const cycle = { customerId, generation: generation ?? 1 };
    const base = dunningExecutionName(cycle);
    const wait = await repo.setWaitToken(customerId, taskToken, execution, base);
    if (wait.superseded || (execution && generation && shouldContinueAsNew(wait.turns, startedAt, clock.now()))) {
      const next = wait.superseded ? 'a later run' : await continueAsNew(workflows, DUNNING_WORKFLOW, base, execution!, cycle);
      await workflows.sendTaskFailure(taskToken, 'ContinuedAsNew', `dunning of ${customerId} continues in ${next}`);
      return {};
    }
    const state = await repo.dunningState(customerId);
    if (!retrying && state.nextDunningAt && Date.parse(state.nextDunningAt) <= clock.now().getTime())
      await workflows.sendTaskSuccess(taskToken, { woke: 'due-already' });
    return {};
  });

export const handler = lambda(declaration, createHandler);
