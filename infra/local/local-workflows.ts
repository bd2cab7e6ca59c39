import { readFileSync } from 'node:fs';
import type { Telemetry } from '../../kernel/telemetry.ts';
import { RESTART_STATUSES } from '../../kernel/workflow-runs.ts';
import { timerGroupName } from '../aws-names.ts';
import { loadDefinition, loadManifest, substitute } from '../workflow-manifest.ts';
import type { ActivityTracker, TimerClock } from './clock.ts';
import { type FunctionInvoker, LocalEngine, localFunctionArn } from './engine.ts';
import type { ExecutionRecord, ExecutionRecords } from './execution-records.ts';
import type { RuntimeOptions } from './runtime-options.ts';
import { LocalTimers, SCHEDULER_API_QUOTAS, startSchedulerApi } from './scheduler-api.ts';
import { ApiQuotas, SFN_API_QUOTAS, sfnOperations, startSfnApi } from './sfn-api.ts';

/**
 * The embedded runtime's orchestration: the engine running every module's state machine, served
 * over the Step Functions API, and the case loops' timers over EventBridge Scheduler's API.
 * `onEnded` hears of every run that failed, timed out or was stopped.
 */
export async function startLocalWorkflows(parts: {
  options: Pick<RuntimeOptions, 'sfnPort' | 'schedulerPort' | 'sfnQuotas' | 'retryIntervalMs' | 'workflowDefinitions'>;
  invoke: FunctionInvoker;
  onEnded: (record: ExecutionRecord) => void;
  clock: TimerClock;
  tracker: ActivityTracker;
  records: ExecutionRecords;
  telemetry: Telemetry;
}) {
  const { options, invoke, clock, tracker, records, telemetry } = parts;
  const bound = (definition: unknown, substitutions: Record<string, string>) =>
    substitute(
      definition,
      Object.fromEntries(Object.entries(substitutions).map(([placeholder, fn]) => [placeholder, localFunctionArn(fn)])),
    );
  const definitions = Object.entries(loadManifest().workflows).map(([name, { substitutions }]) => ({
    name,
    definition: bound(loadDefinition(name), substitutions),
  }));
  // A test may deploy an earlier definition first (runs started before a change), then the modules' own.
  const deployedFirst = definitions.map(({ name, definition }) => {
    const instead = options.workflowDefinitions?.[name];
    return { name, definition: instead ? bound(JSON.parse(readFileSync(instead.file, 'utf8')), instead.substitutions) : definition };
  });
  const engine = new LocalEngine(deployedFirst, invoke, clock, tracker, records, { retryIntervalMs: options.retryIntervalMs, telemetry });
  engine.onClosed = (record) => {
    if ((RESTART_STATUSES as readonly string[]).includes(record.status)) parts.onEnded(record);
  };
  const sfn = await startSfnApi(
    options.sfnPort,
    sfnOperations(engine, new Map(definitions.map(({ name, definition }) => [name, definition])), clock.now()),
    new ApiQuotas(options.sfnQuotas === false ? {} : SFN_API_QUOTAS),
  );
  // The case loops' deadlines: one-time schedules that answer a waiting task on the runtime's clock.
  const localTimers = new LocalTimers(
    [timerGroupName()],
    clock,
    (token, output) => engine.sendTaskSuccess(token, output),
    tracker,
    telemetry,
  );
  const schedulerApi = await startSchedulerApi(
    options.schedulerPort ?? 0,
    localTimers,
    new ApiQuotas(options.sfnQuotas === false ? {} : SCHEDULER_API_QUOTAS),
  );
  return {
    engine,
    sfn,
    localTimers,
    schedulerApi,
    definitions,
    /** Deploys the modules' own definitions, as UpdateStateMachine does: running executions keep theirs. */
    deploy: () => {
      for (const { name, definition } of definitions) engine.deploy(name, definition);
    },
  };
}
