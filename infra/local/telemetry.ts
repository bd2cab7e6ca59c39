import { PowertoolsTelemetry } from '../../kernel/aws/powertools-telemetry.ts';
import type { LogRecord, Metric, TelemetrySink } from '../../kernel/telemetry.ts';

/** How the embedded runtime prints lines: readable (default), JSON as on AWS (`--json-logs`), or not at all (tests). */
export type LogFormat = 'readable' | 'json' | 'silent';
export const LOG_FORMATS: LogFormat[] = ['readable', 'json', 'silent'];

/** Lines kept in memory for GET /_local/logs and the tests, newest last. */
const KEPT_RECORDS = 2_000;

const LEVEL_COLUMN = { DEBUG: 'DEBUG', INFO: 'INFO ', WARN: 'WARN ', ERROR: 'ERROR' } as const;

/** Keys a readable line leaves out: Lambda's bookkeeping, which the JSON lines keep. */
const UNREAD_KEYS = new Set(['function_request_id', 'cold_start']);

/** `12:04:05.123 WARN  [webhooks] alert ingested  issueId=… customerId=…`, an error's stack below it. */
export function readableLine({ level, message, attributes, error }: LogRecord, at: Date): string {
  const label = attributes.function_name ?? attributes.component;
  const keys = Object.entries(attributes)
    .filter(([key, value]) => !UNREAD_KEYS.has(key) && value !== label)
    .map(([key, value]) => `${key}=${typeof value === 'string' && /[\s"=]/.test(value) ? JSON.stringify(value) : value}`)
    .join(' ');
  const head = `${at.toISOString().slice(11, 23)} ${LEVEL_COLUMN[level]} ${label ? `[${label}] ` : ''}${message}${keys ? `  ${keys}` : ''}`;
  return error ? `${head}\n  ${error.stack ?? `${error.name}: ${error.message}`}` : head;
}

/**
 * The embedded runtime's telemetry: the same lines and counts as on AWS, printed readably (or as
 * Powertools prints them on AWS), counted in memory for GET /_local/metrics, and the latest kept.
 */
export class LocalTelemetry implements TelemetrySink {
  private readonly counts = new Map<Metric, number>();
  readonly records: LogRecord[] = [];
  private readonly aws?: PowertoolsTelemetry;

  constructor(private readonly format: LogFormat) {
    if (format === 'json') this.aws = new PowertoolsTelemetry('steward-local');
  }

  log(record: LogRecord): void {
    this.records.push(record);
    if (this.records.length > KEPT_RECORDS) this.records.splice(0, this.records.length - KEPT_RECORDS);
    if (this.aws) this.aws.log(record);
    else if (this.format === 'readable') {
      const line = readableLine(record, new Date());
      if (record.level === 'ERROR' || record.level === 'WARN') process.stderr.write(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    }
  }

  count(metric: Metric, value: number): void {
    this.counts.set(metric, (this.counts.get(metric) ?? 0) + value);
    this.aws?.count(metric, value);
  }

  flush(): void {
    this.aws?.flush();
  }

  /** Every metric counted since the runtime started. */
  metrics(): Partial<Record<Metric, number>> {
    return Object.fromEntries(this.counts);
  }
}
