import middy from '@middy/core';
import * as z from 'zod/mini';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { continueAsNew, shouldContinueAsNew } from '../../kernel/workflow-runs.ts';
import { executionName, ISSUE_WORKFLOW, setIssueWaitToken, workflowInput } from '../../modules/issues/index.ts';
import declaration from './function.ts';

const inputSchema = z.object({
  issueId: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
  done: z._default(z.boolean(), false),
  // The step waits for an email another attempt is sending: only the deadline or a new event wakes it.
  retrying: z._default(z.boolean(), false),
  // From the execution's context; absent in runs of a definition older than run tracking.
  generation: z.optional(z.int().check(z.positive())),
  execution: z.optional(z.string()),
  startedAt: z.optional(z.string()),
});

/**
 * Callback registration of the issue-lifecycle workflow: stores the task token on the issue, so an
 * event can wake the workflow. An event that arrived while the step ran wakes it at once. When the
 * step said the issue is closed, the task fails with IssueClosed, which the workflow catches to end:
 * that saves a Choice state (a billed transition) on every turn of the loop. A run that has waited
 * long or often hands over to the next run of the issue (continue as new) and ends the same way.
 */
export const createHandler = ({ store, workflows, clock }: DepsOf<typeof declaration.needs>) =>
  middy().handler(async (event: unknown) => {
    const { issueId, taskToken, done, retrying, generation, execution, startedAt } = inputSchema.parse(event);
    if (done) {
      await workflows.sendTaskFailure(taskToken, 'IssueClosed', `issue ${issueId} is closed`);
      return {};
    }
    const owner = { id: issueId, generation: generation ?? 1 };
    const base = executionName(owner);
    const { wait, issue } = await setIssueWaitToken(store, { issueId, token: taskToken, execution, base });
    if (wait.superseded || (execution && generation && shouldContinueAsNew(wait.turns, startedAt, clock.now()))) {
      const next = wait.superseded ? 'a later run' : await continueAsNew(workflows, ISSUE_WORKFLOW, base, execution!, workflowInput(owner));
      await workflows.sendTaskFailure(taskToken, 'ContinuedAsNew', `issue ${issueId} continues in ${next}`);
      return {};
    }
    if (!retrying && (!issue || issue.eventSeq > issue.handledSeq)) await workflows.sendTaskSuccess(taskToken, { wokeBy: 'pending-event' });
    return {};
  });

export const handler = lambda(declaration, createHandler);
