import type { Deps } from '../../kernel/deps.ts';
import { type DunningTemplate, renderDunningEmail } from './templates.ts';
import { signLink } from '../../kernel/links.ts';
import type { MoneyLinkAction } from './money-link-actions.ts';
import { sendOnce } from '../../kernel/email-channel.ts';
import { counted, dayInWords } from '../../kernel/time-words.ts';
import { DateTime } from 'luxon';
import { billingRecipients, contactNames, type Customer, CustomerDirectory } from '../customers/index.ts';
import { hadOutage } from '../issues/index.ts';
import { ms, type Policy } from '../policies/index.ts';
import { decideDunning, type DunningEmail, type DunningState } from './dunning.ts';
import { contextOf, invoiceRepository } from './dunning-service.ts';
import { balance } from './invoices.ts';

/** The workflow waits for the dunning run or an invoice change; this long timeout is only a safety net. */
const SAFETY_WAIT_SECONDS = 35 * 86_400;
const MAX_ATTEMPTS = 5;

/** What people call each step of the ladder (internal emails name the step this way, never by its policy key). */
const stepNames: Record<string, string> = {
  'dunning-reminder': 'payment reminder',
  'dunning-why': 'second reminder',
  'dunning-warning': 'suspension warning',
  'dunning-final': 'final notice',
  'dunning-suspension': 'suspension notice',
};

/** Whole days from the due date to the customer's today, in the customer's time zone. */
export function daysOverdue(dueDate: string, now: Date, timezone: string): number {
  const today = DateTime.fromJSDate(now, { zone: timezone }).toISODate()!;
  return Math.max(0, Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / 86_400_000));
}

export type DunningStepDeps = Pick<Deps, 'store' | 'mailer' | 'clock' | 'settings'>;

/** The customer of a dunning cycle no longer exists: the workflow catches it by name and ends (not a failure). */
export class CustomerGone extends Error {
  override name = 'CustomerGone';
}

/** Step of the invoice-dunning workflow: decide from the customer's ledger, send each email once, store the state. */
export async function runDunningStep(
  deps: DunningStepDeps,
  customerId: string,
  generation: number,
): Promise<{ done: boolean; waitSeconds: number }> {
  const repo = invoiceRepository(deps);
  for (let attempt = 1; ; attempt++) {
    const state = await repo.dunningState(customerId);
    if (state.generation !== generation) return { done: true, waitSeconds: 1 }; // a newer cycle owns the customer
    const customer = await new CustomerDirectory(deps.store).getCustomer(customerId);
    if (!customer) throw new CustomerGone(`customer ${customerId} no longer exists`);
    const { policy, calendar } = await contextOf(deps, customer);
    const invoices = await repo.ofCustomer(customerId);
    const now = deps.clock.now();
    const outage = await hadOutage(deps.store, customerId, policy.dunning.outageWindowDays, now);
    const decision = decideDunning({ state, invoices, policy: policy.dunning, calendar, outage, now });
    for (const email of decision.emails) await send(deps, email, state, customer, policy);
    const next: DunningState & { version?: number } = decision.done
      ? { customerId, generation: generation + 1, sent: {}, version: state.version }
      : { ...decision.state, version: state.version };
    const saved = await repo.save(decision.invoices, next);
    if (saved || attempt === MAX_ATTEMPTS) return { done: decision.done, waitSeconds: SAFETY_WAIT_SECONDS };
  }
}

function recipients(email: DunningEmail, customer: Customer): string[] {
  return email.audience === 'customer' ? billingRecipients(customer) : [customer.team[email.audience].email];
}

async function send(deps: DunningStepDeps, email: DunningEmail, state: DunningState, customer: Customer, policy: Policy): Promise<void> {
  const { clock, settings } = deps;
  const now = clock.now();
  await sendOnce(
    deps,
    { pk: `CUSTOMER#${customer.id}`, customerId: customer.id },
    `dunning-g${state.generation}-${email.key}`,
    email.template,
    async ({ replyAddress }) => {
      const key = await settings.linkKey();
      const expires = Math.floor((now.getTime() + ms(policy.linkValidity)) / 1000);
      const link = (action: MoneyLinkAction) =>
        `${settings.publicUrl}/links/${signLink({ i: customer.id, a: action, r: email.round, d: email.invoices[0]?.dueDate, e: expires }, key)}`;
      const rows = email.invoices.map((invoice) => {
        const age = daysOverdue(invoice.dueDate, now, customer.timezone);
        return { ...invoice, balance: balance(invoice), age, overdue: counted(age, 'day') };
      });
      // Money is never added across currencies: one total per currency, in cents to stay exact.
      const totals = [...new Set(rows.map((row) => row.currency))].map((currency) => ({
        currency,
        amount: rows.filter((row) => row.currency === currency).reduce((sum, row) => sum + Math.round(row.balance * 100), 0) / 100,
      }));
      const person = email.audience === 'customer' ? undefined : customer.team[email.audience];
      return {
        to: recipients(email, customer),
        // A customer's answer reaches the AR history and the service manager (intake, inbound email).
        ...(email.audience === 'customer' ? { replyTo: [replyAddress] } : {}),
        ...(await renderDunningEmail(email.template as DunningTemplate, {
          customer,
          person,
          greetName: email.audience === 'customer' ? contactNames(customer, recipients(email, customer)) : undefined,
          invoices: rows,
          totals,
          count: rows.length,
          dueDate: rows[0]?.dueDate,
          step: email.step,
          stepName: stepNames[policy.dunning.steps.find((step) => step.key === email.step)?.template ?? ''] ?? 'next step',
          suspensionDate: dayInWords(email.suspensionDate),
          declineHoldDays: policy.dunning.declineHoldDays,
          links: email.links
            ? { promise: link('promise'), dispute: link('dispute-invoice') }
            : email.template === 'dunning-suspension-proposal'
              ? { approve: link('approve-suspension'), decline: link('decline-suspension') }
              : {},
        })),
      };
    },
  );
}
