import { DateTime } from 'luxon';
import type { DunningPolicy } from '../policies/index.ts';
import { ladderReached, type DunningState } from './dunning.ts';
import { balance, promiseBroken, type Invoice } from './invoices.ts';

/** One customer on the dunning worklist: what they owe, what they were sent, what they get next, and what needs a person. */
export interface WorklistEntry {
  customerId: string;
  customerName: string;
  /** Per currency: the balance past due, how many invoices, the oldest due date and its days past due. */
  overdue: { currency: string; amount: number; invoices: number; oldestDueDate: string; daysOverdue: number }[];
  lastStep?: { key: string; at?: string };
  /** The next ladder step and when the dunning run looks at the customer again (no step: the ladder is done). */
  next: { step?: string; at?: string };
  promises: { invoiceId: string; date: string; amount: number; state: 'due' | 'broken' }[];
  disputes: { invoiceId: string; reason: string; owner?: string; openedAt: string; resolveBy?: string; late: boolean }[];
  paused: { invoiceId: string; until: string }[];
  suspension?: { date?: string; proposal?: 'pending' | 'approved' | 'declined'; suspendedAt?: string };
}

const round = (value: number) => Math.round(value * 100) / 100;

/**
 * A customer's line on the worklist, or undefined when nothing is past due and no promise or
 * dispute is open. `today` is the customer's date (yyyy-MM-dd). Pure.
 */
export function worklistEntry(
  customer: { id: string; name: string },
  invoices: Invoice[],
  state: DunningState | undefined,
  policy: DunningPolicy,
  today: string,
): WorklistEntry | undefined {
  const owed = invoices.filter((invoice) => invoice.status === 'open' && balance(invoice) > 0);
  const pastDue = owed.filter((invoice) => invoice.dueDate < today);
  const promises = owed
    .filter((invoice) => invoice.promise && invoice.promise.outcome !== 'kept')
    .map((invoice) => ({
      invoiceId: invoice.id,
      date: invoice.promise!.date,
      amount: invoice.promise!.amount,
      state: invoice.promise!.outcome === 'broken' || promiseBroken(invoice, today) ? ('broken' as const) : ('due' as const),
    }));
  const disputes = owed
    .filter((invoice) => invoice.dispute && !invoice.dispute.resolvedAt)
    .map(({ id, dispute }) => ({
      invoiceId: id,
      reason: dispute!.reason,
      ...(dispute!.owner ? { owner: dispute!.owner } : {}),
      openedAt: dispute!.openedAt,
      ...(dispute!.resolveBy ? { resolveBy: dispute!.resolveBy } : {}),
      late: dispute!.resolveBy !== undefined && dispute!.resolveBy < today,
    }));
  if (pastDue.length === 0 && promises.length === 0 && disputes.length === 0) return undefined;

  const currencies = [...new Set(pastDue.map((invoice) => invoice.currency))].sort();
  const overdue = currencies.map((currency) => {
    const of = pastDue.filter((invoice) => invoice.currency === currency).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
    return {
      currency,
      amount: round(of.reduce((sum, invoice) => sum + balance(invoice), 0)),
      invoices: of.length,
      oldestDueDate: of[0].dueDate,
      daysOverdue: DateTime.fromISO(today).diff(DateTime.fromISO(of[0].dueDate), 'days').days,
    };
  });
  const reached = state ? ladderReached(state, policy) : -1;
  const lastStep = reached >= 0 ? { key: policy.steps[Math.min(reached, policy.steps.length - 1)].key, at: state?.lastStepAt } : undefined;
  const approval = state?.approval?.state;
  const suspended = state?.suspensionDate || approval || state?.suspendedAt;
  return {
    customerId: customer.id,
    customerName: customer.name,
    overdue,
    ...(lastStep ? { lastStep } : {}),
    next: { step: policy.steps[reached + 1]?.key, at: state?.nextDunningAt },
    promises,
    disputes,
    paused: owed
      .filter((invoice) => invoice.pausedUntil && invoice.pausedUntil >= today)
      .map((invoice) => ({ invoiceId: invoice.id, until: invoice.pausedUntil! })),
    ...(suspended ? { suspension: { date: state?.suspensionDate, proposal: approval, suspendedAt: state?.suspendedAt } } : {}),
  };
}

/**
 * The order of the worklist: what needs a person first (a broken promise, a dispute past its
 * deadline, a suspension waiting for an answer), then whoever the dunning run mails next.
 */
export function byUrgency(a: WorklistEntry, b: WorklistEntry): number {
  const attention = (entry: WorklistEntry) =>
    entry.promises.some((promise) => promise.state === 'broken') ||
    entry.disputes.some((dispute) => dispute.late) ||
    entry.suspension?.proposal === 'pending';
  return (
    Number(attention(b)) - Number(attention(a)) ||
    (a.next.at ?? '9999').localeCompare(b.next.at ?? '9999') ||
    a.customerId.localeCompare(b.customerId)
  );
}
