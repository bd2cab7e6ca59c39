import * as z from 'zod/mini';
import type { CaseIdentity } from '../../kernel/case-loop.ts';
import type { DunningState } from './dunning.ts';
import { dunningWaitKey, InvoiceRepository } from './invoice-repository.ts';

/**
 * What names a dunning cycle's runs and wait item: light on purpose (no dunning logic, customers
 * or policies), for the functions that only wake or hand over a run.
 */
/** The state machine that follows every customer's dunning cycle: a case loop (kernel/case-loop.asl.json). */
export const DUNNING_WORKFLOW = 'invoice-dunning';
/** The first run's name; later runs of the same cycle add -r<n> (kernel/workflow-runs.ts). */
export const dunningExecutionName = (state: Pick<DunningState, 'customerId' | 'generation'>) =>
  `dunning-${state.customerId}-g${state.generation}`;

/** A customer's dunning cycle: what its runs are about. */
export interface DunningCycle {
  customerId: string;
  generation: number;
}

const cycleSchema = z.object({
  customerId: z.string().check(z.minLength(1), z.maxLength(200)),
  generation: z.int().check(z.positive()),
});

/**
 * Which runs follow a dunning cycle: its identity in the case loop. What needs a turn at once is a
 * next dunning step that fell due while the step ran; the dunning run wakes the others.
 */
export const dunningIdentity: CaseIdentity<DunningCycle> = {
  workflow: DUNNING_WORKFLOW,
  owner: (input) => cycleSchema.parse(input),
  base: dunningExecutionName,
  input: ({ customerId, generation }) => ({ customerId, generation }),
  waitKey: ({ customerId }) => dunningWaitKey(customerId),
  pending: async ({ store, clock }, cycle) => {
    const { nextDunningAt } = await new InvoiceRepository(store).dunningState(cycle.customerId);
    return !!nextDunningAt && Date.parse(nextDunningAt) <= clock.now().getTime();
  },
  // The dunning run wakes every cycle whose wait item it finds: a finished cycle's goes.
  clearWaitOnClose: true,
  legacy: { closedError: 'DunningDone' },
};
