import type { Actor } from '../../kernel/actor.ts';
import * as z from 'zod';
import { inWords } from '../../kernel/time-words.ts';
import type { Deps } from '../../kernel/deps.ts';
import type { DunningPolicy } from '../policies/index.ts';
import { ladderReached, type DunningState } from './dunning.ts';
import { invoiceRepository, wakeDunning } from './dunning-service.ts';

export const suspensionEventSchema = z.object({
  type: z.enum(['approve-suspension', 'decline-suspension']),
  /** The proposal round being answered (links carry it); without it, the pending one. */
  round: z.number().int().positive().optional(),
});

/** A customer's dunning as the API shows it: where the ladder stands in this cycle, the suspension, when next due. */
export interface DunningView {
  customerId: string;
  cycle: number;
  /** The furthest step told the customer in this cycle (policy step key), if any. */
  lastStep?: { key: string; at?: string };
  suspension: {
    /** The date told the customer (yyyy-MM-dd). */
    date?: string;
    proposal?: { round: number; state: 'pending' | 'approved' | 'declined'; at: string; by?: Actor };
    suspendedAt?: string;
  };
  nextDunningAt?: string;
}

export function dunningView(state: DunningState, policy: DunningPolicy): DunningView {
  const reached = ladderReached(state, policy);
  const { round, state: answer, at, by } = state.approval ?? {};
  return {
    customerId: state.customerId,
    cycle: state.generation,
    // A policy edited to fewer steps mid-cycle: the cycle stands at its last step.
    ...(reached >= 0 ? { lastStep: { key: policy.steps[Math.min(reached, policy.steps.length - 1)].key, at: state.lastStepAt } } : {}),
    suspension: {
      date: state.suspensionDate,
      proposal: round !== undefined && answer && at ? { round, state: answer, at, ...(by ? { by } : {}) } : undefined,
      suspendedAt: state.suspendedAt,
    },
    nextDunningAt: state.nextDunningAt,
  };
}

/** The service manager's answer to a suspension proposal: only an approval lets the suspension notice go out. */
export async function decideSuspension(
  deps: Pick<Deps, 'store' | 'clock' | 'workflows'>,
  customerId: string,
  approve: boolean,
  round?: number,
  /** The zone the answer gives times in (the service manager's). */
  zone = 'UTC',
  by?: Actor,
): Promise<{ ok: true; state: DunningState } | { ok: false; reason: string }> {
  const repo = invoiceRepository(deps);
  for (let attempt = 0; attempt < 5; attempt++) {
    const state = await repo.dunningState(customerId);
    const approval = state.approval;
    if (approval?.state !== 'pending')
      return {
        ok: false,
        reason: approval
          ? `the suspension proposal was already ${approval.state} (${inWords(approval.at, zone)})`
          : 'no suspension is waiting for approval',
      };
    if (round !== undefined && round !== approval.round)
      return { ok: false, reason: `this answers proposal ${round}; the pending one is proposal ${approval.round}` };
    const now = deps.clock.now().toISOString();
    // Approved: due now. Declined: the step works out when the hold ends.
    const next = {
      ...state,
      approval: { ...approval, state: approve ? ('approved' as const) : ('declined' as const), at: now, ...(by ? { by } : {}) },
      nextDunningAt: now,
    };
    if (await repo.save([], next)) {
      await wakeDunning(deps, customerId);
      return { ok: true, state: next };
    }
  }
  return { ok: false, reason: 'the dunning state changed concurrently; try again' };
}
