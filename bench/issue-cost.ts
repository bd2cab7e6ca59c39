/**
 * Cost of an issue's life on AWS, measured on the embedded runtime: N sev2 issues go through a
 * typical life under the manual clock (acknowledged at 10 min, six updates, the service-manager
 * escalation at 4 h, resolved with an RFO, RFO accepted), through the same API, handlers and state
 * machine definition as on AWS. The counts are real; the prices are AWS list prices (us-east-1).
 */
import { pool, startBenchRuntime } from './bench-runtime.ts';
import { acme, ownAddresses } from '../test/support/runtime.ts';

/** USD, us-east-1 list prices. */
const PRICE = {
  transition: 0.025 / 1000, // Step Functions Standard, per state transition
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334, // arm64
  writeUnit: 0.625 / 1e6, // DynamoDB on-demand write request unit
  readUnit: 0.125 / 1e6,
  email: 0.1 / 1000, // SES outbound
  httpApiRequest: 1.0 / 1e6, // API Gateway HTTP API
  timerInvocation: 1.0 / 1e6, // EventBridge Scheduler, per invocation past the 14 million free each month (its API calls cost nothing)
};
const LAMBDA_GB = 0.25; // memorySize 256 in the CDK stack
const CUSTOMERS = 100;

/** Minutes after opening: the events of a typical sev2 life. */
const LIFE: [number, Record<string, unknown>][] = [
  [10, { type: 'acknowledge' }],
  ...[20, 110, 200, 290, 380, 470].map((minute, n): [number, Record<string, unknown>] => [
    minute,
    { type: 'update', message: `Update ${n + 1}: still on it.` },
  ]),
  [500, { type: 'resolve', rfo: 'A failed power supply in rack 4; replaced.' }],
  [560, { type: 'accept-rfo', by: 'customer' }],
];

export async function issueCost(issues: number) {
  const { runtime, stop } = await startBenchRuntime();
  let apiRequests = 0;
  const call = async (method: string, path: string, body: unknown): Promise<any> => {
    apiRequests++;
    const response = await fetch(runtime.urls.api + path, {
      method,
      headers: { authorization: 'Bearer bench-token', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
  const clock = (body: unknown) =>
    fetch(`${runtime.urls.api}/_local/clock`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench-token' },
      body: JSON.stringify(body),
    });
  try {
    // A realistic spread: CUSTOMERS customers with issues/CUSTOMERS issues each (escalations read the customer's recent history).
    for (let c = 0; c < CUSTOMERS; c++)
      await call('POST', '/customers', { ...acme, id: `customer-${c}`, name: `Customer ${c}`, ...ownAddresses(`customer-${c}`) });
    apiRequests = 0;
    const before = {
      transitions: runtime.engine.counters.transitions,
      timersFired: runtime.timers.counters.fired,
      timersSet: runtime.timers.counters.created,
      requests: runtime.store.requests,
      ...runtime.store.consumed,
    };
    runtime.invocations.clear();
    const start = runtime.clock.now().getTime();
    const started = performance.now();

    const ids: string[] = [];
    await pool(
      Array.from({ length: issues }, (_, n) => n),
      32,
      async (n) => {
        ids.push(
          (
            await call('POST', '/issues', {
              customerId: `customer-${n % CUSTOMERS}`,
              title: `Service degraded #${n}`,
              severity: 'sev2',
              impact: 'slow responses',
            })
          ).id,
        );
      },
    );
    await runtime.tracker.idle();
    // The hourly sweep with every issue open, measured alone (and left out of the life's figures below).
    const sweepFrom = { read: runtime.store.consumed.read, ...(runtime.invocations.get('reconcile') ?? { count: 0, ms: 0 }) };
    const swept = (await runtime.invoke('reconcile', { source: 'bench', sweep: 'issues' })) as { checked: number; running: number };
    const sweepStats = runtime.invocations.get('reconcile')!;
    const sweep = {
      checked: swept.checked,
      running: swept.running,
      readUnits: runtime.store.consumed.read - sweepFrom.read,
      ms: sweepStats.ms - sweepFrom.ms,
    };
    sweepStats.count--;
    sweepStats.ms -= sweep.ms;
    before.read += sweep.readUnits;
    for (const [minute, event] of LIFE) {
      await clock({ to: new Date(start + minute * 60_000).toISOString() });
      await pool(ids, 32, async (id) => void (await call('POST', `/issues/${id}/events`, event)));
      await runtime.tracker.idle();
    }
    await clock({ advance: 'PT1H' });
    const wallSeconds = (performance.now() - started) / 1000;

    const closed = (await call('GET', '/issues?status=closed', undefined)).issues.length;
    if (closed !== issues) throw new Error(`${closed} of ${issues} issues closed`);
    const invocations = [...runtime.invocations.values()].reduce(
      (sum, stats) => ({ count: sum.count + stats.count, ms: sum.ms + stats.ms }),
      { count: 0, ms: 0 },
    );
    const per = (value: number) => value / issues;
    const measured = {
      transitions: per(runtime.engine.counters.transitions - before.transitions),
      timersSet: per(runtime.timers.counters.created - before.timersSet),
      timersFired: per(runtime.timers.counters.fired - before.timersFired),
      invocations: per(invocations.count),
      lambdaMs: per(invocations.ms),
      dynamoRequests: per(runtime.store.requests - before.requests),
      writeUnits: per(runtime.store.consumed.write - before.write),
      readUnits: per(runtime.store.consumed.read - before.read),
      emails: per(runtime.mailer.sent),
      apiRequests: per(apiRequests),
    };
    const cost = {
      stepFunctions: measured.transitions * PRICE.transition,
      lambda: measured.invocations * PRICE.lambdaRequest + (measured.lambdaMs / 1000) * LAMBDA_GB * PRICE.lambdaGbSecond,
      dynamodb: measured.writeUnits * PRICE.writeUnit + measured.readUnits * PRICE.readUnit,
      apiGateway: measured.apiRequests * PRICE.httpApiRequest,
      scheduler: measured.timersFired * PRICE.timerInvocation,
      ses: measured.emails * PRICE.email,
    };
    const orchestration = cost.stepFunctions + cost.lambda + cost.dynamodb + cost.apiGateway + cost.scheduler;
    // Per 1,000 open issues and day: 24 sweeps, each a DescribeExecution (not billed) and the reads of each issue.
    const sweepPerThousandDay =
      24 *
      (1000 / sweep.checked) *
      (sweep.readUnits * PRICE.readUnit + PRICE.lambdaRequest + (sweep.ms / 1000) * LAMBDA_GB * PRICE.lambdaGbSecond);
    return {
      issues,
      sweep: { ...sweep, costPerThousandOpenIssuesPerDay: sweepPerThousandDay },
      wallSeconds,
      measured,
      byFunction: Object.fromEntries(runtime.invocations),
      costPer1000: { ...scale(cost, 1000), orchestration: orchestration * 1000, total: (orchestration + cost.ses) * 1000 },
    };
  } finally {
    await stop();
  }
}

const scale = <K extends string>(values: Record<K, number>, factor: number) =>
  Object.fromEntries(Object.entries<number>(values).map(([key, value]) => [key, value * factor])) as Record<K, number>;

export function printIssueCost(result: Awaited<ReturnType<typeof issueCost>>): void {
  const { measured: m, costPer1000: c } = result;
  console.log(
    `\nIssue life cost (${result.issues} sev2 issues of ${CUSTOMERS} customers: acknowledged, 6 updates, 1 escalation, resolved, RFO accepted; manual clock)`,
  );
  console.log(`  wall time                      ${result.wallSeconds.toFixed(1)} s`);
  console.log(`  per issue: state transitions   ${m.transitions.toFixed(1)}`);
  console.log(`  per issue: deadline timers      ${m.timersSet.toFixed(1)} set, ${m.timersFired.toFixed(1)} fired`);
  console.log(`  per issue: handler invocations ${m.invocations.toFixed(1)} (${(m.lambdaMs / m.invocations).toFixed(1)} ms mean)`);
  console.log(
    `  per issue: DynamoDB requests   ${m.dynamoRequests.toFixed(1)} (${m.writeUnits.toFixed(1)} WRU, ${m.readUnits.toFixed(1)} RRU)`,
  );
  console.log(`  per issue: emails              ${m.emails.toFixed(1)}`);
  console.log(`  per issue: API requests        ${m.apiRequests.toFixed(1)}`);
  const usd = (value: number) => `$${value.toFixed(3)}`;
  console.log(
    `  AWS cost per 1,000 issues      Step Functions ${usd(c.stepFunctions)}, Lambda ${usd(c.lambda)}, DynamoDB ${usd(c.dynamodb)}, API Gateway ${usd(c.apiGateway)}, Scheduler ${usd(c.scheduler)}`,
  );
  console.log(
    `                                 orchestration ${usd(c.orchestration)} (goal ≤ $0.40); SES ${usd(c.ses)}; total ${usd(c.total)}`,
  );
  const s = result.sweep;
  console.log(
    `  restart sweep                  ${s.checked} open issues checked (${s.running} running) in ${s.ms.toFixed(0)} ms, ${s.readUnits.toFixed(0)} RRU: ` +
      `${usd(s.costPerThousandOpenIssuesPerDay)} per 1,000 open issues per day (hourly)`,
  );
}
