import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionStatus } from '../../kernel/workflow-port.ts';
import { LocalIdTable } from './local-table.ts';

export interface ExecutionRecord {
  workflow: string;
  name: string;
  input: unknown;
  /** The input as StartExecution received it: a second start is idempotent only with the very same text. */
  inputText?: string;
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
export class ExecutionRecords extends LocalIdTable {
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
    return this.list(undefined, 'RUNNING');
  }

  /** Records of one workflow (or all) and status (or any), oldest first. */
  async list(workflow?: string, status?: ExecutionStatus): Promise<ExecutionRecord[]> {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, string> = {};
    for (const [attribute, value] of [
      ['status', status],
      ['workflow', workflow],
    ] as const) {
      if (!value) continue;
      filters.push(`#${attribute} = :${attribute}`);
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
    }
    const items = await this.scanAll(
      filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values } : {},
    );
    const records = items.map(({ id: _id, ...record }) => record as unknown as ExecutionRecord);
    return records.sort((a, b) => a.startDate.localeCompare(b.startDate));
  }
}

const id = (workflow: string, name: string) => `${workflow}/${name}`;
