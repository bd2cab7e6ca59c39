import { describe, expect, it } from 'vitest';
import { useRuntime } from '../support/runtime.ts';

/**
 * The hourly sweep under a throttling Step Functions API (issue 30): a throttled owner is skipped and
 * counted, never the end of the sweep; the next sweep checks it. Before, the first throttle that
 * outlasted the SDK's retries threw, and the whole sweep failed with it every hour.
 */
describe('the workflow sweep when Step Functions throttles', () => {
  const env = useRuntime();

  it('checks every open issue; throttled ones are counted and left to the next sweep', { timeout: 120_000 }, async () => {
    for (let n = 0; n < 40; n += 10)
      await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          env.client.post('/issues', { customerId: 'acme', title: `Sweep ${n + k}`, severity: 'sev4', description: 'x' }),
        ),
      );
    await env.runtime.tracker.idle();
    expect((await env.client.post('/_local/faults', { sfn: 0.6 })).status).toBe(200);
    const counts = (await env.runtime.invoke('reconcile', { sweep: 'issues' })) as Record<string, number>;
    expect((await env.client.post('/_local/faults', {})).status).toBe(200);
    expect(counts.checked).toBe(40);
    expect(counts.throttled).toBeGreaterThan(0); // 60 % of calls throttled: some outlast the SDK's three attempts
    expect(counts.running + counts.throttled).toBe(40);
    const again = (await env.runtime.invoke('reconcile', { sweep: 'issues' })) as Record<string, number>;
    expect([again.checked, again.running, again.throttled]).toEqual([40, 40, 0]);
  });
});
