import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { executionName, IssueRepository, workflowInput } from '../../modules/issues/index.ts';
import declaration from './function.ts';

/**
 * Scheduled safety net: every unfinished issue must have its workflow. Starting is idempotent by
 * execution name, so this only starts what a crash between "issue stored" and "workflow started"
 * left behind.
 */
export const createHandler = ({ store, workflows }: DepsOf<typeof declaration.needs>) =>
  middy().handler(async () => {
    const repo = new IssueRepository(store);
    let started = 0;
    let checked = 0;
    for (const status of ['open', 'acknowledged', 'resolved'] as const) {
      for (const issue of await repo.listIssues({ status })) {
        checked++;
        const result = await workflows.start('issue-lifecycle', executionName(issue), workflowInput(issue));
        if (!result.alreadyStarted) started++;
      }
    }
    return { checked, started };
  });

export const handler = lambda(declaration, createHandler);
