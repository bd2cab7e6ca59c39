import { DateTime } from 'luxon';
import { isBusinessDay, type BusinessCalendar } from '../../kernel/calendar.ts';
import type { DunningPolicy } from '../policies/index.ts';
import { balance, promiseBroken, type Invoice } from './invoices.ts';

/** Per customer: what this dunning cycle sent, and the approval gate. */
export interface DunningState {
  customerId: string;
  /** Cycle counter: a new cycle (after everything was paid) gets a new workflow execution. */
  generation: number;
  /** Email keys sent (or skipped as stale) in this cycle, with when. */
  sent: Record<string, string>;
  approval?: { anchor: string; round: number; state: 'pending' | 'approved' | 'declined'; at: string };
  /** A promise was broken: the next step goes out at the next slot, whatever its day. */
  resumeNext?: boolean;
  /** After a step went out, the next one of that ladder not before this instant, however often the cycle is woken. */
  stepNotBefore?: { anchor: string; at: string };
  nextDunningAt?: string;
  version?: number;
}

export type DunningAudience = 'customer' | 'serviceManager' | 'director';
export interface DunningEmail {
  key: string;
  template: string;
  audience: DunningAudience;
  invoices: Invoice[];
  step?: string;
  suspensionDate?: string;
  links?: boolean;
  round?: number;
}

export interface DunningDecision {
  emails: DunningEmail[];
  state: DunningState;
  /** Invoices whose bookkeeping changed (a promise found broken, first dunned). */
  invoices: Invoice[];
  nextDunningAt?: Date;
  /** Nothing is owed any more: the cycle ends. */
  done: boolean;
}

/** The instant of the send slot on the first business day on or after `date` (yyyy-MM-dd). */
export function sendSlot(date: string, calendar: BusinessCalendar, sendAt: string): DateTime {
  const [hour, minute] = sendAt.split(':').map(Number);
  let day = DateTime.fromISO(date, { zone: calendar.zone });
  for (let i = 0; i < 400 && !isBusinessDay(calendar, day); i++) day = day.plus({ days: 1 });
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

const addDays = (date: string, days: number) => DateTime.fromISO(date).plus({ days }).toISODate()!;

export interface DunningInput {
  state: DunningState;
  invoices: Invoice[];
  policy: DunningPolicy;
  calendar: BusinessCalendar;
  /** The customer has (or recently had) an open sev1/sev2 issue. */
  outage: boolean;
  now: Date;
}

/**
 * Decides, from a customer's invoices and dunning state, what goes out now: at most one ladder
 * step per run (after missed days, only the step now due; the stale ones are marked skipped), the
 * courtesy note, broken-promise and outage notices, and the suspension approval gate. Pure.
 */
export function decideDunning(input: DunningInput): DunningDecision {
  const { policy, calendar, now } = input;
  const t = DateTime.fromJSDate(now, { zone: calendar.zone });
  const today = t.toISODate()!;
  const state: DunningState = { ...input.state, sent: { ...input.state.sent } };
  const emails: DunningEmail[] = [];
  const changed = new Map<string, Invoice>();
  const deadlines: DateTime[] = [];
  const once = (email: DunningEmail) => {
    if (state.sent[email.key]) return false;
    state.sent[email.key] = now.toISOString();
    emails.push(email);
    return true;
  };
  const slot = (date: string) => sendSlot(date, calendar, policy.sendAt);

  let invoices = input.invoices.map((invoice) => {
    if (!promiseBroken(invoice, today)) return invoice;
    const broken = { ...invoice, promise: { ...invoice.promise!, outcome: 'broken' as const } };
    changed.set(invoice.id, broken);
    return broken;
  });
  for (const invoice of changed.values()) {
    once({
      key: `promise-broken-${invoice.id}-${invoice.promise!.madeAt}`,
      template: 'dunning-promise-broken',
      audience: 'serviceManager',
      invoices: [invoice],
    });
    state.resumeNext = true;
  }

  const owing = invoices.filter((invoice) => invoice.status === 'open' && balance(invoice) > 0);
  if (!owing.length) {
    const ladderStarted = Object.keys(state.sent).some((key) => policy.steps.some((step) => key.startsWith(`${step.key}@`)));
    if (ladderStarted) once({ key: `thanks-g${state.generation}`, template: 'dunning-thanks', audience: 'customer', invoices: [] });
    return { emails, state: { ...state, nextDunningAt: undefined }, invoices: [...changed.values()], done: true };
  }

  const held = (invoice: Invoice) =>
    (invoice.dispute && !invoice.dispute.resolvedAt) ||
    (invoice.promise && !invoice.promise.outcome && today <= invoice.promise.date) ||
    (invoice.pausedUntil !== undefined && today <= invoice.pausedUntil);
  for (const invoice of owing) {
    if (invoice.promise && !invoice.promise.outcome) deadlines.push(slot(addDays(invoice.promise.date, 1)));
    if (invoice.pausedUntil) deadlines.push(slot(addDays(invoice.pausedUntil, 1)));
  }
  const active = owing.filter((invoice) => !held(invoice));

  // Courtesy note: one email for the invoices whose courtesy day has come, each due date once.
  const coming = active.filter((invoice) => invoice.dueDate >= today);
  const courtesyDue: string[] = [];
  for (const dueDate of [...new Set(coming.map((invoice) => invoice.dueDate))].sort()) {
    const at = slot(addDays(dueDate, -policy.courtesyDaysBefore));
    if (at <= t && !state.sent[`courtesy@${dueDate}`]) courtesyDue.push(dueDate);
    else if (at > t) deadlines.push(at);
  }
  if (courtesyDue.length) {
    for (const dueDate of courtesyDue) state.sent[`courtesy@${dueDate}`] = now.toISOString();
    emails.push({
      key: `courtesy@${courtesyDue.join('+')}`,
      template: 'dunning-courtesy',
      audience: 'customer',
      invoices: coming.filter((invoice) => courtesyDue.includes(invoice.dueDate)),
    });
  }

  const overdue = active.filter((invoice) => invoice.dueDate < today).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  // An invoice not overdue yet starts (or anchors) the ladder when its first step falls due.
  for (const invoice of active.filter((entry) => entry.dueDate >= today))
    deadlines.push(slot(addDays(invoice.dueDate, policy.steps[0].offsetDays)));
  if (overdue.length) {
    const anchor = overdue[0].dueDate;
    const keyOf = (step: { key: string }) => `${step.key}@${anchor}`;
    const sentIndex = Math.max(-1, ...policy.steps.map((step, index) => (state.sent[keyOf(step)] ? index : -1)));
    const dueIndexes = policy.steps
      .map((step, index) => ({ step, index, at: slot(addDays(anchor, step.offsetDays)) }))
      .filter(({ index }) => index > sentIndex);
    let due: (typeof dueIndexes)[number] | undefined;
    if (state.resumeNext && dueIndexes.length) {
      const nextSlot = DateTime.max(slot(today), t);
      due = nextSlot <= t ? dueIndexes[0] : undefined;
      if (!due) deadlines.push(nextSlot);
    } else {
      const notBefore = state.stepNotBefore?.anchor === anchor ? DateTime.fromISO(state.stepNotBefore.at) : undefined;
      const ready = notBefore && t < notBefore ? [] : dueIndexes.filter(({ at }) => at <= t);
      if (notBefore && t < notBefore) deadlines.push(notBefore);
      due = ready.at(-1);
      for (const stale of ready.slice(0, -1)) state.sent[keyOf(stale.step)] = `skipped ${now.toISOString()}`;
    }
    const suspension = policy.steps.find((step) => step.key === policy.suspensionStep);
    const suspensionDate = suspension ? slot(addDays(anchor, suspension.offsetDays)).toISODate()! : undefined;
    const later = dueIndexes.find(({ index, at }) => at > t && (!due || index > due.index));
    if (later) deadlines.push(later.at);

    if (due) {
      const { step } = due;
      const nextSlot = slot(addDays(today, 1));
      if (step.consequence && input.outage) {
        once({
          key: `outage-hold-${step.key}@${anchor}`,
          template: 'dunning-outage-hold',
          audience: 'serviceManager',
          invoices: overdue,
          step: step.key,
        });
        deadlines.push(nextSlot);
      } else if (step.approval && state.approval?.anchor === anchor && state.approval.state === 'approved') {
        sendStep();
      } else if (step.approval) {
        const approval = state.approval?.anchor === anchor ? state.approval : undefined;
        const holdEnds = approval?.state === 'declined' ? DateTime.fromISO(approval.at).plus({ days: policy.declineHoldDays }) : undefined;
        if (!approval || (holdEnds && holdEnds <= t)) {
          const round = (approval?.round ?? 0) + 1;
          state.approval = { anchor, round, state: 'pending', at: now.toISOString() };
          once({
            key: `suspension-proposal-${anchor}-${round}`,
            template: 'dunning-suspension-proposal',
            audience: 'serviceManager',
            invoices: overdue,
            step: step.key,
            suspensionDate,
            round,
          });
        } else if (holdEnds) deadlines.push(holdEnds);
      } else sendStep();

      function sendStep() {
        if (
          !once({
            key: keyOf(step),
            template: step.template,
            audience: 'customer',
            invoices: overdue,
            step: step.key,
            suspensionDate,
            links: step.template === 'dunning-why',
          })
        )
          return;
        state.resumeNext = false;
        for (const person of step.notify)
          once({
            key: `${step.key}-notice-${person}@${anchor}`,
            template: `dunning-notice-${step.key === 'warning' ? 'call' : 'inform'}`,
            audience: person,
            invoices: overdue,
            step: step.key,
            suspensionDate,
          });
        for (const invoice of overdue)
          if (!invoice.dunnedAt) changed.set(invoice.id, { ...(changed.get(invoice.id) ?? invoice), dunnedAt: now.toISOString() });
        const following = policy.steps[due!.index + 1];
        if (following) {
          const at = DateTime.max(slot(addDays(anchor, following.offsetDays)), nextSlot);
          deadlines.push(at);
          state.stepNotBefore = { anchor, at: at.toUTC().toISO()! };
        }
      }
    }
  }
  invoices = invoices.map((invoice) => changed.get(invoice.id) ?? invoice);
  const upcoming = deadlines.filter((deadline) => deadline > t).sort((a, b) => a.toMillis() - b.toMillis())[0];
  return {
    emails,
    state: { ...state, nextDunningAt: upcoming?.toUTC().toISO() ?? undefined },
    invoices: [...changed.values()],
    nextDunningAt: upcoming?.toJSDate(),
    done: false,
  };
}
