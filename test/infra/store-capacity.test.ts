import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { createTableInput } from '../../infra/table-schema.ts';
import { DynamoStore, itemBytes, transactionalWriteUnits } from '../../kernel/dynamo-store.ts';
import { startTestDynamoDb } from '../support/dynamodb.ts';

// The cost benchmark reads these counts: they must be what AWS would bill, not what DynamoDB Local reports.
describe('write units the store counts', () => {
  let db: DynamoDbLocal;
  let store: DynamoStore;
  beforeAll(async () => {
    db = await startTestDynamoDb();
    await db.client.send(new CreateTableCommand(createTableInput('capacity')));
    store = new DynamoStore({ tableName: 'capacity', client: db.client });
  }, 60_000);
  afterAll(() => db?.stop());

  it('sizes items by DynamoDB rules', () => {
    expect(itemBytes({ pk: 'A#1', sk: 'B', v: 'x'.repeat(100) })).toBe(109);
    expect(itemBytes({ n: 12345, ok: true, list: ['ab', 'c'], map: { k: 'v' } })).toBe(1 + 4 + 2 + 1 + 4 + 3 + 3 + 2 + 3 + 3 + 2 + 1);
  });

  it('bills a transaction two units per started KB of each item, as AWS does', async () => {
    const small = (n: number) => ({ Put: { Item: { pk: `T#${n}`, sk: 'S', v: 'x'.repeat(100) } } });
    const large = { Put: { Item: { pk: 'T#large', sk: 'S', v: 'x'.repeat(3000) } } };
    expect(transactionalWriteUnits([small(1), small(2), small(3)])).toBe(6);
    expect(transactionalWriteUnits([large, small(4)])).toBe(8);

    let before = store.consumed.write;
    await store.transactWrite([small(1), small(2), small(3)]);
    expect(store.consumed.write - before).toBe(6); // DynamoDB Local reports 2
    before = store.consumed.write;
    await store.transactWrite([large, small(4)]);
    expect(store.consumed.write - before).toBe(8); // not 16: DynamoDB Local already reports transactional units
    before = store.consumed.write;
    await store.put({ pk: 'P#1', sk: 'S', v: 'x'.repeat(3000) });
    expect(store.consumed.write - before).toBe(3);
  });
});
