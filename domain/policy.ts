import { Duration } from 'luxon';
import { z } from 'zod';
import { severities, type Severity } from './severity.ts';

const isoDuration = z.string().refine((text) => Duration.fromISO(text).isValid, 'an ISO-8601 duration such as PT30M');
const level = z.enum(['teamLead', 'serviceManager', 'director']);
export type EscalationLevel = z.infer<typeof level>;
export const ladderLevels: EscalationLevel[] = ['teamLead', 'serviceManager', 'director'];

const severityPolicySchema = z.object({
  /** 24x7 counts wall-clock time; business-hours counts the customer's business hours (calendars: not yet). */
  calendar: z.enum(['24x7', 'business-hours']),
  /** How often the customer hears from us while the issue is open. */
  updateEvery: isoDuration,
  /** At the promised update time without a human update, the customer gets a holding update. */
  holdingUpdates: z.boolean(),
  /** Not acknowledged after this long: the first level is told. */
  acknowledgeWithin: isoDuration.optional(),
  /** Unresolved after `after`: `level` is told. */
  ladder: z.array(z.object({ after: isoDuration, level })),
});

export const policySchema = z.object({
  name: z.string().min(1),
  version: z.number().int().positive(),
  severities: z.object(Object.fromEntries(severities.map((s) => [s, severityPolicySchema])) as Record<Severity, typeof severityPolicySchema>),
});

export type Policy = z.infer<typeof policySchema>;
export type SeverityPolicy = z.infer<typeof severityPolicySchema>;

/** The defaults Steward ships; frozen on each issue when it opens. */
export const defaultPolicy: Policy = policySchema.parse({
  name: 'default',
  version: 1,
  severities: {
    sev1: { calendar: '24x7', updateEvery: 'PT30M', holdingUpdates: true, acknowledgeWithin: 'PT15M', ladder: [{ after: 'PT1H', level: 'serviceManager' }, { after: 'PT4H', level: 'director' }] },
    sev2: { calendar: '24x7', updateEvery: 'PT2H', holdingUpdates: true, acknowledgeWithin: 'PT30M', ladder: [{ after: 'PT4H', level: 'serviceManager' }, { after: 'PT12H', level: 'director' }] },
    sev3: { calendar: 'business-hours', updateEvery: 'P1D', holdingUpdates: false, acknowledgeWithin: 'PT4H', ladder: [{ after: 'P3D', level: 'serviceManager' }] },
    sev4: { calendar: 'business-hours', updateEvery: 'P7D', holdingUpdates: false, acknowledgeWithin: 'P1D', ladder: [] },
  },
});

export const ms = (iso: string) => Duration.fromISO(iso).as('milliseconds');
