import middy from '@middy/core';
import * as z from 'zod/mini';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { InvoiceRepository } from '../../modules/receivables/index.ts';
import declaration from './function.ts';

const inputSchema = z.object({
  customerId: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
  done: z._default(z.boolean(), false),
});

/**
 * Callback registration of the invoice-dunning workflow. The dunning run or an invoice change
 * wakes it through the stored token. Something that fell due while the step ran wakes it at once;
 * when the cycle is over, the task fails with DunningDone and the execution ends.
 */
export const createHandler = ({ store, workflows, clock }: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (event: unknown) => {
    const { customerId, taskToken, done } = inputSchema.parse(event);
    const repo = new InvoiceRepository(store);
    if (done) {
      await repo.clearWaitToken(customerId);
      await workflows.sendTaskFailure(taskToken, 'DunningDone', `no money owed by ${customerId}`);
      return {};
    }
    await repo.setWaitToken(customerId, taskToken);
    const state = await repo.dunningState(customerId);
    if (state.nextDunningAt && Date.parse(state.nextDunningAt) <= clock.now().getTime())
      await workflows.sendTaskSuccess(taskToken, { woke: 'due-already' });
    return {};
  });

export const handler = lambda(declaration, createHandler);
