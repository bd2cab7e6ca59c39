import type { Deps } from '../../kernel/deps.ts';
import { renderIntakeEmail } from './templates.ts';
import { DomainError } from '../../kernel/errors.ts';
import { sendOnce } from '../../kernel/outbox.ts';
import { type Customer, CustomerRepository } from '../customers/index.ts';

const MAX_ATTEMPTS = 5;

export type UndeliverableDeps = Pick<Deps, 'store' | 'mailer' | 'clock' | 'settings'>;

/**
 * A bounce or complaint about a customer contact marks it undeliverable (no customer email goes to
 * it any more) and tells the customer's service manager, once per reported message. Whoever calls
 * this has checked that Steward sent the reported email to these addresses.
 */
export async function markUndeliverable(
  deps: UndeliverableDeps,
  addresses: string[],
  kind: 'bounce' | 'complaint',
  sesMessageId: string,
): Promise<string[]> {
  const { store, mailer, clock, settings } = deps;
  const customers = new CustomerRepository(store);
  const marked: string[] = [];
  for (const address of addresses) {
    let customer: Customer | undefined;
    let contact: Customer['contacts'][number] | undefined;
    let reason = '';
    // Read, mark, write over the version read; a concurrent change (another report) means read again.
    for (let attempt = 1; ; attempt++) {
      customer = await customers.customerBySender(address);
      contact = customer?.contacts.find((entry) => entry.email.toLowerCase() === address);
      if (!customer || !contact) break;
      reason = kind === 'bounce' ? 'mail to this address bounced' : 'the recipient reported our mail as spam';
      if (contact.undeliverable) break;
      const at = clock.now().toISOString();
      const marked: Customer = {
        ...customer,
        contacts: customer.contacts.map((entry) => (entry === contact ? { ...entry, undeliverable: { at, reason } } : entry)),
      };
      try {
        await customers.putCustomer(marked, clock.now());
        break;
      } catch (error) {
        if (!(error instanceof DomainError && error.kind === 'conflict') || attempt === MAX_ATTEMPTS) throw error;
      }
    }
    if (!customer || !contact) continue;
    marked.push(address);
    const manager = customer.team.serviceManager;
    await sendOnce(
      { store, mailer, clock, settings },
      { pk: `CUSTOMER#${customer.id}`, customerId: customer.id },
      `undeliverable-${address}-${sesMessageId}`,
      'contact-undeliverable',
      async () => ({
        from: settings.fromAddress,
        to: [manager.email],
        ...(await renderIntakeEmail('contact-undeliverable', { person: manager, customer, contact, reason })),
      }),
    );
  }
  return marked;
}
