import { DateTime } from 'luxon';
import { InvoiceRepository, type StoredInvoice } from './invoice-repository.ts';
import { contention } from '../../kernel/contention.ts';
import type { Deps } from '../../kernel/deps.ts';
import { DomainError } from '../../kernel/errors.ts';
import { CustomerDirectory, type Customer } from '../customers/index.ts';
import { defaultPolicy, PolicyRepository, type Policy } from '../policies/index.ts';
import { businessCalendar, type BusinessCalendar } from '../../kernel/calendar.ts';
import { decideDunning, type DunningState } from './dunning.ts';

/**
 * Changing invoices and keeping each customer's dunning index entry right, shared by the API, the
 * CSV import, the Stripe webhook and the dunning step. Every change recomputes when the customer
 * is next due (a dry run of the pure decision) and wakes a running dunning workflow. Throws
 * domain errors: 'invalid' (customerId) for a missing customer, 'conflict' for a change that kept racing.
 */
export type DunningDeps = Pick<Deps, 'store' | 'clock' | 'workflows'>;

/** Invoices written per transaction (DynamoDB allows 100 entries, pointers and the state included). */
const CHUNK = 45;

export const invoiceRepository = (deps: Pick<Deps, 'store'>) => new InvoiceRepository(deps.store);

export async function customerContext(
  deps: Pick<Deps, 'store' | 'clock'>,
  customerId: string,
): Promise<{ customer: Customer; policy: Policy; calendar: BusinessCalendar; today: string }> {
  return contextOf(deps, await new CustomerDirectory(deps.store).existingCustomer(customerId));
}

/** The same, for a customer already read. */
export async function contextOf(
  deps: Pick<Deps, 'store' | 'clock'>,
  customer: Customer,
): Promise<{ customer: Customer; policy: Policy; calendar: BusinessCalendar; today: string }> {
  const policy = (await new PolicyRepository(deps.store).current(customer.policy)) ?? defaultPolicy;
  const calendar = businessCalendar(customer, policy.businessHours);
  return { customer, policy, calendar, today: DateTime.fromJSDate(deps.clock.now(), { zone: customer.timezone }).toISODate()! };
}

/** When the customer is next due, from a dry run of the decision: now when something is due already. */
export function nextDue(
  state: DunningState,
  invoices: StoredInvoice[],
  policy: Policy,
  calendar: BusinessCalendar,
  now: Date,
): string | undefined {
  const decision = decideDunning({ state, invoices, policy: policy.dunning, calendar, outage: false, now });
  if (decision.emails.length) return now.toISOString();
  if (decision.done && state.nextDunningAt) return now.toISOString(); // a running cycle has to end (and thank)
  return decision.nextDunningAt?.toISOString();
}

/**
 * Applies `change` to a customer's invoices (it returns the ones it changed or created) and stores
 * them with the recomputed dunning index entry, atomically per chunk; retried on a concurrent change.
 */
export async function changeInvoices(
  deps: DunningDeps,
  customerId: string,
  change: (invoices: StoredInvoice[], today: string, policy: Policy, customer: Customer) => StoredInvoice[],
): Promise<StoredInvoice[]> {
  const repo = invoiceRepository(deps);
  const { customer, policy, calendar, today } = await customerContext(deps, customerId);
  for (const turns = contention(); await turns.next(); ) {
    const invoices = await repo.ofCustomer(customerId);
    const changed = change(invoices, today, policy, customer);
    if (!changed.length) return [];
    const byId = new Map(invoices.map((invoice) => [invoice.id, invoice]));
    for (const invoice of changed) byId.set(invoice.id, invoice);
    const state = await repo.dunningState(customerId);
    const next = { ...state, nextDunningAt: nextDue(state, [...byId.values()], policy, calendar, deps.clock.now()) };
    let ok = true;
    for (let i = 0; i < changed.length && ok; i += CHUNK) {
      const last = i + CHUNK >= changed.length;
      ok = await repo.save(changed.slice(i, i + CHUNK), last && next.nextDunningAt !== state.nextDunningAt ? next : undefined);
    }
    if (!ok) continue;
    await wakeDunning(deps, customerId);
    return changed;
  }
  throw new DomainError('conflict', `invoices of ${customerId} changed concurrently; try again`);
}

/** Wakes the customer's running dunning workflow, if one waits. */
export async function wakeDunning(deps: Pick<Deps, 'store' | 'workflows'>, customerId: string): Promise<void> {
  const token = await invoiceRepository(deps).waitToken(customerId);
  if (token) await deps.workflows.sendTaskSuccess(token, { woke: 'invoice-change' });
}
