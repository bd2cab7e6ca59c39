import type { Deps } from '../../kernel/deps.ts';
import { renderIntakeEmail } from './templates.ts';
import { sendOnce } from '../../kernel/email-channel.ts';
import { CustomerDirectory } from '../customers/index.ts';

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
  const { store, clock } = deps;
  const customers = new CustomerDirectory(store);
  const reason = kind === 'bounce' ? 'mail to this address bounced' : 'the recipient reported our mail as spam';
  const marked: string[] = [];
  for (const address of addresses) {
    const found = await customers.markUndeliverable(address, reason, clock.now());
    if (!found) continue;
    const { customer, contact } = found;
    marked.push(address);
    const manager = customer.team.serviceManager;
    await sendOnce(
      deps,
      { pk: `CUSTOMER#${customer.id}`, customerId: customer.id },
      `undeliverable-${address}-${sesMessageId}`,
      'contact-undeliverable',
      async () => ({
        to: [manager.email],
        ...(await renderIntakeEmail('contact-undeliverable', { person: manager, customer, contact, reason })),
      }),
    );
  }
  return marked;
}
