import type { Actor } from '../../kernel/actor.ts';
import { DomainError } from '../../kernel/errors.ts';
import { AuditLog } from '../../kernel/audit.ts';
import { staffZone } from '../users/index.ts';
import type { Deps } from '../../kernel/deps.ts';
import {
  applyInvoiceEvent,
  balance,
  invoiceEventSchema,
  reasonCodes,
  type Invoice,
  type InvoiceEvent,
  withDisputeOwner,
  withHistory,
} from './invoices.ts';
import type { LinkClaims } from '../../kernel/links.ts';
import { type MoneyLinkAction, moneyActionTitles } from './money-link-actions.ts';
import { changeInvoices, customerContext, invoiceRepository } from './dunning-service.ts';
import { asHttpError, validate, type ApiResult } from '../../kernel/http.ts';
import { decideSuspension } from './suspension.ts';
import { mailOpens } from './dunning.ts';
import { counted, inWords } from '../../kernel/time-words.ts';
import { DateTime } from 'luxon';
import { notifyDispute } from './notices.ts';
import { htmlPage, type FormField } from '../../kernel/link-page.ts';

const reasonField: FormField = {
  name: 'reasonCode',
  label: 'Why is it not paid yet? (optional)',
  type: 'select',
  options: [{ value: '', label: '—' }, ...reasonCodes.map((code) => ({ value: code, label: code }))],
};

const withLink = (invoice: Invoice, event: InvoiceEvent, linkId: string, version: number | undefined) => ({
  ...invoice,
  ...(event.type === 'promise' && invoice.promise ? { promise: { ...invoice.promise, linkId } } : {}),
  version,
});

/** GET of a money link: the customer's open invoices in a form (promise, dispute), or the proposal to approve or decline. */
export type MoneyLinkDeps = Pick<Deps, 'store' | 'clock' | 'workflows' | 'mailer' | 'settings'>;

export async function moneyLinkPage(deps: MoneyLinkDeps, claims: LinkClaims): Promise<ApiResult> {
  const action = claims.a as MoneyLinkAction;
  const { customer } = await customerContext(deps, claims.i);
  const { title, intro, button } = moneyActionTitles[action];
  if (action === 'approve-suspension' || action === 'decline-suspension') {
    const approval = (await invoiceRepository(deps).dunningState(customer.id)).approval;
    const open = approval?.state === 'pending' && approval.round === claims.r;
    return htmlPage(200, {
      title,
      subject: customer.name,
      paragraphs: [open ? intro : `This proposal is no longer open (${approval ? approval.state : 'none'}).`],
      form: open ? { button } : undefined,
    });
  }
  const invoices = (await invoiceRepository(deps).ofCustomer(customer.id)).filter(
    (invoice) => invoice.status === 'open' && balance(invoice) > 0,
  );
  if (!invoices.length) return await htmlPage(200, { title, subject: customer.name, paragraphs: ['Nothing is open any more. Thank you.'] });
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
  return await htmlPage(200, { title, subject: customer.name, paragraphs: [intro], form: { button, fields } });
}

/**
 * POST of a money link: records the promise or dispute on the chosen invoice, or answers the
 * suspension proposal. A promise remembers the link that made it, so the same link posted again
 * for the same invoice records nothing (a dispute is refused while one is open; a proposal is
 * answered once).
 */
export async function moneyLinkAct(deps: MoneyLinkDeps, claims: LinkClaims, form: URLSearchParams, linkId: string): Promise<ApiResult> {
  const action = claims.a as MoneyLinkAction;
  const { customer, policy, calendar } = await customerContext(deps, claims.i);
  const { title } = moneyActionTitles[action];
  const page = (status: number, text: string) => htmlPage(status, { title, subject: customer.name, paragraphs: [text] });
  if (action === 'approve-suspension' || action === 'decline-suspension') {
    const manager = customer.team.serviceManager;
    const zone = await staffZone(deps.store, manager, customer.timezone);
    // The approval link goes to the service manager alone: whoever uses it answers as them.
    const by: Actor = { kind: 'staff-link', id: manager.email, name: manager.name };
    const outcome = await decideSuspension(deps, customer.id, action === 'approve-suspension', claims.r, zone, by);
    if (!outcome.ok) return page(409, outcome.reason);
    await new AuditLog(deps.store, deps.clock).record({ actor: by, action: `link ${action}`, target: { customerId: customer.id } });
    if (action === 'decline-suspension')
      return page(200, `Declined: the suspension is held for ${counted(policy.dunning.declineHoldDays, 'day')}, then proposed again.`);
    const now = DateTime.fromJSDate(deps.clock.now());
    const opens = mailOpens(now, calendar, policy.dunning);
    return page(
      200,
      `Approved: the suspension notice goes out ${opens <= now ? 'now' : `at the customer's next send time, ${inWords(opens.toUTC().toISO()!, zone)}`}.`,
    );
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
    if (error instanceof DomainError && error.kind === 'invalid') return page(400, error.message);
    throw error;
  }
  const at = deps.clock.now().toISOString();
  const customerActor: Actor = { kind: 'customer-link', id: customer.id, name: customer.name };
  try {
    const changed = await changeInvoices(deps, customer.id, (invoices, today, policy) =>
      invoices
        .filter((invoice) => invoice.id === invoiceId && invoice.status === 'open' && invoice.promise?.linkId !== linkId)
        .map((invoice) =>
          withLink(
            withHistory(invoice, applyInvoiceEvent(invoice, withDisputeOwner(event, customer), at, today, policy.dunning), {
              type: event.type,
              at,
              by: customerActor,
            }),
            event,
            linkId,
            invoice.version,
          ),
        ),
    );
    if (!changed.length) {
      const invoice = await invoiceRepository(deps).get(invoiceId);
      if (invoice?.customerId === customer.id && invoice.promise?.linkId === linkId)
        return page(200, `This link has been used already: reminders for ${invoiceId} pause until ${invoice.promise.date}.`);
      return page(400, `invoice: "${invoiceId}" is not one of your open invoices`);
    }
  } catch (error) {
    const known = asHttpError(error);
    if (known && known.statusCode < 500) return page(known.statusCode, known.message);
    throw error;
  }
  await new AuditLog(deps.store, deps.clock).record({
    actor: customerActor,
    action: `link ${action}`,
    target: { customerId: customer.id, invoiceId },
    type: event.type,
  });
  if (event.type === 'dispute') await notifyDispute(deps, customer.id, invoiceId);
  return page(
    200,
    event.type === 'promise'
      ? `Thank you. Reminders for ${invoiceId} pause until ${event.date}.`
      : `Thank you. ${customer.team.serviceManager.name}, your service manager, looks into ${invoiceId}; it is paused meanwhile.`,
  );
}
