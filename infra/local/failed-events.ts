import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ensureIdTable } from './local-table.ts';

/** Lambda's on-failure destination record for an asynchronous invocation whose retries ran out. */
export interface FailedEventRecord {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: 'RetriesExhausted'; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext: { statusCode: 200; executedVersion: '$LATEST'; functionError: 'Unhandled' };
  responsePayload: { errorType: string; errorMessage: string };
}

export interface FailedEvent {
  id: string;
  functionName: string;
  record: FailedEventRecord;
}

/** Listed at most (a redrive takes the oldest first). */
export const MAX_FAILED_EVENTS_LISTED = 1000;

/**
 * The embedded runtime's on-failure destination (an SQS queue on AWS): asynchronous events whose
 * three attempts failed, kept in a DynamoDB Local table of their own until someone redrives them.
 */
export class FailedEvents {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  ensureTable(): Promise<void> {
    return ensureIdTable(this.client, this.tableName);
  }

  async add(event: FailedEvent): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: event }));
  }

  /** Oldest first. */
  async list(limit = MAX_FAILED_EVENTS_LISTED): Promise<FailedEvent[]> {
    const events: FailedEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: start }));
      events.push(...((out.Items ?? []) as FailedEvent[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return events.sort((a, b) => a.record.timestamp.localeCompare(b.record.timestamp) || a.id.localeCompare(b.id)).slice(0, limit);
  }

  async remove(id: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { id } }));
  }
}
