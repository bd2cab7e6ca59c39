import { ports } from '../../adapters/ports.ts';
import {
  applyInvoiceEvent,
  balance,
  InvalidInvoiceEvent,
  invoiceEventSchema,
  reasonCodes,
  type InvoiceEvent,
} from '../../domain/invoices.ts';
import type { LinkClaims, MoneyLinkAction } from '../../domain/links.ts';
import { changeInvoices, customerContext, invoiceRepository } from '../dunning-service.ts';
import { html, HttpError, validate, type ApiResult } from '../http.ts';
import { decideSuspension } from '../invoices/suspension.ts';
import { notifyDispute } from '../invoices/notices.ts';
import { moneyActionTitles, renderPage, type FormField } from './link-page.ts';

const reasonField: FormField = {
  name: 'reasonCode',
  label: 'Why is it not paid yet? (optional)',
  type: 'select',
  options: [{ value: '', label: '—' }, ...reasonCodes.map((code) => ({ value: code, label: code }))],
};

/** GET of a money link: the customer's open invoices in a form (promise, dispute), or the proposal to approve or decline. */
export async function moneyLinkPage(claims: LinkClaims): Promise<ApiResult> {
  const action = claims.a as MoneyLinkAction;
  const { customer } = await customerContext(claims.i);
  const { title, intro, button } = moneyActionTitles[action];
  if (action === 'approve-suspension' || action === 'decline-suspension') {
    const approval = (await invoiceRepository().dunningState(customer.id)).approval;
    const open = approval?.state === 'pending' && approval.round === claims.r;
    return html(
      200,
      renderPage({
        title,
        subject: customer.name,
        paragraphs: [open ? intro : `This proposal is no longer open (${approval ? approval.state : 'none'}).`],
        form: open ? { button } : undefined,
      }),
    );
  }
  const invoices = (await invoiceRepository().ofCustomer(customer.id)).filter(
    (invoice) => invoice.status === 'open' && balance(invoice) > 0,
  );
  if (!invoices.length)
    return html(200, renderPage({ title, subject: customer.name, paragraphs: ['Nothing is open any more. Thank you.'] }));
  const invoiceField: FormField = {
    name: 'invoiceId',
    label: 'Invoice',
    type: 'select',
    required: true,
    options: invoices.map((invoice) => ({
      value: invoice.id,
      label: `${invoice.id} — ${balance(invoice).toFixed(2)} ${invoice.currency}, due ${invoice.dueDate}`,
    })),
  };
  const fields: FormField[] =
    action === 'promise'
      ? [invoiceField, { name: 'date', label: 'We will pay by', type: 'date', required: true }, reasonField]
      : [invoiceField, { name: 'reason', label: 'What is wrong with the invoice?', type: 'textarea', required: true }];
  return html(200, renderPage({ title, subject: customer.name, paragraphs: [intro], form: { button, fields } }));
}

/** POST of a money link: records the promise or dispute on the chosen invoice, or answers the suspension proposal. */
export async function moneyLinkAct(claims: LinkClaims, form: URLSearchParams): Promise<ApiResult> {
  const action = claims.a as MoneyLinkAction;
  const { customer } = await customerContext(claims.i);
  const { title } = moneyActionTitles[action];
  const page = (status: number, text: string) => html(status, renderPage({ title, subject: customer.name, paragraphs: [text] }));
  if (action === 'approve-suspension' || action === 'decline-suspension') {
    const outcome = await decideSuspension(customer.id, action === 'approve-suspension', claims.r);
    return outcome.ok
      ? page(200, action === 'approve-suspension' ? 'Approved: the suspension notice goes out now.' : 'Declined: the suspension is held.')
      : page(409, outcome.reason);
  }
  const invoiceId = form.get('invoiceId') ?? '';
  let event: InvoiceEvent;
  try {
    event =
      action === 'promise'
        ? validate(
            { type: 'promise', date: form.get('date') ?? '', ...(form.get('reasonCode') ? { reasonCode: form.get('reasonCode') } : {}) },
            invoiceEventSchema,
          )
        : validate({ type: 'dispute', reason: form.get('reason') ?? '' }, invoiceEventSchema);
  } catch (error) {
    if (error instanceof HttpError) return page(400, error.message);
    throw error;
  }
  const at = ports().clock.now().toISOString();
  try {
    const changed = await changeInvoices(customer.id, (invoices, today) =>
      invoices
        .filter((invoice) => invoice.id === invoiceId && invoice.status === 'open')
        .map((invoice) => ({ ...applyInvoiceEvent(invoice, event, at, today), version: invoice.version })),
    );
    if (!changed.length) return page(400, `invoice: "${invoiceId}" is not one of your open invoices`);
  } catch (error) {
    if (error instanceof InvalidInvoiceEvent) return page(409, error.message);
    throw error;
  }
  if (event.type === 'dispute') await notifyDispute(customer.id, invoiceId);
  return page(
    200,
    event.type === 'promise'
      ? `Thank you. Reminders for ${invoiceId} pause until ${event.date}.`
      : `Thank you. ${customer.team.serviceManager.name}, your service manager, looks into ${invoiceId}; it is paused meanwhile.`,
  );
}
