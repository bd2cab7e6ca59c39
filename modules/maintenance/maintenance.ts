import { DateTime } from 'luxon';
import * as z from 'zod';
import { addTime, type BusinessCalendar, isBusinessDay } from '../../kernel/calendar.ts';
import { DomainError } from '../../kernel/errors.ts';

/** The most service references one maintenance names, and the longest window. */
export const MAX_MAINTENANCE_SERVICES = 500;
export const MAX_WINDOW_DAYS = 14;
export const impacts = ['outage', 'degraded', 'none'] as const;
export type Impact = (typeof impacts)[number];

const instant = z.iso.datetime({ offset: true });
const serviceRef = z.object({ customerId: z.string().min(1).max(64), serviceId: z.string().min(1).max(64) });

export const newMaintenanceSchema = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5_000).default(''),
  start: instant,
  end: instant,
  impact: z.enum(impacts),
  services: z.array(serviceRef).min(1).max(MAX_MAINTENANCE_SERVICES),
});
export type NewMaintenance = z.infer<typeof newMaintenanceSchema>;

/** A reschedule: a new window (and words), which every affected customer hears again. */
export const maintenancePatchSchema = z
  .object({ title: z.string().trim().min(1).max(200), description: z.string().max(5_000), start: instant, end: instant })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one of title, description, start, end');
export type MaintenancePatch = z.infer<typeof maintenancePatchSchema>;

export const maintenanceEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  z.object({ type: z.literal('complete') }),
  z.object({ type: z.literal('cancel'), reason: z.string().max(2_000).optional() }),
  z.object({ type: z.literal('extend'), end: instant }),
]);
export type MaintenanceEvent = z.infer<typeof maintenanceEventSchema>;

export type MaintenanceStatus = 'scheduled' | 'in-progress' | 'completed' | 'cancelled';

export interface Maintenance {
  id: string;
  title: string;
  description: string;
  start: string;
  end: string;
  impact: Impact;
  services: { customerId: string; serviceId: string }[];
  status: MaintenanceStatus;
  /** 1, and one more for each reschedule: each revision is announced again. */
  revision: number;
  createdAt: string;
  /** When the current revision was scheduled: its notice is "short" when this was too close to the start. */
  revisedAt: string;
  startedAt?: string;
  completedAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
  /** Each extension's new end, oldest first. */
  extensions: { end: string; at: string }[];
  /** Keys of the customer emails sent (`<step>-<customerId>`): each goes once. */
  sent: string[];
  /** Events recorded, and the last one a step has handled (the case loop wakes while they differ). */
  eventSeq: number;
  handledSeq: number;
  version?: number;
}

/** The customers a maintenance affects, each with their services' ids, in the order first named. */
export function affectedCustomers(maintenance: Pick<Maintenance, 'services'>): Map<string, string[]> {
  const byCustomer = new Map<string, string[]>();
  for (const { customerId, serviceId } of maintenance.services) {
    const ids = byCustomer.get(customerId) ?? [];
    if (!ids.includes(serviceId)) ids.push(serviceId);
    byCustomer.set(customerId, ids);
  }
  return byCustomer;
}

/** Checks a window: it ends after it starts, within MAX_WINDOW_DAYS, and starts in the future. */
export function checkWindow(start: string, end: string, now: Date): void {
  const from = Date.parse(start);
  const to = Date.parse(end);
  if (from <= now.getTime()) throw new DomainError('invalid', 'start: must be in the future', 'start', 'must be in the future');
  if (to <= from) throw new DomainError('invalid', 'end: must be after start', 'end', 'must be after start');
  if (to - from > MAX_WINDOW_DAYS * 86_400_000)
    throw new DomainError(
      'invalid',
      `end: at most ${MAX_WINDOW_DAYS} days after start`,
      'end',
      `at most ${MAX_WINDOW_DAYS} days after start`,
    );
}

export function newMaintenance(id: string, input: NewMaintenance, now: Date): Maintenance {
  checkWindow(input.start, input.end, now);
  const at = now.toISOString();
  return {
    ...input,
    start: new Date(input.start).toISOString(),
    end: new Date(input.end).toISOString(),
    id,
    status: 'scheduled',
    revision: 1,
    createdAt: at,
    revisedAt: at,
    extensions: [],
    sent: [],
    eventSeq: 0,
    handledSeq: 0,
  };
}

const refuse = (message: string) => new DomainError('conflict', message);

/** A reschedule or new words: a new window is a new revision, announced again; only while scheduled. */
export function reschedule(maintenance: Maintenance, patch: MaintenancePatch, now: Date): Maintenance {
  if (maintenance.status !== 'scheduled')
    throw refuse(`${maintenance.id} is ${maintenance.status}: only a scheduled maintenance is rescheduled`);
  const start = patch.start ? new Date(patch.start).toISOString() : maintenance.start;
  const end = patch.end ? new Date(patch.end).toISOString() : maintenance.end;
  const moved = start !== maintenance.start || end !== maintenance.end;
  if (moved) checkWindow(start, end, now);
  return {
    ...maintenance,
    ...(patch.title !== undefined ? { title: patch.title } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    start,
    end,
    ...(moved ? { revision: maintenance.revision + 1, revisedAt: now.toISOString() } : {}),
    eventSeq: maintenance.eventSeq + 1,
  };
}

export function applyMaintenanceEvent(maintenance: Maintenance, event: MaintenanceEvent, now: Date): Maintenance {
  const at = now.toISOString();
  const next = { ...maintenance, eventSeq: maintenance.eventSeq + 1 };
  const status = maintenance.status;
  switch (event.type) {
    case 'start':
      if (status !== 'scheduled') throw refuse(`${maintenance.id} is ${status}: only a scheduled maintenance starts`);
      return { ...next, status: 'in-progress', startedAt: at };
    case 'complete':
      if (status !== 'in-progress') throw refuse(`${maintenance.id} is ${status}: only a maintenance in progress completes`);
      return { ...next, status: 'completed', completedAt: at };
    case 'cancel':
      if (status !== 'scheduled') throw refuse(`${maintenance.id} is ${status}: only a scheduled maintenance is cancelled`);
      return { ...next, status: 'cancelled', cancelledAt: at, ...(event.reason ? { cancelReason: event.reason } : {}) };
    case 'extend': {
      if (status !== 'in-progress') throw refuse(`${maintenance.id} is ${status}: only a maintenance in progress is extended`);
      const end = new Date(event.end).toISOString();
      if (Date.parse(end) <= Math.max(Date.parse(maintenance.end), now.getTime()))
        throw new DomainError('invalid', 'end: must be after the current end and in the future', 'end', 'must be after the current end');
      if (Date.parse(end) - Date.parse(maintenance.start) > MAX_WINDOW_DAYS * 86_400_000)
        throw new DomainError(
          'invalid',
          `end: at most ${MAX_WINDOW_DAYS} days after start`,
          'end',
          `at most ${MAX_WINDOW_DAYS} days after start`,
        );
      return { ...next, end, extensions: [...maintenance.extensions, { end, at }] };
    }
  }
}

export type NoticeStep = 'notice' | 'reminder' | 'started' | 'extended' | 'completed' | 'cancelled';

/** An email a customer is due about a maintenance, once per key. */
export interface NoticeEmail {
  key: string;
  customerId: string;
  step: NoticeStep;
  /** A notice sent with less than the policy's business days to go. */
  shortNotice?: boolean;
  /** A notice of a revision after the first: the window moved. */
  rescheduled?: boolean;
}

/** What a customer's calendar and policy say about their notices. */
export interface CustomerNoticeContext {
  calendar: BusinessCalendar;
  noticeBusinessDays: number;
}

/**
 * The reminder's instant: the opening of the customer's last business day before the start's day
 * (in their zone and holidays), or none when that is not after the notice went out.
 */
export function reminderAt(calendar: BusinessCalendar, start: string, revisedAt: string): Date | undefined {
  let day = DateTime.fromISO(start, { zone: calendar.zone }).startOf('day').minus({ days: 1 });
  for (let i = 0; i < 30 && !isBusinessDay(calendar, day); i++) day = day.minus({ days: 1 });
  const [hour, minute] = calendar.start.split(':').map(Number);
  const at = day.set({ hour, minute }).toJSDate();
  return at.getTime() > Date.parse(revisedAt) && at.getTime() < Date.parse(start) ? at : undefined;
}

/**
 * Which emails are due now, customer by customer, and when to look again. A customer hears the
 * notice of each revision at once (marked short when it comes later than the policy's business
 * days), a reminder on their business day before, then "started", each extension, and
 * "completed"; a cancellation only if they had heard of it.
 */
export function decideNotices(
  maintenance: Maintenance,
  contexts: Map<string, CustomerNoticeContext>,
  now: Date,
): { emails: NoticeEmail[]; done: boolean; nextDeadline?: Date } {
  const emails: NoticeEmail[] = [];
  const unsent = (key: string) => !maintenance.sent.includes(key) && !emails.some((email) => email.key === key);
  let nextDeadline: Date | undefined;
  const later = (at: Date) => {
    if (!nextDeadline || at < nextDeadline) nextDeadline = at;
  };
  for (const customerId of affectedCustomers(maintenance).keys()) {
    const context = contexts.get(customerId);
    if (!context) continue; // a customer removed since: nobody to tell
    const due = (step: NoticeStep, key: string, extra: Partial<NoticeEmail> = {}) => {
      if (unsent(key)) emails.push({ key, customerId, step, ...extra });
    };
    const noticeKey = `notice-r${maintenance.revision}-${customerId}`;
    // A cancellation is news only to a customer who was told of the work.
    const heard = maintenance.sent.some((key) => key.startsWith('notice-') && key.endsWith(`-${customerId}`));
    switch (maintenance.status) {
      case 'scheduled': {
        const enoughBefore = addTime(context.calendar, new Date(maintenance.revisedAt), `P${context.noticeBusinessDays}D`);
        due('notice', noticeKey, {
          shortNotice: enoughBefore.getTime() > Date.parse(maintenance.start),
          rescheduled: maintenance.revision > 1,
        });
        const remindAt = reminderAt(context.calendar, maintenance.start, maintenance.revisedAt);
        const reminderKey = `reminder-r${maintenance.revision}-${customerId}`;
        if (remindAt && unsent(reminderKey)) {
          if (remindAt <= now) due('reminder', reminderKey);
          else later(remindAt);
        }
        break;
      }
      case 'in-progress':
      case 'completed':
        due('started', `started-${customerId}`);
        for (let n = 1; n <= maintenance.extensions.length; n++) due('extended', `extended-${n}-${customerId}`);
        if (maintenance.status === 'completed') due('completed', `completed-${customerId}`);
        break;
      case 'cancelled':
        if (heard) due('cancelled', `cancelled-${customerId}`);
        break;
    }
  }
  const over = maintenance.status === 'completed' || maintenance.status === 'cancelled';
  return { emails, done: over, ...(nextDeadline ? { nextDeadline } : {}) };
}
