import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  DeleteCommand,
  QueryCommand,
  TransactWriteCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown>;
type Expression = { ConditionExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item };
export type TransactEntry =
  | { Put: { Item: Item } & Expression }
  | { Update: { Key: Key; UpdateExpression: string } & Expression }
  | { Delete: { Key: Key } & Expression }
  | { ConditionCheck: { Key: Key; ConditionExpression: string } & Expression };
export type Key = { pk: string; sk: string };

/** Raised when a conditional write finds the item not in the expected state. */
export class ConditionFailed extends Error {
  override name = 'ConditionFailed';
  /** For a transaction: the positions of the entries whose condition failed. */
  constructor(
    message: string,
    readonly failedIndexes: number[] = [],
  ) {
    super(message);
  }
}

export interface StoreOptions {
  tableName: string;
  client?: DynamoDBClient;
  clientConfig?: DynamoDBClientConfig;
}

/**
 * The store port: a thin adapter over the DynamoDB document client for Steward's single table.
 * It counts requests so benchmarks and cost estimates read real figures.
 */
export class DynamoStore {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  private readonly doc: DynamoDBDocumentClient;
  requests = 0;

  constructor(options: StoreOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? new DynamoDBClient(options.clientConfig ?? {});
    this.doc = DynamoDBDocumentClient.from(this.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }

  async get<T extends Item = Item>(key: Key, consistent = true): Promise<T | undefined> {
    this.requests++;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }));
    return out.Item as T | undefined;
  }

  /** Writes an item; with `ifAbsent` it fails with ConditionFailed when the key exists. */
  async put(item: Item & Key, options: { ifAbsent?: boolean; condition?: string; values?: Item; names?: Record<string, string> } = {}): Promise<void> {
    this.requests++;
    const condition = options.ifAbsent ? 'attribute_not_exists(pk)' : options.condition;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeValues: options.values,
          ExpressionAttributeNames: options.names,
        }),
      );
    } catch (error) {
      throw translate(error);
    }
  }

  async update<T extends Item = Item>(input: Omit<UpdateCommandInput, 'TableName'>): Promise<T | undefined> {
    this.requests++;
    try {
      const out = await this.doc.send(new UpdateCommand({ ReturnValues: 'ALL_NEW', ...input, TableName: this.tableName }));
      return out.Attributes as T | undefined;
    } catch (error) {
      throw translate(error);
    }
  }

  async delete(key: Key): Promise<void> {
    this.requests++;
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
  }

  /** Queries every page; `limit` caps the number of items returned. */
  async query<T extends Item = Item>(input: Omit<QueryCommandInput, 'TableName'>, limit = Infinity): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      this.requests++;
      const out = await this.doc.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      items.push(...((out.Items ?? []) as T[]));
      start = out.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items.slice(0, limit);
  }

  /** Transactional write; TableName is filled in for every entry. */
  async transactWrite(items: TransactEntry[]): Promise<void> {
    this.requests++;
    const withTable = items.map((entry) => {
      const copy: Record<string, unknown> = {};
      for (const [kind, body] of Object.entries(entry)) copy[kind] = { TableName: this.tableName, ...(body as object) };
      return copy;
    });
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: withTable as TransactWriteCommandInput['TransactItems'] }));
    } catch (error) {
      throw translate(error);
    }
  }
}

function translate(error: unknown): unknown {
  const name = (error as { name?: string })?.name;
  if (name === 'ConditionalCheckFailedException') return new ConditionFailed('condition failed');
  if (name === 'TransactionCanceledException') {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
    if (failed.length) return new ConditionFailed('transaction condition failed', failed);
  }
  return error;
}
