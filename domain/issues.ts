import { z } from 'zod';
import { defaultPolicy, ladderLevels, ms, type EscalationLevel, type SeverityPolicy } from './policy.ts';

import { severities, type Severity } from './severity.ts';

export { severities, type Severity };
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
  /** The severity's policy as it was when the issue opened (frozen), and its version. */
  policy?: SeverityPolicy;
  policyVersion?: number;
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
export type StepAction =
  | { kind: 'email'; key: string; template: 'acknowledgement' | 'closure' | 'holding-update'; audience: 'customer'; nextUpdateAt?: string }
  | { kind: 'email'; key: string; template: 'escalation'; audience: EscalationLevel; reason: string };

export interface StepDecision {
  actions: StepAction[];
  /** The workflow ends (the issue is closed). */
  done: boolean;
  /** When the step must run again if no event arrives first. */
  nextDeadline: Date;
}

const RECHECK_MS = 24 * 3600 * 1000;

export const policyOf = (issue: Issue): SeverityPolicy => issue.policy ?? defaultPolicy.severities[issue.severity];

interface Escalation {
  level: EscalationLevel;
  due: number;
  reason: string;
}

/** The escalations an issue's policy defines, with the time each falls due (24x7 calendars). */
function escalations(issue: Issue): Escalation[] {
  const policy = policyOf(issue);
  if (policy.calendar !== '24x7') return [];
  const start = Date.parse(issue.createdAt);
  const result: Escalation[] = [];
  if (policy.acknowledgeWithin && !issue.acknowledgedAt) {
    result.push({ level: 'teamLead', due: start + ms(policy.acknowledgeWithin), reason: `not acknowledged after ${policy.acknowledgeWithin.slice(2).toLowerCase()}` });
  }
  for (const step of policy.ladder) result.push({ level: step.level, due: start + ms(step.after), reason: `unresolved after ${step.after.slice(2).toLowerCase()}` });
  return result;
}

/** 0 = nobody escalated, 1 = team lead, 2 = service manager, 3 = director. */
export function escalationLevel(issue: Issue, now: Date): number {
  if (issue.status === 'resolved' || issue.status === 'closed') {
    now = new Date(Date.parse(issue.resolvedAt ?? issue.closedAt ?? now.toISOString()));
  }
  const reached = escalations(issue).filter((e) => e.due <= now.getTime());
  return Math.max(0, ...reached.map((e) => ladderLevels.indexOf(e.level) + 1));
}

/** Decides, from the issue and its frozen policy alone, what is due now. Pure: same input, same decision. */
export function decideStep(issue: Issue, now: Date): StepDecision {
  const g = issue.generation;
  const actions: StepAction[] = [{ kind: 'email', key: `ack-g${g}`, template: 'acknowledgement', audience: 'customer' }];
  if (issue.status === 'closed') {
    actions.push({ kind: 'email', key: `closure-g${g}`, template: 'closure', audience: 'customer' });
    return { actions, done: true, nextDeadline: now };
  }
  const deadlines = [now.getTime() + RECHECK_MS];
  const policy = policyOf(issue);
  const unresolved = issue.status === 'open' || issue.status === 'acknowledged';
  if (unresolved && policy.calendar === '24x7') {
    for (const escalation of escalations(issue)) {
      if (escalation.due <= now.getTime()) {
        actions.push({ kind: 'email', key: `escalation-${escalation.level}-g${g}`, template: 'escalation', audience: escalation.level, reason: escalation.reason });
      } else deadlines.push(escalation.due);
    }
    if (policy.holdingUpdates) {
      // Updates fall due on a fixed grid from the opening; after a gap only the latest is sent.
      const start = Date.parse(issue.createdAt);
      const every = ms(policy.updateEvery);
      const due = Math.floor((now.getTime() - start) / every);
      const next = start + (due + 1) * every;
      if (due >= 1) actions.push({ kind: 'email', key: `update-${due}-g${g}`, template: 'holding-update', audience: 'customer', nextUpdateAt: new Date(next).toISOString() });
      deadlines.push(next);
    }
  }
  return { actions, done: false, nextDeadline: new Date(Math.min(...deadlines)) };
}
