import { ConditionFailed, type DynamoStore, strip } from '../../kernel/dynamo-store.ts';
import { DomainError } from '../../kernel/errors.ts';
import { MAX_SERVICES_PER_CUSTOMER, type Service } from './service.ts';

const serviceKey = (customerId: string, id: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `SERVICE#${id}` });
/** How many services the customer has: kept in the same transaction as each added or removed service, so the limit holds under races. */
const countKey = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'SERVICE-COUNT' });

/** A customer's services, in the customer's partition: one query reads them all. */
export class ServiceRepository {
  constructor(private readonly store: DynamoStore) {}

  async list(customerId: string): Promise<Service[]> {
    const items = await this.store.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':s': 'SERVICE#' },
    });
    return items.map((item) => serviceOf(item));
  }

  async get(customerId: string, id: string): Promise<Service | undefined> {
    const item = await this.store.get(serviceKey(customerId, id));
    return item ? serviceOf(item) : undefined;
  }

  /**
   * Stores the service: 'created' when it is new (counted against the customer's limit, in one
   * transaction), 'replaced' otherwise. A service created or removed meanwhile makes it try again.
   */
  async put(service: Service): Promise<'created' | 'replaced'> {
    const item = { ...serviceKey(service.customerId, service.id), itemType: 'service', ...service };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.store.put(item, { condition: 'attribute_exists(pk)' });
        return 'replaced';
      } catch (error) {
        if (!(error instanceof ConditionFailed)) throw error;
      }
      try {
        await this.store.transactWrite([
          { Put: { Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Update: {
              Key: countKey(service.customerId),
              UpdateExpression: 'SET itemType = :t ADD #n :one',
              ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
              ExpressionAttributeNames: { '#n': 'count' },
              ExpressionAttributeValues: { ':t': 'service-count', ':one': 1, ':max': MAX_SERVICES_PER_CUSTOMER },
            },
          },
        ]);
        return 'created';
      } catch (error) {
        if (!(error instanceof ConditionFailed)) throw error;
        // The count's condition failed: the customer is at the limit.
        if (error.failedIndexes.includes(1))
          throw new DomainError(
            'conflict',
            `serviceId: customer ${service.customerId} has ${MAX_SERVICES_PER_CUSTOMER} services, the most it can have`,
            {
              details: [{ field: 'serviceId', problem: `the customer has ${MAX_SERVICES_PER_CUSTOMER} services already` }],
            },
          );
        // Created by a parallel request meanwhile: replace it.
      }
    }
    throw new DomainError('conflict', `service ${service.id} of ${service.customerId} changed concurrently; try again`);
  }

  /** Removes the service; false when there was none. */
  async delete(customerId: string, id: string): Promise<boolean> {
    try {
      await this.store.transactWrite([
        { Delete: { Key: serviceKey(customerId, id), ConditionExpression: 'attribute_exists(pk)' } },
        {
          Update: {
            Key: countKey(customerId),
            UpdateExpression: 'ADD #n :minus',
            ExpressionAttributeNames: { '#n': 'count' },
            ExpressionAttributeValues: { ':minus': -1 },
          },
        },
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed) return false;
      throw error;
    }
  }
}

const serviceOf = (item: Record<string, unknown>) => strip(item) as unknown as Service;
