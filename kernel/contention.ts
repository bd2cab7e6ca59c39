import { setTimeout } from 'node:timers/promises';

/**
 * Writers racing on one record (a webhook burst, parallel payments, an agent beside the workflow)
 * retry inside the request before anyone is told "changed concurrently": each retry reads afresh
 * after a random pause of up to 20 ms × 2^try (full jitter), at most CONTENDED_ATTEMPTS tries, about
 * 5 s of pauses in the worst case. Without pauses, twenty notes at once left about half of them
 * answered 409 after five immediate tries.
 */
export const CONTENDED_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 20;

/** The pause before try `attempt` (none before the first). */
export async function pauseBeforeRetry(attempt: number): Promise<void> {
  if (attempt > 0) await setTimeout(Math.random() * BACKOFF_BASE_MS * 2 ** attempt);
}
