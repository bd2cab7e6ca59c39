import * as z from 'zod';
import { clientRecord } from '../../kernel/client-record.ts';
import { severities } from '../../kernel/severity.ts';

/**
 * What clients may send about issues, as the API validates it. Apart from the domain logic
 * (issue.ts), so the functions that only step or wait on an issue do not build these schemas at
 * every cold start.
 */
const person = z.object({ name: z.string().min(1).max(200), email: z.email().max(254) });

export const newIssueSchema = z.object({
  customerId: z.string().min(1).max(64),
  title: z.string().min(1).max(300),
  description: z.string().max(20_000).default(''),
  severity: z.enum(severities),
  impact: z.string().max(2_000).default(''),
  runningOnBackup: z.boolean().default(false),
  source: z.enum(['api', 'email', 'webhook']).default('api'),
  owner: person.optional(),
  /** Where a webhook or email issue came from (integration and alert key, or the message). */
  origin: clientRecord(z.string().max(2_000), 20).optional(),
});
export type NewIssue = z.infer<typeof newIssueSchema>;

const instant = z.iso.datetime({ offset: true });
const eventId = { eventId: z.string().min(1).max(200).optional() };

/** A person's update for the customer (also what POST /issues/{id}/preview renders). */
export const updateEventSchema = z.object({
  type: z.literal('update'),
  message: z.string().min(1).max(10_000),
  etr: instant.optional(),
  nextUpdateAt: instant.optional(),
  ...eventId,
});

export const issueEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('acknowledge'), by: z.string().max(200).optional(), owner: person.optional(), ...eventId }),
  updateEventSchema,
  z.object({ type: z.literal('set-etr'), etr: instant, reason: z.string().max(2_000).optional(), ...eventId }),
  z.object({ type: z.literal('note'), message: z.string().min(1).max(10_000), ...eventId }),
  /** Answers the customer (a question after resolution, or any time): the message is emailed to them. */
  z.object({ type: z.literal('reply'), message: z.string().min(1).max(10_000), ...eventId }),
  /** Hands the issue to another person: they get the owner's emails from now on. */
  z.object({ type: z.literal('assign'), owner: person, ...eventId }),
  /** Files the issue under another customer (a triage issue found its customer): their contacts get its emails from now on. */
  z.object({ type: z.literal('move'), customerId: z.string().min(1).max(64), reason: z.string().max(2_000).optional(), ...eventId }),
  z.object({ type: z.literal('resolve'), rfo: z.string().min(1).max(20_000).optional(), ...eventId }),
  z.object({ type: z.literal('revise-rfo'), rfo: z.string().min(1).max(20_000), ...eventId }),
  z.object({ type: z.literal('accept-rfo'), by: z.enum(['customer', 'staff']).default('staff'), ...eventId }),
  z.object({ type: z.literal('dispute-rfo'), comment: z.string().min(1).max(5_000), ...eventId }),
  z.object({ type: z.literal('customer-escalate'), comment: z.string().max(5_000).optional(), ...eventId }),
  z.object({ type: z.literal('close'), ...eventId }),
  z.object({ type: z.literal('reopen'), reason: z.string().max(2_000).optional(), ...eventId }),
]);
export type IssueEvent = z.infer<typeof issueEventSchema>;

/** Events only Steward's own ingest records (monitoring and inbound email), never the public API. */
export const internalEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('occurrence'),
    integration: z.string().max(200),
    key: z.string().max(1_000),
    summary: z.string().max(2_000).optional(),
    ...eventId,
  }),
  z.object({ type: z.literal('monitoring-cleared'), integration: z.string().max(200), key: z.string().max(1_000), ...eventId }),
  z.object({
    type: z.literal('customer-message'),
    from: z.string().max(320),
    subject: z.string().max(1_000),
    text: z.string().max(51_000),
    messageId: z.string().max(1_000).optional(),
    note: z.string().max(2_000).optional(),
    ...eventId,
  }),
]);
export type InternalIssueEvent = z.infer<typeof internalEventSchema>;
export type AnyIssueEvent = IssueEvent | InternalIssueEvent;
