import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionStatus } from '../../kernel/workflow-port.ts';

export interface ExecutionRecord {
  workflow: string;
  name: string;
  input: unknown;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

/**
 * The embedded engine's own execution history, in a DynamoDB Local table of its own (on AWS,
 * Step Functions keeps this). It is what makes starts idempotent by name across restarts and
 * lets a restarted runtime resume every execution that was still running.
 */
export class ExecutionRecords {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async ensureTable(): Promise<void> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      await this.client.send(
        new CreateTableCommand({
          TableName: this.tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      );
    }
  }

  /** Returns false when an execution with this name already exists. */
  async create(record: ExecutionRecord): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { id: id(record.workflow, record.name), ...record },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async get(workflow: string, name: string): Promise<ExecutionRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { id: id(workflow, name) }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { id: _id, ...record } = out.Item;
    return record as ExecutionRecord;
  }

  async finish(record: ExecutionRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { id: id(record.workflow, record.name), ...record } }));
  }

  async listRunning(): Promise<ExecutionRecord[]> {
    const records: ExecutionRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#s = :running',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':running': 'RUNNING' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const { id: _id, ...record } = item;
        records.push(record as ExecutionRecord);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return records.sort((a, b) => a.startDate.localeCompare(b.startDate));
  }
}

const id = (workflow: string, name: string) => `${workflow}/${name}`;
