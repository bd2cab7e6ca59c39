import { describe, expect, it } from 'vitest';
import { AuditLog, auditTrail } from '../../kernel/audit.ts';
import { authorize } from '../../kernel/actor.ts';
import { DynamoStore } from '../../kernel/dynamo-store.ts';
import type { ApiEvent, ApiResult } from '../../kernel/http.ts';
import { type LogRecord, Telemetry } from '../../kernel/telemetry.ts';

describe('the audit trail middleware', () => {
  it('a write it cannot record (the table unreachable) is reported, never turned into a 500 for a request that succeeded', async () => {
    // A real DynamoDB client against a port nobody listens on: every call fails as an outage would.
    const unreachable = new DynamoStore({
      tableName: 'steward',
      clientConfig: {
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      },
    });
    const records: LogRecord[] = [];
    const telemetry = new Telemetry({ log: (record) => records.push(record), count: () => undefined, flush: () => undefined });
    const event = {
      routeKey: 'POST /issues/{id}/events',
      pathParameters: { id: 'ISS-1' },
      body: '{"type":"acknowledge"}',
      requestContext: { http: { method: 'POST' }, requestId: 'r-1' },
    } as unknown as ApiEvent;
    authorize(event, { actor: { kind: 'token', id: 'tok_1', name: 'Alice' }, roles: ['agent'] });
    const request = { event, response: { statusCode: 202, body: '{}' } as ApiResult } as never;
    const middleware = auditTrail(new AuditLog(unreachable, { now: () => new Date('2026-12-01T09:00:00Z') } as never), telemetry);
    await expect(middleware.after!(request)).resolves.toBeUndefined();
    expect(records).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'audit entry not written',
        attributes: { action: 'POST /issues/{id}/events', actor: 'token:tok_1' },
      }),
    ]);
  });
});
