import { describe, expect, it } from 'vitest';
import { sliceBudget } from '../../kernel/slice-budget.ts';

/** A 3 s invocation on a fake clock: `elapse` moves time on. */
function invocation(timeoutMs = 3_000) {
  let now = 0;
  return { remaining: () => timeoutMs - now, now: () => now, elapse: (ms: number) => (now += ms) };
}

describe('the time an invocation has left for its next slice', () => {
  it('setup before the first slice is not a slice: a starved start (1.2 s of 3 s) still leaves time for one', () => {
    const run = invocation();
    const timeLeft = sliceBudget(run.remaining, 0.25, run.now);
    run.elapse(1_200); // reading the job and parsing its file on a loaded machine
    expect(timeLeft()).toBe(3_000 - 1_200 - 750);
  });

  it('a slow slice predicts the next: no next slice unless twice the longest fits before the margin', () => {
    const run = invocation();
    const timeLeft = sliceBudget(run.remaining, 0.25, run.now);
    expect(timeLeft()).toBe(2_250);
    run.elapse(400);
    expect(timeLeft()).toBe(2_600 - 800);
    run.elapse(900);
    expect(timeLeft()).toBeLessThanOrEqual(0); // 1,700 left, 1,800 kept for a slice like the last
  });
});
