import { IssueRepository } from '../adapters/issue-repository.ts';
import { PolicyRepository } from '../adapters/policy-repository.ts';
import { ports } from '../adapters/ports.ts';
import type { Customer } from '../domain/customers.ts';
import {
  applyEvent,
  executionName,
  openIssue,
  wakesWorkflow,
  workflowInput,
  type AnyIssueEvent,
  type Issue,
  type IssueContext,
  type NewIssue,
} from '../domain/issues.ts';
import { calendars, freezePolicy } from '../domain/policy.ts';

/**
 * Opening issues and recording their events, shared by every way in (API, webhooks, inbound
 * email, customer links). Throws the domain's InvalidTransition / InvalidEvent, and
 * IssueServiceError for a missing issue, customer or policy; each caller turns them into its answer.
 */
export class IssueServiceError extends Error {
  override name = 'IssueServiceError';
  constructor(
    readonly kind: 'issue-not-found' | 'customer-not-found' | 'policy-not-found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

const ISSUE_WORKFLOW = 'issue-lifecycle';
const MAX_ATTEMPTS = 5;

export const issueRepository = () => new IssueRepository(ports().store);

export function issueContext(issue: Issue, customer: Customer): IssueContext {
  return { now: ports().clock.now(), calendars: calendars(issue.policy, customer) };
}

export async function startIssueWorkflow(issue: Issue): Promise<void> {
  await ports().workflows.start(ISSUE_WORKFLOW, executionName(issue), workflowInput(issue));
}

/**
 * Opens an issue under the customer's current policy (frozen on it) and starts its workflow. `id`
 * may be reserved beforehand; `eventIds` are recorded as already seen (the delivery that opened it).
 */
export async function openNewIssue(input: NewIssue, options: { id?: string; eventIds?: string[] } = {}): Promise<Issue> {
  const repo = issueRepository();
  const customer = await repo.getCustomer(input.customerId);
  if (!customer) throw new IssueServiceError('customer-not-found', `no customer "${input.customerId}"`);
  const policy = await new PolicyRepository(ports().store).current(customer.policy);
  if (!policy)
    throw new IssueServiceError('policy-not-found', `customer ${customer.id} names policy "${customer.policy}", which does not exist`);
  const frozen = freezePolicy(policy, input.severity);
  const issue = openIssue(options.id ?? (await repo.nextIssueId()), input, frozen, {
    now: ports().clock.now(),
    calendars: calendars(frozen, customer),
  });
  const created = await repo.createIssue(issue, options.eventIds);
  const stored = created ? issue : ((await repo.getIssue(issue.id)) ?? issue);
  await startIssueWorkflow(stored);
  return stored;
}

/**
 * Records an event and wakes the issue's workflow when the event needs it. The same event id
 * delivered twice is recorded once; a lost race with another writer is retried on a fresh read.
 */
export async function recordIssueEvent(id: string, input: AnyIssueEvent): Promise<{ issue: Issue; duplicate: boolean }> {
  const repo = issueRepository();
  const load = async () => {
    const issue = await repo.getIssue(id);
    if (!issue) throw new IssueServiceError('issue-not-found', `issue ${id} not found`);
    return issue;
  };
  if (input.eventId && (await repo.hasEventId(id, input.eventId))) return { issue: await load(), duplicate: true };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const before = await load();
    const customer = await repo.getCustomer(before.customerId);
    if (!customer) throw new IssueServiceError('customer-not-found', `customer ${before.customerId} of issue ${id} no longer exists`);
    const ctx = issueContext(before, customer);
    const after = applyEvent(before, input, ctx);
    const outcome = await repo.saveIssue(before, after, { ...input, at: ctx.now.toISOString() }, input.eventId);
    if (outcome === 'duplicate') return { issue: before, duplicate: true };
    if (outcome === 'conflict') continue;
    if (after.generation !== before.generation) await startIssueWorkflow(after);
    else if (wakesWorkflow(input)) {
      const token = await repo.waitToken(id);
      if (token) await ports().workflows.sendTaskSuccess(token, { event: input.type });
    }
    return { issue: after, duplicate: false };
  }
  throw new IssueServiceError('conflict', 'the issue changed concurrently; try again');
}
