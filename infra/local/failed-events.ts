import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LocalIdTable } from './local-table.ts';

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
export class FailedEvents extends LocalIdTable {
  async add(event: FailedEvent): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: event }));
  }

  /** Oldest first. */
  async list(limit = MAX_FAILED_EVENTS_LISTED): Promise<FailedEvent[]> {
    const events = (await this.scanAll()) as unknown as FailedEvent[];
    return events.sort((a, b) => a.record.timestamp.localeCompare(b.record.timestamp) || a.id.localeCompare(b.id)).slice(0, limit);
  }

  async remove(id: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { id } }));
  }
}
