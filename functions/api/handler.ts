import middy from '@middy/core';
import { IssueRepository } from '../../adapters/issue-repository.ts';
import { customerEmails } from '../../adapters/outbox.ts';
import { ports } from '../../adapters/ports.ts';
import { customerSchema } from '../../domain/customers.ts';
import { defaultPolicy } from '../../domain/policy.ts';
import {
  applyEvent,
  escalationLevel,
  executionName,
  InvalidTransition,
  issueEventSchema,
  newIssueSchema,
  type Issue,
  type IssueStatus,
} from '../../domain/issues.ts';
import { bearerAuth, HttpError, httpErrors, json, parseBody, router, type ApiEvent, type ApiResult } from '../http.ts';

const ISSUE_WORKFLOW = 'issue-lifecycle';
const statuses: IssueStatus[] = ['open', 'acknowledged', 'resolved', 'closed'];

function repo() {
  return new IssueRepository(ports().store);
}

function pathId(event: ApiEvent): string {
  const id = event.pathParameters?.id;
  if (!id) throw new HttpError(400, 'missing id in path');
  return id;
}

async function issueOr404(id: string): Promise<Issue> {
  const issue = await repo().getIssue(id);
  if (!issue) throw new HttpError(404, `issue ${id} not found`);
  return issue;
}

async function startWorkflow(issue: Issue): Promise<void> {
  await ports().workflows.start(ISSUE_WORKFLOW, executionName(issue), { issueId: issue.id });
}

const routes = router({
  'POST /customers': async (event) => {
    const customer = parseBody(event, customerSchema);
    const existed = (await repo().getCustomer(customer.id)) !== undefined;
    await repo().putCustomer(customer, ports().clock.now());
    return json(existed ? 200 : 201, customer);
  },

  'GET /customers/{id}': async (event) => {
    const id = pathId(event);
    const customer = await repo().getCustomer(id);
    if (!customer) throw new HttpError(404, `customer ${id} not found`);
    const issues = await repo().listIssues({ customerId: id });
    const emails = await customerEmails(ports().store, id);
    return json(200, {
      ...customer,
      history: {
        issues: issues.map(({ id: issueId, title, severity, status, createdAt, resolvedAt, closedAt }) => ({ id: issueId, title, severity, status, createdAt, resolvedAt, closedAt })),
        rfos: issues.filter((issue) => issue.rfo).map((issue) => ({ issueId: issue.id, ...issue.rfo })),
        emails,
      },
    });
  },

  'POST /issues': async (event) => {
    const input = parseBody(event, newIssueSchema);
    const customer = await repo().getCustomer(input.customerId);
    if (!customer) throw new HttpError(400, `customerId: no customer "${input.customerId}"`, [{ field: 'customerId', problem: 'unknown customer' }]);
    const now = ports().clock.now().toISOString();
    const issue: Issue = {
      ...input,
      id: await repo().nextIssueId(),
      status: 'open',
      createdAt: now,
      generation: 1,
      eventSeq: 0,
      handledSeq: 0,
      policy: defaultPolicy.severities[input.severity],
      policyVersion: defaultPolicy.version,
    };
    await repo().createIssue(issue);
    await startWorkflow(issue);
    return json(201, issue, { location: `/issues/${issue.id}` });
  },

  'GET /issues': async (event) => {
    const query = event.queryStringParameters ?? {};
    const status = query.status as IssueStatus | undefined;
    if (status && !statuses.includes(status)) throw new HttpError(400, `status: must be one of ${statuses.join(', ')}`);
    return json(200, { issues: await repo().listIssues({ customerId: query.customerId, status }) });
  },

  'GET /issues/{id}': async (event) => {
    const issue = await issueOr404(pathId(event));
    const timeline = await repo().timeline(issue.id);
    return json(200, { ...issue, etr: null, nextUpdateAt: null, escalationLevel: escalationLevel(issue, ports().clock.now()), rfo: issue.rfo ?? null, timeline });
  },

  'POST /issues/{id}/events': async (event) => {
    const id = pathId(event);
    const input = parseBody(event, issueEventSchema);
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await issueOr404(id);
      let after: Issue;
      try {
        after = applyEvent(before, input, ports().clock.now());
      } catch (error) {
        if (error instanceof InvalidTransition) throw new HttpError(409, error.message);
        throw error;
      }
      if (!(await repo().recordEvent(before, after, input, ports().clock.now()))) continue; // lost a race: re-read
      if (after.generation !== before.generation) await startWorkflow(after);
      else {
        const token = await repo().waitToken(id);
        if (token) await ports().workflows.sendTaskSuccess(token, { event: input.type });
      }
      return json(202, { id, status: after.status, eventSeq: after.eventSeq });
    }
    throw new HttpError(409, 'the issue changed concurrently; try again');
  },
});

export const handler = middy<ApiEvent, ApiResult>()
  .use(httpErrors())
  .use(bearerAuth())
  .handler(routes);
