import { ConditionFailed, type DynamoStore, type Key } from './dynamo-store.ts';
import { runOf } from './workflow-runs.ts';

/** An owner's waiting execution: its callback token, which run stored it, and how many turns that run has waited. */
export interface WaitRecord {
  token: string;
  execution?: string;
  turns: number;
}

/** `previousToken`: the token the record held before, whose task an event or a timer has answered (or will never). */
export type StoredWait = { superseded: false; turns: number; previousToken?: string } | { superseded: true };

/**
 * Stores a run's callback token in the owner's wait item (an item of its own, so the owner's writes
 * never erase it) and counts that run's turns, in the one write the token needed anyway. A run whose
 * successor (a later run of `base`) already waits is told it is superseded and stores nothing, so
 * a late turn of an old run can never take the token away from the live one.
 */
export async function storeWaitToken(
  store: DynamoStore,
  key: Key,
  token: string,
  execution: string | undefined,
  base: string,
): Promise<StoredWait> {
  if (!execution) {
    // A run of a definition older than run tracking: the token as before, no turns counted.
    await store.put({ ...key, itemType: 'wait-token', token });
    return { superseded: false, turns: 0 };
  }
  try {
    const before = await store.update<{ turns?: number; token?: string }>({
      Key: key,
      UpdateExpression: 'SET #token = :token, #execution = :execution, itemType = :type ADD turns :one',
      ConditionExpression: 'attribute_not_exists(#execution) OR #execution = :execution',
      ExpressionAttributeNames: { '#token': 'token', '#execution': 'execution' },
      ExpressionAttributeValues: { ':token': token, ':execution': execution, ':type': 'wait-token', ':one': 1 },
      ReturnValues: 'ALL_OLD',
    });
    return { superseded: false, turns: Number(before?.turns ?? 0) + 1, previousToken: before?.token };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
  }
  const stored = await readWait(store, key);
  if ((runOf(base, stored?.execution) ?? 0) > (runOf(base, execution) ?? 0)) return { superseded: true };
  await store.put({ ...key, itemType: 'wait-token', token, execution, turns: 1 });
  return { superseded: false, turns: 1, previousToken: stored?.token };
}

export async function readWait(store: DynamoStore, key: Key): Promise<WaitRecord | undefined> {
  const item = await store.get<{ token?: string; execution?: string; turns?: number }>(key);
  return item?.token ? { token: item.token, execution: item.execution, turns: Number(item.turns ?? 0) } : undefined;
}
