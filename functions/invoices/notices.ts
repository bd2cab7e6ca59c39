import { sendOnce } from '../../adapters/outbox.ts';
import { ports } from '../../adapters/ports.ts';
import { render } from '../../domain/email-templates.ts';
import { balance } from '../../domain/invoices.ts';
import { customerContext, invoiceRepository } from '../dunning-service.ts';

/** A dispute tells the service manager at once, with the reason, who is at fault and the deadline; once per dispute. */
export async function notifyDispute(customerId: string, invoiceId: string): Promise<void> {
  const invoice = await invoiceRepository().get(invoiceId);
  if (!invoice?.dispute) return;
  const { customer } = await customerContext(customerId);
  const { store, mailer, clock, settings } = ports();
  const manager = customer.team.serviceManager;
  await sendOnce(
    { store, mailer, clock },
    { pk: `CUSTOMER#${customerId}`, customerId },
    `dispute-${invoiceId}-${invoice.disputes}`,
    'dunning-dispute',
    () => ({
      from: settings.fromAddress,
      to: [manager.email],
      ...render('dunning-dispute', { customer, person: manager, invoice: { ...invoice, balance: balance(invoice).toFixed(2) } }),
    }),
  );
}
