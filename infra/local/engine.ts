import { randomBytes } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { ExecutionStatus } from '../../kernel/workflow-port.ts';
import { executionArn, functionArn, isValidExecutionName, LOCAL_PLACE, stateMachineArn } from '../aws-names.ts';
import type { AslDefinition } from '../workflow-manifest.ts';
import type { ActivityTracker, TimerClock } from './clock.ts';
import type { ExecutionRecords, ExecutionRecord } from './execution-records.ts';
import { Telemetry } from '../../kernel/telemetry.ts';
import { LocalTelemetry } from './telemetry.ts';

/** Invokes a Lambda handler by function name with a real event; returns its result. */
export type FunctionInvoker = (functionName: string, payload: unknown) => Promise<unknown>;

type Json = AslDefinition;

const TOKEN_PLACEHOLDER = '__steward_task_token__';
const START_TIME_KEY = 'StewardStartTime';
const PARAMS_KEY = 'steward.params';
const TIMEOUT_KEY = 'steward.timeoutSeconds';
// The engine's own timer for an overridden Task; the real deadline is kept on our clock.
const ENGINE_TASK_TIMEOUT_SECONDS = 2_147_483;
const EVENT_LOG_LIMIT = 2_000;
/** Step Functions' quotas for a Standard workflow. */
export const SFN_LIMITS = {
  payloadBytes: 262_144,
  historyEvents: 25_000,
  executionMs: 365 * 24 * 60 * 60 * 1000,
};
/** How many settled or timed-out tokens the engine remembers, to answer TaskTimedOut rather than TaskDoesNotExist. */
const CLOSED_TOKEN_MEMORY = 50_000;

export const localFunctionArn = (name: string) => functionArn(LOCAL_PLACE, name);

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
  /** Why the engine itself ended the run (AWS's 1-year or history limit), when it did. */
  endedBy?: { status: ExecutionStatus; error: string; cause: string };
  historyEvents: number;
  cancelLifetime: () => void;
}

export interface EngineEvent {
  type: string;
  timestamp: string;
  [key: string]: unknown;
}

/**
 * Runs Steward's ASL in-process with aws-local-stepfunctions and supplies what that library lacks:
 * `.waitForTaskToken` callbacks with deadlines on a controllable clock, named starts with AWS's
 * reuse rules, stop, describe, durable execution records (resumed after a restart), an event log,
 * and AWS's quotas (payload size, history length, one year). Its errors carry the names the Step
 * Functions API answers with; infra/local/sfn-api.ts serves it over that API.
 */
export class LocalEngine {
  private readonly machines = new Map<string, { machine: StateMachine; taskStates: Map<string, Json> }>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly running = new Map<string, Running>();
  private readonly eventLogs = new Map<string, EngineEvent[]>();
  private readonly closedTokens = new Set<string>();
  private stopped = false;

  /** State transitions and handler invocations, for benchmarks and cost estimates. */
  readonly counters = { transitions: 0, invocations: 0, executions: 0 };
  /** Told of every execution that ends, as EventBridge is told by Step Functions ("Execution Status Change"). */
  onClosed: (record: ExecutionRecord) => void = () => {};

  constructor(
    definitions: WorkflowDefinition[],
    private readonly invoke: FunctionInvoker,
    private readonly clock: TimerClock,
    private readonly tracker: ActivityTracker,
    private readonly records: ExecutionRecords,
    private readonly options: {
      /** Overrides Retry intervals of every Task (tests use 0). */
      retryIntervalMs?: number;
      /** Where the engine reports what it could not do (default: readable lines on the terminal). */
      telemetry?: Telemetry;
      /** AWS's 25,000 unless a test wants to reach it quickly. */
      historyEventLimit?: number;
    } = {},
  ) {
    for (const { name, definition } of definitions) this.deploy(name, definition);
  }

  /** A workflow's definition, as UpdateStateMachine sets it: executions started from now on run it, running ones keep theirs. */
  deploy(name: string, definition: Json): void {
    const localDefinition = rewriteCallbackTasks(definition);
    const taskStates = new Map<string, Json>();
    collectTaskStates(localDefinition, taskStates);
    this.machines.set(name, {
      machine: new StateMachine(localDefinition, { validationOptions: { checkPaths: true, checkArn: true } }),
      taskStates,
    });
  }

  get workflows(): string[] {
    return [...this.machines.keys()];
  }

  /**
   * StartExecution's rules: a new name starts a new execution; the name of a running execution with
   * the same input answers that execution; any other reuse (a different input, or a closed
   * execution: AWS keeps names for 90 days) is ExecutionAlreadyExists.
   */
  async start(workflow: string, name: string, inputText: string): Promise<{ executionArn: string; startDate: string }> {
    if (!this.machines.has(workflow)) throw awsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${workflow}'`);
    if (!isValidExecutionName(name)) throw awsError('InvalidName', `Invalid Name: '${name.slice(0, 100)}'`);
    const input = parsePayload(inputText, 'InvalidExecutionInput', 'input');
    const record: ExecutionRecord = { workflow, name, input, inputText, status: 'RUNNING', startDate: this.clock.now().toISOString() };
    const arn = executionArn(LOCAL_PLACE, workflow, name);
    if (await this.records.create(record)) {
      this.launch(record);
      return { executionArn: arn, startDate: record.startDate };
    }
    const existing = await this.records.get(workflow, name);
    if (existing?.status === 'RUNNING' && (existing.inputText ?? JSON.stringify(existing.input)) === inputText)
      return { executionArn: arn, startDate: existing.startDate };
    throw awsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
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

  async sendTaskSuccess(token: string, outputText: string): Promise<void> {
    const output = parsePayload(outputText, 'InvalidOutput', 'output');
    this.settle(token, (waiter) => waiter.resolve(output ?? {}));
  }

  async sendTaskFailure(token: string, error?: string, cause?: string): Promise<void> {
    this.settle(token, (waiter) => waiter.reject(namedError(error ?? '', cause ?? '')));
  }

  /** A heartbeat for a task that is still waiting; AWS answers the same errors for a stale token. */
  async sendTaskHeartbeat(token: string): Promise<void> {
    this.waiterOf(token);
  }

  /** StopExecution: a running execution ends ABORTED; stopping a closed one changes nothing. */
  async stop(workflow: string, name: string): Promise<{ stopDate: string }> {
    const running = this.running.get(key(workflow, name));
    if (running) {
      running.abort();
      return { stopDate: this.clock.now().toISOString() };
    }
    const record = await this.records.get(workflow, name);
    if (!record) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn(LOCAL_PLACE, workflow, name)}'`);
    if (record.status === 'RUNNING') await this.finish(record, 'ABORTED', {});
    return { stopDate: record.stopDate ?? this.clock.now().toISOString() };
  }

  async describe(workflow: string, name: string): Promise<(ExecutionRecord & { events: EngineEvent[] }) | undefined> {
    const record = await this.records.get(workflow, name);
    if (!record) return undefined;
    return { ...record, events: this.eventLogs.get(key(workflow, name)) ?? [] };
  }

  /** Executions of a workflow, newest first, optionally of one status. */
  async list(workflow: string, status?: ExecutionStatus): Promise<ExecutionRecord[]> {
    return (await this.records.list(workflow, status)).reverse();
  }

  /** Stops in-process work without touching the records, as a crash would: a restart resumes them. */
  shutdown(): void {
    this.stopped = true;
    this.dropWaiters(() => true);
    for (const running of this.running.values()) running.abort();
  }

  /** The waiting task a token belongs to, or the error Step Functions answers for that token. */
  private waiterOf(token: string): Waiter {
    const waiter = this.waiters.get(token);
    if (waiter && !waiter.settled) return waiter;
    if (!TOKEN_FORMAT.test(token)) throw awsError('InvalidToken', 'Invalid Token: not a task token');
    if (this.closedTokens.has(token)) throw awsError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    throw awsError('TaskDoesNotExist', 'Task Does Not Exist');
  }

  private settle(token: string, act: (waiter: Waiter) => void): void {
    const waiter = this.waiterOf(token);
    this.close(waiter);
    if (waiter.waiting) this.tracker.enter(); // the execution becomes busy again
    waiter.waiting = false;
    act(waiter);
  }

  private close(waiter: Waiter): void {
    waiter.settled = true;
    waiter.cancelTimer?.();
    this.waiters.delete(waiter.token);
    this.closedTokens.add(waiter.token);
    if (this.closedTokens.size > CLOSED_TOKEN_MEMORY) this.closedTokens.delete(this.closedTokens.values().next().value!);
  }

  private launch(record: ExecutionRecord): void {
    const { machine, taskStates } = this.machines.get(record.workflow)!;
    const id = key(record.workflow, record.name);
    this.tracker.enter();
    this.counters.executions++;
    const overrides: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [stateName, state] of taskStates) overrides[stateName] = (input) => this.runTask(record, state, input);
    const retryIntervalOverrides: Record<string, number> = {};
    if (this.options.retryIntervalMs !== undefined)
      for (const stateName of taskStates.keys()) retryIntervalOverrides[stateName] = this.options.retryIntervalMs;
    const execution = machine.run(
      record.input as Json,
      {
        overrides: { taskResourceLocalHandlers: overrides, retryIntervalOverrides },
        context: {
          Execution: {
            Id: executionArn(LOCAL_PLACE, record.workflow, record.name),
            Name: record.name,
            Input: record.input,
            [START_TIME_KEY]: record.startDate,
          },
          StateMachine: { Id: stateMachineArn(LOCAL_PLACE, record.workflow), Name: record.workflow },
          Task: { Token: TOKEN_PLACEHOLDER },
        },
      } as Json,
    );
    // AWS ends a Standard execution after one year, whatever it is doing.
    const cancelLifetime = this.clock.schedule(new Date(Date.parse(record.startDate) + SFN_LIMITS.executionMs), () =>
      this.endRun(id, { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution reached the one-year limit' }),
    );
    this.running.set(id, { record, abort: execution.abort, historyEvents: 0, cancelLifetime });
    this.log(record, { type: 'ExecutionStarted' });
    void this.drainEvents(record, execution.eventLogs as AsyncGenerator<Json>);
    execution.result
      .then(
        (output: unknown) => this.finish(record, 'SUCCEEDED', { output }),
        (error: Error) => {
          if (this.stopped) return;
          const endedBy = this.running.get(id)?.endedBy;
          if (endedBy) return this.finish(record, endedBy.status, { error: endedBy.error, cause: endedBy.cause });
          const aborted = error?.name === 'ExecutionAbortedError';
          // The library wraps the failing error (a Fail state's, or an uncaught task error) in ExecutionError.
          const failure = (error?.name === 'ExecutionError' && error.cause instanceof Error ? error.cause : error) as Error;
          return this.finish(record, aborted ? 'ABORTED' : 'FAILED', aborted ? {} : { error: failure?.name, cause: failure?.message });
        },
      )
      .catch((error: unknown) =>
        (this.options.telemetry ?? new Telemetry(new LocalTelemetry('readable'))).error('could not record the end of an execution', error, {
          component: 'engine',
          execution: record.name,
        }),
      )
      .finally(() => {
        this.running.get(id)?.cancelLifetime();
        this.running.delete(id);
        this.tracker.leave();
      });
  }

  /** Ends a run for a reason of the engine's own (a quota), as AWS would. */
  private endRun(id: string, endedBy: NonNullable<Running['endedBy']>): void {
    const running = this.running.get(id);
    if (!running || running.endedBy) return;
    running.endedBy = endedBy;
    running.abort();
  }

  private async finish(record: ExecutionRecord, status: ExecutionStatus, result: Partial<ExecutionRecord>): Promise<void> {
    this.dropWaiters((waiter) => waiter.execution === key(record.workflow, record.name));
    if (this.stopped) return;
    const done = { ...record, ...result, status, stopDate: this.clock.now().toISOString() };
    const ended = { SUCCEEDED: 'Succeeded', ABORTED: 'Aborted', TIMED_OUT: 'TimedOut', FAILED: 'Failed', RUNNING: 'Running' }[status];
    this.log(record, { type: `Execution${ended}`, ...result });
    await this.records.finish(done);
    this.onClosed(done);
  }

  private async runTask(record: ExecutionRecord, state: Json, input: Json): Promise<Json> {
    if (this.stopped) throw namedError('States.Runtime', 'engine stopped');
    if (state[CALLBACK] === true) return this.runCallbackTask(record, input);
    const resource: string = state.Resource;
    if (resource.startsWith('arn:aws:lambda:')) {
      return withinPayloadLimit(await this.call(functionNameOf(resource), input));
    }
    // arn:aws:states:::lambda:invoke — input is {FunctionName, Payload}; output the invoke result shape.
    const payload = withinPayloadLimit(await this.call(functionNameOf(input.FunctionName), input.Payload));
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
    // The task may be failed while its function still runs; the outcome is awaited once it returns.
    settled.catch(() => {});
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
          if (waiter.settled) return;
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
      this.close(waiter);
      // A waiting execution had left the tracker; its run's end leaves it again.
      if (waiter.waiting) this.tracker.enter();
      waiter.waiting = false;
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
      const id = key(record.workflow, record.name);
      for await (const event of events) {
        if (event.type === 'StateEntered') this.counters.transitions++;
        const running = this.running.get(id);
        if (running) {
          running.historyEvents += awsHistoryEvents(event);
          const limit = this.options.historyEventLimit ?? SFN_LIMITS.historyEvents;
          if (running.historyEvents > limit)
            this.endRun(id, {
              status: 'FAILED',
              error: 'States.Runtime',
              cause: `The execution reached the maximum number of history events (${limit}).`,
            });
        }
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
const TOKEN_FORMAT = /^\S{1,80}\.[A-Za-z0-9_-]{16}$/;

/** An error as the Step Functions API names it (the local API server answers with its name as __type). */
export function awsError(code: string, message: string): Error {
  return Object.assign(namedError(code, message), { awsError: true });
}

/** The events AWS would write to an execution's history for one of the library's events (Task states write the most). */
function awsHistoryEvents(event: Json): number {
  if (event.type === 'StateEntered') return event.state?.type === 'Task' ? 4 : 1; // entered, scheduled, started, ended
  if (event.type === 'StateRetried') return 3; // scheduled, started, failed again
  if (event.type === 'StateExited' || event.type === 'StateCaught') return 1;
  return 0;
}

/** A JSON payload the API received, within the payload quota; otherwise the error AWS answers. */
function parsePayload(text: string, errorCode: string, what: string): unknown {
  if (Buffer.byteLength(text) > SFN_LIMITS.payloadBytes)
    throw awsError(errorCode, `${what} exceeds the maximum of ${SFN_LIMITS.payloadBytes} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw awsError(errorCode, `${what} is not valid JSON`);
  }
}

/** AWS fails a state whose result is larger than the payload quota with States.DataLimitExceeded. */
function withinPayloadLimit(result: Json): Json {
  if (result !== undefined && Buffer.byteLength(JSON.stringify(result)) > SFN_LIMITS.payloadBytes)
    throw namedError('States.DataLimitExceeded', `the state's result exceeds ${SFN_LIMITS.payloadBytes} bytes`);
  return result;
}

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
  // The library sets $$.Execution.StartTime to the wall clock when a run begins; the engine's own
  // context field carries the start on the runtime's clock (and across a resume).
  const copy = JSON.parse(JSON.stringify(definition).replaceAll('"$$.Execution.StartTime"', () => `"$$.Execution.${START_TIME_KEY}"`));
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
