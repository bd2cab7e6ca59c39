import type { CaseType } from '../../kernel/case-loop.ts';
import type { KeptCase } from '../../kernel/case-reconcile.ts';
import { type DunningCycle, dunningIdentity } from './dunning-identity.ts';
import { CustomerGone, type DunningStepDeps, runDunningStep } from './dunning-step.ts';
import { DUNNING_SHARDS, InvoiceRepository } from './invoice-repository.ts';

const EVERY_DUE_DATE = new Date('9999-12-31T00:00:00Z');

/** Which runs follow a dunning cycle (its identity in the case loop), and which cycles need one. */
export const dunningRuns: KeptCase<DunningCycle> = {
  ...dunningIdentity,
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
