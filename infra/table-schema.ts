import { moduleIndexPartitions, modulePartitions, modules } from './modules.ts';

/**
 * The one definition of Steward's DynamoDB table. The CDK stateful stack deploys it and the
 * embedded runtime creates it in DynamoDB Local from the same object.
 */
export interface IndexSchema {
  indexName: string;
  partitionKey: string;
  sortKey: string;
  /**
   * KEYS_ONLY: a table write that changes no key of the index writes nothing to it, so the many
   * bookkeeping writes of an issue cost table units only; lists read the items by key instead.
   */
  projection: 'KEYS_ONLY' | 'ALL';
}

export interface TableSchema {
  partitionKey: string;
  sortKey: string;
  timeToLiveAttribute: string;
  globalSecondaryIndexes: IndexSchema[];
}

export const tableSchema: TableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    // A customer's history: issues (later invoices, payments, emails), newest first.
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'KEYS_ONLY' },
    // Sparse, sharded index of what falls due (dunning): only items with something due carry it.
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'ALL' },
    // Issues by status ("ISSUES#open"), for lists, KPIs and the reconcile sweep.
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projection: 'KEYS_ONLY' },
  ],
};

/**
 * The partitions of the table, as IAM's `dynamodb:LeadingKeys` condition names them: an exact
 * partition key, or a prefix and `*`. Each module declares its own (modules/<name>/module.ts); the
 * kernel's are here. Functions declare which of these they read, write and delete
 * (functions/<name>/function.ts); IAM cannot tell sort keys apart, so a function that may write a
 * customer's invoices may write anything in that customer's partition.
 */
export const kernelPartitions = {
  /** The audit trail, one partition a day. */
  audit: 'AUDIT#*',
  /** Idempotency keys of creating requests. */
  idempotency: 'IDEMPOTENCY#*',
  /** Where a sent email is, by its Message-ID and by its bounce or reply address. */
  messageId: 'MSGID#*',
  bounce: 'BOUNCE#*',
} as const;

export const partitions = { ...modulePartitions, ...kernelPartitions };
/** The partitions of each index, by name (every module's). */
export const indexPartitions = moduleIndexPartitions;

/** A partition a function may name in its declaration: one that a module or the kernel declares. */
export type Partition = (typeof partitions)[keyof typeof partitions];
export type IndexPartition = (typeof indexPartitions)[keyof typeof indexPartitions];

/** A function's table access as it declares it (infra/aws/needs.ts `TableKeys`). */
interface FunctionTableKeys {
  read: string[];
  write?: string[];
  delete?: string[];
  indexes?: Record<string, string[]>;
}
/**
 * A function's table keys with what every module declares for code of its that runs in that
 * function (`tables.<function>` in its manifest), each partition named once.
 */
export function withModuleKeys<K extends FunctionTableKeys>(functionName: string, keys: K): K {
  const known = new Set<string>(Object.values(partitions));
  const knownIndex = new Set<string>(Object.values(indexPartitions));
  const merged = { read: [...keys.read], write: [...(keys.write ?? [])], delete: [...(keys.delete ?? [])], indexes: { ...keys.indexes } };
  const add = (into: string[], more: readonly string[] | undefined, module: string, valid: Set<string>) => {
    for (const key of more ?? []) {
      if (!valid.has(key))
        throw new Error(`modules/${module}/module.ts: ${functionName} needs "${key}", which no module or the kernel declares`);
      if (!into.includes(key)) into.push(key);
    }
  };
  for (const module of modules) {
    const declared = module.tables?.[functionName];
    if (!declared) continue;
    add(merged.read, declared.read, module.name, known);
    add(merged.write, declared.write, module.name, known);
    add(merged.delete, declared.delete, module.name, known);
    for (const [index, partitions] of Object.entries(declared.indexes ?? {})) {
      merged.indexes[index] = [...(merged.indexes[index] ?? [])];
      add(merged.indexes[index], partitions, module.name, knownIndex);
    }
  }
  return merged as unknown as K;
}

/** CreateTable input for DynamoDB Local (on-demand, string keys), derived from the schema. */
export function createTableInput(tableName: string) {
  const keyNames = new Set<string>([tableSchema.partitionKey, tableSchema.sortKey]);
  for (const index of tableSchema.globalSecondaryIndexes) {
    keyNames.add(index.partitionKey);
    keyNames.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: tableSchema.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}
