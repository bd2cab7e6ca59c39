/**
 * npm run bench — figures from one run on this machine, compared as ratios (machines are shared).
 *  0. the Lambda bundles as CDK builds them: minified and gzip bytes, cold import time (bench/bundles.ts);
 *  1. state transitions per second through Steward's binding layer (LocalEngine: callback tokens,
 *     clock, durable records) against bare aws-local-stepfunctions on the same workflow;
 *  2. writes per second through the store adapter against bare DynamoDB Local PutItem;
 *  3. the AWS cost of a typical sev2 issue life, from counts measured on the embedded runtime
 *     (BENCH_ISSUES issues, default 1,000);
 *  4. webhook ingest against the embedded runtime (BENCH_WEBHOOKS requests, default 1,000) beside
 *     bare DynamoDB Local PutItem latency;
 *  5. one dunning run over BENCH_DUNNING_INVOICES invoices (default 100,000 over 20,000 customers);
 *  6. what authentication adds per request: bootstrap token, personal token, sign-in JWT (BENCH_AUTH_ROUNDS, default 500);
 *  7. the console: JavaScript before the first screen, and Now with BENCH_CONSOLE_ISSUES open issues in headless Chromium;
 *  8. the reconcile sweep over BENCH_SWEEP_ISSUES open issues (default 5,000; 0 skips it, it takes about 10 minutes)
 *     against the local Step Functions API's quotas.
 */
import { readFileSync } from 'node:fs';
import { PutItemCommand, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { DynamoStore } from '../kernel/dynamo-store.ts';
import { ActivityTracker, ManualClock } from '../infra/local/clock.ts';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { LocalEngine, localFunctionArn } from '../infra/local/engine.ts';
import { ExecutionRecords } from '../infra/local/execution-records.ts';
import { createTableInput } from '../infra/table-schema.ts';
import { substitute } from '../infra/workflow-manifest.ts';
import { freePort } from '../test/support/dynamodb.ts';
import { authenticationCost, printAuthenticationCost } from './authentication.ts';
import { bundleSizes, printBundleSizes } from './bundles.ts';
import { consoleSpeed, printConsoleSpeed } from './console.ts';
import { dunningRun, printDunningRun } from './dunning-run.ts';
import { issueCost, printIssueCost } from './issue-cost.ts';
import { printSweepUnderQuota, sweepUnderQuota } from './sweep-quota.ts';
import { printWebhookIngest, webhookIngest } from './webhook-ingest.ts';

const LOOPS = 200; // Step → Route → Wait per loop
const EXECUTIONS = 20;
const WRITES = 2_000;
const CONCURRENCY = 16;

const tour = JSON.parse(readFileSync(new URL('../test/engine/feature-tour.asl.json', import.meta.url), 'utf8'));
const definition = substitute(tour, { StepFunctionArn: localFunctionArn('step'), WaitFunctionArn: localFunctionArn('wait') });
const transitionsPerExecution = LOOPS * 3 + 2 + 1; // loops, then the last Step, Route and Done

// Bare: the same states, the callback task as a plain task (the library has no callbacks, and it
// resolves TimeoutSecondsPath against the Parameters output, so a fixed timeout stands in).
const bareDefinition = structuredClone(definition);
Object.assign(bareDefinition.States.WaitForEventOrDeadline, { Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 3600 });
delete bareDefinition.States.WaitForEventOrDeadline.TimeoutSecondsPath;

async function bareEngine(): Promise<number> {
  const machine = new StateMachine(bareDefinition, { validationOptions: { checkPaths: true, checkArn: true } });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: EXECUTIONS }, async (_, n) => {
      let steps = 0;
      const run = machine.run({ id: `bare-${n}` }, {
        overrides: {
          taskResourceLocalHandlers: {
            Step: async () => ({ Payload: { action: ++steps > LOOPS ? 'done' : 'wait', waitSeconds: 3600 }, StatusCode: 200 }),
            WaitForEventOrDeadline: async () => ({}),
          },
        },
        context: { Execution: { Name: `bare-${n}` }, Task: { Token: 't' } },
      } as never);
      await run.result;
    }),
  );
  return (EXECUTIONS * transitionsPerExecution) / ((performance.now() - started) / 1000);
}

async function bindingLayer(records: ExecutionRecords): Promise<{ perSecond: number; counted: number }> {
  const tracker = new ActivityTracker();
  const clock = new ManualClock(new Date(), () => tracker.idle());
  const steps = new Map<string, number>();
  let engine!: LocalEngine;
  const invoke = async (fn: string, payload: any): Promise<any> => {
    if (fn === 'step') {
      const count = (steps.get(payload.id) ?? 0) + 1;
      steps.set(payload.id, count);
      return { action: count > LOOPS ? 'done' : 'wait', waitSeconds: 3600 };
    }
    await engine.sendTaskSuccess(payload.taskToken, '{}'); // an event arrives at once
    return null;
  };
  engine = new LocalEngine([{ name: 'tour', definition }], invoke, clock, tracker, records);
  const run = `${Date.now()}`;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: EXECUTIONS }, (_, n) => engine.start('tour', `bench-${run}-${n}`, JSON.stringify({ id: `bench-${n}` }))),
  );
  await tracker.idle();
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: engine.counters.transitions / seconds, counted: engine.counters.transitions };
}

async function writes(run: (n: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < WRITES) await run(next++);
    }),
  );
  return WRITES / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const db = await startDynamoDbLocal({ port: await freePort() });
  try {
    const records = new ExecutionRecords(db.client, 'bench-executions');
    await records.ensureTable();
    await db.client.send(new CreateTableCommand(createTableInput('bench')));

    await bareEngine(); // warm-up: JIT and module loading
    const bare = await bareEngine();
    const bound = await bindingLayer(records);
    if (bound.counted !== EXECUTIONS * transitionsPerExecution)
      throw new Error(`counted ${bound.counted} transitions, expected ${EXECUTIONS * transitionsPerExecution}`);

    const store = new DynamoStore({ tableName: 'bench', client: db.client });
    const item = (n: number, prefix: string) => ({
      pk: `${prefix}#${n}`,
      sk: 'META',
      title: 'Disk full on db-1',
      severity: 'sev2',
      eventSeq: n,
      createdAt: new Date().toISOString(),
    });
    await writes((n) => store.put(item(n, 'WARM'))); // warm-up
    const barePut = (n: number, round: number) => {
      const i = item(n, `BARE${round}`);
      return db.client.send(
        new PutItemCommand({
          TableName: 'bench',
          Item: {
            pk: { S: i.pk },
            sk: { S: i.sk },
            title: { S: i.title },
            severity: { S: i.severity },
            eventSeq: { N: String(i.eventSeq) },
            createdAt: { S: i.createdAt },
          },
        }),
      );
    };
    // Interleaved rounds, best of each, so neither side gets the warmer database.
    let bareWrites = 0;
    let adapterWrites = 0;
    for (let round = 0; round < 3; round++) {
      bareWrites = Math.max(bareWrites, await writes((n) => barePut(n, round)));
      adapterWrites = Math.max(adapterWrites, await writes((n) => store.put(item(n, `ADAPTER${round}`))));
    }

    const f = (x: number) => x.toFixed(0).padStart(8);
    console.log(`\nWorkflow engine (${EXECUTIONS} executions × ${transitionsPerExecution} transitions, callback answered at once)`);
    console.log(`  bare aws-local-stepfunctions   ${f(bare)} transitions/s`);
    console.log(`  Steward binding layer          ${f(bound.perSecond)} transitions/s`);
    console.log(`  ratio binding/bare             ${(bound.perSecond / bare).toFixed(2)}`);
    console.log(`\nStore (${WRITES} items, ${CONCURRENCY} in flight, DynamoDB Local, best of 3 interleaved rounds)`);
    console.log(`  bare PutItem                   ${f(bareWrites)} writes/s`);
    console.log(`  store adapter put              ${f(adapterWrites)} writes/s`);
    console.log(`  ratio adapter/bare             ${(adapterWrites / bareWrites).toFixed(2)}`);
  } finally {
    await db.stop();
  }
}

printBundleSizes(await bundleSizes());
await main();
printWebhookIngest(await webhookIngest(Number(process.env.BENCH_WEBHOOKS ?? 1000)));
printIssueCost(await issueCost(Number(process.env.BENCH_ISSUES ?? 1000)));
printDunningRun(await dunningRun(Number(process.env.BENCH_DUNNING_INVOICES ?? 100_000)));
printAuthenticationCost(await authenticationCost(Number(process.env.BENCH_AUTH_ROUNDS ?? 500)));
printConsoleSpeed(await consoleSpeed(Number(process.env.BENCH_CONSOLE_ISSUES ?? 1000)));
const sweepIssues = Number(process.env.BENCH_SWEEP_ISSUES ?? 5000);
if (sweepIssues > 0) printSweepUnderQuota(await sweepUnderQuota(sweepIssues));
// aws-local-stepfunctions arms a real timer (up to 24.8 days) per waiting Task state and an aborted
// execution does not clear it; the runtimes are stopped, so nothing is left to wait for.
process.exit(0);
