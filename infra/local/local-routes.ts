import { bearerToken, constantTimeEqual } from '../../kernel/http.ts';
import { EXECUTION_STATUSES, type ExecutionStatus } from '../../kernel/workflow-port.ts';
import { ManualClock, type TimerClock } from './clock.ts';
import { parseDuration } from './duration.ts';
import type { LocalEngine } from './engine.ts';
import type { ExecutionRecords } from './execution-records.ts';
import type { FailedEvents } from './failed-events.ts';
import { type Faults, parseFaults } from './faults.ts';
import type { LocalRoute } from './http-server.ts';
import { parseInstant } from './instant.ts';
import { CONSOLE_PATH } from './console.ts';
import { newAccountSchema, type SignInProvider } from './sign-in-provider.ts';

/** One move fires every timer on its way (hourly dunning runs among them): a century would block the runtime for hours. */
const MAX_CLOCK_MOVE_DAYS = 400;
const MAX_CLOCK_MOVE_MS = MAX_CLOCK_MOVE_DAYS * 24 * 60 * 60 * 1000;

/** What the runtime's own routes reach. */
export interface LocalRoutesContext {
  apiToken: string;
  clock: TimerClock;
  faults: Faults;
  failedEvents: FailedEvents;
  /** Invokes a failed event's function again, asynchronously (three fresh attempts). */
  redrive: (functionName: string, payload: unknown) => void;
  records: ExecutionRecords;
  engine: LocalEngine;
  metrics: () => unknown;
  provider?: SignInProvider;
  health: () => Promise<{ status: number; body: unknown }>;
}

/**
 * The embedded runtime's own routes: `/health` (no auth), `/` to the console, and the `/_local/…`
 * routes (bearer token): the clock, faults, failed events, executions, metrics and sign-in accounts.
 */
export function localRoutesOf(ctx: LocalRoutesContext): LocalRoute {
  const route: LocalRoute = async ({ method, path, query, body, headers }) => {
    if (path === '/health' && method === 'GET') return ctx.health();
    if (path === '/' && method === 'GET') return { status: 302, body: '', headers: { location: `${CONSOLE_PATH}/` } };
    if (!path.startsWith('/_local/')) return undefined;
    if (!constantTimeEqual(bearerToken(headers.authorization) ?? '', ctx.apiToken))
      return { status: 401, body: { error: 'missing or invalid bearer token' } };
    if (path === '/_local/clock' && method === 'GET')
      return { status: 200, body: { now: ctx.clock.now().toISOString(), mode: ctx.clock.mode } };
    if (path === '/_local/clock' && method === 'POST') return moveClock(ctx.clock, body);
    if (path === '/_local/faults' && method === 'GET')
      return { status: 200, body: { faults: ctx.faults.current, injected: ctx.faults.injected } };
    if (path === '/_local/faults' && method === 'POST') return setFaults(ctx.faults, body);
    if (path === '/_local/failed-events' && method === 'GET') {
      const events = await ctx.failedEvents.list();
      return { status: 200, body: { count: events.length, events } };
    }
    if (path === '/_local/failed-events/redrive' && method === 'POST') {
      // Each event gets three fresh attempts; one that fails them all comes back here.
      const events = await ctx.failedEvents.list();
      for (const event of events) {
        await ctx.failedEvents.remove(event.id);
        ctx.redrive(event.functionName, event.record.requestPayload);
      }
      return { status: 200, body: { redriven: events.length } };
    }
    if (path === '/_local/executions' && method === 'GET') return listExecutions(ctx, query);
    if (path === '/_local/metrics' && method === 'GET') return { status: 200, body: { metrics: ctx.metrics() } };
    if (path === '/_local/sign-in/accounts' && method === 'POST') return addAccount(ctx.provider, body);
    const execution = /^\/_local\/executions\/([^/]+)\/([^/]+)$/.exec(path);
    if (execution && method === 'GET') {
      const [workflow, name] = [decodeURIComponent(execution[1]), decodeURIComponent(execution[2])];
      // Step Functions' own bounds: a state machine or execution name is 1 to 80 characters.
      if (workflow.length > 80 || name.length > 80)
        return { status: 400, body: { error: `${workflow.length > 80 ? 'workflow' : 'name'}: at most 80 characters` } };
      const description = await ctx.engine.describe(workflow, name);
      return description ? { status: 200, body: description } : { status: 404, body: { error: 'no such execution' } };
    }
    return { status: 404, body: { error: `no route ${method} ${path}` } };
  };
  return route;
}

/** The engine's executions, newest first, by workflow and status (as ListExecutions filters them), at most 1,000. */
async function listExecutions({ engine, records }: Pick<LocalRoutesContext, 'engine' | 'records'>, query: URLSearchParams) {
  const workflow = query.get('workflow') ?? undefined;
  const status = query.get('status') ?? undefined;
  const workflows = engine.workflows;
  if (workflow !== undefined && !workflows.includes(workflow))
    return { status: 400, body: { error: `workflow: one of ${workflows.join(', ')}` } };
  if (status !== undefined && !EXECUTION_STATUSES.includes(status as ExecutionStatus))
    return { status: 400, body: { error: `status: one of ${EXECUTION_STATUSES.join(', ')}` } };
  const all = (await records.list(workflow, status as ExecutionStatus | undefined)).reverse();
  const executions = all.slice(0, 1_000).map(({ workflow: of, name, status: state, startDate, stopDate, error, cause }) => ({
    workflow: of,
    name,
    status: state,
    startDate,
    stopDate,
    error,
    cause,
  }));
  return { status: 200, body: { count: all.length, executions } };
}

/** A local sign-in account (what an admin does in Cognito's console on AWS); its Steward user is made with POST /users. */
async function addAccount(provider: SignInProvider | undefined, body: Buffer) {
  if (!provider)
    return { status: 409, body: { error: 'sign-in is with STEWARD_OIDC_ISSUER, not the embedded provider: add accounts there' } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8') || 'null');
  } catch {
    return { status: 400, body: { error: 'request body is not valid JSON' } };
  }
  const account = newAccountSchema.safeParse(parsed);
  if (!account.success) {
    const issue = account.error.issues[0];
    return { status: 400, body: { error: `${issue.path.join('.') || 'body'}: ${issue.message}` } };
  }
  try {
    return { status: 201, body: provider.addAccount(account.data) };
  } catch (error) {
    return { status: 409, body: { error: (error as Error).message } };
  }
}

async function setFaults(faults: Faults, body: Buffer) {
  try {
    faults.set(parseFaults(JSON.parse(body.toString('utf8') || 'null')));
  } catch (error) {
    return { status: 400, body: { error: error instanceof SyntaxError ? 'request body is not valid JSON' : (error as Error).message } };
  }
  return { status: 200, body: { faults: faults.current, injected: faults.injected } };
}

async function moveClock(clock: TimerClock, body: Buffer) {
  if (!(clock instanceof ManualClock))
    return { status: 409, body: { error: 'the clock is real time; start with STEWARD_CLOCK=manual to move it' } };
  let request: { advance?: unknown; to?: unknown };
  try {
    request = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return { status: 400, body: { error: 'request body is not valid JSON' } };
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return { status: 400, body: { error: 'request body must be an object: {"advance": "PT2H"} or {"to": "2026-12-01T09:00:00Z"}' } };
  }
  let target: Date;
  if (typeof request.advance === 'string' && request.to === undefined) {
    const ms = parseDuration(request.advance);
    if (ms === undefined)
      return {
        status: 400,
        body: { error: `advance: "${request.advance.slice(0, 64)}" is not an ISO-8601 duration such as PT2H or P1DT30M` },
      };
    target = new Date(clock.now().getTime() + ms);
  } else if (typeof request.to === 'string' && request.advance === undefined) {
    const parsed = parseInstant(request.to);
    if (!parsed)
      return {
        status: 400,
        body: { error: `to: "${request.to.slice(0, 64)}" is not an ISO-8601 timestamp with an offset, such as 2026-12-01T09:00:00Z` },
      };
    target = parsed;
    if (target < clock.now())
      return {
        status: 400,
        body: { error: `to: ${request.to} is before now (${clock.now().toISOString()}); the clock only moves forward` },
      };
  } else {
    return { status: 400, body: { error: 'give exactly one of "advance" (ISO-8601 duration) or "to" (ISO timestamp)' } };
  }
  if (target.getTime() - clock.now().getTime() > MAX_CLOCK_MOVE_MS)
    return {
      status: 400,
      body: {
        error: `the clock moves at most ${MAX_CLOCK_MOVE_DAYS} days per request (every timer on the way fires); move it in steps`,
      },
    };
  const now = await clock.advanceTo(target);
  return { status: 200, body: { now: now.toISOString() } };
}
