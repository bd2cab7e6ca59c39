import type { DynamoStore } from '../../kernel/dynamo-store.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { Customer } from './customer.ts';
import { CustomerRepository } from './customer-repository.ts';
import { triageCustomerOf } from './triage.ts';

const MAX_ATTEMPTS = 5;

type Contact = Customer['contacts'][number];

/**
 * What other modules may ask of customers: read them (by id, by ids, by a sender's address, a page
 * at a time) and mark a contact undeliverable. Only this module writes a customer otherwise.
 */
export class CustomerDirectory {
  private readonly repo: CustomerRepository;

  constructor(store: DynamoStore) {
    this.repo = new CustomerRepository(store);
  }

  getCustomer(id: string): Promise<Customer | undefined> {
    return this.repo.getCustomer(id);
  }

  /** The customer, or a not-found error with `message`. */
  existingCustomer(id: string, message?: string): Promise<Customer> {
    return this.repo.existingCustomer(id, message);
  }

  customersById(ids: string[]): Promise<Customer[]> {
    return this.repo.customersById(ids);
  }

  /** The customer a sender's address (or its domain) belongs to. */
  customerBySender(address: string): Promise<Customer | undefined> {
    return this.repo.customerBySender(address);
  }

  listCustomers(limit: number, after?: string): Promise<{ customers: Customer[]; next?: string }> {
    return this.repo.listCustomers(limit, after);
  }

  /** The customer unknown senders and alerts are filed under (made on first use when it is the built-in one). */
  triageCustomer(setting: { customerId: string; desk?: string }, at: Date): Promise<Customer | undefined> {
    return triageCustomerOf(this.repo, setting, at);
  }

  /**
   * Marks the contact with this address undeliverable (no customer email goes to it any more), for
   * `reason`; read, mark, write over the version read, again on a concurrent change. Undefined when
   * no customer has the address; `newly` false when it was marked already.
   */
  async markUndeliverable(
    address: string,
    reason: string,
    at: Date,
  ): Promise<{ customer: Customer; contact: Contact; newly: boolean } | undefined> {
    for (let attempt = 1; ; attempt++) {
      const customer = await this.repo.customerBySender(address);
      const contact = customer?.contacts.find((entry) => entry.email.toLowerCase() === address);
      if (!customer || !contact) return undefined;
      if (contact.undeliverable) return { customer, contact, newly: false };
      const marked: Customer = {
        ...customer,
        contacts: customer.contacts.map((entry) =>
          entry === contact ? { ...entry, undeliverable: { at: at.toISOString(), reason } } : entry,
        ),
      };
      try {
        await this.repo.putCustomer(marked, at);
        return { customer, contact, newly: true };
      } catch (error) {
        if (!(error instanceof DomainError && error.kind === 'conflict') || attempt === MAX_ATTEMPTS) throw error;
      }
    }
  }
}
