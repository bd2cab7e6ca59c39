import { describe, expect, it } from 'vitest';
import { useRuntime } from '../support/runtime.ts';

/** Opens `count` sev4 issues for acme, ten at a time, and waits for their first steps. */
async function openIssues(env: ReturnType<typeof useRuntime>, count: number): Promise<void> {
  for (let n = 0; n < count; n += 10)
    await Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        env.client.post('/issues', { customerId: 'acme', title: `Sweep ${n + k}`, severity: 'sev4', description: 'x' }),
      ),
    );
  await env.runtime.tracker.idle();
}

/**
 * The hourly sweep under a throttling Step Functions API (issue 30): a throttled owner is skipped and
 * counted, never the end of the sweep; the next sweep checks it. Before, the first throttle that
 * outlasted the SDK's retries threw, and the whole sweep failed with it every hour.
 */
describe('the workflow sweep when Step Functions throttles', () => {
  const env = useRuntime();

  it('checks every open issue; throttled ones are counted and left to the next sweep', { timeout: 120_000 }, async () => {
    await openIssues(env, 40);
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

describe('a sweep with more owners than its time allows', () => {
  // Ten seconds for the sweep, a quarter kept in reserve: at the paced 10 calls a second, room for about 95 of 150 issues.
  const env = useRuntime({ options: { functionTimeouts: { reconcile: 10 } } });

  it('stops before its timeout and counts the owners it left to a later sweep; no invocation times out', { timeout: 240_000 }, async () => {
    await openIssues(env, 150);
    for (let sweep = 0; sweep < 2; sweep++) {
      const counts = (await env.runtime.invoke('reconcile', { sweep: 'issues' })) as Record<string, number>;
      expect(counts.deferred).toBeGreaterThan(0);
      expect(counts.checked + counts.deferred).toBe(150);
      expect(counts.running).toBe(counts.checked);
    }
    const errors = (await env.client.get('/health')).body.components.functions.errors;
    expect(errors.reconcile).toBeUndefined();
  });
});
