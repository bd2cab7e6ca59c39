import middy from '@middy/core';
import { z } from 'zod';
import { IssueRepository } from '../../adapters/issue-repository.ts';
import { ports } from '../../adapters/ports.ts';

const inputSchema = z.object({ issueId: z.string().min(1), taskToken: z.string().min(1), done: z.boolean().default(false) });

/**
 * Callback registration of the issue-lifecycle workflow: stores the task token on the issue, so an
 * event can wake the workflow. An event that arrived while the step ran wakes it at once. When the
 * step said the issue is closed, the task fails with IssueClosed, which the workflow catches to end:
 * that saves a Choice state (a billed transition) on every turn of the loop.
 */
export const handler = middy().handler(async (event: unknown) => {
  const { issueId, taskToken, done } = inputSchema.parse(event);
  const { store, workflows } = ports();
  if (done) {
    await workflows.sendTaskFailure(taskToken, 'IssueClosed', `issue ${issueId} is closed`);
    return {};
  }
  const issue = await new IssueRepository(store).setWaitToken(issueId, taskToken);
  if (!issue || issue.eventSeq > issue.handledSeq) await workflows.sendTaskSuccess(taskToken, { wokeBy: 'pending-event' });
  return {};
});
