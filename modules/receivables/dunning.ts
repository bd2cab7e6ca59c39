import type { Actor } from '../../kernel/actor.ts';
import { DateTime } from 'luxon';
import { isBusinessDay, type BusinessCalendar } from '../../kernel/calendar.ts';
import type { DunningPolicy } from '../policies/index.ts';
import { balance, promiseBroken, type Invoice } from './invoices.ts';

/** Per customer: what this dunning cycle sent, and the approval gate. */
export interface DunningState {
  customerId: string;
  /** Cycle counter: a new cycle (after everything was paid) gets a new workflow execution. */
  generation: number;
  /** Email keys sent in this cycle, with when. */
  sent: Record<string, string>;
  /** `anchor` is informational: one proposal thread per cycle. */
  /** `by`: who answered the proposal (a staff link's manager, a user, a token). */
  approval?: { anchor: string; round: number; state: 'pending' | 'approved' | 'declined'; at: string; by?: Actor };
  /** A promise was broken: the next step goes out at the next send time, whatever its calendar day. */
  resumeNext?: boolean;
  /** Index of the furthest ladder step sent in this cycle: the ladder only moves forward. */
  reached?: number;
  /** When the last ladder step went out (the next one keeps its notice days after it). */
  lastStepAt?: string;
  /** The suspension date told to the customer (yyyy-MM-dd): stated in every later email; it only moves later, when a hold delayed the ladder. */
  suspensionDate?: string;
  /** When the suspension notice went out: paying in full then restores the service. */
  suspendedAt?: string;
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

/**
 * When customer dunning mail may go out, seen from `t`: `t` itself inside the send window of a
 * business day (sendAt plus sendWindowMinutes), otherwise the next send time. A run at 04:00 right
 * after an import, at 15:00 or on a Saturday never mails the customer.
 */
export function mailOpens(t: DateTime, calendar: BusinessCalendar, policy: Pick<DunningPolicy, 'sendAt' | 'sendWindowMinutes'>): DateTime {
  const today = t.setZone(calendar.zone).toISODate()!;
  const first = sendSlot(today, calendar, policy.sendAt);
  if (t < first) return first;
  if (t < first.plus({ minutes: policy.sendWindowMinutes })) return t;
  return sendSlot(addDays(today, 1), calendar, policy.sendAt);
}

const addDays = (date: string, days: number) => DateTime.fromISO(date).plus({ days }).toISODate()!;

/** How far this cycle's ladder got (-1: not started), reading the step keys of states written before `reached` existed. */
export function ladderReached(state: DunningState, policy: DunningPolicy): number {
  if (state.reached !== undefined) return state.reached;
  return Math.max(
    -1,
    ...policy.steps.map((step, index) => (Object.keys(state.sent).some((key) => key.startsWith(`${step.key}@`)) ? index : -1)),
  );
}

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
 * Decides, from a customer's invoices and dunning state, what goes out now. The ladder moves one
 * step at a time and only forward within a cycle: the first contact is always the first step,
 * whatever the age of the debt; each next step waits for its calendar day (days after the oldest
 * unpaid due date) and its notice days after the previous one; the suspension date, once told, is
 * kept. Customer mail goes out only in the send window of a business day; internal notices (broken
 * promise, outage hold, suspension proposal) at once; so do the answers to a payment in full
 * (thanks, or service restored after a suspension). Pure.
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
  const opens = mailOpens(t, calendar, policy);
  const mailOpen = opens.toMillis() === t.toMillis();
  const reached = ladderReached(state, policy);

  const invoices = input.invoices.map((invoice) => {
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
    if (reached >= 0 && state.suspendedAt) {
      once({ key: `restored-g${state.generation}`, template: 'dunning-restored', audience: 'customer', invoices: [] });
      once({ key: `restore-task-g${state.generation}`, template: 'dunning-restore-task', audience: 'serviceManager', invoices: [] });
    } else if (reached >= 0) once({ key: `thanks-g${state.generation}`, template: 'dunning-thanks', audience: 'customer', invoices: [] });
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
    if (at > t) deadlines.push(at);
    else if (state.sent[`courtesy@${dueDate}`]) continue;
    else if (mailOpen) courtesyDue.push(dueDate);
    else deadlines.push(opens);
  }
  const overdue = active.filter((invoice) => invoice.dueDate < today).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const nextIndex = reached + 1;
  const step = policy.steps[nextIndex];
  // An invoice not overdue yet wakes the cycle when the first step falls due for it, or, once the
  // ladder has started, the day it falls overdue (the next step then finds its own day).
  for (const invoice of active.filter((entry) => entry.dueDate >= today))
    deadlines.push(slot(addDays(invoice.dueDate, reached < 0 ? policy.steps[0].offsetDays : 1)));
  if (overdue.length && step) {
    const anchor = overdue[0].dueDate;
    const suspensionIndex = policy.steps.findIndex((entry) => entry.key === policy.suspensionStep);
    const lastDay = state.lastStepAt ? DateTime.fromISO(state.lastStepAt, { zone: calendar.zone }).toISODate()! : undefined;
    /**
     * The calendar day of step `index`: its offset after the oldest unpaid due date; once a
     * suspension date is told, the same spacing before that date instead (paying the oldest
     * invoice moves nothing the customer was told).
     */
    const calendarDay = (index: number) => {
      const told = state.suspensionDate && index <= suspensionIndex;
      const offset = policy.steps[index].offsetDays;
      return told ? addDays(state.suspensionDate!, offset - policy.steps[suspensionIndex].offsetDays) : addDays(anchor, offset);
    };
    /** The earliest send time of step `index` when the previous step went out on `previousDay`. */
    const earliest = (index: number, previousDay: string | undefined, byCalendar = true) => {
      const day = byCalendar ? slot(calendarDay(index)) : slot(today);
      return previousDay ? DateTime.max(day, slot(addDays(previousDay, Math.max(1, policy.steps[index].noticeDays)))) : day;
    };
    /** The suspension date if step `index` goes out today: each later step on its earliest day, so a told date only moves later to keep the notice. */
    const suspensionDate = (index: number) => {
      if (suspensionIndex < 0) return undefined;
      if (index >= suspensionIndex) return state.suspensionDate ?? today;
      let day = today;
      for (let k = index + 1; k <= suspensionIndex; k++) day = earliest(k, day).toISODate()!;
      return day;
    };

    let at = earliest(nextIndex, lastDay, !state.resumeNext);
    if (nextIndex === suspensionIndex && state.suspensionDate) at = DateTime.max(at, slot(state.suspensionDate));
    const approved = state.approval?.state === 'approved';
    if (at > t) deadlines.push(at);
    else if (step.consequence && input.outage) {
      once({
        key: `outage-hold-${step.key}`,
        template: 'dunning-outage-hold',
        audience: 'serviceManager',
        invoices: overdue,
        step: step.key,
      });
      deadlines.push(slot(addDays(today, 1)));
    } else if (step.approval && !approved) {
      const approval = state.approval;
      const holdEnds = approval?.state === 'declined' ? DateTime.fromISO(approval.at).plus({ days: policy.declineHoldDays }) : undefined;
      if (!approval || (holdEnds && holdEnds <= t)) {
        const round = (approval?.round ?? 0) + 1;
        state.approval = { anchor, round, state: 'pending', at: now.toISOString() };
        once({
          key: `suspension-proposal-${round}`,
          template: 'dunning-suspension-proposal',
          audience: 'serviceManager',
          invoices: overdue,
          step: step.key,
          suspensionDate: suspensionDate(nextIndex),
          round,
        });
      } else if (holdEnds) deadlines.push(holdEnds);
    } else if (!mailOpen) deadlines.push(opens);
    else {
      if (step.consequence) state.suspensionDate = suspensionDate(nextIndex);
      once({
        key: `${step.key}@cycle`,
        template: step.template,
        audience: 'customer',
        invoices: overdue,
        step: step.key,
        suspensionDate: state.suspensionDate,
        links: step.template === 'dunning-why',
      });
      state.reached = nextIndex;
      state.lastStepAt = now.toISOString();
      state.resumeNext = false;
      if (nextIndex === suspensionIndex) state.suspendedAt = now.toISOString();
      for (const person of step.notify)
        once({
          key: `${step.key}-notice-${person}`,
          template: `dunning-notice-${step.key === 'warning' ? 'call' : 'inform'}`,
          audience: person,
          invoices: overdue,
          step: step.key,
          suspensionDate: state.suspensionDate,
        });
      for (const invoice of overdue)
        if (!invoice.dunnedAt) changed.set(invoice.id, { ...(changed.get(invoice.id) ?? invoice), dunnedAt: now.toISOString() });
      if (policy.steps[nextIndex + 1]) deadlines.push(earliest(nextIndex + 1, today));
    }
  }
  // The courtesy note, unless a ladder step just went to the customer: then it waits a day (one email a morning).
  if (courtesyDue.length && emails.some((email) => email.audience === 'customer')) deadlines.push(slot(addDays(today, 1)));
  else if (courtesyDue.length) {
    for (const dueDate of courtesyDue) state.sent[`courtesy@${dueDate}`] = now.toISOString();
    emails.push({
      key: `courtesy@${courtesyDue.join('+')}`,
      template: 'dunning-courtesy',
      audience: 'customer',
      invoices: coming.filter((invoice) => courtesyDue.includes(invoice.dueDate)),
    });
  }
  const upcoming = deadlines.filter((deadline) => deadline > t).sort((a, b) => a.toMillis() - b.toMillis())[0];
  return {
    emails,
    state: { ...state, nextDunningAt: upcoming?.toUTC().toISO() ?? undefined },
    invoices: [...changed.values()],
    nextDunningAt: upcoming?.toJSDate(),
    done: false,
  };
}
