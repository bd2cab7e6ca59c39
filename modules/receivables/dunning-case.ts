import * as z from 'zod/mini';
import type { CaseIdentity, CaseType } from '../../kernel/case-loop.ts';
import { DUNNING_WORKFLOW, dunningExecutionName, invoiceRepository } from './dunning-service.ts';
import { CustomerGone, type DunningStepDeps, runDunningStep } from './dunning-step.ts';
import { dunningWaitKey } from './invoice-repository.ts';

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
 * Which runs follow a dunning cycle (its identity in the case loop). What needs a turn at once is a
 * next dunning step that fell due while the step ran; the dunning run wakes the others.
 */
export const dunningRuns: CaseIdentity<DunningCycle> = {
  workflow: DUNNING_WORKFLOW,
  owner: (input) => cycleSchema.parse(input),
  base: dunningExecutionName,
  input: ({ customerId, generation }) => ({ customerId, generation }),
  waitKey: ({ customerId }) => dunningWaitKey(customerId),
  // The dunning run wakes every cycle whose wait item it finds: a finished cycle's goes.
  pending: async ({ store, clock }, cycle) => {
    const { nextDunningAt } = await invoiceRepository({ store }).dunningState(cycle.customerId);
    return !!nextDunningAt && Date.parse(nextDunningAt) <= clock.now().getTime();
  },
  clearWaitOnClose: true,
  legacy: { closedError: 'DunningDone' },
};

/** A dunning cycle as a case of the case loop: its step is runDunningStep. */
export const dunningCase = (deps: DunningStepDeps): CaseType<DunningCycle> => ({
  ...dunningRuns,
  step: (cycle) => runDunningStep(deps, cycle.customerId, cycle.generation),
  isGone: (error) => error instanceof CustomerGone,
});
