import middy from '@middy/core';
import { z } from 'zod';
import { sendOnce } from '../../adapters/outbox.ts';
import { ports } from '../../adapters/ports.ts';
import type { Customer } from '../../domain/customers.ts';
import { decideDunning, type DunningEmail, type DunningState } from '../../domain/dunning.ts';
import { render, type TemplateName } from '../../domain/email-templates.ts';
import { balance } from '../../domain/invoices.ts';
import { signLink, type MoneyLinkAction } from '../../domain/links.ts';
import { ms, type Policy } from '../../domain/policy.ts';
import { customerContext, invoiceRepository } from '../dunning-service.ts';
import { issueRepository } from '../issue-service.ts';

const inputSchema = z.object({ customerId: z.string().min(1), generation: z.number().int().positive() });
/** The workflow waits for the dunning run or an invoice change; this long timeout is only a safety net. */
const SAFETY_WAIT_SECONDS = 35 * 86_400;
const MAX_ATTEMPTS = 5;

/** Step of the invoice-dunning workflow: decide from the customer's ledger, send each email once, store the state. */
export const handler = middy().handler(async (event: unknown) => {
  const { customerId, generation } = inputSchema.parse(event);
  const repo = invoiceRepository();
  for (let attempt = 1; ; attempt++) {
    const state = await repo.dunningState(customerId);
    if (state.generation !== generation) return { done: true, waitSeconds: 1 }; // a newer cycle owns the customer
    const { customer, policy, calendar } = await customerContext(customerId);
    const invoices = await repo.ofCustomer(customerId);
    const now = ports().clock.now();
    const outage = await hadOutage(customerId, policy.dunning.outageWindowDays, now);
    const decision = decideDunning({ state, invoices, policy: policy.dunning, calendar, outage, now });
    for (const email of decision.emails) await send(email, state, customer, policy);
    const next: DunningState & { version?: number } = decision.done
      ? { customerId, generation: generation + 1, sent: {}, version: state.version }
      : { ...decision.state, version: state.version };
    const saved = await repo.save(decision.invoices, next);
    if (saved || attempt === MAX_ATTEMPTS) return { done: decision.done, waitSeconds: SAFETY_WAIT_SECONDS };
  }
});

/** An open sev1/sev2 issue, or one resolved within the window, holds the consequence steps. */
async function hadOutage(customerId: string, windowDays: number, now: Date): Promise<boolean> {
  const issues = await issueRepository().listIssues({ customerId });
  const since = now.getTime() - windowDays * 86_400_000;
  return issues.some(
    (issue) =>
      (issue.severity === 'sev1' || issue.severity === 'sev2') &&
      (issue.status === 'open' ||
        issue.status === 'acknowledged' ||
        Date.parse(issue.resolvedAt ?? issue.closedAt ?? '1970-01-01') >= since),
  );
}

function recipients(email: DunningEmail, customer: Customer): string[] {
  if (email.audience !== 'customer') return [customer.team[email.audience].email];
  const reachable = customer.contacts.filter((contact) => !contact.undeliverable);
  const billing = reachable.filter((contact) => contact.roles.includes('billing'));
  return (billing.length ? billing : reachable).map((contact) => contact.email);
}

async function send(email: DunningEmail, state: DunningState, customer: Customer, policy: Policy): Promise<void> {
  const { store, mailer, clock, settings } = ports();
  const now = clock.now();
  await sendOnce(
    { store, mailer, clock },
    { pk: `CUSTOMER#${customer.id}`, customerId: customer.id },
    `dunning-g${state.generation}-${email.key}`,
    email.template,
    async () => {
      const key = await settings.linkKey();
      const expires = Math.floor((now.getTime() + ms(policy.linkValidity)) / 1000);
      const link = (action: MoneyLinkAction) =>
        `${settings.publicUrl}/links/${signLink({ i: customer.id, a: action, r: email.round, d: email.invoices[0]?.dueDate, e: expires }, key)}`;
      const rows = email.invoices.map((invoice) => ({
        ...invoice,
        balance: balance(invoice).toFixed(2),
        age: Math.max(0, Math.floor((now.getTime() - Date.parse(`${invoice.dueDate}T00:00:00Z`)) / 86_400_000)),
      }));
      const totals = [...new Set(rows.map((row) => row.currency))].map((currency) => ({
        currency,
        amount: rows
          .filter((row) => row.currency === currency)
          .reduce((sum, row) => sum + Number(row.balance), 0)
          .toFixed(2),
      }));
      const person = email.audience === 'customer' ? undefined : customer.team[email.audience];
      return {
        from: settings.fromAddress,
        to: recipients(email, customer),
        ...render(email.template as TemplateName, {
          customer,
          person,
          invoices: rows,
          totals,
          count: rows.length,
          dueDate: rows[0]?.dueDate,
          step: email.step,
          suspensionDate: email.suspensionDate,
          declineHoldDays: policy.dunning.declineHoldDays,
          links: email.links
            ? { promise: link('promise'), dispute: link('dispute-invoice') }
            : email.template === 'dunning-suspension-proposal'
              ? { approve: link('approve-suspension'), decline: link('decline-suspension') }
              : {},
        }),
      };
    },
  );
}
