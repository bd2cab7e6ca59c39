import middy from '@middy/core';
import { z } from 'zod';
import { ports } from '../../adapters/ports.ts';
import { invoiceRepository } from '../dunning-service.ts';

const inputSchema = z.object({ customerId: z.string().min(1), taskToken: z.string().min(1), done: z.boolean().default(false) });

/**
 * Callback registration of the invoice-dunning workflow. The dunning run or an invoice change
 * wakes it through the stored token. Something that fell due while the step ran wakes it at once;
 * when the cycle is over, the task fails with DunningDone and the execution ends.
 */
export const handler = middy().handler(async (event: unknown) => {
  const { customerId, taskToken, done } = inputSchema.parse(event);
  const { workflows, clock } = ports();
  const repo = invoiceRepository();
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
