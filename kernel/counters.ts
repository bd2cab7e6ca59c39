import type { DynamoStore } from './dynamo-store.ts';

/**
 * The next number of a named counter (1, 2, …), in the COUNTER partition: one atomic update, so
 * parallel callers never get the same number. Ids such as ISS-1001 and MNT-1001 are made from it.
 */
export async function nextCount(store: DynamoStore, name: string): Promise<number> {
  const out = await store.update<{ value: number }>({
    Key: { pk: 'COUNTER', sk: name },
    UpdateExpression: 'ADD #v :one',
    ExpressionAttributeNames: { '#v': 'value' },
    ExpressionAttributeValues: { ':one': 1 },
  });
  return Number(out!.value);
}
