import { Duration } from 'luxon';
import type { Deps, Settings } from '../../kernel/deps.ts';
import { renderIssueEmail } from './templates.ts';
import { replyAddress, signLink } from '../../kernel/links.ts';
import type { IssueLinkAction } from './issue-link-actions.ts';
import { sendOnce, sentEmails } from '../../kernel/email-channel.ts';
import { counted, inWords } from '../../kernel/time-words.ts';
import { contactNames, CustomerDirectory, issueRecipients, type Customer } from '../customers/index.ts';
import { calendars, ms } from '../policies/index.ts';
import { staffZone } from '../users/index.ts';
import {
  applyEvent,
  decideStep,
  internalTemplates,
  isUnresolved,
  rfoRevisionInCycle,
  type Audience,
  type EmailAction,
  type Issue,
  type IssueContext,
  type IssueEvent,
} from './issue.ts';
import { IssueRepository } from './issue-repository.ts';

const HISTORY_WINDOW_MS = 90 * 86_400_000;
const MAX_ATTEMPTS = 5;

export type IssueStepDeps = Pick<Deps, 'store' | 'mailer' | 'clock' | 'settings'>;

export class IssueNotFound extends Error {
  override name = 'IssueNotFound';
}

/**
 * Step of the issue-lifecycle workflow: read state, send what is due (each email once, by key),
 * store the step's bookkeeping, and return the next deadline. An event that lands meanwhile makes
 * the save fail its version check: the step then re-reads and decides again.
 */
export async function runIssueStep(
  deps: IssueStepDeps,
  issueId: string,
  generation?: number,
): Promise<{ done: boolean; waitSeconds: number }> {
  const { store, clock } = deps;
  const repo = new IssueRepository(store);
  const customers = new CustomerDirectory(store);
  for (let attempt = 1; ; attempt++) {
    const issue = await repo.getIssue(issueId);
    if (!issue) throw new IssueNotFound(`issue ${issueId} does not exist`);
    const customer = await customers.getCustomer(issue.customerId);
    if (!customer) throw new IssueNotFound(`customer ${issue.customerId} of ${issueId} does not exist`);
    // Reopened after closing: a newer execution owns the issue now.
    if (generation !== undefined && generation !== issue.generation) return { done: true, waitSeconds: 1 };
    const now = clock.now();
    const ctx: IssueContext = { now, calendars: calendars(issue.policy, customer) };
    const decision = decideStep(issue, ctx);
    const next = decision.next ?? { ...issue };
    for (const email of decision.emails) await send(deps, email, next, customer, repo, ctx);
    const saved =
      decision.next || issue.handledSeq < issue.eventSeq ? await repo.saveIssue(issue, { ...next, handledSeq: issue.eventSeq }) : 'saved';
    if (saved === 'saved' || attempt === MAX_ATTEMPTS) {
      const waitSeconds = Math.max(1, Math.ceil((decision.nextDeadline.getTime() - now.getTime()) / 1000));
      return { done: decision.done, waitSeconds };
    }
  }
}

async function send(
  deps: IssueStepDeps,
  email: EmailAction,
  issue: Issue,
  customer: Customer,
  repo: IssueRepository,
  ctx: IssueContext,
): Promise<void> {
  const { settings } = deps;
  const owner = { pk: `ISSUE#${issue.id}`, customerId: customer.id };
  const result = await sendOnce(
    deps,
    owner,
    email.key,
    email.template,
    async () => {
      const [to, ...cc] = email.audience.map((audience) => recipient(audience, issue, customer));
      const content =
        email.audience[0] === 'customer'
          ? await customerContent(settings, email, issue, customer, ctx, to.emails)
          : await internalContent(email, issue, customer, repo, ctx, to.person);
      const copies = cc.flatMap((entry) => entry.emails).filter((address) => !to.emails.includes(address));
      const replyTo =
        email.audience[0] === 'customer' ? [replyAddress(settings.inboundAddress, issue.id, await settings.linkKey())] : undefined;
      return { to: to.emails, cc: copies.length ? copies : undefined, replyTo, ...content };
    },
    issue.eventSeq,
  );
  // Sent now or by an attempt before this one (which may have died before this line): the entry is
  // keyed by the email, so writing it again changes nothing and no sent email is left off the timeline.
  if (result.messageId && result.sentAt)
    await repo.recordSentEmail(issue.id, result.seq ?? issue.eventSeq, {
      at: result.sentAt,
      type: 'email',
      template: email.template,
      audience: email.audience.join('+'),
      key: email.key,
      messageId: result.messageId,
    });
}

/**
 * The customer email an update would send, rendered as the workflow step will render it, sending
 * nothing. The update is checked as recording it would check it (an ETR in the past is refused).
 */
export async function previewUpdateEmail(
  settings: Settings,
  issue: Issue,
  customer: Customer,
  update: Extract<IssueEvent, { type: 'update' }>,
  ctx: IssueContext,
): Promise<{ to: string[]; subject: string; text: string }> {
  const next = applyEvent(issue, update, ctx);
  const email: EmailAction = { key: 'preview', template: 'status-update', audience: ['customer'], update: next.pendingUpdates.at(-1) };
  const to = issueRecipients(customer);
  const { subject, text } = await customerContent(settings, email, next, customer, ctx, to);
  return { to, subject, text };
}

function recipient(audience: Audience, issue: Issue, customer: Customer): { emails: string[]; person?: { name: string; email: string } } {
  if (audience === 'customer') return { emails: issueRecipients(customer) };
  const person = audience === 'owner' ? (issue.owner ?? customer.team.teamLead) : customer.team[audience];
  return { emails: [person.email], person };
}

const businessDays = (iso: string) => counted(Duration.fromISO(iso).as('days'), 'business day');

async function customerContent(settings: Settings, email: EmailAction, issue: Issue, customer: Customer, ctx: IssueContext, to: string[]) {
  const key = await settings.linkKey();
  const expires = Math.floor((ctx.now.getTime() + ms(issue.policy.linkValidity)) / 1000);
  const link = (action: IssueLinkAction, revision?: number) =>
    `${settings.publicUrl}/links/${signLink({ i: issue.id, a: action, r: revision, e: expires }, key)}`;
  const rfoMail = email.template === 'resolution' || email.template === 'rfo-reminder';
  const links = {
    escalate: isUnresolved(issue) ? link('escalate') : undefined,
    accept: rfoMail && issue.rfo ? link('accept-rfo', issue.rfo.revision) : undefined,
    dispute: rfoMail && issue.rfo ? link('dispute-rfo', issue.rfo.revision) : undefined,
  };
  const escalatedTo = email.template === 'escalation-confirmation' ? issue.customerEscalations.at(-1) : undefined;
  const person =
    escalatedTo && escalatedTo.level !== 2
      ? customer.team[(['teamLead', 'serviceManager', 'director'] as const)[escalatedTo.level - 1]]
      : undefined;
  return renderIssueEmail(email.template, {
    issue,
    customer,
    links,
    person,
    update: email.update,
    greetName: contactNames(customer, to),
    rfoRevision: rfoRevisionInCycle(issue),
    rfoRevised: (rfoRevisionInCycle(issue) ?? 1) > 1,
    etr: inWords(email.update?.etr ?? issue.etr, customer.timezone),
    etrMovedFrom: inWords(email.update?.etrMovedFrom, customer.timezone),
    nextUpdateAt: inWords(email.update?.nextUpdateAt ?? email.nextUpdateAt ?? issue.nextUpdateAt, customer.timezone),
    reply: email.reply,
    replyBy: inWords(issue.awaitingReply?.replyBy, customer.timezone),
    autoAcceptAfter: businessDays(issue.policy.rfoAutoAcceptAfter),
  });
}

async function internalContent(
  email: EmailAction,
  issue: Issue,
  customer: Customer,
  repo: IssueRepository,
  ctx: IssueContext,
  person?: { name: string; email: string; timezone?: string },
) {
  const zone = await staffZone(repo.store, person, customer.timezone);
  const issues = await repo.listIssues({
    customerId: customer.id,
    createdFrom: new Date(ctx.now.getTime() - HISTORY_WINDOW_MS).toISOString(),
  });
  const history = { openIssues: issues.filter(isUnresolved).length, recentIssues: issues.length };
  const told = (await sentEmails(repo.store, `ISSUE#${issue.id}`)).filter((sent) => !internal.has(sent.template));
  const lastTold = told.sort((a, b) => a.sentAt.localeCompare(b.sentAt)).at(-1);
  return renderIssueEmail(email.template, {
    issue,
    customer,
    person,
    history,
    lastTold,
    reason: email.reason,
    comment: email.comment,
    message: email.message,
    openedAt: inWords(issue.createdAt, zone),
    lastToldAt: inWords(lastTold?.sentAt, zone),
    etr: inWords(issue.etr, zone),
    nextUpdateAt: inWords(email.nextUpdateAt ?? issue.nextUpdateAt, zone),
    question: issue.awaitingReply,
    triageReason: issue.origin?.triage,
    rfoRevision: rfoRevisionInCycle(issue),
    questionSince: inWords(issue.awaitingReply?.since, zone),
    replyBy: inWords(issue.awaitingReply?.replyBy, zone),
  });
}

/** Internal emails are not what the customer was last told. */
const internal = new Set<string>(internalTemplates);
