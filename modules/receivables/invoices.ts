import type { Actor } from '../../kernel/actor.ts';
import { DomainError } from '../../kernel/errors.ts';
import * as z from 'zod';

const isoDate = z.iso.date();
/** Amounts in a currency's main unit, with cents; at most a trillion, far inside the range where doubles are exact. */
/**
 * An amount in currency units with at most 2 decimals. Not zod's multipleOf(0.01): it reads
 * 5e-323 as a multiple (it counts decimals in the number's text), and DynamoDB refuses so small a
 * number, which made a 500.
 */
const money = z
  .number()
  .finite()
  .nonnegative()
  .max(1e12)
  .refine((value) => value === 0 || value >= 0.01, 'must be 0 or at least 0.01')
  .refine((value) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6, 'at most 2 decimal places');

/** Why a customer does not pay, carried by any money contact and reported (AR KPIs). */
export const reasonCodes = ['dispute', 'cash-flow', 'missing-po', 'wrong-contact', 'service-problem'] as const;
export type ReasonCode = (typeof reasonCodes)[number];

export const newInvoiceSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/, 'letters, digits, _ . / -, at most 64'),
    customerId: z.string().min(1).max(64),
    issueDate: isoDate,
    dueDate: isoDate,
    currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR'),
    amount: money.positive(),
    amountPaid: money.default(0),
  })
  .refine((invoice) => invoice.dueDate >= invoice.issueDate, { path: ['dueDate'], message: 'must not be before issueDate' })
  .refine((invoice) => invoice.amountPaid <= invoice.amount, { path: ['amountPaid'], message: 'must not exceed amount' });
export type NewInvoice = z.infer<typeof newInvoiceSchema>;

export const paymentSchema = z.object({
  invoiceId: z.string().min(1).max(64),
  amount: money.positive(),
  date: isoDate,
  reference: z.string().min(1).max(200),
});
export type Payment = z.infer<typeof paymentSchema>;

const reasonCode = { reasonCode: z.enum(reasonCodes).optional() };
export const invoiceEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('dispute'),
    reason: z.string().min(1).max(5_000),
    fault: z.enum(['us', 'customer', 'third-party']).optional(),
    owner: z.string().max(200).optional(),
    resolveBy: isoDate.optional(),
    ...reasonCode,
  }),
  z.object({
    type: z.literal('resolve-dispute'),
    outcome: z.string().min(1).max(5_000),
    fault: z.enum(['us', 'customer', 'third-party']),
    credit: money.default(0),
    ...reasonCode,
  }),
  z.object({ type: z.literal('promise'), date: isoDate, amount: money.positive().optional(), ...reasonCode }),
  z.object({ type: z.literal('pause'), until: isoDate, note: z.string().max(2_000).optional(), ...reasonCode }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('write-off'), note: z.string().max(2_000).optional() }),
  z.object({ type: z.literal('void'), note: z.string().max(2_000).optional() }),
  z.object({ type: z.literal('uncollectible'), note: z.string().max(2_000).optional() }),
]);
export type InvoiceEvent = z.infer<typeof invoiceEventSchema>;

export type InvoiceStatus = 'open' | 'paid' | 'void' | 'written-off' | 'uncollectible';

export interface Invoice extends NewInvoice {
  status: InvoiceStatus;
  credit: number;
  /** Paid beyond the balance: a credit the customer holds, never counted as recovered. */
  overpaid?: number;
  payments: { amount: number; date: string; reference: string }[];
  dispute?: {
    reason: string;
    fault?: string;
    owner?: string;
    openedAt: string;
    resolveBy?: string;
    resolvedAt?: string;
    outcome?: string;
    credit?: number;
  };
  disputes: number;
  /** `linkId`: the customer link that made it (a link posted again for the same invoice records nothing). */
  promise?: { date: string; amount: number; madeAt: string; outcome?: 'kept' | 'broken'; linkId?: string };
  promisesMade: number;
  promisesKept: number;
  pausedUntil?: string;
  reasons: { code: ReasonCode; at: string }[];
  /** When the first dunning email listing this invoice went out (recovered-after-dunning KPI). */
  dunnedAt?: string;
  paidAt?: string;
  updatedAt: string;
  /** Who did what to it, newest last (the latest MAX_INVOICE_HISTORY): events and payments with their actor. */
  history?: InvoiceHistoryEntry[];
}

export interface InvoiceHistoryEntry {
  type: string;
  at: string;
  by?: Actor;
  amount?: number;
  reference?: string;
}

export const MAX_INVOICE_HISTORY = 50;

/** The invoice after `changed` with the entry in its history; an event that changed nothing (a payment repeated) adds none. */
export const withHistory = (before: Invoice, changed: Invoice, entry: InvoiceHistoryEntry): Invoice =>
  changed === before ? changed : { ...changed, history: [...(before.history ?? []), entry].slice(-MAX_INVOICE_HISTORY) };

/** The invoice's state does not allow the event (409). */
export class InvalidInvoiceEvent extends DomainError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'InvalidInvoiceEvent';
  }
}

const round = (value: number) => Math.round(value * 100) / 100;
export const balance = (invoice: Pick<Invoice, 'amount' | 'amountPaid' | 'credit'>) =>
  round(invoice.amount - invoice.amountPaid - invoice.credit);

function settle(invoice: Invoice, at: string, today: string): Invoice {
  if (invoice.status !== 'open' || balance(invoice) > 0) return invoice;
  const promise =
    invoice.promise && !invoice.promise.outcome
      ? { ...invoice.promise, outcome: today <= invoice.promise.date ? ('kept' as const) : ('broken' as const) }
      : invoice.promise;
  return {
    ...invoice,
    status: 'paid',
    paidAt: at,
    promise,
    promisesKept: invoice.promisesKept + (promise?.outcome === 'kept' && !invoice.promise?.outcome ? 1 : 0),
  };
}

/** A new invoice, or the same invoice imported again: amounts and dates are replaced, history is kept. */
export function upsertInvoice(existing: Invoice | undefined, input: NewInvoice, at: string, today: string): Invoice {
  const base: Invoice = existing
    ? { ...existing, ...input, status: existing.status === 'paid' && input.amountPaid < input.amount ? 'open' : existing.status }
    : { ...input, status: 'open', credit: 0, payments: [], disputes: 0, promisesMade: 0, promisesKept: 0, reasons: [], updatedAt: at };
  return settle({ ...base, updatedAt: at }, at, today);
}

export function applyPayment(invoice: Invoice, payment: Payment, at: string): Invoice {
  // The same payment again (a retried request), even after it settled the invoice.
  if (invoice.payments.some((existing) => existing.reference === payment.reference)) return invoice;
  if (invoice.status !== 'open') throw new InvalidInvoiceEvent(`invoice ${invoice.id} is ${invoice.status}`);
  const excess = round(payment.amount - balance(invoice));
  const paid = {
    ...invoice,
    amountPaid: round(Math.min(invoice.amount - invoice.credit, invoice.amountPaid + payment.amount)),
    ...(excess > 0 ? { overpaid: round((invoice.overpaid ?? 0) + excess) } : {}),
    payments: [...invoice.payments, { amount: payment.amount, date: payment.date, reference: payment.reference }],
    updatedAt: at,
  };
  return settle(paid, at, payment.date);
}

/** How far ahead a customer may promise to pay unless the policy says otherwise (dunning `promiseMaxDays`). */
export const DEFAULT_PROMISE_MAX_DAYS = 60;

/** The calendar day `days` after `day` (both YYYY-MM-DD). */
const daysAfter = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function applyInvoiceEvent(
  invoice: Invoice,
  event: InvoiceEvent,
  at: string,
  today: string,
  limits: { promiseMaxDays: number } = { promiseMaxDays: DEFAULT_PROMISE_MAX_DAYS },
): Invoice {
  const open = () => {
    if (invoice.status !== 'open') throw new InvalidInvoiceEvent(`invoice ${invoice.id} is ${invoice.status}`);
  };
  const reasons = 'reasonCode' in event && event.reasonCode ? [...invoice.reasons, { code: event.reasonCode, at }] : invoice.reasons;
  const next = { ...invoice, reasons, updatedAt: at };
  switch (event.type) {
    case 'dispute':
      open();
      if (invoice.dispute && !invoice.dispute.resolvedAt) throw new InvalidInvoiceEvent(`invoice ${invoice.id} is already disputed`);
      return {
        ...next,
        disputes: invoice.disputes + 1,
        reasons: event.reasonCode ? reasons : [...invoice.reasons, { code: 'dispute', at }],
        dispute: { reason: event.reason, fault: event.fault, owner: event.owner, openedAt: at, resolveBy: event.resolveBy },
      };
    case 'resolve-dispute': {
      if (!invoice.dispute || invoice.dispute.resolvedAt) throw new InvalidInvoiceEvent(`invoice ${invoice.id} has no open dispute`);
      if (event.credit > balance(invoice)) throw new InvalidInvoiceEvent(`credit ${event.credit} exceeds the balance ${balance(invoice)}`);
      const resolved = {
        ...next,
        credit: round(invoice.credit + event.credit),
        dispute: { ...invoice.dispute, resolvedAt: at, outcome: event.outcome, fault: event.fault, credit: event.credit },
      };
      return settle(resolved, at, today);
    }
    case 'promise':
      open();
      if (event.date < today) throw new InvalidInvoiceEvent('date: a promise must be for today or later');
      // A promise pauses dunning for the invoice until its date: one years ahead would pause it for good.
      if (event.date > daysAfter(today, limits.promiseMaxDays))
        throw new InvalidInvoiceEvent(
          `date: a promise may be at most ${limits.promiseMaxDays} days ahead, until ${daysAfter(today, limits.promiseMaxDays)}`,
        );
      return {
        ...next,
        promise: { date: event.date, amount: event.amount ?? balance(invoice), madeAt: at },
        promisesMade: invoice.promisesMade + 1,
      };
    case 'pause':
      open();
      return { ...next, pausedUntil: event.until };
    case 'resume':
      return { ...next, pausedUntil: undefined };
    case 'write-off':
      open();
      return { ...next, status: 'written-off' };
    case 'void':
      open();
      return { ...next, status: 'void' };
    case 'uncollectible':
      open();
      return { ...next, status: 'uncollectible' };
  }
}

/** A promise whose date has passed without the promised amount paid. */
export const promiseBroken = (invoice: Invoice, today: string) =>
  invoice.status === 'open' && invoice.promise !== undefined && !invoice.promise.outcome && today > invoice.promise.date;

export const invoiceStatuses: InvoiceStatus[] = ['open', 'paid', 'void', 'written-off', 'uncollectible'];

/**
 * A dispute nobody was named to own is owned by the customer's service manager, who is emailed
 * about it: the worklist, the customer's history and that email name the same person.
 */
export const withDisputeOwner = <E extends InvoiceEvent>(event: E, customer: { team: { serviceManager: { name: string } } }): E =>
  event.type === 'dispute' && !event.owner ? { ...event, owner: customer.team.serviceManager.name } : event;
