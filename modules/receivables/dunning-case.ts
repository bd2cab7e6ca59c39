import * as z from 'zod/mini';
import type { CaseType } from '../../kernel/case-loop.ts';
import type { KeptCase } from '../../kernel/case-reconcile.ts';
import { DUNNING_WORKFLOW, dunningExecutionName, invoiceRepository } from './dunning-service.ts';
import { CustomerGone, type DunningStepDeps, runDunningStep } from './dunning-step.ts';
import { DUNNING_SHARDS, dunningWaitKey, InvoiceRepository } from './invoice-repository.ts';

/** A customer's dunning cycle: what its runs are about. */
export interface DunningCycle {
  customerId: string;
  generation: number;
}

const EVERY_DUE_DATE = new Date('9999-12-31T00:00:00Z');

const cycleSchema = z.object({
  customerId: z.string().check(z.minLength(1), z.maxLength(200)),
  generation: z.int().check(z.positive()),
});

/**
 * Which runs follow a dunning cycle (its identity in the case loop), and which cycles need one.
 * What needs a turn at once is a next dunning step that fell due while the step ran; the dunning
 * run wakes the others.
 */
export const dunningRuns: KeptCase<DunningCycle> = {
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
  sweep: 'dunning',
  // Every cycle in the sparse due index, whenever it is due.
  live: async (store) => {
    const repo = new InvoiceRepository(store);
    return (await Promise.all(Array.from({ length: DUNNING_SHARDS }, (_, shard) => repo.dueIn(shard, EVERY_DUE_DATE)))).flat();
  },
  isLive: async (store, cycle) => {
    const state = await new InvoiceRepository(store).dunningState(cycle.customerId);
    return state.generation === cycle.generation && !!state.nextDunningAt;
  },
};

/** A dunning cycle as a case of the case loop: its step is runDunningStep. */
export const dunningCase = (deps: DunningStepDeps): CaseType<DunningCycle> => ({
  ...dunningRuns,
  step: (cycle) => runDunningStep(deps, cycle.customerId, cycle.generation),
  isGone: (error) => error instanceof CustomerGone,
});
