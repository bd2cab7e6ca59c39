import { DomainError } from '../../kernel/errors.ts';
import { addTime, type Calendar } from '../../kernel/calendar.ts';
import {
  defaultPolicy,
  freezePolicy,
  ladderLevels,
  mentionsBackup,
  saysProblemBack,
  ms,
  type EscalationLevel,
  type IssuePolicy,
} from '../policies/index.ts';
import { severities, type Severity } from '../../kernel/severity.ts';
import { durationInWords } from '../../kernel/time-words.ts';
import type { AnyIssueEvent, NewIssue } from './issue-schemas.ts';

export { severities, type Severity };
export type IssueStatus = 'open' | 'acknowledged' | 'resolved' | 'closed';
export const issueStatuses: IssueStatus[] = ['open', 'acknowledged', 'resolved', 'closed'];

export type { AnyIssueEvent, InternalIssueEvent, IssueEvent, NewIssue } from './issue-schemas.ts';

/** Events that change nothing the workflow decides on do not wake it (a wake costs billed transitions). */
export const wakesWorkflow = (event: AnyIssueEvent) => event.type !== 'note' && event.type !== 'occurrence';

export interface Rfo {
  text: string;
  status: 'pending' | 'accepted' | 'disputed';
  revision: number;
  sentAt?: string;
  firstSentAt?: string;
  acceptedAt?: string;
  acceptedBy?: 'customer' | 'staff' | 'auto';
  disputes: { at: string; comment: string }[];
}

export interface PendingUpdate {
  seq: number;
  at: string;
  message: string;
  etr?: string;
  nextUpdateAt: string;
  /** A moved ETR told with its reason: the ETR it replaced. */
  etrMovedFrom?: string;
}

export interface PendingMessage {
  seq: number;
  at: string;
  from: string;
  subject: string;
  text: string;
  note?: string;
}

/** A new issue as Steward opens it: what a client may send, and the services intake matched (never a client's word). */
export type OpenedIssue = NewIssue & { services?: string[] };

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
  origin?: Record<string, string>;
  /** The customer's services the issue is about, by id (an alert's labels matched them; modules/services). */
  services?: string[];
  status: IssueStatus;
  createdAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  /** The first cycle's acknowledgement and resolution, kept at the first reopen: KPIs count the first resolution, and a reopen apart. */
  firstCycle?: { acknowledgedAt?: string; ackDueAt?: string; resolvedAt?: string };
  closedAt?: string;
  /** When the current cycle began: the opening, or the last reopen (the ladder counts from here). */
  cycleStartedAt?: string;
  /** The policy as it was when the issue opened (frozen). */
  policy: IssuePolicy;
  /** When acknowledgement was due under the policy (for SLA compliance). */
  ackDueAt?: string;
  etr?: string;
  etrHistory: { etr: string; at: string; reason?: string }[];
  /** When the customer was promised the next update. */
  nextUpdateAt?: string;
  /** Human updates the workflow has not emailed yet. */
  pendingUpdates: PendingUpdate[];
  /** The promised update time the owner was last nudged for. */
  nudgedFor?: string;
  /** Promised updates given by a person in time, and missed. */
  cadence: { kept: number; missed: number };
  /** Holding updates sent since a person last wrote an update (the back-off counts these). */
  holdingStreak?: number;
  lastCustomerContactAt?: string;
  longestSilenceMs: number;
  /** Keys of one-shot emails already sent: the decision never emits them again. */
  sent: string[];
  /** Moves up the ladder that time alone did not cause (ETR passed, customer escalation). */
  bumps: { level: number; at: string; reason: string }[];
  customerEscalations: { at: string; level: number; comment?: string }[];
  rfo?: Rfo;
  rfoRevisions: number;
  /** RFO revisions made before the current cycle (set at a reopen): the customer counts revisions from the cycle's first. */
  rfoCycleStart?: number;
  /** Resolved without an RFO: when the customer was told. */
  resolutionNoticeAt?: string;
  reopenCount: number;
  /** Monitoring: how often the alert fired while this issue was open, and when it last cleared. */
  occurrences?: number;
  clearedByMonitoringAt?: string;
  /** Customer emails the owner has not been told about yet. */
  pendingMessages?: PendingMessage[];
  /** A customer's question after resolution that nobody has answered yet: since when, and by when it is due. */
  awaitingReply?: { seq: number; since: string; replyBy: string; from: string; subject: string };
  /** Answers a person wrote the customer that the workflow has not emailed yet. */
  pendingReplies?: { seq: number; at: string; message: string }[];
  /** Customers the issue was filed under before (a triage issue moved to its customer), oldest first. */
  moves?: { from: string; to: string; at: string }[];
  /** Workflow generation: the execution is named issue-<id>-g<generation>. */
  generation: number;
  /** Events recorded so far, and how many of them the workflow has acted on. */
  eventSeq: number;
  handledSeq: number;
  /** Optimistic-lock counter: every write of the issue item increments it. */
  version?: number;
}

/** Where the decision needs a time: now, and the calendars of the issue's clocks. */
export interface IssueContext {
  now: Date;
  calendars: { issue: Calendar; business: Calendar };
}

/**
 * Fills what an issue stored by an older Steward lacks (fields added since, rules added to the
 * policy since), so data in an existing .steward folder keeps working after an upgrade.
 */
export function normalizeIssue(stored: Issue): Issue {
  return {
    ...stored,
    policy: { ...freezePolicy(defaultPolicy, stored.severity), ...stored.policy },
    etrHistory: stored.etrHistory ?? [],
    pendingUpdates: stored.pendingUpdates ?? [],
    cadence: stored.cadence ?? { kept: 0, missed: 0 },
    longestSilenceMs: stored.longestSilenceMs ?? 0,
    sent: stored.sent ?? [],
    bumps: stored.bumps ?? [],
    customerEscalations: stored.customerEscalations ?? [],
    rfoRevisions: stored.rfoRevisions ?? (stored.rfo ? 1 : 0),
    rfo: stored.rfo ? { ...stored.rfo, revision: stored.rfo.revision ?? 1, disputes: stored.rfo.disputes ?? [] } : undefined,
    reopenCount: stored.reopenCount ?? 0,
  };
}

export const isUnresolved = (issue: Pick<Issue, 'status'>) => issue.status === 'open' || issue.status === 'acknowledged';

/** The RFO's revision as the customer counts it: from the current cycle's first (a reopened issue's new RFO is revision 1). */
export const rfoRevisionInCycle = (issue: Pick<Issue, 'rfo' | 'rfoCycleStart'>) =>
  issue.rfo ? issue.rfo.revision - (issue.rfoCycleStart ?? 0) : undefined;

/** The issue's state does not allow the event (409). */
export class InvalidTransition extends DomainError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'InvalidTransition';
  }
}

/** An event that is well-formed but wrong for this issue (a field's value), e.g. an ETR in the past. */
export class InvalidEvent extends DomainError {
  constructor(field: string, problem: string) {
    super('invalid', `${field}: ${problem}`, field, problem);
    this.name = 'InvalidEvent';
  }
}

export function openIssue(id: string, input: OpenedIssue, policy: IssuePolicy, ctx: IssueContext): Issue {
  const now = ctx.now;
  const cal = ctx.calendars.issue;
  return {
    ...input,
    id,
    status: 'open',
    createdAt: now.toISOString(),
    policy,
    ackDueAt: policy.acknowledgeWithin ? addTime(cal, now, policy.acknowledgeWithin).toISOString() : undefined,
    etrHistory: [],
    nextUpdateAt: addTime(cal, now, policy.updateEvery).toISOString(),
    pendingUpdates: [],
    cadence: { kept: 0, missed: 0 },
    longestSilenceMs: 0,
    sent: [],
    bumps: [],
    customerEscalations: [],
    rfoRevisions: 0,
    reopenCount: 0,
    generation: 1,
    eventSeq: 0,
    handledSeq: 0,
  };
}

function futureEtr(etr: string, now: Date): string {
  if (Date.parse(etr) <= now.getTime()) throw new InvalidEvent('etr', 'must be in the future');
  return new Date(etr).toISOString();
}

/**
 * How much of a comment the issue item keeps in its histories (escalations, RFO disputes): they
 * grow with every event, and DynamoDB refuses an item over 400 KB. The whole text is in the
 * event's own timeline item.
 */
const KEPT_COMMENT_CHARS = 500;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * What a customer's message does to the issue it answers. On an open issue, and after resolution
 * unless it says the problem is back (the policy's `problemBackKeywords`, in the words the customer
 * wrote, not the quoted thread or the subject, which echoes the title), it is recorded and the
 * owner told: a question after closure is a conversation, not an incident. A message that says the
 * problem is back reopens the issue (resolved, or closed less than the policy's `reopenWithin` ago
 * in business days), or after that opens a new issue that follows this one.
 */
export function customerMessageTarget(
  issue: Issue,
  ctx: IssueContext,
  message: { text: string } = { text: '' },
): 'record' | 'reopen' | 'follow-up' {
  if (isUnresolved(issue)) return 'record';
  if (!saysProblemBack(issue.policy.email, message.text)) return 'record';
  if (issue.status !== 'closed' || !issue.closedAt) return 'reopen';
  const until = addTime(ctx.calendars.business, new Date(issue.closedAt), issue.policy.reopenWithin);
  return ctx.now.getTime() < until.getTime() ? 'reopen' : 'follow-up';
}

/** Applies an event to an issue; throws InvalidTransition when the status does not allow it. */
export function applyEvent(issue: Issue, event: AnyIssueEvent, ctx: IssueContext): Issue {
  const at = ctx.now.toISOString();
  const next: Issue = { ...issue, eventSeq: issue.eventSeq + 1 };
  const requireUnresolved = (what: string) => {
    if (!isUnresolved(issue)) throw new InvalidTransition(`cannot ${what} an issue that is ${issue.status}`);
  };
  const requireRfo = (what: string, allowed: Rfo['status'][]) => {
    if (issue.status !== 'resolved' || !issue.rfo || !allowed.includes(issue.rfo.status)) {
      throw new InvalidTransition(
        `cannot ${what}: the issue is ${issue.status}${issue.rfo ? ` and its RFO ${issue.rfo.status}` : ' without an RFO'}`,
      );
    }
    return issue.rfo;
  };
  switch (event.type) {
    case 'acknowledge':
      if (issue.status !== 'open') throw new InvalidTransition(`cannot acknowledge an issue that is ${issue.status}`);
      return { ...next, status: 'acknowledged', acknowledgedAt: at, owner: event.owner ?? issue.owner };
    case 'assign':
      requireUnresolved('assign');
      return { ...next, owner: event.owner };
    case 'move':
      if (event.customerId === issue.customerId)
        throw new InvalidEvent('customerId', `the issue is already filed under ${issue.customerId}`);
      return {
        ...next,
        customerId: event.customerId,
        // Services are the customer's own: none of the old customer's is the new one's.
        services: undefined,
        moves: [...(issue.moves ?? []), { from: issue.customerId, to: event.customerId, at }],
      };
    case 'update': {
      requireUnresolved('update');
      if (event.nextUpdateAt && Date.parse(event.nextUpdateAt) <= ctx.now.getTime())
        throw new InvalidEvent('nextUpdateAt', 'must be in the future');
      const etr = event.etr ? futureEtr(event.etr, ctx.now) : issue.etr;
      const nextUpdateAt = event.nextUpdateAt
        ? new Date(event.nextUpdateAt).toISOString()
        : addTime(ctx.calendars.issue, ctx.now, issue.policy.updateEvery).toISOString();
      const inTime = !issue.nextUpdateAt || ctx.now.getTime() <= Date.parse(issue.nextUpdateAt);
      return {
        ...next,
        status: 'acknowledged',
        acknowledgedAt: issue.acknowledgedAt ?? at,
        etr,
        etrHistory: etr !== issue.etr ? [...issue.etrHistory, { etr: etr!, at }] : issue.etrHistory,
        nextUpdateAt,
        nudgedFor: undefined,
        holdingStreak: 0,
        awaitingReply: undefined,
        cadence: { ...issue.cadence, kept: issue.cadence.kept + (inTime ? 1 : 0) },
        pendingUpdates: [...issue.pendingUpdates, { seq: next.eventSeq, at, message: event.message, etr, nextUpdateAt }],
      };
    }
    case 'set-etr': {
      requireUnresolved('set the ETR of');
      const etr = futureEtr(event.etr, ctx.now);
      const reason = event.reason === undefined ? undefined : clip(event.reason, KEPT_COMMENT_CHARS);
      // An ETR the customer was given that moves, with a reason: they are told at once that it moved and
      // why, which is an update: the next one is due a full interval later, not at the old promise.
      const moved = issue.etr && issue.etr !== etr && event.reason?.trim();
      const nextUpdateAt = addTime(ctx.calendars.issue, ctx.now, issue.policy.updateEvery).toISOString();
      return {
        ...next,
        etr,
        etrHistory: [...issue.etrHistory, { etr, at, reason }],
        ...(moved
          ? {
              nextUpdateAt,
              nudgedFor: undefined,
              holdingStreak: 0,
              pendingUpdates: [
                ...issue.pendingUpdates,
                { seq: next.eventSeq, at, message: event.reason!.trim(), etr, nextUpdateAt, etrMovedFrom: issue.etr },
              ],
            }
          : {}),
      };
    }
    case 'note':
      return next;
    case 'reply':
      return {
        ...next,
        awaitingReply: undefined,
        // A closed issue whose question was answered already has no run waiting: a run of its own sends the answer.
        generation: issue.status === 'closed' && !issue.awaitingReply ? issue.generation + 1 : issue.generation,
        pendingReplies: [...(issue.pendingReplies ?? []), { seq: next.eventSeq, at, message: event.message }],
      };
    case 'occurrence':
      return { ...next, occurrences: (issue.occurrences ?? 1) + 1, clearedByMonitoringAt: undefined };
    case 'monitoring-cleared':
      return isUnresolved(issue) ? { ...next, clearedByMonitoringAt: at } : next;
    case 'customer-message': {
      const text = clip(event.text, 4000);
      // After resolution a message is a conversation: someone answers it by the policy's reply-by time.
      const awaitingReply =
        issue.awaitingReply ??
        (isUnresolved(issue)
          ? undefined
          : {
              seq: next.eventSeq,
              since: at,
              replyBy: addTime(ctx.calendars.business, ctx.now, issue.policy.replyWithin).toISOString(),
              from: event.from,
              subject: clip(event.subject, 300),
            });
      return {
        ...next,
        awaitingReply,
        // A closed issue's workflow has ended: a run of its own tells the owner (and ends, the issue staying closed).
        generation: issue.status === 'closed' ? issue.generation + 1 : issue.generation,
        runningOnBackup: issue.runningOnBackup || mentionsBackup(issue.policy.email, event.subject, event.text),
        pendingMessages: [
          ...(issue.pendingMessages ?? []),
          { seq: next.eventSeq, at, from: event.from, subject: event.subject, text, note: event.note },
        ],
      };
    }
    case 'resolve': {
      requireUnresolved('resolve');
      if (issue.policy.rfoRequired && !event.rfo)
        throw new InvalidEvent('rfo', `a reason for outage is required to resolve a ${issue.severity} issue`);
      const revision = issue.rfoRevisions + (event.rfo ? 1 : 0);
      return {
        ...next,
        status: 'resolved',
        resolvedAt: at,
        acknowledgedAt: issue.acknowledgedAt ?? at,
        pendingUpdates: [],
        rfoRevisions: revision,
        rfo: event.rfo ? { text: event.rfo, status: 'pending', revision, disputes: [] } : undefined,
      };
    }
    case 'revise-rfo': {
      const rfo = requireRfo('revise the RFO', ['pending', 'disputed']);
      const revision = issue.rfoRevisions + 1;
      return {
        ...next,
        rfoRevisions: revision,
        rfo: { text: event.rfo, status: 'pending', revision, disputes: rfo.disputes, firstSentAt: rfo.firstSentAt },
      };
    }
    case 'accept-rfo': {
      const rfo = requireRfo('accept the RFO', ['pending', 'disputed']);
      return { ...next, status: 'closed', closedAt: at, rfo: { ...rfo, status: 'accepted', acceptedAt: at, acceptedBy: event.by } };
    }
    case 'dispute-rfo': {
      const rfo = requireRfo('dispute the RFO', ['pending']);
      return {
        ...next,
        rfo: { ...rfo, status: 'disputed', disputes: [...rfo.disputes, { at, comment: clip(event.comment, KEPT_COMMENT_CHARS) }] },
      };
    }
    case 'customer-escalate': {
      requireUnresolved('escalate');
      const last = issue.customerEscalations.at(-1);
      const cooldown = ms(issue.policy.customerEscalationCooldown);
      if (last && ctx.now.getTime() - Date.parse(last.at) < cooldown) {
        throw new InvalidTransition(
          `already escalated at ${last.at}; the next escalation is possible from ${new Date(Date.parse(last.at) + cooldown).toISOString()}`,
        );
      }
      const level = Math.min(ladderLevels.length, escalationLevel(issue, ctx) + 1);
      const comment = event.comment === undefined ? undefined : clip(event.comment, KEPT_COMMENT_CHARS);
      return {
        ...next,
        bumps: [...issue.bumps, { level, at, reason: `the customer escalated${comment ? `: "${comment}"` : ''}` }],
        customerEscalations: [...issue.customerEscalations, { at, level, comment }],
      };
    }
    case 'close':
      if (issue.status === 'closed') throw new InvalidTransition('the issue is already closed');
      return { ...next, status: 'closed', closedAt: at, acknowledgedAt: issue.acknowledgedAt ?? at, resolvedAt: issue.resolvedAt ?? at };
    case 'reopen':
      if (issue.status !== 'resolved' && issue.status !== 'closed')
        throw new InvalidTransition(`cannot reopen an issue that is ${issue.status}`);
      // The problem is back: a fresh start, as a new incident would have (a new generation with no
      // old ETR, acknowledgement due from now, the ladder from its first rung, the customer told at
      // once); what the first cycle reached stays in its history and is not sent again.
      return {
        ...next,
        status: 'open',
        acknowledgedAt: undefined,
        ackDueAt: issue.policy.acknowledgeWithin
          ? addTime(ctx.calendars.issue, ctx.now, issue.policy.acknowledgeWithin).toISOString()
          : undefined,
        etr: undefined,
        firstCycle: issue.firstCycle ?? { acknowledgedAt: issue.acknowledgedAt, ackDueAt: issue.ackDueAt, resolvedAt: issue.resolvedAt },
        resolvedAt: undefined,
        closedAt: undefined,
        rfo: undefined,
        rfoCycleStart: issue.rfoRevisions,
        resolutionNoticeAt: undefined,
        nudgedFor: undefined,
        holdingStreak: 0,
        clearedByMonitoringAt: undefined,
        cycleStartedAt: at,
        awaitingReply: undefined,
        lastCustomerContactAt: at,
        nextUpdateAt: addTime(ctx.calendars.issue, ctx.now, issue.policy.updateEvery).toISOString(),
        reopenCount: issue.reopenCount + 1,
        generation: issue.generation + 1,
      };
  }
}

interface Escalation {
  level: number;
  due: number;
  reason: string;
}

/** A policy duration as people say it: "PT15M" → "15 minutes", "PT1H30M" → "1 hour 30 minutes", "P2D" → "2 days". */
const describe = (iso: string) => durationInWords(iso);

/** The escalations the issue's policy defines by time, with the instant each falls due. */
function timedEscalations(issue: Issue, calendar: Calendar): Escalation[] {
  const policy = issue.policy;
  const start = new Date(cycleStart(issue));
  const result: Escalation[] = [];
  if (policy.acknowledgeWithin) {
    const due = issue.ackDueAt ? Date.parse(issue.ackDueAt) : addTime(calendar, start, policy.acknowledgeWithin).getTime();
    if (!issue.acknowledgedAt || Date.parse(issue.acknowledgedAt) >= due) {
      result.push({
        level: 1,
        due,
        reason: `not acknowledged after ${describe(policy.acknowledgeWithin)}${policy.calendar === '24x7' ? '' : ' of business time'}`,
      });
    }
  }
  for (const step of policy.ladder) {
    result.push({
      level: ladderLevels.indexOf(step.level) + 1,
      due: addTime(calendar, start, step.after).getTime(),
      reason: `unresolved after ${describe(step.after)}${policy.calendar === '24x7' ? '' : ' of business time'}`,
    });
  }
  return result;
}

/** Levels reached by time or by a bump, each with why; the time it counts up to stops at resolution. */
function reachedLevels(issue: Issue, ctx: IssueContext): Map<number, string> {
  let until = ctx.now.getTime();
  if (!isUnresolved(issue)) until = Math.min(until, Date.parse(issue.resolvedAt ?? issue.closedAt ?? ctx.now.toISOString()));
  const reached = new Map<number, string>();
  for (const escalation of timedEscalations(issue, ctx.calendars.issue))
    if (escalation.due <= until) reached.set(escalation.level, escalation.reason);
  // Bumps of an earlier cycle (before a reopen) are history, not where this cycle stands.
  for (const bump of issue.bumps) if (bump.at >= cycleStart(issue)) reached.set(bump.level, bump.reason);
  return reached;
}

/** When the issue's current cycle began: its opening, or its last reopen. */
const cycleStart = (issue: Issue) => issue.cycleStartedAt ?? issue.createdAt;

/** 0 = nobody escalated, 1 = team lead, 2 = service manager, 3 = director. Worked out on read, never stored. */
export function escalationLevel(issue: Issue, ctx: IssueContext): number {
  return Math.max(0, ...reachedLevels(issue, ctx).keys());
}

/** One rung of an issue's escalation ladder: when it was reached and why, or when time alone reaches it. */
export interface LadderRung {
  level: number;
  role: EscalationLevel;
  reachedAt?: string;
  reason?: string;
  /** When time alone reaches this rung, while the issue is unresolved and the rung not reached yet. */
  dueAt?: string;
}

/** The ladder as the console shows it: every level, reached (when, why) or due (when). Pure; worked out on read. */
export function escalationLadder(issue: Issue, ctx: IssueContext): LadderRung[] {
  let until = ctx.now.getTime();
  if (!isUnresolved(issue)) until = Math.min(until, Date.parse(issue.resolvedAt ?? issue.closedAt ?? ctx.now.toISOString()));
  const timed = timedEscalations(issue, ctx.calendars.issue);
  return ladderLevels.map((role, index) => {
    const level = index + 1;
    const reached = [
      ...timed
        .filter((escalation) => escalation.level === level && escalation.due <= until)
        .map(({ due, reason }) => ({ at: due, reason })),
      ...issue.bumps.filter((bump) => bump.level === level).map(({ at, reason }) => ({ at: Date.parse(at), reason })),
    ].sort((a, b) => a.at - b.at)[0];
    if (reached) return { level, role, reachedAt: new Date(reached.at).toISOString(), reason: reached.reason };
    const due = isUnresolved(issue)
      ? Math.min(...timed.filter((escalation) => escalation.level === level).map(({ due }) => due))
      : Infinity;
    return Number.isFinite(due) ? { level, role, dueAt: new Date(due).toISOString() } : { level, role };
  });
}

export type Audience = 'customer' | 'owner' | EscalationLevel;
export type CustomerTemplate =
  | 'acknowledgement'
  | 'status-update'
  | 'holding-update'
  | 'etr-review'
  | 'resolution'
  | 'rfo-reminder'
  | 'closure'
  | 'escalation-confirmation'
  | 'message-receipt'
  | 'reply';
/** The issue emails that go to the provider's people, never to the customer. */
export const internalTemplates = [
  'escalation',
  'nudge',
  'etr-warning',
  'rfo-dispute',
  'monitoring-cleared',
  'customer-message',
  'question-waiting',
  'triage-notice',
  'holding-backoff',
] as const;
export type InternalTemplate = (typeof internalTemplates)[number];

/** An email the step must send now. The key makes it effectively once. */
export interface EmailAction {
  key: string;
  template: CustomerTemplate | InternalTemplate;
  /** The first audience is the To; the others are copied. */
  audience: Audience[];
  reason?: string;
  update?: PendingUpdate;
  comment?: string;
  nextUpdateAt?: string;
  message?: PendingMessage;
  reply?: { seq: number; at: string; message: string };
}

export interface StepDecision {
  emails: EmailAction[];
  /** The issue after the step's own bookkeeping, or undefined when nothing changed. */
  next?: Issue;
  /** The workflow ends (the issue is closed). */
  done: boolean;
  /** When the step must run again if no event arrives first. */
  nextDeadline: Date;
}

const RECHECK_MS = 24 * 3600 * 1000;
const customerFacing = (email: EmailAction) => email.audience[0] === 'customer';

/** Keys whose email names an instant or an ETR: only the current one can be emitted again. */
const ONE_AT_A_TIME = /^(etr-warning|etr-passed|cleared|closure|resolution)-/;

/**
 * The sent keys that can still matter. A key of another ETR, clear, closure or resolution than the
 * current one, of an earlier workflow generation or of an earlier RFO revision is never emitted
 * again; dropping them keeps the issue item from growing with every flap of an alert or ETR change
 * (the outbox still holds every email, keyed the same, so a resend is refused there too).
 */
function liveSentKeys(issue: Issue): string[] {
  const current = new Set(
    [issue.etr && `etr-warning-${issue.etr}`, issue.etr && `etr-passed-${issue.etr}`]
      .concat([`cleared-${issue.clearedByMonitoringAt}`, `closure-${issue.closedAt}`, `resolution-${issue.resolvedAt}`])
      .filter(Boolean),
  );
  return issue.sent.filter((key) => {
    if (ONE_AT_A_TIME.test(key)) return current.has(key);
    const generation = /-g(\d+)$/.exec(key);
    if (generation) return Number(generation[1]) === issue.generation;
    const question = /^question-[a-z]+-(\d+)$/.exec(key);
    if (question) return Number(question[1]) === issue.awaitingReply?.seq;
    const revision = /^rfo(?:-reminder|-dispute)?-(\d+)/.exec(key);
    if (revision) return Number(revision[1]) === issue.rfo?.revision;
    return true;
  });
}

/** Decides, from the issue, its frozen policy and the calendars alone, what is due now. Pure. */
export function decideStep(issue: Issue, ctx: IssueContext): StepDecision {
  const { emails, next } = dueNow(issue, ctx);
  const changed = emails.length > 0 || JSON.stringify(next) !== JSON.stringify(issue);
  // A closed issue's run waits while a customer's question is unanswered.
  const done = next.status === 'closed' && !next.awaitingReply;
  return { emails, next: changed ? next : undefined, done, nextDeadline: done ? ctx.now : nextDeadline(next, ctx) };
}

function dueNow(issue: Issue, ctx: IssueContext): { emails: EmailAction[]; next: Issue } {
  const now = ctx.now;
  const t = now.getTime();
  const at = now.toISOString();
  const g = issue.generation;
  const emails: EmailAction[] = [];
  let next: Issue = { ...issue, sent: [...issue.sent] };
  const once = (key: string, email: Omit<EmailAction, 'key'>) => {
    if (next.sent.includes(key)) return;
    next.sent.push(key);
    emails.push({ key, ...email });
  };
  const policy = issue.policy;

  // "We are on it": at the opening, and again at a reopen (a new generation); never for a closed issue's conversation run.
  // An unresolved issue moved to another customer tells that customer too: they have not heard of it yet.
  // An issue under the triage customer has no customer to tell yet: the desk hears that it needs one.
  const triaged = issue.origin?.triage !== undefined && !issue.moves?.length;
  if (triaged && issue.status !== 'closed') once(`triage-g${g}`, { template: 'triage-notice', audience: ['teamLead'] });
  if (issue.status !== 'closed' && !issue.moves?.length) once(`ack-g${g}`, { template: 'acknowledgement', audience: ['customer'] });
  if (isUnresolved(issue) && issue.moves?.length)
    once(`ack-${issue.customerId}-g${g}`, { template: 'acknowledgement', audience: ['customer'] });

  for (const message of next.pendingMessages ?? [])
    emails.push({ key: `message-${message.seq}`, template: 'customer-message', audience: ['owner'], message });
  next.pendingMessages = [];
  for (const reply of next.pendingReplies ?? [])
    emails.push({ key: `reply-${reply.seq}`, template: 'reply', audience: ['customer'], reply });
  next.pendingReplies = [];

  // A question after resolution: the customer hears we have it (once), the owner is nudged when the
  // reply-by time passes unanswered, the team lead when as long again has passed.
  const question = next.awaitingReply;
  if (question) {
    once(`question-receipt-${question.seq}`, { template: 'message-receipt', audience: ['customer'] });
    const due = Date.parse(question.replyBy);
    if (t >= due) once(`question-nudge-${question.seq}`, { template: 'question-waiting', audience: ['owner'] });
    if (t >= questionLateAt(next, ctx)) once(`question-late-${question.seq}`, { template: 'question-waiting', audience: ['teamLead'] });
  }

  if (isUnresolved(next)) {
    for (const update of next.pendingUpdates)
      emails.push({ key: `status-update-${update.seq}`, template: 'status-update', audience: ['customer'], update });
    next.pendingUpdates = [];

    if (next.etr) {
      const etr = Date.parse(next.etr);
      if (t >= etr - ms(policy.etrWarningBefore) && t < etr)
        once(`etr-warning-${next.etr}`, { template: 'etr-warning', audience: ['owner'] });
      if (t >= etr && !next.sent.includes(`etr-passed-${next.etr}`)) {
        once(`etr-passed-${next.etr}`, { template: 'etr-review', audience: ['customer'] });
        const level = Math.min(ladderLevels.length, escalationLevel(next, ctx) + 1);
        next.bumps = [...next.bumps, { level, at, reason: 'the ETR we gave (see below) passed unresolved' }];
      }
    }

    for (const [level, reason] of [...reachedLevels(next, ctx)].sort(([a], [b]) => a - b)) {
      const audience: Audience[] = [ladderLevels[level - 1]];
      if (reason.startsWith('the customer escalated') && level !== 2) audience.push('serviceManager');
      once(`escalation-${level}-g${g}`, { template: 'escalation', audience, reason });
    }
    if (next.clearedByMonitoringAt) once(`cleared-${next.clearedByMonitoringAt}`, { template: 'monitoring-cleared', audience: ['owner'] });
    next.customerEscalations.forEach((escalation, index) => {
      once(`escalation-confirmation-${index}`, {
        template: 'escalation-confirmation',
        audience: ['customer'],
        comment: escalation.comment,
      });
    });

    if (next.nextUpdateAt) {
      const due = Date.parse(next.nextUpdateAt);
      if (t < due && t >= due - ms(policy.nudgeBefore) && next.nudgedFor !== next.nextUpdateAt) {
        emails.push({ key: `nudge-${next.nextUpdateAt}`, template: 'nudge', audience: ['owner'], nextUpdateAt: next.nextUpdateAt });
        next.nudgedFor = next.nextUpdateAt;
      }
      if (t >= due) {
        // The promise was missed by a person. After a gap (an outage) only the latest is sent.
        // After `holdingBackoffAfter` holding updates in a row each interval doubles (at most 8×).
        const streak = (next.holdingStreak ?? 0) + (policy.holdingUpdates ? 1 : 0);
        const backoffAfter = policy.holdingBackoffAfter ?? 3;
        const intervals = policy.holdingUpdates && streak >= backoffAfter ? Math.min(8, 2 ** (streak - backoffAfter + 1)) : 1;
        let following = new Date(due);
        while (following.getTime() <= t) {
          let after = following;
          for (let step = 0; step < intervals; step++) after = addTime(ctx.calendars.issue, after, policy.updateEvery);
          // A duration the calendar counts as nothing would loop for ever: the policy schema refuses those.
          if (after.getTime() <= following.getTime()) throw new Error(`updateEvery ${policy.updateEvery} counts no time in this calendar`);
          following = after;
        }
        if (policy.holdingUpdates) {
          emails.push({
            key: `holding-${next.nextUpdateAt}`,
            template: 'holding-update',
            audience: ['customer'],
            nextUpdateAt: following.toISOString(),
          });
          if (streak === backoffAfter)
            once(`holding-backoff-g${g}-${next.cadence.kept}`, {
              template: 'holding-backoff',
              audience: ['serviceManager'],
              reason: `${streak} holding updates in a row`,
              nextUpdateAt: following.toISOString(),
            });
          next.holdingStreak = streak;
        }
        next.cadence = { ...next.cadence, missed: next.cadence.missed + 1 };
        next.nextUpdateAt = following.toISOString();
        next.nudgedFor = undefined;
      }
    }
  }

  if (next.status === 'resolved') {
    const business = ctx.calendars.business;
    const rfo = next.rfo;
    if (rfo) {
      if (rfo.status === 'pending' && !rfo.sentAt) {
        once(`rfo-${rfo.revision}`, { template: 'resolution', audience: ['customer'] });
        next.rfo = { ...rfo, sentAt: at, firstSentAt: rfo.firstSentAt ?? at };
      } else if (rfo.status === 'pending' && rfo.sentAt) {
        const sent = new Date(rfo.sentAt);
        if (t >= addTime(business, sent, policy.rfoAutoAcceptAfter).getTime()) {
          next = { ...next, status: 'closed', closedAt: at, rfo: { ...rfo, status: 'accepted', acceptedAt: at, acceptedBy: 'auto' } };
        } else if (t >= addTime(business, sent, policy.rfoReminderAfter).getTime()) {
          once(`rfo-reminder-${rfo.revision}`, { template: 'rfo-reminder', audience: ['customer'] });
        }
      } else if (rfo.status === 'disputed') {
        const dispute = rfo.disputes.length - 1;
        once(`rfo-dispute-${rfo.revision}-${dispute}`, {
          template: 'rfo-dispute',
          audience: ['owner', 'serviceManager'],
          comment: rfo.disputes[dispute].comment,
        });
      }
    } else if (!next.resolutionNoticeAt) {
      once(`resolution-${next.resolvedAt}`, { template: 'resolution', audience: ['customer'] });
      next.resolutionNoticeAt = at;
    } else if (t >= addTime(business, new Date(next.resolutionNoticeAt), policy.autoCloseAfter).getTime()) {
      next = { ...next, status: 'closed', closedAt: at };
    }
  }

  if (next.status === 'closed') once(`closure-${next.closedAt}`, { template: 'closure', audience: ['customer'] });
  next.sent = liveSentKeys(next);
  // Nothing goes to the triage customer as a customer: its contacts are the desk, told by the notice above.
  if (triaged) emails.splice(0, emails.length, ...emails.filter((email) => !customerFacing(email)));

  if (emails.some(customerFacing)) {
    // Silence counts while the issue is unresolved: up to now, or up to the resolution being told.
    const end = isUnresolved(issue)
      ? t
      : emails.some((email) => email.template === 'resolution') && issue.resolvedAt
        ? Date.parse(issue.resolvedAt)
        : undefined;
    if (end !== undefined)
      next.longestSilenceMs = Math.max(next.longestSilenceMs, end - Date.parse(issue.lastCustomerContactAt ?? issue.createdAt));
    next.lastCustomerContactAt = at;
  }
  return { emails, next };
}

/** When a question's answer is late enough for the team lead: the reply-by time, and as long again. */
const questionLateAt = (issue: Issue, ctx: IssueContext) =>
  issue.awaitingReply
    ? addTime(ctx.calendars.business, new Date(issue.awaitingReply.replyBy), issue.policy.replyWithin).getTime()
    : Number.POSITIVE_INFINITY;

function nextDeadline(issue: Issue, ctx: IssueContext): Date {
  const t = ctx.now.getTime();
  const deadlines = [t + RECHECK_MS];
  const policy = issue.policy;
  if (issue.awaitingReply) deadlines.push(Date.parse(issue.awaitingReply.replyBy), questionLateAt(issue, ctx));
  if (isUnresolved(issue)) {
    for (const escalation of timedEscalations(issue, ctx.calendars.issue)) deadlines.push(escalation.due);
    if (issue.etr) deadlines.push(Date.parse(issue.etr) - ms(policy.etrWarningBefore), Date.parse(issue.etr));
    if (issue.nextUpdateAt) deadlines.push(Date.parse(issue.nextUpdateAt) - ms(policy.nudgeBefore), Date.parse(issue.nextUpdateAt));
  }
  if (issue.status === 'resolved') {
    const business = ctx.calendars.business;
    if (issue.rfo?.status === 'pending' && issue.rfo.sentAt) {
      const sent = new Date(issue.rfo.sentAt);
      deadlines.push(
        addTime(business, sent, policy.rfoReminderAfter).getTime(),
        addTime(business, sent, policy.rfoAutoAcceptAfter).getTime(),
      );
    }
    if (!issue.rfo && issue.resolutionNoticeAt)
      deadlines.push(addTime(business, new Date(issue.resolutionNoticeAt), policy.autoCloseAfter).getTime());
  }
  return new Date(Math.min(...deadlines.filter((deadline) => deadline > t)));
}
