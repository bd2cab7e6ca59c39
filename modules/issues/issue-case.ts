import type { CaseType } from '../../kernel/case-loop.ts';
import type { KeptCase } from '../../kernel/case-reconcile.ts';
import type { IssueStatus } from './issue.ts';
import { issueIdentity, type IssueOwner } from './issue-identity.ts';
import { IssueRepository } from './issue-repository.ts';
import { IssueNotFound, type IssueStepDeps, runIssueStep } from './issue-step.ts';

/** The statuses in which an issue is followed up (closed is the only other). */
const FOLLOWED: IssueStatus[] = ['open', 'acknowledged', 'resolved'];

/** Which runs follow an issue generation (its identity in the case loop), and which issues need one. */
export const issueRuns: KeptCase<IssueOwner> = {
  ...issueIdentity,
  sweep: 'issues',
  live: async (store) => {
    const repo = new IssueRepository(store);
    const followed = await Promise.all(FOLLOWED.map((status) => repo.listIssues({ status }, ['id', 'generation', 'status', 'createdAt'])));
    return followed.flat().map((issue) => ({ issueId: issue.id, generation: issue.generation ?? 1 }));
  },
  isLive: async (store, owner) => {
    const issue = await new IssueRepository(store).getIssue(owner.issueId);
    return !!issue && issue.generation === (owner.generation ?? 1) && FOLLOWED.includes(issue.status);
  },
};

/** An issue generation as a case of the case loop: its step is runIssueStep; an event is an unhandled one. */
export const issueCase = (deps: IssueStepDeps): CaseType<IssueOwner> => ({
  ...issueRuns,
  step: (owner) => runIssueStep(deps, owner.issueId, owner.generation),
  isGone: (error) => error instanceof IssueNotFound,
});
