import type { Customer } from './customer.ts';
import type { CustomerRepository } from './customer-repository.ts';
import { DomainError } from '../../kernel/errors.ts';

/** The id of the customer Steward files alerts and mail for no known customer under, out of the box. */
export const TRIAGE_ID = 'triage';

/**
 * The built-in triage customer: every role is the desk (the admin who set Steward up), so an alert
 * nobody's customer claims reaches a person, and someone moves it to its customer. Its zone is UTC
 * and its calendar the default policy's; both are edited like any customer's.
 */
export const triageCustomer = (desk: string): Customer => {
  const person = { name: 'Service desk', email: desk };
  return {
    id: TRIAGE_ID,
    name: 'Triage (no known customer)',
    tier: 'silver',
    timezone: 'UTC',
    country: 'GB',
    emailDomains: [],
    contacts: [{ ...person, roles: ['technical'] }],
    team: { teamLead: person, serviceManager: person, director: person },
    policy: 'default',
  };
};

/**
 * The triage customer an unknown sender's alert or mail is filed under: the one named, or the
 * built-in one, stored the first time it is needed (a concurrent first store is as good).
 */
export async function triageCustomerOf(
  customers: CustomerRepository,
  setting: { customerId: string; desk?: string },
  at: Date,
): Promise<Customer | undefined> {
  const stored = await customers.getCustomer(setting.customerId);
  if (stored || !setting.desk || setting.customerId !== TRIAGE_ID) return stored;
  try {
    await customers.putCustomer(triageCustomer(setting.desk), at, 'create');
  } catch (error) {
    if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
  }
  return customers.getCustomer(TRIAGE_ID);
}
