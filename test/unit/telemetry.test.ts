import { afterEach, describe, expect, it, vi } from 'vitest';
import { invocationKeys } from '../../infra/aws/lambda.ts';
import { readableLine } from '../../infra/local/telemetry.ts';
import { PowertoolsTelemetry } from '../../kernel/aws/powertools-telemetry.ts';
import { correlationOf, type LogRecord, type Metric, Telemetry, type TelemetrySink } from '../../kernel/telemetry.ts';

class Recorder implements TelemetrySink {
  records: LogRecord[] = [];
  counts: [Metric, number][] = [];
  flushes = 0;
  log(record: LogRecord) {
    this.records.push(record);
  }
  count(metric: Metric, value: number) {
    this.counts.push([metric, value]);
  }
  flush() {
    this.flushes++;
  }
}

/** What Powertools writes to stdout while `run` runs, one parsed JSON object per line. */
async function stdoutJson(run: () => void | Promise<void>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

afterEach(() => vi.restoreAllMocks());

describe('telemetry', () => {
  it('gives every line of an invocation its keys, and concurrent invocations never mix them', async () => {
    const sink = new Recorder();
    const telemetry = new Telemetry(sink);
    const work = (issueId: string, pause: number) =>
      telemetry.invocation({ function_name: 'issue-step', function_request_id: `req-${issueId}` }, async () => {
        telemetry.annotate({ issueId });
        await new Promise((resolve) => setTimeout(resolve, pause));
        telemetry.info('step done', { sent: 1 });
      });
    await Promise.all([work('I-1', 20), work('I-2', 1)]);
    expect(sink.records.map((record) => record.attributes)).toEqual([
      { function_name: 'issue-step', function_request_id: 'req-I-2', issueId: 'I-2', sent: 1 },
      { function_name: 'issue-step', function_request_id: 'req-I-1', issueId: 'I-1', sent: 1 },
    ]);
    expect(sink.flushes).toBe(2);
    telemetry.info('outside any invocation');
    expect(sink.records[2].attributes).toEqual({});
  });

  it('counts only what happened, and publishes at the end of an invocation that threw', async () => {
    const sink = new Recorder();
    const telemetry = new Telemetry(sink);
    telemetry.count('EmailsRetried', 0);
    telemetry.count('EmailsSent');
    await expect(telemetry.invocation({}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(sink.counts).toEqual([['EmailsSent', 1]]);
    expect(sink.flushes).toBe(1);
  });

  it('reads the ids an event names: a workflow task, an API route, never more than 200 characters of one', () => {
    expect(correlationOf({ issueId: 'I-7', generation: 2, execution: 'issue-I-7-g2' })).toEqual({
      issueId: 'I-7',
      execution: 'issue-I-7-g2',
    });
    // A case loop's turn: the execution's input is its `case`.
    expect(
      correlationOf({ case: { customerId: 'acme', generation: 3 }, taskToken: 't', execution: 'dunning-acme-g3', startedAt: 'x' }),
    ).toEqual({ customerId: 'acme', execution: 'dunning-acme-g3' });
    const api = (routeKey: string, id: string) => ({ routeKey, pathParameters: { id }, requestContext: { requestId: 'api-1' } });
    expect(correlationOf(api('POST /issues/{id}/events', 'I-9'))).toEqual({ issueId: 'I-9', apiRequestId: 'api-1' });
    expect(correlationOf(api('GET /customers/{id}/dunning', 'acme'))).toEqual({ customerId: 'acme', apiRequestId: 'api-1' });
    expect(correlationOf(api('GET /invoices/imports/{id}', 'job-1'))).toEqual({ jobId: 'job-1', apiRequestId: 'api-1' });
    expect(correlationOf(api('GET /invoices/{id}', 'INV-1'))).toEqual({ invoiceId: 'INV-1', apiRequestId: 'api-1' });
    expect(correlationOf({ customerId: 'x'.repeat(5_000) }).customerId).toHaveLength(200);
    expect(correlationOf('text')).toEqual({});
    expect(invocationKeys('webhooks', 'r-1', { issueId: 'I-1' })).toEqual({
      function_name: 'webhooks',
      function_request_id: 'r-1',
      issueId: 'I-1',
    });
  });

  it('prints a readable line locally: time, level, function, message, the ids; an error with its stack', () => {
    const at = new Date('2026-12-01T09:04:05.123Z');
    const line = readableLine(
      {
        level: 'WARN',
        message: 'alert',
        attributes: { function_name: 'webhooks', function_request_id: 'r-1', cold_start: true, issueId: 'I-1', title: 'disk full' },
      },
      at,
    );
    expect(line).toBe('09:04:05.123 WARN  [webhooks] alert  issueId=I-1 title="disk full"');
    const failed = readableLine(
      { level: 'ERROR', message: 'cleanup failed', attributes: { component: 'runtime' }, error: new Error('gone') },
      at,
    );
    expect(failed).toMatch(/^09:04:05\.123 ERROR \[runtime\] cleanup failed\n {2}Error: gone\n/);
  });

  it('writes JSON lines and Embedded Metric Format on AWS, with the keys and the service', async () => {
    const sink = new PowertoolsTelemetry('steward-prod');
    const telemetry = new Telemetry(sink);
    const lines = await stdoutJson(() =>
      telemetry.invocation({ function_name: 'issue-step', function_request_id: 'r-9', issueId: 'I-3' }, async () => {
        telemetry.info('customer update sent', { template: 'issue-update' });
        telemetry.count('EmailsSent', 2);
      }),
    );
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'customer update sent',
      service: 'steward-prod',
      function_name: 'issue-step',
      function_request_id: 'r-9',
      issueId: 'I-3',
      template: 'issue-update',
    });
    expect(lines[0].timestamp).toEqual(expect.any(String));
    const emf = lines.find((line) => '_aws' in line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } };
    expect(emf._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'Steward', Dimensions: [['service']], Metrics: [{ Name: 'EmailsSent', Unit: 'Count' }] },
    ]);
    expect(emf).toMatchObject({ service: 'steward-prod', EmailsSent: 2 });
    // Nothing counted: nothing published (Powertools would warn about empty metrics otherwise).
    expect(await stdoutJson(() => telemetry.invocation({}, async () => undefined))).toEqual([]);
  });
});
