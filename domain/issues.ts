import { z } from 'zod';

export const severities = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof severities)[number];
export type IssueStatus = 'open' | 'acknowledged' | 'resolved' | 'closed';

export const newIssueSchema = z.object({
  customerId: z.string().min(1),
  title: z.string().min(1).max(300),
  description: z.string().max(20_000).default(''),
  severity: z.enum(severities),
  impact: z.string().max(2_000).default(''),
  runningOnBackup: z.boolean().default(false),
  source: z.enum(['api', 'email', 'webhook']).default('api'),
  owner: z.object({ name: z.string().min(1), email: z.email() }).optional(),
});
export type NewIssue = z.infer<typeof newIssueSchema>;

export const issueEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('acknowledge'), by: z.string().optional() }),
  z.object({ type: z.literal('note'), message: z.string().min(1) }),
  z.object({ type: z.literal('resolve'), rfo: z.string().optional() }),
  z.object({ type: z.literal('close') }),
  z.object({ type: z.literal('reopen'), reason: z.string().optional() }),
]);
export type IssueEvent = z.infer<typeof issueEventSchema>;

export interface Issue {
  id: string;
  customerId: string;
  title: string;
  description: string;
  severity: Severity;
  impact: string;
  runningOnBackup: boolean;
  source: string;
  owner?: { name: string; email: string };
  status: IssueStatus;
  createdAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  rfo?: { text: string; status: 'pending' | 'accepted' | 'disputed' };
  /** Workflow generation: the execution is named issue-<id>-g<generation>. */
  generation: number;
  /** Events recorded so far, and how many of them the workflow has acted on. */
  eventSeq: number;
  handledSeq: number;
}

export const executionName = (issue: Pick<Issue, 'id' | 'generation'>) => `issue-${issue.id}-g${issue.generation}`;

/** Applies an event to an issue; throws InvalidTransition when the status does not allow it. */
export function applyEvent(issue: Issue, event: IssueEvent, at: Date): Issue {
  const now = at.toISOString();
  const next: Issue = { ...issue, eventSeq: issue.eventSeq + 1 };
  switch (event.type) {
    case 'acknowledge':
      if (issue.status !== 'open') throw new InvalidTransition(`cannot acknowledge an issue that is ${issue.status}`);
      return { ...next, status: 'acknowledged', acknowledgedAt: now };
    case 'note':
      return next;
    case 'resolve':
      if (issue.status !== 'open' && issue.status !== 'acknowledged') throw new InvalidTransition(`cannot resolve an issue that is ${issue.status}`);
      return {
        ...next,
        status: 'resolved',
        resolvedAt: now,
        acknowledgedAt: issue.acknowledgedAt ?? now,
        rfo: event.rfo ? { text: event.rfo, status: 'pending' } : issue.rfo,
      };
    case 'close':
      if (issue.status === 'closed') throw new InvalidTransition('the issue is already closed');
      return { ...next, status: 'closed', closedAt: now };
    case 'reopen':
      if (issue.status !== 'resolved' && issue.status !== 'closed') throw new InvalidTransition(`cannot reopen an issue that is ${issue.status}`);
      return {
        ...next,
        status: 'acknowledged',
        resolvedAt: undefined,
        closedAt: undefined,
        generation: issue.status === 'closed' ? issue.generation + 1 : issue.generation,
      };
  }
}

export class InvalidTransition extends Error {
  override name = 'InvalidTransition';
}

/** Something the workflow step must do now. Keys make every email effectively once. */
export type StepAction = { kind: 'email'; key: string; template: 'acknowledgement' | 'closure'; audience: 'customer' };

export interface StepDecision {
  actions: StepAction[];
  /** The workflow ends (the issue is closed). */
  done: boolean;
  /** When the step must run again if no event arrives first. */
  nextDeadline: Date;
}

const RECHECK_MS = 24 * 3600 * 1000;

/** Decides, from the issue alone, what is due now. Pure: same input, same decision. */
export function decideStep(issue: Issue, now: Date): StepDecision {
  const actions: StepAction[] = [{ kind: 'email', key: `ack-g${issue.generation}`, template: 'acknowledgement', audience: 'customer' }];
  if (issue.status === 'closed') {
    actions.push({ kind: 'email', key: `closure-g${issue.generation}`, template: 'closure', audience: 'customer' });
    return { actions, done: true, nextDeadline: now };
  }
  return { actions, done: false, nextDeadline: new Date(now.getTime() + RECHECK_MS) };
}
