import { describe, expect, it } from 'vitest';
import { TABLE_ACTIONS, type TableKeys, type TableNeed } from '../../infra/aws/needs.ts';
import { functionDeclarations } from '../../infra/function-declarations.ts';
import { AccessDenied } from '../../infra/local/function-deps.ts';
import { keyUsesOf, refusalOf, stringLike, TableAccess } from '../../infra/local/table-access.ts';
import { indexPartitions, partitions, tableSchema } from '../../infra/table-schema.ts';

const keys: TableKeys = {
  read: ['ISSUE#*', 'COUNTER'],
  write: ['ISSUE#*'],
  delete: ['ISSUE#*'],
  indexes: { gsi3: ['ISSUES#*'] },
};

describe('table keys as IAM reads them (dynamodb:LeadingKeys)', () => {
  it("matches as IAM's StringLike: * any characters, ? one, everything else literally", () => {
    expect(stringLike('ISSUE#*', 'ISSUE#I-1001')).toBe(true);
    expect(stringLike('ISSUE#*', 'ISSUES#open')).toBe(false);
    expect(stringLike('COUNTER', 'COUNTER')).toBe(true);
    expect(stringLike('COUNTER', 'COUNTERS')).toBe(false);
    expect(stringLike('ALERT#*', 'ALERT#am#a\nb')).toBe(true);
    expect(stringLike('A.B', 'AxB')).toBe(false);
    expect(stringLike('A?B', 'AxB')).toBe(true);
  });

  it('reads the partitions each call touches: marshalled or not, the index and the key condition of a query', () => {
    expect(keyUsesOf('GetItemCommand', { Key: { pk: { S: 'ISSUE#I-1' }, sk: { S: 'META' } } })).toEqual([
      { action: 'GetItem', partitions: ['ISSUE#I-1'] },
    ]);
    expect(keyUsesOf('PutItemCommand', { Item: { pk: 'AUDIT#2026-12-06', sk: 'x' } })).toEqual([
      { action: 'PutItem', partitions: ['AUDIT#2026-12-06'] },
    ]);
    expect(
      keyUsesOf('QueryCommand', {
        IndexName: 'gsi3',
        KeyConditionExpression: '#p = :p AND #s BETWEEN :a AND :b',
        ExpressionAttributeNames: { '#p': 'gsi3pk', '#s': 'gsi3sk' },
        ExpressionAttributeValues: { ':p': { S: 'ISSUES#open' }, ':a': { S: 'a' }, ':b': { S: 'b' } },
      }),
    ).toEqual([{ action: 'Query', index: 'gsi3', partitions: ['ISSUES#open'] }]);
    expect(
      keyUsesOf('BatchGetItemCommand', { RequestItems: { t: { Keys: [{ pk: { S: 'ISSUE#1' } }, { pk: { S: 'CUSTOMER#a' } }] } } }),
    ).toEqual([{ action: 'BatchGetItem', partitions: ['ISSUE#1', 'CUSTOMER#a'] }]);
    expect(
      keyUsesOf('TransactWriteItemsCommand', {
        TransactItems: [
          { Put: { Item: { pk: { S: 'ISSUE#1' } } } },
          { Update: { Key: { pk: { S: 'COUNTER' } } } },
          { Delete: { Key: { pk: { S: 'ISSUE#2' } } } },
          { ConditionCheck: { Key: { pk: { S: 'CUSTOMER#a' } } } },
        ],
      }).map((use) => use.action),
    ).toEqual(['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem']);
    expect(keyUsesOf('ScanCommand', {})).toEqual([{ action: 'Scan', partitions: [] }]);
  });

  it('allows only the declared actions in the declared partitions; Scan, BatchWriteItem and undeclared indexes never', () => {
    expect(refusalOf(keys, { action: 'GetItem', partitions: ['ISSUE#I-1'] })).toBeUndefined();
    expect(refusalOf(keys, { action: 'GetItem', partitions: ['USER#u'] })).toBe('GetItem on the table in partition "USER#u"');
    expect(refusalOf(keys, { action: 'UpdateItem', partitions: ['COUNTER'] })).toBe('UpdateItem on the table in partition "COUNTER"');
    expect(refusalOf(keys, { action: 'BatchGetItem', partitions: ['ISSUE#1', 'USERS'] })).toMatch(/USERS/);
    expect(refusalOf(keys, { action: 'Query', index: 'gsi3', partitions: ['ISSUES#open'] })).toBeUndefined();
    expect(refusalOf(keys, { action: 'Query', index: 'gsi3', partitions: ['INVOICES#open'] })).toMatch(/index gsi3/);
    expect(refusalOf(keys, { action: 'Query', index: 'gsi1', partitions: ['CUSTOMER#a'] })).toBe('Query on index gsi1');
    expect(refusalOf(keys, { action: 'Scan', partitions: [] })).toBe('Scan on the table');
    expect(refusalOf(keys, { action: 'BatchWriteItem', partitions: ['ISSUE#1'] })).toBe('BatchWriteItem on the table');
    expect(refusalOf({ read: ['ISSUE#*'] }, { action: 'DeleteItem', partitions: ['ISSUE#1'] })).toBe('DeleteItem on the table');
    expect(refusalOf(keys, { action: 'Query', partitions: [] })).toMatch(/without a partition key/);
  });

  it('refuses a function outside its declaration with AccessDenied and keeps the refusal; the runtime itself is not checked', () => {
    const access = new TableAccess(
      () => undefined,
      () => keys,
    );
    expect(() => access.check('issue-wait', 'PutItemCommand', { Item: { pk: 'USERS' } })).toThrow(AccessDenied);
    expect(() => access.check('issue-wait', 'PutItemCommand', { Item: { pk: 'ISSUE#1' } })).not.toThrow();
    expect(access.refused).toEqual(['issue-wait: PutItem on the table in partition "USERS"']);
  });

  it('every declaration names known partitions and indexes, and no group is empty for nothing', () => {
    const known = new Set<string>([...Object.values(partitions)]);
    const knownIndexed = new Set<string>(Object.values(indexPartitions));
    const indexes = new Set(tableSchema.globalSecondaryIndexes.map((index) => index.indexName));
    for (const [name, declaration] of Object.entries(functionDeclarations)) {
      const table = declaration.needs.store as TableNeed | undefined;
      if (!table) continue;
      for (const group of Object.keys(TABLE_ACTIONS) as (keyof typeof TABLE_ACTIONS)[])
        for (const pattern of table.keys[group] ?? []) expect([name, group, known.has(pattern)]).toEqual([name, group, true]);
      for (const [index, patterns] of Object.entries(table.keys.indexes ?? {})) {
        expect([name, indexes.has(index)]).toEqual([name, true]);
        for (const pattern of patterns) expect([name, index, knownIndexed.has(pattern)]).toEqual([name, index, true]);
      }
      expect([name, table.keys.read.length > 0]).toEqual([name, true]);
    }
  });

  it('the functions that only read get nothing that writes, and the issue wait touches issues only', () => {
    for (const name of ['reconcile', 'dunning-run']) {
      const table = functionDeclarations[name].needs.store as TableNeed;
      expect([name, table.keys.write, table.keys.delete]).toEqual([name, undefined, undefined]);
    }
    expect((functionDeclarations['issue-wait'].needs.store as TableNeed).keys).toEqual({ read: ['ISSUE#*'], write: ['ISSUE#*'] });
  });
});
