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
 * partition key, or a prefix and `*`. Functions declare which of these they read, write and delete
 * (functions/<name>/function.ts); IAM cannot tell sort keys apart, so a function that may write a
 * customer's invoices may write anything in that customer's partition.
 */
export const partitions = {
  /** A customer: its record, issue pointers, invoices, dunning state and wait token, replies, the emails about it. */
  customer: 'CUSTOMER#*',
  /** Which customer an address or a mail domain belongs to. */
  contact: 'CONTACT#*',
  domain: 'DOMAIN#*',
  /** An issue: its record, timeline, wait token, event ids and the emails about it. */
  issue: 'ISSUE#*',
  /** The issue number counter. */
  counter: 'COUNTER',
  /** Where an invoice id is filed (its customer). */
  invoice: 'INVOICE#*',
  /** An invoice import job. */
  importJob: 'IMPORT#*',
  /** A policy's versions, and the list of policies. */
  policy: 'POLICY#*',
  policies: 'POLICIES',
  /** Monitoring integrations, their routing keys, and the alerts they opened issues for. */
  integrations: 'INTEGRATION',
  routingKeys: 'ROUTINGKEY',
  alert: 'ALERT#*',
  /** Inbound mail no customer could be found for. */
  quarantine: 'QUARANTINE',
  /** Staff: the list and email index, and each user's tokens. */
  users: 'USERS',
  user: 'USER#*',
  /** The audit trail, one partition a day. */
  audit: 'AUDIT#*',
  /** Idempotency keys of creating requests. */
  idempotency: 'IDEMPOTENCY#*',
  /** Where a sent email is, by its Message-ID and by its bounce or reply address. */
  messageId: 'MSGID#*',
  bounce: 'BOUNCE#*',
} as const;

/** The partitions of each index, by index name. */
export const indexPartitions = {
  /** gsi1: a customer's history. */
  customerHistory: 'CUSTOMER#*',
  /** gsi2: dunning cycles due, by shard. */
  dunningDue: 'DUNNING#*',
  /** gsi3: issues and invoices by status, and the customer list. */
  issuesByStatus: 'ISSUES#*',
  invoicesByStatus: 'INVOICES#*',
  customerList: 'CUSTOMERS',
} as const;

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
