import { asRead, ConditionFailed, type DynamoStore, strip } from '../../kernel/dynamo-store.ts';
import { DomainError } from '../../kernel/errors.ts';
import { isCustomerId, senderKeys, type Customer } from './customer.ts';

/** Item layout of customers in the single table. */
const customerKey = (id: string) => ({ pk: `CUSTOMER#${id}`, sk: 'META' });
/** Index keys that list customers by id (gsi3, keys only); written with every customer. */
const CUSTOMERS = 'CUSTOMERS';
const listed = (id: string) => ({ gsi3pk: CUSTOMERS, gsi3sk: id });
const asCustomer = (item: Record<string, unknown>) =>
  // Customers stored before policies were named open issues under the default policy.
  ({ policy: 'default', ...strip(item) }) as unknown as Customer;

export class CustomerRepository {
  constructor(private readonly store: DynamoStore) {}

  /**
   * Stores the customer with an index item per contact address and email domain (how inbound mail
   * finds its customer), removing the index items of addresses and domains it no longer has. An
   * address or domain belongs to one customer: claiming another's is a conflict naming the owner.
   * `create` refuses an existing id, `replace` a missing one. The write is conditional on the
   * version read, so of two concurrent changes one is a 409 and no dropped address keeps pointing here.
   */
  async putCustomer(customer: Customer, at: Date, mode: 'create' | 'replace' | 'upsert' = 'upsert'): Promise<void> {
    const before = mode === 'create' ? undefined : await this.getCustomer(customer.id);
    if (mode === 'replace' && !before) throw new DomainError('not-found', `customer ${customer.id} not found`);
    const keys = senderKeys(customer);
    const old = before ? senderKeys(before) : { contacts: [], domains: [] };
    const senders = [
      ...keys.contacts.map((address) => ({ pk: `CONTACT#${address}`, field: 'contacts', value: address })),
      ...keys.domains.map((domain) => ({ pk: `DOMAIN#${domain}`, field: 'emailDomains', value: domain })),
    ].filter((sender, index, all) => all.findIndex((other) => other.pk === sender.pk) === index);
    const stale = [...old.contacts.map((address) => `CONTACT#${address}`), ...old.domains.map((domain) => `DOMAIN#${domain}`)].filter(
      (pk) => !senders.some((sender) => sender.pk === pk),
    );
    const owned = { ConditionExpression: 'attribute_not_exists(pk) OR customerId = :c', ExpressionAttributeValues: { ':c': customer.id } };
    // A customer that carries the version it was read at (a read-modify-write) is written only over that version.
    const readAt = (customer as { version?: number }).version;
    const { version, condition: unchanged } = asRead(
      before && readAt !== undefined ? { version: readAt } : (before as { version?: number } | undefined),
    );
    const item = {
      ...customerKey(customer.id),
      itemType: 'customer',
      ...customer,
      updatedAt: at.toISOString(),
      version,
      ...listed(customer.id),
    };
    try {
      await this.store.transactWrite([
        { Put: { Item: item, ...unchanged } },
        ...senders.map(({ pk }) => ({ Put: { Item: { pk, sk: 'SENDER', itemType: 'sender', customerId: customer.id }, ...owned } })),
        ...[...new Set(stale)].map((pk) => ({ Delete: { Key: { pk, sk: 'SENDER' }, ...owned } })),
      ]);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      if ((error.failedIndexes.includes(0) || !error.failedIndexes.length) && mode !== 'create')
        throw new DomainError('conflict', `customer ${customer.id} changed concurrently; try again`);
      if (error.failedIndexes.includes(0) || !error.failedIndexes.length)
        throw new DomainError(
          'conflict',
          `customer ${customer.id} exists already; PUT /customers/${customer.id} replaces it`,
          'id',
          'exists already',
        );
      const taken = senders[error.failedIndexes[0] - 1];
      if (!taken) throw new DomainError('conflict', `customer ${customer.id} changed concurrently; try again`);
      const owner = (await this.store.get<{ customerId?: string }>({ pk: taken.pk, sk: 'SENDER' }))?.customerId;
      throw new DomainError(
        'conflict',
        `${taken.field}: "${taken.value}" belongs to customer ${owner}`,
        taken.field,
        `belongs to customer ${owner}`,
      );
    }
  }

  /**
   * A page of customers by id: at most `limit` after the id `after`, and the id to continue after
   * when there are more. A customer stored before 30 Nov 2026 is listed once it is written again.
   */
  async listCustomers(limit: number, after?: string): Promise<{ customers: Customer[]; next?: string }> {
    const keys = await this.store.query<{ pk: string; sk: string }>(
      {
        IndexName: 'gsi3',
        KeyConditionExpression: after ? 'gsi3pk = :pk AND gsi3sk > :after' : 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': CUSTOMERS, ...(after ? { ':after': after } : {}) },
      },
      limit + 1,
    );
    const page = keys.slice(0, limit);
    const customers = (await this.store.batchGet(page.map(({ pk, sk }) => ({ pk, sk }))))
      .map(asCustomer)
      .sort((a, b) => a.id.localeCompare(b.id));
    return { customers, ...(keys.length > limit ? { next: customers.at(-1)?.id } : {}) };
  }

  /**
   * A page of the customers whose id or name holds `text` (any case), by id: read a page at a time
   * from `after`, at most `scanLimit` customers per call, so a search of many customers costs a
   * bounded read; `next` continues it (after the last match shown, or the last customer read).
   */
  async searchCustomers(text: string, limit: number, after?: string, scanLimit = 2_000): Promise<{ customers: Customer[]; next?: string }> {
    const wanted = text.toLocaleLowerCase('en');
    const matches: Customer[] = [];
    let cursor = after;
    for (let scanned = 0; scanned < scanLimit; ) {
      const page = await this.listCustomers(200, cursor);
      scanned += page.customers.length;
      for (const customer of page.customers) {
        if (!`${customer.id}\n${customer.name}`.toLocaleLowerCase('en').includes(wanted)) continue;
        matches.push(customer);
        if (matches.length > limit) return { customers: matches.slice(0, limit), next: matches[limit - 1].id };
      }
      if (!page.next) return { customers: matches };
      cursor = page.next;
    }
    return { customers: matches, next: matches.length === limit ? matches[limit - 1].id : cursor };
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

  /** The customer, or a 400 naming customerId: for requests that name a customer that must exist. */
  async existingCustomer(id: string, message = `no customer "${id}"`): Promise<Customer> {
    const customer = await this.getCustomer(id);
    if (!customer) throw new DomainError('invalid', `customerId: ${message}`, 'customerId', 'unknown customer');
    return customer;
  }

  /** The customers of these ids that exist, in no particular order (one batch read). */
  async customersById(ids: string[]): Promise<Customer[]> {
    return (await this.store.batchGet([...new Set(ids)].filter(isCustomerId).map(customerKey))).map(asCustomer);
  }

  /** The customer, or undefined; a value that cannot be a customer id (an alert label of any length) is not read. */
  async getCustomer(id: string): Promise<Customer | undefined> {
    if (!isCustomerId(id)) return undefined;
    const item = await this.store.get(customerKey(id));
    return item ? asCustomer(item) : undefined;
  }
}
