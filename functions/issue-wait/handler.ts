import middy from '@middy/core';
import * as z from 'zod/mini';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { setIssueWaitToken } from '../../modules/issues/index.ts';
import declaration from './function.ts';

const inputSchema = z.object({
  issueId: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
  done: z._default(z.boolean(), false),
});

/**
 * Callback registration of the issue-lifecycle workflow: stores the task token on the issue, so an
 * event can wake the workflow. An event that arrived while the step ran wakes it at once. When the
 * step said the issue is closed, the task fails with IssueClosed, which the workflow catches to end:
 * that saves a Choice state (a billed transition) on every turn of the loop.
 */
export const createHandler = ({ store, workflows }: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (event: unknown) => {
    const { issueId, taskToken, done } = inputSchema.parse(event);
    if (done) {
      await workflows.sendTaskFailure(taskToken, 'IssueClosed', `issue ${issueId} is closed`);
      return {};
    }
    const issue = await setIssueWaitToken(store, issueId, taskToken);
    if (!issue || issue.eventSeq > issue.handledSeq) await workflows.sendTaskSuccess(taskToken, { wokeBy: 'pending-event' });
    return {};
  });

export const handler = lambda(declaration, createHandler);
