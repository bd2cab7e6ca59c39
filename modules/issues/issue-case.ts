import * as z from 'zod/mini';
import type { CaseType } from '../../kernel/case-loop.ts';
import type { KeptCase } from '../../kernel/case-reconcile.ts';
import { executionName, ISSUE_WORKFLOW, type IssueStatus, workflowInput } from './issue.ts';
import { hasUnhandledEvent, IssueRepository, issueWaitKey } from './issue-repository.ts';
import { IssueNotFound, type IssueStepDeps, runIssueStep } from './issue-step.ts';

/** An issue's generation: what its runs are about. Runs older than generations name only the issue. */
export interface IssueOwner {
  issueId: string;
  generation?: number;
}

const ownerSchema = z.object({
  issueId: z.string().check(z.minLength(1), z.maxLength(200)),
  generation: z.optional(z.int().check(z.positive())),
});

const issue = (owner: IssueOwner) => ({ id: owner.issueId, generation: owner.generation ?? 1 });

/** The statuses in which an issue is followed up (closed is the only other). */
const FOLLOWED: IssueStatus[] = ['open', 'acknowledged', 'resolved'];

/** Which runs follow an issue generation (its identity in the case loop), and which issues need one. */
export const issueRuns: KeptCase<IssueOwner> = {
  workflow: ISSUE_WORKFLOW,
  owner: (input) => ownerSchema.parse(input),
  base: (owner) => executionName(issue(owner)),
  input: (owner) => workflowInput(issue(owner)),
  waitKey: (owner) => issueWaitKey(owner.issueId),
  pending: ({ store }, owner) => hasUnhandledEvent(store, owner.issueId),
  legacy: { closedError: 'IssueClosed' },
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
