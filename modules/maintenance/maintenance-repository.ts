import { nextCount } from '../../kernel/counters.ts';
import { ConditionFailed, type DynamoStore, strip } from '../../kernel/dynamo-store.ts';
import type { Maintenance } from './maintenance.ts';

const maintenanceKey = (id: string) => ({ pk: `MAINTENANCE#${id}`, sk: 'META' });
/** The list of maintenances by start (gsi3), for GET /maintenances?from=&to=. */
const listKeys = (maintenance: Maintenance) => ({ gsi3pk: 'MAINTENANCES', gsi3sk: `${maintenance.start}#${maintenance.id}` });

export class MaintenanceRepository {
  constructor(readonly store: DynamoStore) {}

  async nextId(): Promise<string> {
    return `MNT-${1000 + (await nextCount(this.store, 'MAINTENANCE'))}`;
  }

  async get(id: string): Promise<Maintenance | undefined> {
    const item = await this.store.get(maintenanceKey(id));
    return item ? (strip(item) as unknown as Maintenance) : undefined;
  }

  async create(maintenance: Maintenance): Promise<void> {
    await this.store.put(
      { ...maintenanceKey(maintenance.id), itemType: 'maintenance', ...maintenance, version: 1, ...listKeys(maintenance) },
      { ifAbsent: true },
    );
  }

  /** Stores the maintenance after a change only if nobody changed it meanwhile: 'conflict' means read again. */
  async save(before: Maintenance, after: Maintenance): Promise<'saved' | 'conflict'> {
    const version = before.version ?? 0;
    try {
      await this.store.put(
        { ...maintenanceKey(after.id), itemType: 'maintenance', ...after, version: version + 1, ...listKeys(after) },
        { condition: 'version = :v', values: { ':v': version } },
      );
      return 'saved';
    } catch (error) {
      if (error instanceof ConditionFailed) return 'conflict';
      throw error;
    }
  }

  /** Maintenances starting from `from` to `to` (ISO instants), by start; at most `limit`. */
  async startingBetween(from: string, to: string, limit: number): Promise<Maintenance[]> {
    const keys = await this.store.query(
      {
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': 'MAINTENANCES', ':from': from, ':to': `${to}~` },
      },
      limit,
    );
    const items = await this.store.batchGet(keys.map(({ pk, sk }) => ({ pk: String(pk), sk: String(sk) })));
    return items
      .map((item) => strip(item) as unknown as Maintenance)
      .sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
  }

  /** Whether an event came in that no step has handled yet (or the maintenance is gone). */
  async hasUnhandledEvent(id: string): Promise<boolean> {
    const item = await this.store.get<{ eventSeq?: number; handledSeq?: number }>(maintenanceKey(id));
    return !item || (item.eventSeq ?? 0) > (item.handledSeq ?? 0);
  }
}

export const maintenanceWaitKey = (id: string) => ({ pk: `MAINTENANCE#${id}`, sk: 'WAIT' });
