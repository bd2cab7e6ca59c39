import { Duration } from 'luxon';
import * as z from 'zod';
import { aroundTheClock, businessCalendar, type Calendar } from '../../kernel/calendar.ts';
import { defaultDunningPolicy, dunningPolicySchema } from './dunning-policy.ts';
import { severities, type Severity } from '../../kernel/severity.ts';

// Months and years have no fixed length and count as nothing in business hours: a policy names
// days, weeks, hours and minutes only (P20D, not P1M).
const COUNTABLE = /^P(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/;
const MAX_POLICY_DURATION_MS = 366 * 86_400_000;
const durationMs = (text: string) => Duration.fromISO(text).as('milliseconds');
const isoDuration = z
  .string()
  .max(32)
  .refine(
    (text) => COUNTABLE.test(text) && Duration.fromISO(text).isValid && durationMs(text) > 0 && durationMs(text) <= MAX_POLICY_DURATION_MS,
    'a positive ISO-8601 duration of weeks, days, hours or minutes up to a year, such as PT30M or P5D (no months or years)',
  );
/**
 * The floors of what makes mail, checked when a policy is stored (versions stored before them still
 * read): a customer update at most every 15 minutes (PT1M sent one sev1's customer 4,762 emails in
 * 13 days), an acknowledgement deadline or escalation rung no sooner than 5 minutes, an RFO
 * reminder, auto-accept or auto-close no sooner than an hour.
 */
export const POLICY_FLOORS = { updateEvery: 'PT15M', escalation: 'PT5M', rfo: 'PT1H', cooldown: 'PT5M', linkValidity: 'PT1H' };
const DEFAULT_BACKUP_KEYWORDS = ['backup', 'back-up', 'fallback', 'failover', 'workaround'] as const;
/** "It is back", in the languages of Steward's first customers (English, German, Portuguese, Spanish, French, Japanese). */
const DEFAULT_PROBLEM_BACK_KEYWORDS = [
  'down again',
  'again',
  'same problem',
  'still',
  'not working',
  'not fixed',
  'is back',
  'came back',
  'recurr',
  'wieder',
  'immer noch',
  'funktioniert nicht',
  'novamente',
  'de novo',
  'ainda',
  'não funciona',
  'otra vez',
  'de nuevo',
  'todavía',
  'no funciona',
  'encore',
  'ne fonctionne pas',
  'à nouveau',
  'また',
  'まだ',
  '再発',
] as const;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time "HH:mm"');
const level = z.enum(['teamLead', 'serviceManager', 'director']);
export type EscalationLevel = z.infer<typeof level>;
export const ladderLevels: EscalationLevel[] = ['teamLead', 'serviceManager', 'director'];

const severityPolicySchema = z.object({
  /** 24x7 counts wall-clock time; business-hours counts the customer's business hours and skips their public holidays. */
  calendar: z.enum(['24x7', 'business-hours']),
  /** How often the customer hears from us while the issue is open (in the calendar). */
  updateEvery: isoDuration,
  /** At the promised update time without a human update, the customer gets a holding update. */
  holdingUpdates: z.boolean(),
  /**
   * After this many holding updates in a row (no person wrote meanwhile) the service manager is told,
   * and each further interval doubles, up to eight times `updateEvery`: a forgotten issue escalates
   * instead of flooding the customer with the same words.
   */
  holdingBackoffAfter: z.number().int().min(1).max(100).default(3),
  /** Not acknowledged after this long: the team lead is told. */
  acknowledgeWithin: isoDuration.optional(),
  /** Unresolved after `after`: `level` is told. */
  ladder: z.array(z.object({ after: isoDuration, level })).max(10),
  /** Resolving needs a reason for outage, which the customer is asked to accept. */
  rfoRequired: z.boolean(),
});

/** Rules shared by every severity. Durations of the RFO rules count business days of the customer. */
/** What a policy stored before maintenance existed means for it. */
export const MAINTENANCE_DEFAULTS = { noticeBusinessDays: 5 };

const commonSchema = z.object({
  businessHours: z
    .object({ start: hhmm, end: hhmm, days: z.array(z.number().int().min(1).max(7)).min(1).max(7) })
    .refine((hours) => hours.start < hours.end, 'start must be before end'),
  /** The owner is nudged this long before a promised update is due without one. */
  nudgeBefore: isoDuration,
  /** The owner is warned this long before the ETR passes unresolved. */
  etrWarningBefore: isoDuration,
  rfoReminderAfter: isoDuration,
  rfoAutoAcceptAfter: isoDuration,
  /** Resolved without an RFO: closed this long after the resolution notice unless reopened. */
  autoCloseAfter: isoDuration,
  /** A customer's mail to an issue closed less than this long ago reopens it; later mail opens a new issue that follows it. */
  reopenWithin: isoDuration.default('P10D'),
  /**
   * A customer's question after resolution is answered within this much business time: the owner is
   * nudged when it passes unanswered, the team lead when it passes again.
   */
  replyWithin: isoDuration.default('PT4H'),
  /** A customer may escalate at most once per this long. */
  customerEscalationCooldown: isoDuration,
  /** How long a link in a customer email stays valid. */
  linkValidity: isoDuration,
  /** The AR dunning ladder. */
  dunning: dunningPolicySchema,
  /** Planned maintenance: how many of the customer's business days ahead they are told (less is short notice). */
  maintenance: z
    .object({ noticeBusinessDays: z.number().int().min(0).max(30).default(MAINTENANCE_DEFAULTS.noticeBusinessDays) })
    .default(MAINTENANCE_DEFAULTS),
  /** Severity of an issue a customer opens by email: the first keyword found in subject or body wins. */
  email: z.object({
    defaultSeverity: z.enum(severities),
    keywords: z.array(z.object({ contains: z.string().min(1).max(200), severity: z.enum(severities) })).max(100),
    /** A customer who writes one of these (subject or body, any case) is taken to be running on backup. */
    backupKeywords: z
      .array(z.string().min(1).max(200))
      .max(50)
      .default([...DEFAULT_BACKUP_KEYWORDS]),
    /**
     * A customer's mail to a resolved or closed issue that says one of these (any case) means the
     * problem is back: the incident starts again. Any other mail is a conversation with the owner.
     */
    problemBackKeywords: z
      .array(z.string().min(1).max(200))
      .max(100)
      .default([...DEFAULT_PROBLEM_BACK_KEYWORDS]),
  }),
});

export const policySchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and -, at most 64'),
  version: z.number().int().positive(),
  ...commonSchema.shape,
  severities: z.object(
    Object.fromEntries(severities.map((s) => [s, severityPolicySchema])) as Record<Severity, typeof severityPolicySchema>,
  ),
});

/** What PUT /policies/{name} accepts: a policy without its name and version, which Steward assigns. */
export const policyInputSchema = policySchema.omit({ name: true, version: true }).superRefine((policy, context) => {
  const atLeast = (value: string | undefined, floor: string, path: (string | number)[]) => {
    if (value !== undefined && Duration.fromISO(value).isValid && durationMs(value) < durationMs(floor))
      context.addIssue({ code: 'custom', path, message: `at least ${floor}: anything sooner would flood the people it mails` });
  };
  for (const severity of severities) {
    const rules = policy.severities[severity];
    atLeast(rules.updateEvery, POLICY_FLOORS.updateEvery, ['severities', severity, 'updateEvery']);
    atLeast(rules.acknowledgeWithin, POLICY_FLOORS.escalation, ['severities', severity, 'acknowledgeWithin']);
    rules.ladder.forEach((rung, index) => {
      atLeast(rung.after, POLICY_FLOORS.escalation, ['severities', severity, 'ladder', index, 'after']);
    });
  }
  for (const field of ['rfoReminderAfter', 'rfoAutoAcceptAfter', 'autoCloseAfter'] as const)
    atLeast(policy[field], POLICY_FLOORS.rfo, [field]);
  atLeast(policy.customerEscalationCooldown, POLICY_FLOORS.cooldown, ['customerEscalationCooldown']);
  atLeast(policy.linkValidity, POLICY_FLOORS.linkValidity, ['linkValidity']);
});

export type Policy = z.infer<typeof policySchema>;
export type SeverityPolicy = z.infer<typeof severityPolicySchema>;
/** The rules of one severity plus the common ones, as frozen on an issue when it opens. */
export type IssuePolicy = SeverityPolicy & Omit<z.infer<typeof commonSchema>, 'dunning'> & { name: string; version: number };

/** The defaults Steward ships. */
export const defaultPolicy: Policy = policySchema.parse({
  name: 'default',
  version: 1,
  businessHours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] },
  nudgeBefore: 'PT10M',
  etrWarningBefore: 'PT15M',
  rfoReminderAfter: 'P2D',
  rfoAutoAcceptAfter: 'P5D',
  autoCloseAfter: 'P5D',
  customerEscalationCooldown: 'PT1H',
  linkValidity: 'P30D',
  dunning: defaultDunningPolicy,
  email: {
    defaultSeverity: 'sev3',
    keywords: [
      { contains: 'outage', severity: 'sev2' },
      { contains: 'down', severity: 'sev2' },
      { contains: 'not working', severity: 'sev2' },
      { contains: 'question', severity: 'sev4' },
    ],
  },
  severities: {
    sev1: {
      calendar: '24x7',
      updateEvery: 'PT30M',
      holdingUpdates: true,
      // Six hours of half-hourly holding updates before the cadence stretches (sev2: three, two-hourly).
      holdingBackoffAfter: 12,
      acknowledgeWithin: 'PT15M',
      ladder: [
        { after: 'PT1H', level: 'serviceManager' },
        { after: 'PT4H', level: 'director' },
      ],
      rfoRequired: true,
    },
    sev2: {
      calendar: '24x7',
      updateEvery: 'PT2H',
      holdingUpdates: true,
      acknowledgeWithin: 'PT30M',
      ladder: [
        { after: 'PT4H', level: 'serviceManager' },
        { after: 'PT12H', level: 'director' },
      ],
      rfoRequired: true,
    },
    sev3: {
      calendar: 'business-hours',
      updateEvery: 'P1D',
      holdingUpdates: false,
      acknowledgeWithin: 'PT4H',
      ladder: [{ after: 'P3D', level: 'serviceManager' }],
      rfoRequired: false,
    },
    sev4: {
      calendar: 'business-hours',
      updateEvery: 'P5D',
      holdingUpdates: false,
      acknowledgeWithin: 'P1D',
      ladder: [],
      rfoRequired: false,
    },
  },
});

export function freezePolicy(policy: Policy, severity: Severity): IssuePolicy {
  const { severities: all, dunning: _dunning, ...common } = policy;
  return { ...common, ...all[severity] };
}

export const ms = (iso: string) => Duration.fromISO(iso).as('milliseconds');

/** The calendar an issue's clocks run on, and the customer's business calendar (for RFO and closing rules). */
export function calendars(policy: IssuePolicy, customer: { timezone: string; country: string }): { issue: Calendar; business: Calendar } {
  const business = businessCalendar(customer, policy.businessHours);
  return { issue: policy.calendar === '24x7' ? aroundTheClock : business, business };
}

/** The severity of a customer's email under a policy's keyword rules (case-insensitive, subject before body). */
/** Whether a customer's words say they run on a backup or workaround (policy `email.backupKeywords`). */
/** Whether a customer's words say the problem is back (the policy's `problemBackKeywords`, any case). */
export function saysProblemBack(email: { problemBackKeywords?: string[] }, ...texts: string[]): boolean {
  const keywords = email.problemBackKeywords ?? DEFAULT_PROBLEM_BACK_KEYWORDS;
  return texts.some((text) => keywords.some((keyword) => text.toLowerCase().includes(keyword.toLowerCase())));
}

export function mentionsBackup(email: { backupKeywords?: string[] }, ...texts: string[]): boolean {
  const keywords = email.backupKeywords ?? DEFAULT_BACKUP_KEYWORDS;
  return texts.some((text) => keywords.some((keyword) => text.toLowerCase().includes(keyword.toLowerCase())));
}

export function emailSeverity(policy: Policy, subject: string, body: string): Severity {
  for (const text of [subject, body]) {
    const lower = text.toLowerCase();
    const rule = policy.email.keywords.find((keyword) => lower.includes(keyword.contains.toLowerCase()));
    if (rule) return rule.severity;
  }
  return policy.email.defaultSeverity;
}
