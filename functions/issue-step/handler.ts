import middy from '@middy/core';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { IssueRepository } from '../../adapters/issue-repository.ts';
import { sendOnce, sentEmails } from '../../adapters/outbox.ts';
import { ports } from '../../adapters/ports.ts';
import { issueRecipients, type Customer } from '../../domain/customers.ts';
import { render } from '../../domain/email-templates.ts';
import { decideStep, type Issue, type StepAction } from '../../domain/issues.ts';

const inputSchema = z.object({ issueId: z.string().min(1) });
const HISTORY_WINDOW_MS = 90 * 86_400_000;

export class IssueNotFound extends Error {
  override name = 'IssueNotFound';
}

/** Step of the issue-lifecycle workflow: read state, do what is due, return the next deadline. */
export const handler = middy().handler(async (event: unknown) => {
  const { issueId } = inputSchema.parse(event);
  const { store, mailer, clock, settings } = ports();
  const repo = new IssueRepository(store);
  const issue = await repo.getIssue(issueId);
  if (!issue) throw new IssueNotFound(`issue ${issueId} does not exist`);
  const customer = await repo.getCustomer(issue.customerId);
  if (!customer) throw new IssueNotFound(`customer ${issue.customerId} of ${issueId} does not exist`);
  const now = clock.now();
  const decision = decideStep(issue, now);
  const owner = { pk: `ISSUE#${issue.id}`, customerId: customer.id };
  for (const action of decision.actions) {
    const result = await sendOnce({ store, mailer, clock }, owner, action.key, action.template, async () => ({
      from: settings.fromAddress,
      ...(await compose(action, issue, customer, repo, now)),
    }));
    if (result.sent) {
      await repo.addTimeline(issue.id, { at: clock.now().toISOString(), type: 'email', template: action.template, audience: action.audience, messageId: result.messageId }, issue.eventSeq);
    }
  }
  await repo.markHandled(issue.id, issue.eventSeq);
  const waitSeconds = Math.max(1, Math.ceil((decision.nextDeadline.getTime() - now.getTime()) / 1000));
  return { done: decision.done, waitSeconds };
});

async function compose(action: StepAction, issue: Issue, customer: Customer, repo: IssueRepository, now: Date) {
  if (action.audience === 'customer') {
    const nextUpdateAt = action.template === 'holding-update' && action.nextUpdateAt ? localTime(action.nextUpdateAt, customer.timezone) : undefined;
    return { to: issueRecipients(customer), ...render(action.template, { issue, customer, nextUpdateAt }) };
  }
  // Internal escalation: carries the context a manager needs to act without looking anything up.
  const person = customer.team[action.audience];
  const issues = await repo.listIssues({ customerId: customer.id });
  const history = {
    openIssues: issues.filter((i) => i.status === 'open' || i.status === 'acknowledged').length,
    recentIssues: issues.filter((i) => now.getTime() - Date.parse(i.createdAt) < HISTORY_WINDOW_MS).length,
  };
  const told = (await sentEmails(repo.store, `ISSUE#${issue.id}`)).filter((email) => email.template !== 'escalation');
  const lastTold = told.sort((a, b) => a.sentAt.localeCompare(b.sentAt)).at(-1);
  const reason = action.template === 'escalation' ? action.reason : '';
  return { to: [person.email], ...render('escalation', { issue, customer, person, history, lastTold, reason }) };
}

function localTime(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toFormat("ccc d LLL yyyy, HH:mm ZZZZ");
}
