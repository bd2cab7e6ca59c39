import { setTimeout } from 'node:timers/promises';

/**
 * Writers racing on one record (a webhook burst, parallel payments, an agent beside the workflow)
 * retry inside the request before anyone is told "changed concurrently": each retry reads afresh
 * after a random pause (full jitter) of up to 20 ms × 2^try, capped at 250 ms, at most
 * CONTENDED_ATTEMPTS tries: about 7 s of pauses in the worst case, inside API Gateway's 30 s. Twenty
 * writers on one record need up to twenty rounds (one wins each); without pauses, twenty notes at
 * once left about half of them answered 409 after five immediate tries.
 */
export const CONTENDED_ATTEMPTS = 30;
const BACKOFF_BASE_MS = 20;
const BACKOFF_CAP_MS = 250;

/** The pause before try `attempt` (none before the first). */
export async function pauseBeforeRetry(attempt: number): Promise<void> {
  if (attempt > 0) await setTimeout(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}
