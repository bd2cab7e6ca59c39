import { DateTime } from 'luxon';
import { InvoiceRepository, type StoredInvoice } from '../adapters/invoice-repository.ts';
import { PolicyRepository } from '../adapters/policy-repository.ts';
import { ports } from '../adapters/ports.ts';
import { businessCalendar, type BusinessCalendar } from '../domain/calendar.ts';
import type { Customer } from '../domain/customers.ts';
import { decideDunning, type DunningState } from '../domain/dunning.ts';
import { defaultPolicy, type Policy } from '../domain/policy.ts';
import { issueRepository } from './issue-service.ts';

/**
 * Changing invoices and keeping each customer's dunning index entry right, shared by the API, the
 * CSV import, the Stripe webhook and the dunning step. Every change recomputes when the customer
 * is next due (a dry run of the pure decision) and wakes a running dunning workflow.
 */
export class DunningServiceError extends Error {
  override name = 'DunningServiceError';
  constructor(
    readonly kind: 'customer-not-found' | 'invoice-not-found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

const MAX_ATTEMPTS = 5;
/** Invoices written per transaction (DynamoDB allows 100 entries, pointers and the state included). */
const CHUNK = 45;

export const invoiceRepository = () => new InvoiceRepository(ports().store);

export async function customerContext(
  customerId: string,
): Promise<{ customer: Customer; policy: Policy; calendar: BusinessCalendar; today: string }> {
  const customer = await issueRepository().getCustomer(customerId);
  if (!customer) throw new DunningServiceError('customer-not-found', `no customer "${customerId}"`);
  const policy = (await new PolicyRepository(ports().store).current(customer.policy)) ?? defaultPolicy;
  const calendar = businessCalendar(customer, policy.businessHours);
  return { customer, policy, calendar, today: DateTime.fromJSDate(ports().clock.now(), { zone: customer.timezone }).toISODate()! };
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
  customerId: string,
  change: (invoices: StoredInvoice[], today: string) => StoredInvoice[],
): Promise<StoredInvoice[]> {
  const repo = invoiceRepository();
  const { policy, calendar, today } = await customerContext(customerId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const invoices = await repo.ofCustomer(customerId);
    const changed = change(invoices, today);
    if (!changed.length) return [];
    const byId = new Map(invoices.map((invoice) => [invoice.id, invoice]));
    for (const invoice of changed) byId.set(invoice.id, invoice);
    const state = await repo.dunningState(customerId);
    const next = { ...state, nextDunningAt: nextDue(state, [...byId.values()], policy, calendar, ports().clock.now()) };
    let ok = true;
    for (let i = 0; i < changed.length && ok; i += CHUNK) {
      const last = i + CHUNK >= changed.length;
      ok = await repo.save(changed.slice(i, i + CHUNK), last && next.nextDunningAt !== state.nextDunningAt ? next : undefined);
    }
    if (!ok) continue;
    await wakeDunning(customerId);
    return changed;
  }
  throw new DunningServiceError('conflict', `invoices of ${customerId} changed concurrently; try again`);
}

/** Wakes the customer's running dunning workflow, if one waits. */
export async function wakeDunning(customerId: string): Promise<void> {
  const token = await invoiceRepository().waitToken(customerId);
  if (token) await ports().workflows.sendTaskSuccess(token, { woke: 'invoice-change' });
}

export const dunningExecutionName = (state: Pick<DunningState, 'customerId' | 'generation'>) =>
  `dunning-${state.customerId}-g${state.generation}`;
