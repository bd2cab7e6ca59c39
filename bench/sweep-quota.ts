/**
 * The hourly reconcile sweep against Step Functions' API quotas: N open issues, each with its live
 * execution, swept while the local Step Functions API refuses every call past its documented token
 * bucket (DescribeExecution: 250 at once, 15 a second after that). Beside it, in the same run, the
 * same number of DescribeExecution calls made as the sweep made them before it was paced (8 at a
 * time, no bucket), to show the quota bites.
 */
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { executionArn, LOCAL_PLACE } from '../infra/aws-names.ts';
import { SWEEP_PACE } from '../kernel/pace.ts';
import { acme, ownAddresses } from '../test/support/runtime.ts';
import { benchPost, pool, startBenchRuntime } from './bench-runtime.ts';

const CUSTOMERS = 100;
const UNPACED_PARALLEL = 8;

export async function sweepUnderQuota(issues: number) {
  const { runtime, stop } = await startBenchRuntime();
  try {
    for (let c = 0; c < CUSTOMERS; c++)
      await benchPost(runtime, '/customers', { ...acme, id: `customer-${c}`, name: `Customer ${c}`, ...ownAddresses(`customer-${c}`) });
    const opened = performance.now();
    await pool(
      Array.from({ length: issues }, (_, n) => n),
      32,
      async (n) => {
        const issue = await benchPost(runtime, '/issues', {
          customerId: `customer-${n % CUSTOMERS}`,
          title: `Link down #${n}`,
          severity: 'sev3',
          impact: 'one site offline',
        });
        if (!issue.id) throw new Error(`POST /issues: ${JSON.stringify(issue).slice(0, 200)}`);
      },
    );
    await runtime.tracker.idle();
    const openSeconds = (performance.now() - opened) / 1000;

    const quotas = runtime.sfnQuotas;
    const servedBefore = quotas.served.DescribeExecution ?? 0;
    const throttledBefore = quotas.throttled.DescribeExecution ?? 0;
    const swept = performance.now();
    const counts = (await runtime.invoke('reconcile', { source: 'bench', sweep: 'issues' })) as Record<string, number>;
    const sweepSeconds = (performance.now() - swept) / 1000;
    const describes = (quotas.served.DescribeExecution ?? 0) - servedBefore;
    const sweepThrottled = (quotas.throttled.DescribeExecution ?? 0) - throttledBefore;

    // The same calls unpaced, straight at the API: what the sweep did before it had a bucket.
    const client = new SFNClient({
      endpoint: runtime.urls.sfn,
      region: LOCAL_PLACE.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const unpacedCalls = Math.min(issues, 2_000);
    let unpacedThrottled = 0;
    const unpacedFrom = performance.now();
    await pool(
      Array.from({ length: unpacedCalls }, (_, n) => n),
      UNPACED_PARALLEL,
      async (n) => {
        try {
          await client.send(new DescribeExecutionCommand({ executionArn: executionArn(LOCAL_PLACE, 'issue-lifecycle', `none-${n}`) }));
        } catch (error) {
          if ((error as Error).name === 'ThrottlingException') unpacedThrottled++;
        }
      },
    );
    const unpacedSeconds = (performance.now() - unpacedFrom) / 1000;
    return {
      issues,
      openSeconds,
      counts,
      sweepSeconds,
      describes,
      describesPerSecond: describes / sweepSeconds,
      sweepThrottled,
      unpaced: { calls: unpacedCalls, throttled: unpacedThrottled, seconds: unpacedSeconds },
    };
  } finally {
    await stop();
  }
}

export function printSweepUnderQuota(result: Awaited<ReturnType<typeof sweepUnderQuota>>): void {
  const { counts: c, unpaced: u } = result;
  console.log(
    `\nReconcile sweep under Step Functions' API quotas (${result.issues} open issues; DescribeExecution 250 burst, 15/s; sweep paced at ${SWEEP_PACE.ratePerSecond}/s, burst ${SWEEP_PACE.burst})`,
  );
  console.log(`  issues opened in               ${result.openSeconds.toFixed(1)} s`);
  console.log(
    `  sweep                          ${c.checked} checked, ${c.running} running, ${c.started + c.restarted} started, ${c.throttled} skipped as throttled, in ${result.sweepSeconds.toFixed(1)} s`,
  );
  console.log(
    `  DescribeExecution calls        ${result.describes} (${result.describesPerSecond.toFixed(1)}/s), ${result.sweepThrottled} refused by the quota`,
  );
  console.log(
    `  unpaced, ${UNPACED_PARALLEL} at a time           ${u.throttled} of ${u.calls} refused by the quota (${(u.calls / u.seconds).toFixed(0)} calls/s)`,
  );
}
