import { type DynamoStore, strip } from '../../kernel/dynamo-store.ts';
import { senderKeys, type Customer } from './customer.ts';

/** Item layout of customers in the single table. */
const customerKey = (id: string) => ({ pk: `CUSTOMER#${id}`, sk: 'META' });

export class CustomerRepository {
  constructor(private readonly store: DynamoStore) {}

  /**
   * Stores the customer with an index item per contact address and email domain (how inbound mail
   * finds its customer), removing the index items of addresses and domains it no longer has.
   */
  async putCustomer(customer: Customer, at: Date): Promise<void> {
    const before = await this.getCustomer(customer.id);
    const keys = senderKeys(customer);
    const old = before ? senderKeys(before) : { contacts: [], domains: [] };
    const senderItems = [...keys.contacts.map((address) => `CONTACT#${address}`), ...keys.domains.map((domain) => `DOMAIN#${domain}`)];
    const stale = [...old.contacts.map((address) => `CONTACT#${address}`), ...old.domains.map((domain) => `DOMAIN#${domain}`)].filter(
      (pk) => !senderItems.includes(pk),
    );
    await this.store.transactWrite([
      { Put: { Item: { ...customerKey(customer.id), itemType: 'customer', ...customer, updatedAt: at.toISOString() } } },
      ...[...new Set(senderItems)].map((pk) => ({ Put: { Item: { pk, sk: 'SENDER', itemType: 'sender', customerId: customer.id } } })),
      ...[...new Set(stale)].map((pk) => ({
        Delete: { Key: { pk, sk: 'SENDER' }, ConditionExpression: 'customerId = :c', ExpressionAttributeValues: { ':c': customer.id } },
      })),
    ]);
  }

  /** The customer a sender address belongs to: by contact address first, then by email domain. */
  async customerBySender(address: string): Promise<Customer | undefined> {
    const normalized = address.trim().toLowerCase();
    const domain = normalized.split('@')[1];
    for (const pk of [`CONTACT#${normalized}`, ...(domain ? [`DOMAIN#${domain}`] : [])]) {
      const pointer = await this.store.get<{ customerId?: string }>({ pk, sk: 'SENDER' });
      if (pointer?.customerId) return this.getCustomer(pointer.customerId);
    }
    return undefined;
  }

  async getCustomer(id: string): Promise<Customer | undefined> {
    const item = await this.store.get(customerKey(id));
    // Customers stored before policies were named open issues under the default policy.
    return item ? ({ policy: 'default', ...strip(item) } as unknown as Customer) : undefined;
  }
}
