import type { DynamoStore } from '../../kernel/dynamo-store.ts';
import { IssueRepository } from './issue-repository.ts';

/** An open sev1/sev2 issue, or one resolved within the window, holds the consequence steps. */
export async function hadOutage(store: DynamoStore, customerId: string, windowDays: number, now: Date): Promise<boolean> {
  const issues = await new IssueRepository(store).listIssues({ customerId });
  const since = now.getTime() - windowDays * 86_400_000;
  return issues.some(
    (issue) =>
      (issue.severity === 'sev1' || issue.severity === 'sev2') &&
      (issue.status === 'open' ||
        issue.status === 'acknowledged' ||
        Date.parse(issue.resolvedAt ?? issue.closedAt ?? '1970-01-01') >= since),
  );
}
