import * as z from 'zod';
import { clientRecord } from '../../kernel/client-record.ts';
import type { Deps } from '../../kernel/deps.ts';
import { CustomerDirectory, MAX_CUSTOMER_ID } from '../customers/index.ts';
import { applyInvoiceEvent, applyPayment, balance, newInvoiceSchema, upsertInvoice } from './invoices.ts';
import { validate } from '../../kernel/http.ts';
import { changeInvoices, invoiceRepository } from './dunning-service.ts';
import { DomainError } from '../../kernel/errors.ts';

const day = (epochSeconds: number | null | undefined) =>
  epochSeconds ? new Date(epochSeconds * 1000).toISOString().slice(0, 10) : undefined;

/** Seconds since 1970 up to the last second of 9999, so that a date can be made of them. */
const epochSeconds = z.number().int().min(0).max(253_402_300_799);
/** Amounts in the currency's smallest unit. */
const minorUnits = z.number().int().min(0).max(1e14);

/** The envelope of a Stripe event: checked before anything is read from it, since a valid signature says nothing of the shape. */
const stripeEventSchema = z.object({
  type: z.string().min(1).max(100),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

/** The fields of a Stripe invoice Steward reads (Stripe's own limits: metadata values 500 characters, 50 keys). */
const stripeInvoiceSchema = z.object({
  id: z.string().min(1).max(200),
  number: z.string().min(1).max(64).nullish(),
  customer: z.union([z.string().min(1).max(200), z.object({ id: z.string().min(1).max(200) })]).nullish(),
  metadata: clientRecord(z.string().max(500), 50).nullish(),
  created: epochSeconds.optional(),
  due_date: epochSeconds.nullish(),
  currency: z.string().max(3).optional(),
  amount_due: minorUnits.optional(),
  amount_paid: minorUnits.optional(),
});

/**
 * Stripe invoice events. The invoice number (or id) is the invoice id; the customer is
 * `metadata.customer_id`, else the Stripe customer id. Redelivery is harmless: finalizing upserts,
 * and the payment's reference is the Stripe invoice id.
 */
export async function applyStripeEvent(
  deps: Pick<Deps, 'store' | 'clock' | 'workflows'>,
  signedEvent: unknown,
): Promise<{ event: string; invoiceId?: string; outcome: string }> {
  const event = validate(signedEvent, stripeEventSchema);
  if (!event.type.startsWith('invoice.')) return { event: event.type, outcome: 'ignored' };
  const invoice = validate(event.data.object, stripeInvoiceSchema, 'data.object');
  const id = invoice.number ?? invoice.id;
  const customerId =
    invoice.metadata?.customer_id ?? (typeof invoice.customer === 'string' ? invoice.customer : invoice.customer?.id) ?? '';
  const at = deps.clock.now().toISOString();
  if (event.type === 'invoice.finalized') {
    if (customerId.length > MAX_CUSTOMER_ID || !(await new CustomerDirectory(deps.store).getCustomer(customerId)))
      throw new DomainError('invalid', `customer: no customer "${customerId}" (set metadata.customer_id on the Stripe invoice)`);
    const input = validate(
      {
        id,
        customerId,
        issueDate: day(invoice.created),
        dueDate: day(invoice.due_date) ?? day(invoice.created),
        currency: (invoice.currency ?? '').toUpperCase(),
        amount: (invoice.amount_due ?? 0) / 100,
        amountPaid: (invoice.amount_paid ?? 0) / 100,
      },
      newInvoiceSchema,
    );
    await changeInvoices(deps, customerId, (invoices, today) => {
      const before = invoices.find((existing) => existing.id === id);
      return [{ ...upsertInvoice(before, input, at, today), version: before?.version }];
    });
    return { event: event.type, invoiceId: id, outcome: 'upserted' };
  }
  const owner = await invoiceRepository(deps).customerOf(id);
  if (!owner) return { event: event.type, invoiceId: id, outcome: 'unknown invoice: ignored' };
  if (event.type === 'invoice.paid') {
    await changeInvoices(deps, owner, (invoices) =>
      invoices
        .filter((existing) => existing.id === id && existing.status === 'open')
        .map((existing) => ({
          ...applyPayment(
            existing,
            { invoiceId: id, amount: balance(existing), date: at.slice(0, 10), reference: `stripe:${invoice.id}` },
            at,
          ),
          version: existing.version,
        })),
    );
    return { event: event.type, invoiceId: id, outcome: 'paid' };
  }
  const type = event.type === 'invoice.voided' ? 'void' : event.type === 'invoice.marked_uncollectible' ? 'uncollectible' : undefined;
  if (!type)
    return {
      event: event.type,
      invoiceId: id,
      outcome: event.type === 'invoice.payment_failed' ? 'recorded: payment failed, dunning continues' : 'ignored',
    };
  await changeInvoices(deps, owner, (invoices, today) =>
    invoices
      .filter((existing) => existing.id === id && existing.status === 'open')
      .map((existing) => ({ ...applyInvoiceEvent(existing, { type }, at, today), version: existing.version })),
  );
  return { event: event.type, invoiceId: id, outcome: type };
}
