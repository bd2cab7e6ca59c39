import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntime, type Runtime } from '../infra/local/runtime.ts';
import { freePort } from '../test/support/dynamodb.ts';

export const BENCH_TOKEN = 'bench-token';

/** An embedded runtime for a benchmark: in memory, manual clock, free ports; `stop` removes its data folder. */
export async function startBenchRuntime(): Promise<{ runtime: Runtime; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  const runtime = await startRuntime({
    port: await freePort(),
    dynamodbPort: await freePort(),
    sesPort: await freePort(),
    smtpPort: await freePort(),
    sfnPort: await freePort(),
    s3Port: await freePort(),
    dataDir,
    inMemory: true,
    clock: 'manual',
    apiToken: BENCH_TOKEN,
    fromAddress: 'Steward <steward@steward.localhost>',
    inboundAddress: 'support@steward.localhost',
    logFormat: 'silent', // the figures, not every email sent
  });
  return {
    runtime,
    stop: async () => {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `work` over `items` with `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** POSTs JSON to the bench runtime's API with the bench token; the answer's JSON body. */
export async function benchPost(runtime: Runtime, path: string, body: unknown): Promise<any> {
  const response = await fetch(runtime.urls.api + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}
