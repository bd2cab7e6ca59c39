import { sendOnce } from '../../kernel/email-channel.ts';
import type { Deps } from '../../kernel/deps.ts';
import { renderDunningEmail } from './templates.ts';
import { billingRecipients, contactNames } from '../customers/index.ts';
import { balance } from './invoices.ts';
import { customerContext, invoiceRepository } from './dunning-service.ts';

/** A dispute tells the service manager at once, with the reason, who is at fault and the deadline; once per dispute. */
export async function notifyDispute(
  deps: Pick<Deps, 'store' | 'mailer' | 'clock' | 'settings'>,
  customerId: string,
  invoiceId: string,
): Promise<void> {
  const invoice = await invoiceRepository(deps).get(invoiceId);
  if (!invoice?.dispute) return;
  const { customer } = await customerContext(deps, customerId);
  const manager = customer.team.serviceManager;
  await sendOnce(
    deps,
    { pk: `CUSTOMER#${customerId}`, customerId },
    `dispute-${invoiceId}-${invoice.disputes}`,
    'dunning-dispute',
    async () => ({
      to: [manager.email],
      ...(await renderDunningEmail('dunning-dispute', { customer, person: manager, invoice: { ...invoice, balance: balance(invoice) } })),
    }),
  );
}

/** A resolved dispute is told to the customer at once (billing contacts): the outcome, any credit, what is left to pay; once per dispute. */
export async function notifyDisputeResolved(
  deps: Pick<Deps, 'store' | 'mailer' | 'clock' | 'settings'>,
  customerId: string,
  invoiceId: string,
): Promise<void> {
  const invoice = await invoiceRepository(deps).get(invoiceId);
  if (!invoice?.dispute?.resolvedAt) return;
  const { customer } = await customerContext(deps, customerId);
  const to = billingRecipients(customer);
  await sendOnce(
    deps,
    { pk: `CUSTOMER#${customerId}`, customerId },
    `dispute-resolved-${invoiceId}-${invoice.disputes}`,
    'dunning-dispute-resolved',
    async ({ replyAddress }) => ({
      to,
      replyTo: [replyAddress],
      ...(await renderDunningEmail('dunning-dispute-resolved', {
        customer,
        greetName: contactNames(customer, to),
        invoice: { ...invoice, balance: balance(invoice) },
        credit: invoice.dispute?.credit || undefined,
        owing: invoice.status === 'open' && balance(invoice) > 0,
      })),
    }),
  );
}
