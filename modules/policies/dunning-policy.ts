import * as z from 'zod';

/** The dunning ladder as versioned policy data (part of a customer's policy). */
export const dunningPolicySchema = z.object({
  /** Local time of day dunning emails go out, on the customer's business days. */
  sendAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  /**
   * Customer dunning mail goes out from sendAt until this many minutes later (a late run still
   * sends); outside that window, and on non-business days, it waits for the next send time.
   */
  sendWindowMinutes: z.number().int().min(15).max(720).default(120),
  /** Courtesy note this many days before invoices fall due. */
  courtesyDaysBefore: z.number().int().min(0).max(30),
  steps: z
    .array(
      z.object({
        key: z.string().regex(/^[a-z0-9-]{1,64}$/, 'lower-case letters, digits and -, at most 64'),
        /** Days after the due date of the oldest unpaid invoice. */
        offsetDays: z.number().int().min(0).max(365),
        /** At least this many days after the previous step of the ladder went out (never the same day). */
        noticeDays: z.number().int().min(0).max(90).default(0),
        template: z.enum(['dunning-reminder', 'dunning-why', 'dunning-warning', 'dunning-final', 'dunning-suspension']),
        /** Warnings, final notice and suspension: held during an outage, with the service manager asked. */
        consequence: z.boolean().default(false),
        /** Only sent once the service manager approves (signed link or API). */
        approval: z.boolean().default(false),
        /** Internal people told when this step goes out. */
        notify: z
          .array(z.enum(['serviceManager', 'director']))
          .max(2)
          .default([]),
      }),
    )
    .min(1)
    .max(20),
  /** The step whose date is the suspension date given to the customer. */
  suspensionStep: z.string().max(64),
  declineHoldDays: z.number().int().min(1).max(90),
  /** An open sev1/sev2 issue, or one resolved within this many days, holds consequence steps. */
  outageWindowDays: z.number().int().min(0).max(90),
  /** How far ahead a customer may promise to pay (a promise pauses dunning of the invoice until its date). */
  promiseMaxDays: z.number().int().min(1).max(365).default(60),
});
export type DunningPolicy = z.infer<typeof dunningPolicySchema>;

export const defaultDunningPolicy: DunningPolicy = dunningPolicySchema.parse({
  sendAt: '09:00',
  courtesyDaysBefore: 3,
  steps: [
    { key: 'reminder', offsetDays: 1, template: 'dunning-reminder' },
    { key: 'why', offsetDays: 7, noticeDays: 5, template: 'dunning-why' },
    { key: 'warning', offsetDays: 14, noticeDays: 5, template: 'dunning-warning', consequence: true, notify: ['serviceManager'] },
    { key: 'final', offsetDays: 21, noticeDays: 7, template: 'dunning-final', consequence: true, notify: ['director'] },
    { key: 'suspension', offsetDays: 30, noticeDays: 7, template: 'dunning-suspension', consequence: true, approval: true },
  ],
  suspensionStep: 'suspension',
  declineHoldDays: 7,
  outageWindowDays: 7,
});
