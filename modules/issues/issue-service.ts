import type { Actor } from '../../kernel/actor.ts';
import { contention } from '../../kernel/contention.ts';
import type { Deps } from '../../kernel/deps.ts';
import { DomainError } from '../../kernel/errors.ts';
import { runName } from '../../kernel/workflow-runs.ts';
import { type Customer, CustomerDirectory } from '../customers/index.ts';
import { calendars, freezePolicy, PolicyRepository } from '../policies/index.ts';
import {
  applyEvent,
  customerMessageTarget,
  openIssue,
  wakesWorkflow,
  type AnyIssueEvent,
  type Issue,
  type IssueContext,
  type NewIssue,
  type OpenedIssue,
} from './issue.ts';
import { executionName, ISSUE_WORKFLOW, workflowInput } from './issue-identity.ts';
import { IssueRepository } from './issue-repository.ts';

export type IssueDeps = Pick<Deps, 'store' | 'clock' | 'workflows'>;

/**
 * Opening issues and recording their events, shared by every way in (API, webhooks, inbound
 * email, customer links). Throws domain errors: InvalidTransition / InvalidEvent from the issue,
 * 'not-found' for a missing issue, 'invalid' (customerId) for a missing customer, 'conflict' for a
 * missing policy or a change that kept racing.
 */
export class IssueService {
  readonly issues: IssueRepository;
  readonly customers: CustomerDirectory;
  private readonly policies: PolicyRepository;

  constructor(private readonly deps: IssueDeps) {
    this.issues = new IssueRepository(deps.store);
    this.customers = new CustomerDirectory(deps.store);
    this.policies = new PolicyRepository(deps.store);
  }

  context(issue: Issue, customer: Customer): IssueContext {
    return { now: this.deps.clock.now(), calendars: calendars(issue.policy, customer) };
  }

  async startWorkflow(issue: Issue): Promise<void> {
    await this.deps.workflows.start(ISSUE_WORKFLOW, runName(executionName(issue), 1), workflowInput(issue));
  }

  /**
   * Opens an issue under the customer's current policy (frozen on it) and starts its workflow. `id`
   * may be reserved beforehand; `eventIds` are recorded as already seen (the delivery that opened it).
   */
  async open(input: NewIssue, options: { id?: string; eventIds?: string[]; actor?: Actor } = {}): Promise<Issue> {
    return (await this.openOnce(input, options)).issue;
  }

  /**
   * Opens the issue as `open` does and says whether this call created it: with a reserved `id`, a
   * second caller (a delivery racing the first, or one completing a delivery that crashed) gets the
   * stored issue and `created: false`, and the workflow is started once either way.
   */
  async openOnce(
    input: OpenedIssue,
    options: { id?: string; eventIds?: string[]; actor?: Actor } = {},
  ): Promise<{ issue: Issue; created: boolean }> {
    const customer = await this.customers.existingCustomer(input.customerId);
    const policy = await this.policies.current(customer.policy);
    if (!policy) throw new DomainError('conflict', `customer ${customer.id} names policy "${customer.policy}", which does not exist`);
    const frozen = freezePolicy(policy, input.severity);
    const issue = openIssue(options.id ?? (await this.issues.nextIssueId()), input, frozen, {
      now: this.deps.clock.now(),
      calendars: calendars(frozen, customer),
    });
    const created = await this.issues.createIssue(issue, options.eventIds, options.actor);
    const stored = created ? issue : ((await this.issues.getIssue(issue.id)) ?? issue);
    await this.startWorkflow(stored);
    return { issue: stored, created };
  }

  /** What a customer's message does to this issue (issue.ts, customerMessageTarget), and the issue as read. */
  async messageTarget(id: string, message?: { text: string }): Promise<{ target: ReturnType<typeof customerMessageTarget>; issue: Issue }> {
    const issue = await this.issues.getIssue(id);
    if (!issue) throw new DomainError('not-found', `issue ${id} not found`);
    const customer = await this.customers.existingCustomer(
      issue.customerId,
      `customer ${issue.customerId} of issue ${id} no longer exists`,
    );
    return { target: customerMessageTarget(issue, this.context(issue, customer), message), issue };
  }

  /**
   * Records an event (with who did it, `by` on its timeline entry) and wakes the issue's workflow when the event needs it. The same event id
   * delivered twice is recorded once; a lost race with another writer is retried on a fresh read.
   */
  async record(id: string, input: AnyIssueEvent, actor?: Actor): Promise<{ issue: Issue; duplicate: boolean }> {
    const load = async () => {
      const issue = await this.issues.getIssue(id);
      if (!issue) throw new DomainError('not-found', `issue ${id} not found`);
      return issue;
    };
    if (input.eventId && (await this.issues.hasEventId(id, input.eventId))) return { issue: await load(), duplicate: true };
    if (input.type === 'move') await this.customers.existingCustomer(input.customerId);
    for (const turns = contention(); await turns.next(); ) {
      const before = await load();
      const customer = await this.customers.existingCustomer(
        before.customerId,
        `customer ${before.customerId} of issue ${id} no longer exists`,
      );
      const ctx = this.context(before, customer);
      const after = applyEvent(before, input, ctx);
      const entry = { ...input, at: ctx.now.toISOString(), ...(actor ? { by: actor } : {}) };
      const outcome = await this.issues.saveIssue(before, after, entry, input.eventId);
      if (outcome === 'duplicate') return { issue: before, duplicate: true };
      if (outcome === 'conflict') continue;
      if (after.generation !== before.generation) await this.startWorkflow(after);
      else if (wakesWorkflow(input)) {
        const token = await this.issues.waitToken(id);
        if (token) await this.deps.workflows.sendTaskSuccess(token, { event: input.type });
      }
      return { issue: after, duplicate: false };
    }
    throw new DomainError('conflict', 'the issue changed concurrently; try again');
  }
}
