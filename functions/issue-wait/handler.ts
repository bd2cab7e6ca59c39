import middy from '@middy/core';
import { z } from 'zod';
import { IssueRepository } from '../../adapters/issue-repository.ts';
import { ports } from '../../adapters/ports.ts';

const inputSchema = z.object({ issueId: z.string().min(1), taskToken: z.string().min(1) });

/**
 * Callback registration of the issue-lifecycle workflow: stores the task token on the issue, so an
 * event can wake the workflow. An event that arrived while the step ran wakes it at once.
 */
export const handler = middy().handler(async (event: unknown) => {
  const { issueId, taskToken } = inputSchema.parse(event);
  const { store, workflows } = ports();
  const issue = await new IssueRepository(store).setWaitToken(issueId, taskToken);
  if (!issue || issue.eventSeq > issue.handledSeq) await workflows.sendTaskSuccess(taskToken, { wokeBy: 'pending-event' });
  return {};
});
