import middy from '@middy/core';
import { z } from 'zod';
import { IssueRepository } from '../../adapters/issue-repository.ts';
import { sendOnce } from '../../adapters/outbox.ts';
import { ports } from '../../adapters/ports.ts';
import { issueRecipients } from '../../domain/customers.ts';
import { render } from '../../domain/email-templates.ts';
import { decideStep } from '../../domain/issues.ts';

const inputSchema = z.object({ issueId: z.string().min(1) });

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
  for (const action of decision.actions) {
    const result = await sendOnce({ store, mailer, clock }, { pk: `ISSUE#${issue.id}`, customerId: customer.id }, action.key, action.template, () => ({
      from: settings.fromAddress,
      to: issueRecipients(customer),
      ...render(action.template, { issue, customer }),
    }));
    if (result.sent) {
      await repo.addTimeline(issue.id, { at: clock.now().toISOString(), type: 'email', template: action.template, messageId: result.messageId }, issue.eventSeq);
    }
  }
  await repo.markHandled(issue.id, issue.eventSeq);
  const waitSeconds = Math.max(1, Math.ceil((decision.nextDeadline.getTime() - now.getTime()) / 1000));
  return { done: decision.done, waitSeconds };
});
