import * as z from 'zod/mini';
import type { CaseIdentity } from '../../kernel/case-loop.ts';
import type { DynamoStore } from '../../kernel/dynamo-store.ts';
import type { Issue } from './issue.ts';

/**
 * What names an issue's runs and wait item: light on purpose (no issue logic, no policies), for
 * the functions that only wake or hand over a run.
 */
/** The state machine that follows every issue: a case loop (kernel/case-loop.asl.json). */
export const ISSUE_WORKFLOW = 'issue-lifecycle';
/** The first run's name; later runs of the same generation add -r<n> (kernel/workflow-runs.ts). */
export const executionName = (issue: Pick<Issue, 'id' | 'generation'>) => `issue-${issue.id}-g${issue.generation}`;
/** Input of an issue's workflow execution: the generation lets a step of a superseded execution stop. */
export const workflowInput = (issue: Pick<Issue, 'id' | 'generation'>) => ({ issueId: issue.id, generation: issue.generation });

export const issueKey = (id: string) => ({ pk: `ISSUE#${id}`, sk: 'META' });
/** Where an issue's waiting run keeps its task token. */
export const issueWaitKey = (issueId: string) => ({ pk: `ISSUE#${issueId}`, sk: 'WAIT' });

/**
 * Whether an event came in that no step has handled yet (or the issue is gone, which its next step
 * finds out). Light on purpose: a turn reads no more of the issue than its two counters here.
 */
export async function hasUnhandledEvent(store: DynamoStore, issueId: string): Promise<boolean> {
  const issue = await store.get<{ eventSeq?: number; handledSeq?: number }>(issueKey(issueId));
  return !issue || (issue.eventSeq ?? 0) > (issue.handledSeq ?? 0);
}

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

/** Which runs follow an issue generation: its identity in the case loop. */
export const issueIdentity: CaseIdentity<IssueOwner> = {
  workflow: ISSUE_WORKFLOW,
  owner: (input) => ownerSchema.parse(input),
  base: (owner) => executionName(issue(owner)),
  input: (owner) => workflowInput(issue(owner)),
  waitKey: (owner) => issueWaitKey(owner.issueId),
  pending: ({ store }, owner) => hasUnhandledEvent(store, owner.issueId),
  legacy: { closedError: 'IssueClosed' },
};
