import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What an operator watches, each a count per minute (CloudWatch namespace "Steward" on AWS, the
 * dashboard in infra/cdk/operations.ts; GET /_local/metrics in the embedded runtime).
 */
export const METRICS = {
  EmailsSent: 'emails SES accepted',
  EmailsFailed: 'sends SES refused or failed after the SDK retries (the workflow retries them)',
  EmailsRetried: 'send attempts the SDK repeated (throttling, 5xx)',
  AlertsIngested: 'alerts and resolutions received from monitoring webhooks',
  MailReceived: 'inbound emails handled (issues opened, updates, replies)',
  MailQuarantined: 'inbound emails set aside for a FAIL spam or virus verdict',
  ExecutionsStarted: 'workflow executions started',
  ExecutionsRestarted: 'executions restarted after one failed, timed out or was stopped',
  DunningCustomersDue: 'customers a dunning run found due',
  DunningCustomersWoken: 'due customers whose dunning workflow a run woke or started',
  LinksUsed: 'customer and staff link pages answered (views and actions)',
} as const;
export type Metric = keyof typeof METRICS;

/** The CloudWatch namespace of Steward's metrics; on AWS the `service` dimension names the stage (POWERTOOLS_SERVICE_NAME). */
export const METRICS_NAMESPACE = 'Steward';

export type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Keys that say what a line concerns; the invocation's keys are added to every line it writes. */
export type LogKeys = Record<string, string | number | boolean | undefined>;

export interface LogRecord {
  level: Level;
  message: string;
  /** The invocation's keys (function, request, ids) and the line's own. */
  attributes: LogKeys;
  error?: Error;
}

/** Where lines and counts go: Powertools on AWS; the terminal and memory in the embedded runtime. */
export interface TelemetrySink {
  log(record: LogRecord): void;
  count(metric: Metric, value: number): void;
  /** Publishes what was counted (EMF lines on AWS); called when an invocation ends. */
  flush(): void;
}

const invocation = new AsyncLocalStorage<LogKeys>();

/** At most this many characters of an id on a log line: ids come from clients. */
const MAX_KEY_CHARS = 200;

const defined = (keys: LogKeys): LogKeys =>
  Object.fromEntries(
    Object.entries(keys)
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([key, value]) => [key, typeof value === 'string' ? value.slice(0, MAX_KEY_CHARS) : value]),
  );

/**
 * Structured logs and metrics for one process. Every line carries the keys of the invocation it is
 * written in (the function, its request id, the issue, customer or invoice), so concurrent
 * invocations in the embedded runtime never mix their keys.
 */
export class Telemetry {
  constructor(private readonly sink: TelemetrySink) {}

  info(message: string, attributes: LogKeys = {}): void {
    this.write('INFO', message, attributes);
  }

  warn(message: string, attributes: LogKeys = {}): void {
    this.write('WARN', message, attributes);
  }

  error(message: string, error?: unknown, attributes: LogKeys = {}): void {
    this.write('ERROR', message, attributes, error instanceof Error ? error : error === undefined ? undefined : new Error(String(error)));
  }

  count(metric: Metric, value = 1): void {
    if (value > 0) this.sink.count(metric, value);
  }

  /** Adds keys (an issue, customer or invoice the invocation turned out to concern) to its later lines. */
  annotate(keys: LogKeys): void {
    const current = invocation.getStore();
    if (current) Object.assign(current, defined(keys));
  }

  /** Runs one invocation: its lines carry `keys`, and what it counted is published when it ends. */
  async invocation<T>(keys: LogKeys, run: () => Promise<T>): Promise<T> {
    try {
      return await invocation.run(defined(keys), run);
    } finally {
      this.sink.flush();
    }
  }

  private write(level: Level, message: string, attributes: LogKeys, error?: Error): void {
    this.sink.log({ level, message, attributes: { ...invocation.getStore(), ...defined(attributes) }, error });
  }
}

/** Which id a route's `{id}` is, by the route path's start. */
const PATH_IDS: [string, string][] = [
  ['/issues/{id}', 'issueId'],
  ['/customers/{id}', 'customerId'],
  ['/invoices/imports/{id}', 'jobId'],
  ['/invoices/{id}', 'invoiceId'],
];
const EVENT_IDS = ['issueId', 'customerId', 'invoiceId', 'jobId', 'execution'];

/**
 * The keys an invocation's event names: a workflow task's issue, customer, import or execution (a
 * case loop's turn: in its `case`); an
 * API request's id and the issue, customer or invoice its route names.
 */
export function correlationOf(event: unknown): LogKeys {
  if (!event || typeof event !== 'object') return {};
  const fields = event as Record<string, unknown>;
  const keys: LogKeys = {};
  // A case loop's turn carries its execution's input as `case`.
  const inputs = [fields, ...(fields.case && typeof fields.case === 'object' ? [fields.case as Record<string, unknown>] : [])];
  for (const input of inputs) for (const key of EVENT_IDS) if (typeof input[key] === 'string') keys[key] = input[key] as string;
  const request = fields.requestContext as { requestId?: unknown } | undefined;
  if (typeof request?.requestId === 'string') keys.apiRequestId = request.requestId;
  const routePath = typeof fields.routeKey === 'string' ? fields.routeKey.slice(fields.routeKey.indexOf(' ') + 1) : '';
  const id = (fields.pathParameters as Record<string, unknown> | undefined)?.id;
  const named = PATH_IDS.find(([prefix]) => routePath.startsWith(prefix));
  if (named && typeof id === 'string') keys[named[1]] = id;
  return defined(keys);
}
