import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { SEND_TASK_SUCCESS_TARGET } from '../../kernel/aws/scheduler-timers.ts';
import type { Telemetry } from '../../kernel/telemetry.ts';
import { LOCAL_PLACE } from '../aws-names.ts';
import type { ActivityTracker, TimerClock } from './clock.ts';
import { startLocalApi } from './local-api.ts';
import { ApiQuotas } from './sfn-api.ts';

const MAX_REQUEST_BYTES = 1_048_576;
/** Scheduler's quotas and formats (CreateSchedule's API reference). */
const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const MAX_INPUT_CHARS = 8192;
/**
 * EventBridge Scheduler's request-rate quotas, the values outside its largest Regions (250 a
 * second; 1,000 to 5,000 in those): a call past them is a ThrottlingException (HTTP 429).
 */
export const SCHEDULER_API_QUOTAS: Record<string, { burst: number; perSecond: number }> = {
  CreateSchedule: { burst: 250, perSecond: 250 },
  DeleteSchedule: { burst: 250, perSecond: 250 },
  GetSchedule: { burst: 250, perSecond: 250 },
};
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]{1,512}$/;

type Body = Record<string, unknown>;

export interface Timer {
  name: string;
  group: string;
  expression: string;
  at: string;
  token: string;
  output: string;
  deleteAfter: boolean;
  state: 'ENABLED' | 'DISABLED';
}

class SchedulerError extends Error {
  constructor(
    readonly status: number,
    name: string,
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

const invalid = (message: string) => new SchedulerError(400, 'ValidationException', message);

/**
 * The embedded runtime's EventBridge Scheduler, as far as Steward uses it: one-time `at()` schedules
 * in a known group whose target answers a Step Functions callback task (the universal target
 * `sfn:sendTaskSuccess`). They fire on the runtime's clock, at the minute they name (AWS fires
 * within that minute); one set to delete after completion is gone once it fired. What the API
 * refuses on AWS it refuses here (names, expressions, a missing role or window), and a time that
 * is not in the future too: AWS would never fire it.
 */
export class LocalTimers {
  private readonly timers = new Map<string, Timer & { cancel: () => void }>();
  readonly counters = { created: 0, fired: 0, stale: 0, deleted: 0 };

  constructor(
    private readonly groups: string[],
    private readonly clock: TimerClock,
    private readonly answer: (token: string, output: string) => Promise<void>,
    private readonly tracker: ActivityTracker,
    private readonly telemetry: Telemetry,
  ) {}

  list(): Timer[] {
    return [...this.timers.values()].map(({ cancel: _cancel, ...timer }) => timer);
  }

  create(name: string, body: Body): { ScheduleArn: string } {
    const group = this.group(body.GroupName);
    if (!NAME.test(name))
      throw invalid(`1 validation error detected: Value '${name.slice(0, 100)}' at 'name' failed to satisfy constraint`);
    const expression = String(body.ScheduleExpression ?? '');
    const at = AT.exec(expression);
    if (!at) throw invalid(`Invalid Schedule Expression ${expression.slice(0, 100)}. (only one-time at() schedules are served locally)`);
    const zone = body.ScheduleExpressionTimezone ?? 'UTC';
    if (zone !== 'UTC') throw invalid(`only the UTC time zone is served locally, not ${String(zone).slice(0, 50)}`);
    const when = new Date(`${at[1]}Z`);
    if (Number.isNaN(when.getTime())) throw invalid(`Invalid Schedule Expression ${expression}.`);
    if (when.getTime() <= this.clock.now().getTime())
      throw invalid(`The schedule time ${at[1]} is not in the future; it would never fire.`);
    const window = body.FlexibleTimeWindow as Body | undefined;
    if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE')) throw invalid('FlexibleTimeWindow.Mode must be OFF or FLEXIBLE');
    const after = body.ActionAfterCompletion ?? 'NONE';
    if (after !== 'NONE' && after !== 'DELETE') throw invalid('ActionAfterCompletion must be NONE or DELETE');
    const target = body.Target as Body | undefined;
    if (!target || typeof target.Arn !== 'string') throw invalid('Target.Arn is required');
    if (typeof target.RoleArn !== 'string' || !ROLE_ARN.test(target.RoleArn)) throw invalid('Target.RoleArn must be an IAM role ARN');
    if (target.Arn !== SEND_TASK_SUCCESS_TARGET) throw invalid(`only the target ${SEND_TASK_SUCCESS_TARGET} is served locally`);
    const input = typeof target.Input === 'string' ? target.Input : '';
    if (input.length > MAX_INPUT_CHARS) throw invalid(`Target.Input is longer than ${MAX_INPUT_CHARS} characters`);
    let parsed: { TaskToken?: unknown; Output?: unknown };
    try {
      parsed = JSON.parse(input);
    } catch {
      throw invalid('Target.Input is not valid JSON');
    }
    if (typeof parsed.TaskToken !== 'string' || typeof parsed.Output !== 'string')
      throw invalid('SendTaskSuccess needs TaskToken and Output as strings');
    const id = `${group}/${name}`;
    if (this.timers.has(id)) throw new SchedulerError(409, 'ConflictException', `Schedule ${name} already exists.`);
    const timer: Timer = {
      name,
      group,
      expression,
      at: when.toISOString(),
      token: parsed.TaskToken,
      output: parsed.Output,
      deleteAfter: after === 'DELETE',
      state: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    };
    const cancel = timer.state === 'ENABLED' ? this.clock.schedule(when, () => void this.fire(id)) : () => {};
    this.timers.set(id, { ...timer, cancel });
    this.counters.created++;
    return { ScheduleArn: scheduleArn(group, name) };
  }

  get(name: string, groupName: unknown): Body {
    const timer = this.timers.get(`${this.group(groupName)}/${name}`);
    if (!timer) throw notFound(name);
    return {
      Arn: scheduleArn(timer.group, timer.name),
      Name: timer.name,
      GroupName: timer.group,
      ScheduleExpression: timer.expression,
      ScheduleExpressionTimezone: 'UTC',
      State: timer.state,
      ActionAfterCompletion: timer.deleteAfter ? 'DELETE' : 'NONE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: SEND_TASK_SUCCESS_TARGET, Input: JSON.stringify({ TaskToken: timer.token, Output: timer.output }) },
    };
  }

  delete(name: string, groupName: unknown): Body {
    const id = `${this.group(groupName)}/${name}`;
    const timer = this.timers.get(id);
    if (!timer) throw notFound(name);
    timer.cancel();
    this.timers.delete(id);
    this.counters.deleted++;
    return {};
  }

  private group(value: unknown): string {
    const group = value === undefined ? 'default' : String(value);
    if (!this.groups.includes(group))
      throw new SchedulerError(404, 'ResourceNotFoundException', `Schedule group ${group.slice(0, 64)} does not exist.`);
    return group;
  }

  private async fire(id: string): Promise<void> {
    const timer = this.timers.get(id);
    if (!timer) return;
    if (timer.deleteAfter) this.timers.delete(id);
    this.counters.fired++;
    await this.tracker.track(async () => {
      try {
        await this.answer(timer.token, timer.output);
      } catch (error) {
        // The task was answered by an event or ended with its run: Scheduler drops a target's client error.
        this.counters.stale++;
        this.telemetry.info('a timer answered a task that is no longer waiting', { timer: timer.name, error: (error as Error).name });
      }
    });
  }
}

const notFound = (name: string) => new SchedulerError(404, 'ResourceNotFoundException', `Schedule ${name.slice(0, 64)} does not exist.`);

const scheduleArn = (group: string, name: string) =>
  `arn:${LOCAL_PLACE.partition}:scheduler:${LOCAL_PLACE.region}:${LOCAL_PLACE.account}:schedule/${group}/${name}`;

/**
 * Serves LocalTimers over Scheduler's REST-JSON API on 127.0.0.1:`port` (0: any free port):
 * CreateSchedule (POST), GetSchedule (GET) and DeleteSchedule (DELETE) on /schedules/{Name}, so
 * the functions use the same @aws-sdk/client-scheduler adapter as on AWS.
 */
export async function startSchedulerApi(
  port: number,
  timers: LocalTimers,
  quotas = new ApiQuotas(SCHEDULER_API_QUOTAS),
): Promise<{ server: Server; endpoint: string; quotas: ApiQuotas }> {
  const api = await startLocalApi(port, MAX_REQUEST_BYTES, (request, response, raw) => {
    const answer = (status: number, body: Body, errorType?: string) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() };
      if (errorType) headers['x-amzn-errortype'] = errorType;
      response.writeHead(status, headers).end(JSON.stringify(body));
    };
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const path = /^\/schedules\/([^/]+)$/.exec(url.pathname);
      if (!path) throw new SchedulerError(404, 'UnknownOperationException', `no operation at ${url.pathname.slice(0, 100)}`);
      if (!raw) throw new SchedulerError(413, 'ValidationException', 'request too large');
      const name = decodeURIComponent(path[1]);
      const group = url.searchParams.get('groupName') ?? undefined;
      const operation = { GET: 'GetSchedule', DELETE: 'DeleteSchedule', POST: 'CreateSchedule' }[request.method ?? ''];
      if (operation && !quotas.take(operation)) throw new SchedulerError(429, 'ThrottlingException', 'Rate exceeded');
      if (request.method === 'GET') return answer(200, timers.get(name, group));
      if (request.method === 'DELETE') return answer(200, timers.delete(name, group));
      if (request.method !== 'POST') throw new SchedulerError(405, 'UnknownOperationException', `${request.method} is not served`);
      let body: Body;
      try {
        body = JSON.parse(raw.toString('utf8') || '{}');
      } catch {
        throw invalid('the request body is not JSON');
      }
      answer(200, timers.create(name, body));
    } catch (error) {
      if (error instanceof SchedulerError) return answer(error.status, { Message: error.message }, error.name);
      answer(500, { Message: (error as Error).message }, 'InternalServerException');
    }
  });
  return { ...api, quotas };
}
