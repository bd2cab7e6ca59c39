import { setTimeout } from 'node:timers/promises';

/**
 * Writers racing on one record (a webhook burst, parallel payments, an agent beside the workflow)
 * retry inside the request before anyone is told "changed concurrently": each retry reads afresh
 * after a random pause (full jitter) of up to 20 ms × 2^try, capped at 250 ms, for as long as
 * CONTENTION_BUDGET_MS allows (well inside API Gateway's 30 s). Fifty writers on one record need up
 * to fifty rounds (one wins each), and a loaded machine makes a round slow, so the bound is time,
 * not a count of tries; without pauses, twenty notes at once left about half of them answered 409.
 */
export const CONTENTION_BUDGET_MS = 15_000;
const BACKOFF_BASE_MS = 20;
const BACKOFF_CAP_MS = 250;

/** Tries of one contended change: `await turns.next()` before each try is false once the budget is spent. */
export function contention(budgetMs = CONTENTION_BUDGET_MS): { next(): Promise<boolean> } {
  const started = Date.now();
  let attempt = 0;
  return {
    async next() {
      if (attempt > 0) {
        if (Date.now() - started >= budgetMs) return false;
        await setTimeout(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
      }
      attempt++;
      return true;
    },
  };
}
