/**
 * Webhook ingest against the running embedded runtime under a bounded load: Alertmanager
 * notifications, a share of them redelivered, CONCURRENCY in flight. Beside it, in the same run,
 * bare DynamoDB Local PutItem latency at the same concurrency: the ratio says what Steward adds.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { pool, startBenchRuntime } from './bench-runtime.ts';
import { acme } from '../test/support/runtime.ts';

const CONCURRENCY = 16;
const REDELIVERED = 0.2;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Runs `work` for 0..count-1 with CONCURRENCY in flight; the rate and each call's latency, sorted. */
async function timed(count: number, work: (n: number) => Promise<void>): Promise<{ perSecond: number; latencies: number[] }> {
  const latencies: number[] = [];
  const started = performance.now();
  await pool(
    Array.from({ length: count }, (_, n) => n),
    CONCURRENCY,
    async (n) => {
      const t0 = performance.now();
      await work(n);
      latencies.push(performance.now() - t0);
    },
  );
  return { perSecond: count / ((performance.now() - started) / 1000), latencies: latencies.sort((a, b) => a - b) };
}

export async function webhookIngest(requests: number) {
  const { runtime, stop } = await startBenchRuntime();
  try {
    await fetch(`${runtime.urls.api}/customers`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench-token' },
      body: JSON.stringify(acme),
    });
    const unique = Math.round(requests * (1 - REDELIVERED));
    const payload = (n: number) => {
      const alert = n < unique ? n : (n * 7919) % unique; // the redelivered share repeats earlier alerts exactly
      return JSON.stringify({
        version: '4',
        groupKey: `{}:{alertname="Load${alert}"}`,
        status: 'firing',
        receiver: 'steward',
        groupLabels: { alertname: `Load${alert}` },
        commonLabels: {},
        commonAnnotations: {},
        alerts: [
          {
            status: 'firing',
            labels: { alertname: `Load${alert}`, customer: 'acme', severity: 'warning' },
            annotations: { summary: `Load alert ${alert}` },
            startsAt: '2026-11-24T05:00:00Z',
            fingerprint: `fp${alert}`,
          },
        ],
      });
    };
    const statuses = new Map<number, number>();
    const send = async (n: number) => {
      const response = await fetch(`${runtime.urls.api}/webhooks/alertmanager`, {
        method: 'POST',
        headers: { authorization: 'Bearer bench-token', 'content-type': 'application/json' },
        body: payload(n),
      });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    };
    await timed(50, (n) => send(requests + n)); // warm-up on other alert keys
    const ingest = await timed(requests, send);
    await runtime.tracker.idle();

    const issues = (await (
      await fetch(`${runtime.urls.api}/issues?customerId=acme`, { headers: { authorization: 'Bearer bench-token' } })
    ).json()) as { issues: { origin?: { alertKey?: string } }[] };
    const keys = issues.issues.map((issue) => issue.origin?.alertKey).filter((key) => key && Number(key.slice(2)) < unique);
    const duplicates = keys.length - new Set(keys).size;

    const client = runtime.dynamodb.client;
    const bare = await timed(requests, (n) =>
      client
        .send(
          new PutItemCommand({
            TableName: runtime.store.tableName,
            Item: { pk: { S: `BENCH#${n}` }, sk: { S: 'META' }, payload: { S: payload(n).slice(0, 600) } },
          }),
        )
        .then(() => undefined),
    );
    return { requests, unique, statuses: Object.fromEntries(statuses), issues: keys.length, duplicates, ingest, bare };
  } finally {
    await stop();
  }
}

export function printWebhookIngest(result: Awaited<ReturnType<typeof webhookIngest>>): void {
  const { ingest, bare } = result;
  const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;
  console.log(
    `\nWebhook ingest (${result.requests} Alertmanager notifications, ${Math.round(REDELIVERED * 100)} % redelivered, ${CONCURRENCY} in flight, embedded runtime)`,
  );
  console.log(
    `  ingest                         ${ingest.perSecond.toFixed(0).padStart(8)} requests/s   p50 ${ms(percentile(ingest.latencies, 50))}   p99 ${ms(percentile(ingest.latencies, 99))}`,
  );
  console.log(
    `  bare DynamoDB Local PutItem    ${bare.perSecond.toFixed(0).padStart(8)} requests/s   p50 ${ms(percentile(bare.latencies, 50))}   p99 ${ms(percentile(bare.latencies, 99))}`,
  );
  console.log(
    `  ratio ingest/PutItem p50       ${(percentile(ingest.latencies, 50) / percentile(bare.latencies, 50)).toFixed(1)}×   p99 ${(percentile(ingest.latencies, 99) / percentile(bare.latencies, 99)).toFixed(1)}×`,
  );
  console.log(
    `  answers ${JSON.stringify(result.statuses)}; issues ${result.issues} for ${result.unique} alert keys; duplicates ${result.duplicates}`,
  );
}
