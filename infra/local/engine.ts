import { randomBytes } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { ExecutionDescription, ExecutionStatus, StartResult, WorkflowPort } from '../../kernel/workflow-port.ts';
import type { AslDefinition } from '../workflow-manifest.ts';
import type { ActivityTracker, TimerClock } from './clock.ts';
import type { ExecutionRecords, ExecutionRecord } from './execution-records.ts';

/** Invokes a Lambda handler by function name with a real event; returns its result. */
export type FunctionInvoker = (functionName: string, payload: unknown) => Promise<unknown>;

type Json = AslDefinition;

const TOKEN_PLACEHOLDER = '__steward_task_token__';
const PARAMS_KEY = 'steward.params';
const TIMEOUT_KEY = 'steward.timeoutSeconds';
// The engine's own timer for an overridden Task; the real deadline is kept on our clock.
const ENGINE_TASK_TIMEOUT_SECONDS = 2_147_483;
const EVENT_LOG_LIMIT = 2_000;
const ACCOUNT = '000000000000';
const REGION = 'local';

export const localFunctionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const stateMachineArn = (workflow: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${workflow}`;
const executionArn = (workflow: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${workflow}:${name}`;

export interface WorkflowDefinition {
  name: string;
  /** ASL with every ${Placeholder} already substituted. */
  definition: Json;
}

interface Waiter {
  token: string;
  execution: string;
  waiting: boolean;
  settled: boolean;
  cancelTimer?: () => void;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

interface Running {
  record: ExecutionRecord;
  abort: () => void;
}

export interface EngineEvent {
  type: string;
  timestamp: string;
  [key: string]: unknown;
}

/**
 * Runs Steward's ASL in-process with aws-local-stepfunctions and supplies what that library lacks:
 * `.waitForTaskToken` callbacks with deadlines on a controllable clock, idempotent named starts,
 * stop, describe, durable execution records (resumed after a restart) and an event log.
 */
export class LocalEngine implements WorkflowPort {
  private readonly machines = new Map<string, { machine: StateMachine; taskStates: Map<string, Json> }>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly running = new Map<string, Running>();
  private readonly eventLogs = new Map<string, EngineEvent[]>();
  private stopped = false;

  /** State transitions and handler invocations, for benchmarks and cost estimates. */
  readonly counters = { transitions: 0, invocations: 0, executions: 0 };

  constructor(
    definitions: WorkflowDefinition[],
    private readonly invoke: FunctionInvoker,
    private readonly clock: TimerClock,
    private readonly tracker: ActivityTracker,
    private readonly records: ExecutionRecords,
    private readonly retryIntervalMs?: number,
  ) {
    for (const { name, definition } of definitions) {
      const localDefinition = rewriteCallbackTasks(definition);
      const taskStates = new Map<string, Json>();
      collectTaskStates(localDefinition, taskStates);
      this.machines.set(name, {
        machine: new StateMachine(localDefinition, { validationOptions: { checkPaths: true, checkArn: true } }),
        taskStates,
      });
    }
  }

  get workflows(): string[] {
    return [...this.machines.keys()];
  }

  async start(workflow: string, name: string, input: unknown): Promise<StartResult> {
    if (!this.machines.has(workflow)) throw new Error(`unknown workflow "${workflow}"`);
    const record: ExecutionRecord = {
      workflow,
      name,
      input,
      status: 'RUNNING',
      startDate: this.clock.now().toISOString(),
    };
    const created = await this.records.create(record);
    if (!created) return { executionArn: executionArn(workflow, name), alreadyStarted: true };
    this.launch(record);
    return { executionArn: executionArn(workflow, name), alreadyStarted: false };
  }

  /** Resumes every execution left RUNNING by an earlier process from its first state. */
  async resumeOpen(): Promise<number> {
    const open = await this.records.listRunning();
    for (const record of open) {
      if (!this.machines.has(record.workflow) || this.running.has(key(record.workflow, record.name))) continue;
      this.log(record, { type: 'ExecutionResumed' });
      this.launch(record);
    }
    return open.length;
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<boolean> {
    return this.settle(token, (waiter) => waiter.resolve(output ?? {}));
  }

  async sendTaskFailure(token: string, error: string, cause?: string): Promise<boolean> {
    return this.settle(token, (waiter) => waiter.reject(namedError(error, cause ?? error)));
  }

  async stop(workflow: string, name: string): Promise<void> {
    const running = this.running.get(key(workflow, name));
    if (running) {
      running.abort();
      return;
    }
    const record = await this.records.get(workflow, name);
    if (record?.status === 'RUNNING') await this.finish(record, 'ABORTED', {});
  }

  async describe(workflow: string, name: string): Promise<(ExecutionDescription & { events: EngineEvent[] }) | undefined> {
    const record = await this.records.get(workflow, name);
    if (!record) return undefined;
    return { ...record, events: this.eventLogs.get(key(workflow, name)) ?? [] };
  }

  /** Stops in-process work without touching the records, as a crash would: a restart resumes them. */
  shutdown(): void {
    this.stopped = true;
    this.dropWaiters(() => true);
    for (const running of this.running.values()) running.abort();
  }

  private settle(token: string, act: (waiter: Waiter) => void): boolean {
    const waiter = this.waiters.get(token);
    if (!waiter || waiter.settled) return false;
    waiter.settled = true;
    this.waiters.delete(token);
    waiter.cancelTimer?.();
    if (waiter.waiting) this.tracker.enter(); // the execution becomes busy again
    waiter.waiting = false;
    act(waiter);
    return true;
  }

  private launch(record: ExecutionRecord): void {
    const { machine, taskStates } = this.machines.get(record.workflow)!;
    const id = key(record.workflow, record.name);
    this.tracker.enter();
    this.counters.executions++;
    const overrides: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [stateName, state] of taskStates) overrides[stateName] = (input) => this.runTask(record, state, input);
    const retryIntervalOverrides: Record<string, number> = {};
    if (this.retryIntervalMs !== undefined)
      for (const stateName of taskStates.keys()) retryIntervalOverrides[stateName] = this.retryIntervalMs;
    const execution = machine.run(
      record.input as Json,
      {
        overrides: { taskResourceLocalHandlers: overrides, retryIntervalOverrides },
        context: {
          Execution: {
            Id: executionArn(record.workflow, record.name),
            Name: record.name,
            Input: record.input,
            StartTime: record.startDate,
          },
          StateMachine: { Id: stateMachineArn(record.workflow), Name: record.workflow },
          Task: { Token: TOKEN_PLACEHOLDER },
        },
      } as Json,
    );
    this.running.set(id, { record, abort: execution.abort });
    this.log(record, { type: 'ExecutionStarted' });
    void this.drainEvents(record, execution.eventLogs as AsyncGenerator<Json>);
    execution.result
      .then(
        (output: unknown) => this.finish(record, 'SUCCEEDED', { output }),
        (error: Error) => {
          if (this.stopped) return;
          const aborted = error?.name === 'ExecutionAbortedError';
          // The library wraps the failing error (a Fail state's, or an uncaught task error) in ExecutionError.
          const failure = (error?.name === 'ExecutionError' && error.cause instanceof Error ? error.cause : error) as Error;
          return this.finish(record, aborted ? 'ABORTED' : 'FAILED', aborted ? {} : { error: failure?.name, cause: failure?.message });
        },
      )
      .catch((error: unknown) => console.error(`[engine] could not record the end of ${record.name}:`, error))
      .finally(() => {
        this.running.delete(id);
        this.tracker.leave();
      });
  }

  private async finish(record: ExecutionRecord, status: ExecutionStatus, result: Partial<ExecutionRecord>): Promise<void> {
    this.dropWaiters((waiter) => waiter.execution === key(record.workflow, record.name));
    if (this.stopped) return;
    const done = { ...record, ...result, status, stopDate: this.clock.now().toISOString() };
    this.log(record, { type: `Execution${status === 'SUCCEEDED' ? 'Succeeded' : status === 'ABORTED' ? 'Aborted' : 'Failed'}`, ...result });
    await this.records.finish(done);
  }

  private async runTask(record: ExecutionRecord, state: Json, input: Json): Promise<Json> {
    if (this.stopped) throw namedError('States.Runtime', 'engine stopped');
    if (state[CALLBACK] === true) return this.runCallbackTask(record, input);
    const resource: string = state.Resource;
    if (resource.startsWith('arn:aws:lambda:')) {
      return this.call(functionNameOf(resource), input);
    }
    // arn:aws:states:::lambda:invoke — input is {FunctionName, Payload}; output the invoke result shape.
    const payload = await this.call(functionNameOf(input.FunctionName), input.Payload);
    return { ExecutedVersion: '$LATEST', Payload: payload ?? null, StatusCode: 200 };
  }

  private async call(functionName: string, payload: unknown): Promise<Json> {
    this.counters.invocations++;
    return this.invoke(functionName, payload);
  }

  private async runCallbackTask(record: ExecutionRecord, input: Json): Promise<Json> {
    const token = `${record.name}.${randomBytes(12).toString('base64url')}`;
    const params = replaceToken(input[PARAMS_KEY], token);
    const timeoutSeconds: number | undefined = input[TIMEOUT_KEY];
    let waiter!: Waiter;
    const settled = new Promise<Json>((resolve, reject) => {
      waiter = { token, execution: key(record.workflow, record.name), waiting: false, settled: false, resolve, reject };
    });
    this.waiters.set(token, waiter);
    this.log(record, { type: 'TaskTokenIssued', token, timeoutSeconds });
    try {
      await this.call(functionNameOf(params.FunctionName), params.Payload);
    } catch (error) {
      this.waiters.delete(token);
      throw error;
    }
    if (!waiter.settled) {
      if (timeoutSeconds !== undefined) {
        const deadline = new Date(this.clock.now().getTime() + timeoutSeconds * 1000);
        waiter.cancelTimer = this.clock.schedule(deadline, () => {
          this.log(record, { type: 'TaskTimedOut', token });
          this.settle(token, (w) => w.reject(namedError('States.Timeout', `callback not received within ${timeoutSeconds} s`)));
        });
      }
      waiter.waiting = true;
      this.tracker.leave(); // waiting for a callback is not work in flight
    }
    return settled;
  }

  /** Forgets callbacks that will never be settled (execution ended or engine stopped). */
  private dropWaiters(match: (waiter: Waiter) => boolean): void {
    for (const waiter of [...this.waiters.values()]) {
      if (!match(waiter)) continue;
      waiter.cancelTimer?.();
      this.waiters.delete(waiter.token);
      // A waiting execution had left the tracker; its run's end leaves it again.
      if (waiter.waiting) this.tracker.enter();
      waiter.waiting = false;
      waiter.settled = true;
    }
  }

  private log(record: ExecutionRecord, event: Omit<EngineEvent, 'timestamp'>): void {
    const id = key(record.workflow, record.name);
    const events = this.eventLogs.get(id) ?? [];
    events.push({ ...event, timestamp: this.clock.now().toISOString() } as EngineEvent);
    if (events.length > EVENT_LOG_LIMIT) events.splice(0, events.length - EVENT_LOG_LIMIT);
    this.eventLogs.set(id, events);
  }

  private async drainEvents(record: ExecutionRecord, events: AsyncGenerator<Json>): Promise<void> {
    try {
      for await (const event of events) {
        if (event.type === 'StateEntered') this.counters.transitions++;
        if (event.type === 'ExecutionStarted' || event.type === 'ExecutionSucceeded') continue;
        const { timestamp: _ignored, ...rest } = event;
        this.log(record, { ...rest, type: event.type, state: event.state?.name });
      }
    } catch {
      // The event stream ends with the execution; errors are recorded by the result handler.
    }
  }
}

const CALLBACK = Symbol('steward.callback');

function key(workflow: string, name: string): string {
  return `${workflow}/${name}`;
}

function functionNameOf(nameOrArn: string): string {
  const match = /:function:([^:]+)/.exec(nameOrArn);
  return match ? match[1] : nameOrArn;
}

export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function replaceToken(value: Json, token: string): Json {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((entry) => replaceToken(entry, token));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceToken(v, token)]));
  }
  return value;
}

/**
 * Turns every `arn:aws:states:::lambda:invoke.waitForTaskToken` Task into a plain task whose
 * Parameters carry the original Parameters and the resolved timeout, so the binding can issue
 * the token and keep the deadline on the controllable clock (the library's timers are real time
 * and overflow after 24.8 days). TimeoutSecondsPath is resolved against the effective input,
 * as on AWS.
 */
export function rewriteCallbackTasks(definition: Json): Json {
  const copy = structuredClone(definition);
  const visit = (machine: Json) => {
    for (const state of Object.values<Json>(machine.States ?? {})) {
      if (state.Type === 'Parallel') for (const branch of state.Branches ?? []) visit(branch);
      if (state.Type === 'Map') visit(state.ItemProcessor ?? state.Iterator ?? {});
      if (state.Type !== 'Task' || typeof state.Resource !== 'string' || !state.Resource.endsWith('.waitForTaskToken')) continue;
      if (!state.Resource.startsWith('arn:aws:states:::lambda:invoke')) {
        throw new Error(`only lambda:invoke callback tasks are supported locally, not ${state.Resource}`);
      }
      const parameters: Json = { [PARAMS_KEY]: state.Parameters ?? {} };
      if (state.TimeoutSeconds !== undefined) parameters[TIMEOUT_KEY] = state.TimeoutSeconds;
      if (state.TimeoutSecondsPath !== undefined) parameters[`${TIMEOUT_KEY}.$`] = state.TimeoutSecondsPath;
      state.Resource = 'arn:aws:states:::lambda:invoke';
      state.Parameters = parameters;
      delete state.TimeoutSecondsPath;
      delete state.HeartbeatSeconds;
      delete state.HeartbeatSecondsPath;
      state.TimeoutSeconds = ENGINE_TASK_TIMEOUT_SECONDS;
      Object.defineProperty(state, CALLBACK, { value: true, enumerable: false });
    }
  };
  visit(copy);
  return copy;
}

function collectTaskStates(machine: Json, into: Map<string, Json>): void {
  for (const [name, state] of Object.entries<Json>(machine.States ?? {})) {
    if (state.Type === 'Task') into.set(name, state);
    if (state.Type === 'Parallel') for (const branch of state.Branches ?? []) collectTaskStates(branch, into);
    if (state.Type === 'Map') collectTaskStates(state.ItemProcessor ?? state.Iterator ?? {}, into);
  }
}
