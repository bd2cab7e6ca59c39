import middy from '@middy/core';
import { IssueRepository } from '../../adapters/issue-repository.ts';
import { ports } from '../../adapters/ports.ts';
import { executionName, workflowInput } from '../../domain/issues.ts';

/**
 * Scheduled safety net: every unfinished issue must have its workflow. Starting is idempotent by
 * execution name, so this only starts what a crash between "issue stored" and "workflow started"
 * left behind.
 */
export const handler = middy().handler(async () => {
  const { store, workflows } = ports();
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
