import { DynamoDBClient, type ConsumedCapacity, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
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
import { utf8Bytes } from './bounds.ts';
import { DomainError } from './errors.ts';

export type Item = Record<string, unknown>;
type Expression = { ConditionExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item };
export type TransactEntry =
  | { Put: { Item: Item } & Expression }
  | { Update: { Key: Key; UpdateExpression: string } & Expression }
  | { Delete: { Key: Key } & Expression }
  | { ConditionCheck: { Key: Key; ConditionExpression: string } & Expression };
export type Key = { pk: string; sk: string };

/** DynamoDB's bounds on key attributes, in UTF-8 bytes (of the table and of every index). */
export const MAX_PARTITION_KEY_BYTES = 2_048;
export const MAX_SORT_KEY_BYTES = 1_024;

/**
 * Whether a key is within DynamoDB's bounds (1 byte to 2,048 in a partition key, to 1,024 in a sort
 * key): an item under an empty or longer key can exist nowhere, so a read of one finds nothing.
 */
const keyFits = (key: Item): boolean =>
  Object.entries(key).every(
    ([name, value]) =>
      typeof value !== 'string' ||
      !/^(pk|sk|gsi\d+pk|gsi\d+sk)$/.test(name) ||
      (value.length > 0 && utf8Bytes(value) <= (name.endsWith('pk') ? MAX_PARTITION_KEY_BYTES : MAX_SORT_KEY_BYTES)),
  );

/**
 * A write whose key would pass DynamoDB's bounds is refused before it is sent (DynamoDB answers a
 * ValidationException, which says nothing a caller can act on): a value from a request grew a key
 * too long, a 400 for the request.
 */
function assertKeyFits(key: Item): void {
  if (!keyFits(key))
    throw new DomainError(
      'invalid',
      `a value in the request cannot be stored as a key: it is empty, or longer than ${MAX_SORT_KEY_BYTES} bytes of UTF-8`,
      '(request)',
      'an empty value, or one too long to be part of a key',
    );
}

/** BatchGetItem calls one batchGet keeps in flight (each reads up to 100 items). */
const BATCH_GETS_IN_FLIGHT = 4;
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

/**
 * Another transaction held the same items at the same moment (DynamoDB's TransactionConflict): a
 * caller that re-reads and retries treats it as a lost race; one that does not, as a 409.
 */
export class ConcurrentChange extends DomainError {
  constructor() {
    super('conflict', 'the data changed concurrently; try again');
  }
}

/** The sort key condition (on `#s`) of a page: keys that start with `prefix`, strictly past `cursor` if any. */
function sortKeyCondition(prefix: string, cursor: string | undefined, descending = false): [string, Item] {
  if (cursor === undefined) return prefix ? ['begins_with(#s, :low)', { ':low': prefix }] : ['', {}];
  if (!prefix) return [descending ? '#s < :low' : '#s > :low', { ':low': cursor }];
  if (descending) return ['#s BETWEEN :low AND :high', { ':low': prefix, ':high': cursor }];
  // The first string after every one that starts with the prefix: no stored key equals it.
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return ['#s BETWEEN :low AND :high', { ':low': cursor, ':high': end }];
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
  /** Capacity units DynamoDB reports as consumed (on-demand bills read and write request units alike). */
  readonly consumed = { read: 0, write: 0 };

  constructor(options: StoreOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? new DynamoDBClient(options.clientConfig ?? {});
    this.doc = DynamoDBDocumentClient.from(this.client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }

  async get<T extends Item = Item>(key: Key, consistent = true): Promise<T | undefined> {
    if (!keyFits(key)) return undefined;
    this.requests++;
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.count('read', out.ConsumedCapacity);
    return out.Item as T | undefined;
  }

  /** Writes an item; with `ifAbsent` it fails with ConditionFailed when the key exists. */
  async put(
    item: Item & Key,
    options: { ifAbsent?: boolean; condition?: string; values?: Item; names?: Record<string, string> } = {},
  ): Promise<void> {
    assertKeyFits(item);
    this.requests++;
    const condition = options.ifAbsent ? 'attribute_not_exists(pk)' : options.condition;
    try {
      const out = await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeValues: options.values,
          ExpressionAttributeNames: options.names,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('write', out.ConsumedCapacity);
    } catch (error) {
      throw translate(error);
    }
  }

  async update<T extends Item = Item>(input: Omit<UpdateCommandInput, 'TableName'>): Promise<T | undefined> {
    assertKeyFits(input.Key ?? {});
    this.requests++;
    try {
      const out = await this.doc.send(
        new UpdateCommand({ ReturnValues: 'ALL_NEW', ReturnConsumedCapacity: 'TOTAL', ...input, TableName: this.tableName }),
      );
      this.count('write', out.ConsumedCapacity);
      return out.Attributes as T | undefined;
    } catch (error) {
      throw translate(error);
    }
  }

  /** Deletes an item; with a `condition` it fails with ConditionFailed when the condition does not hold. */
  async delete(key: Key, options: { condition?: string; values?: Item } = {}): Promise<void> {
    if (!keyFits(key)) return;
    this.requests++;
    try {
      const out = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: options.condition,
          ExpressionAttributeValues: options.values,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('write', out.ConsumedCapacity);
    } catch (error) {
      throw translate(error);
    }
  }

  /**
   * Queries every page of the table or an index; `limit` caps the number of items returned. A query of the table reads consistently unless told otherwise:
   * on AWS an eventually consistent read may miss a write just made (DynamoDB Local never does), and
   * a step must see the payment that woke it. An index can only be read eventually consistently.
   */
  async query<T extends Item = Item>(input: Omit<QueryCommandInput, 'TableName'>, limit = Infinity): Promise<T[]> {
    const consistent = input.IndexName ? undefined : (input.ConsistentRead ?? true);
    // A key condition on a value longer than any key matches nothing (DynamoDB would refuse the query).
    const values = Object.values(input.ExpressionAttributeValues ?? {});
    if (values.some((value) => typeof value === 'string' && utf8Bytes(value) > MAX_PARTITION_KEY_BYTES)) return [];
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      this.requests++;
      const out = await this.doc.send(
        new QueryCommand({
          ...input,
          ConsistentRead: consistent,
          TableName: this.tableName,
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('read', out.ConsumedCapacity);
      items.push(...((out.Items ?? []) as T[]));
      start = out.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items.slice(0, limit);
  }

  /**
   * One page of a partition's items whose sort key starts with `prefix`, in sort key order (`descending`:
   * the reverse), strictly past `after`: the rest of a sort key after the prefix, as `next` gave it. On
   * the table or on an index named `<index>pk`/`<index>sk` (a keys-only index returns keys only).
   */
  async prefixPage<T extends Item = Item>(page: {
    index?: string;
    partition: string;
    prefix: string;
    limit: number;
    after?: string;
    descending?: boolean;
  }): Promise<{ items: T[]; next?: string }> {
    const sortName = page.index ? `${page.index}sk` : 'sk';
    const cursor = page.after === undefined ? undefined : page.prefix + page.after;
    const [condition, bounds] = sortKeyCondition(page.prefix, cursor, page.descending);
    const read = await this.query<T>(
      {
        ...(page.index ? { IndexName: page.index } : {}),
        KeyConditionExpression: condition ? `#p = :p AND ${condition}` : '#p = :p',
        ExpressionAttributeNames: { '#p': page.index ? `${page.index}pk` : 'pk', ...(condition ? { '#s': sortName } : {}) },
        ExpressionAttributeValues: { ':p': page.partition, ...bounds },
        ScanIndexForward: !page.descending,
        Limit: page.limit + 2,
      },
      page.limit + 2,
    );
    // BETWEEN includes its ends: the cursor's own item.
    const past = read.filter((item) => item[sortName] !== cursor);
    const items = past.slice(0, page.limit);
    const more = past.length > page.limit;
    return { items, ...(more ? { next: String(items.at(-1)?.[sortName]).slice(page.prefix.length) } : {}) };
  }

  private count(kind: 'read' | 'write', consumed: ConsumedCapacity | undefined): void {
    this.consumed[kind] += consumed?.CapacityUnits ?? 0;
  }

  /**
   * Reads items by key, 100 per request, in the order of `keys`; missing items are left out. With
   * `attributes`, only those (and the keys) are read: less for DynamoDB to return when a list needs a few fields.
   */
  async batchGet<T extends Item = Item>(keys: Key[], attributes?: string[]): Promise<T[]> {
    const projection = attributes && {
      ProjectionExpression: ['pk', 'sk', ...attributes].map((_, index) => `#a${index}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(['pk', 'sk', ...attributes].map((name, index) => [`#a${index}`, name])),
    };
    const found = new Map<string, T>();
    const chunks: Key[][] = [];
    const readable = keys.filter(keyFits);
    for (let i = 0; i < readable.length; i += 100) chunks.push(readable.slice(i, i + 100));
    // A few BatchGetItem calls in flight at once (a list of 1,000 issues is ten), never more than BATCH_GETS_IN_FLIGHT.
    let nextChunk = 0;
    const worker = async () => {
      while (nextChunk < chunks.length) await readChunk(chunks[nextChunk++]);
    };
    const readChunk = async (chunk: Key[]) => {
      let pending: Record<string, unknown>[] | undefined = chunk;
      for (let attempt = 0; pending?.length; attempt++) {
        this.requests++;
        const out: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true, ...projection } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        for (const consumed of out.ConsumedCapacity ?? []) this.count('read', consumed);
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(`${item.pk}\u0000${item.sk}`, item as T);
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys;
        if (pending?.length) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_GETS_IN_FLIGHT, chunks.length) }, worker));
    return keys.flatMap((key): T[] => {
      const item = found.get(`${key.pk}\u0000${key.sk}`);
      return item ? [item] : [];
    });
  }

  /** Transactional write; TableName is filled in for every entry. */
  async transactWrite(items: TransactEntry[]): Promise<void> {
    for (const entry of items) {
      const body = Object.values(entry)[0] as { Item?: Item; Key?: Item };
      assertKeyFits(body.Item ?? body.Key ?? {});
    }
    this.requests++;
    const withTable = items.map((entry) => {
      const copy: Record<string, unknown> = {};
      for (const [kind, body] of Object.entries(entry)) copy[kind] = { TableName: this.tableName, ...(body as object) };
      return copy;
    });
    try {
      const out = await this.doc.send(
        new TransactWriteCommand({
          TransactItems: withTable as TransactWriteCommandInput['TransactItems'],
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      const reported = (out.ConsumedCapacity ?? []).reduce((sum, consumed) => sum + (consumed.CapacityUnits ?? 0), 0);
      this.consumed.write += Math.max(reported, transactionalWriteUnits(items));
    } catch (error) {
      throw translate(error);
    }
  }
}

/**
 * What AWS bills for a transaction: two write units per started KB of each item. DynamoDB Local
 * reports two per started KB of all items together, which undercounts a transaction of small
 * items. Only a Put's size is known here; any other entry counts at its minimum, and the reported
 * figure is the floor.
 */
export function transactionalWriteUnits(items: TransactEntry[]): number {
  return items.reduce(
    (sum, entry) => sum + 2 * ('Put' in entry && entry.Put ? Math.max(1, Math.ceil(itemBytes(entry.Put.Item) / 1024)) : 1),
    0,
  );
}

/** An item's size by DynamoDB's rules: names and values in UTF-8, numbers about a byte per two digits, 3 bytes per map or list plus 1 per element. */
export function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) if (value !== undefined) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.e+-]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueBytes(element), 0);
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueBytes(element), 0);
  if (typeof value === 'object') return 3 + itemBytes(value as Record<string, unknown>) + Object.keys(value as object).length;
  return 0;
}

function translate(error: unknown): unknown {
  const name = (error as { name?: string })?.name;
  if (name === 'ConditionalCheckFailedException') return new ConditionFailed('condition failed');
  if (name === 'ValidationException' && /item size has exceeded|item size to update has exceeded/i.test((error as Error).message))
    return new DomainError('invalid', 'the request holds too much to be stored in one record (400 KB)', '(request)', 'too large to store');
  if (name === 'TransactionCanceledException') {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
    if (failed.length) return new ConditionFailed('transaction condition failed', failed);
    // Another transaction held the same items: a concurrent change the client may simply retry.
    if (reasons.some((reason) => reason.Code === 'TransactionConflict')) return new ConcurrentChange();
  }
  return error;
}

/**
 * Optimistic concurrency for an item read before it is written: the write's `version` and the
 * condition that the item is still as read (absent, stored before it carried a version, or at
 * the version read). A concurrent writer makes the condition fail.
 */
export function asRead(read: { version?: number } | undefined): {
  version: number;
  condition: { ConditionExpression: string; ExpressionAttributeValues?: Item };
} {
  const version = (read?.version ?? 0) + 1;
  if (!read) return { version, condition: { ConditionExpression: 'attribute_not_exists(pk)' } };
  if (read.version === undefined) return { version, condition: { ConditionExpression: 'attribute_not_exists(version)' } };
  return { version, condition: { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': read.version } } };
}

/** Drops the table's key attributes from an item. */
export function strip(item: Record<string, unknown>): Record<string, unknown> {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g1s,
    gsi2pk: _g2,
    gsi2sk: _g2s,
    gsi3pk: _g3,
    gsi3sk: _g3s,
    itemType: _itemType,
    ...rest
  } = item;
  return rest;
}
