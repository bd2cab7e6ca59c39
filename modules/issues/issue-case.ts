import * as z from 'zod/mini';
import type { CaseIdentity, CaseType } from '../../kernel/case-loop.ts';
import { executionName, ISSUE_WORKFLOW, workflowInput } from './issue.ts';
import { hasUnhandledEvent, issueWaitKey } from './issue-repository.ts';
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

/** Which runs follow an issue generation (its identity in the case loop). */
export const issueRuns: CaseIdentity<IssueOwner> = {
  workflow: ISSUE_WORKFLOW,
  owner: (input) => ownerSchema.parse(input),
  base: (owner) => executionName(issue(owner)),
  input: (owner) => workflowInput(issue(owner)),
  waitKey: (owner) => issueWaitKey(owner.issueId),
  pending: ({ store }, owner) => hasUnhandledEvent(store, owner.issueId),
  legacy: { closedError: 'IssueClosed' },
};

/** An issue generation as a case of the case loop: its step is runIssueStep; an event is an unhandled one. */
export const issueCase = (deps: IssueStepDeps): CaseType<IssueOwner> => ({
  ...issueRuns,
  step: (owner) => runIssueStep(deps, owner.issueId, owner.generation),
  isGone: (error) => error instanceof IssueNotFound,
});
