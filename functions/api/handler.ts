import middy from '@middy/core';
import { AlertRepository } from '../../adapters/alert-repository.ts';
import { customerEmails } from '../../adapters/outbox.ts';
import { PolicyRepository } from '../../adapters/policy-repository.ts';
import { ports } from '../../adapters/ports.ts';
import { integrationSchema } from '../../domain/alerts.ts';
import { customerSchema, type Customer } from '../../domain/customers.ts';
import {
  escalationLevel,
  isUnresolved,
  issueEventSchema,
  issueStatuses,
  newIssueSchema,
  type Issue,
  type IssueStatus,
} from '../../domain/issues.ts';
import { issueKpis } from '../../domain/kpis.ts';
import { isMoneyLink } from '../../domain/links.ts';
import { policyInputSchema, policySchema } from '../../domain/policy.ts';
import { invoiceRepository } from '../dunning-service.ts';
import { bearerAuth, bodyText, HttpError, httpErrors, json, parseBody, router, validate, type ApiEvent, type ApiResult } from '../http.ts';
import { issueContext, issueRepository, openNewIssue, recordIssueEvent } from '../issue-service.ts';
import { issueLinkAct, issueLinkPage, verifiedLink } from './issue-links.ts';
import { moneyLinkAct, moneyLinkPage } from './money-links.ts';
import { asHttp } from '../service-errors.ts';

const repo = issueRepository;
const policies = () => new PolicyRepository(ports().store);

function pathParam(event: ApiEvent, name = 'id'): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new HttpError(400, `missing ${name} in path`);
  return value;
}

async function issueOr404(id: string): Promise<Issue> {
  const issue = await repo().getIssue(id);
  if (!issue) throw new HttpError(404, `issue ${id} not found`);
  return issue;
}

async function customerOf(issue: Issue): Promise<Customer> {
  const customer = await repo().getCustomer(issue.customerId);
  if (!customer) throw new HttpError(409, `customer ${issue.customerId} of issue ${issue.id} no longer exists`);
  return customer;
}

function issueView(issue: Issue, customer: Customer) {
  const ctx = issueContext(issue, customer);
  return {
    ...issue,
    escalationLevel: escalationLevel(issue, ctx),
    etr: issue.etr ?? null,
    nextUpdateAt: isUnresolved(issue) ? (issue.nextUpdateAt ?? null) : null,
    rfo: issue.rfo ?? null,
  };
}

const routes = router({
  'POST /customers': async (event) => {
    const customer = parseBody(event, customerSchema);
    if (!(await policies().current(customer.policy)))
      throw new HttpError(400, `policy: no policy "${customer.policy}"`, [{ field: 'policy', problem: 'unknown policy' }]);
    const existed = (await repo().getCustomer(customer.id)) !== undefined;
    await repo().putCustomer(customer, ports().clock.now());
    return json(existed ? 200 : 201, customer);
  },

  'GET /customers/{id}': async (event) => {
    const id = pathParam(event);
    const customer = await repo().getCustomer(id);
    if (!customer) throw new HttpError(404, `customer ${id} not found`);
    const issues = await repo().listIssues({ customerId: id });
    const emails = await customerEmails(ports().store, id);
    const invoices = await invoiceRepository().ofCustomer(id);
    return json(200, {
      ...customer,
      history: {
        invoices: invoices.map(({ id: invoiceId, status, dueDate, amount, amountPaid, credit, currency }) => ({
          id: invoiceId,
          status,
          dueDate,
          amount,
          amountPaid,
          credit,
          currency,
        })),
        payments: invoices.flatMap((invoice) => invoice.payments.map((payment) => ({ invoiceId: invoice.id, ...payment }))),
        disputes: invoices.filter((invoice) => invoice.dispute).map((invoice) => ({ invoiceId: invoice.id, ...invoice.dispute })),
        promises: invoices.filter((invoice) => invoice.promise).map((invoice) => ({ invoiceId: invoice.id, ...invoice.promise })),
        issues: issues.map(({ id: issueId, title, severity, status, createdAt, resolvedAt, closedAt }) => ({
          id: issueId,
          title,
          severity,
          status,
          createdAt,
          resolvedAt,
          closedAt,
        })),
        rfos: issues.filter((issue) => issue.rfo).map((issue) => ({ issueId: issue.id, ...issue.rfo })),
        emails,
      },
    });
  },

  'POST /issues': async (event) => {
    const input = parseBody(event, newIssueSchema);
    const issue = await asHttp(() => openNewIssue(input));
    return json(201, issue, { location: `/issues/${issue.id}` });
  },

  'GET /issues': async (event) => {
    const query = event.queryStringParameters ?? {};
    const status = query.status as IssueStatus | undefined;
    if (status && !issueStatuses.includes(status)) throw new HttpError(400, `status: must be one of ${issueStatuses.join(', ')}`);
    return json(200, { issues: await repo().listIssues({ customerId: query.customerId, status }) });
  },

  'GET /issues/{id}': async (event) => {
    const issue = await issueOr404(pathParam(event));
    const timeline = await repo().timeline(issue.id);
    return json(200, { ...issueView(issue, await customerOf(issue)), timeline });
  },

  'POST /issues/{id}/events': async (event) => {
    const input = parseBody(event, issueEventSchema);
    const eventId = input.eventId ?? event.headers?.['idempotency-key'];
    const { issue, duplicate } = await asHttp(() => recordIssueEvent(pathParam(event), { ...input, eventId }));
    return json(duplicate ? 200 : 202, {
      id: issue.id,
      status: issue.status,
      eventSeq: issue.eventSeq,
      ...(duplicate ? { duplicate: true } : {}),
    });
  },

  'GET /links/{token}': async (event) => {
    const check = await verifiedLink(event);
    if (!check.ok) return check.page;
    return isMoneyLink(check.claims.a) ? moneyLinkPage(check.claims) : issueLinkPage(check.claims);
  },

  'POST /links/{token}': async (event) => {
    const check = await verifiedLink(event);
    if (!check.ok) return check.page;
    const form = new URLSearchParams(bodyText(event));
    return isMoneyLink(check.claims.a) ? moneyLinkAct(check.claims, form) : issueLinkAct(check.claims, form);
  },

  'GET /policies': async () => json(200, { policies: await policies().list() }),

  'GET /policies/{name}': async (event) => {
    const policy = await policies().current(pathParam(event, 'name'));
    if (!policy) throw new HttpError(404, `policy ${pathParam(event, 'name')} not found`);
    return json(200, policy);
  },

  'PUT /policies/{name}': async (event) => {
    const name = pathParam(event, 'name');
    validate({ name }, policySchema.pick({ name: true }));
    const body = parseBody(event, policyInputSchema);
    const stored = await policies().putNextVersion(name, body, ports().clock.now());
    if (!stored) throw new HttpError(409, `policy ${name} changed concurrently; try again`);
    return json(200, stored);
  },

  'GET /integrations': async () =>
    json(200, {
      integrations: (await new AlertRepository(ports().store).integrations()).map(({ secret, ...rest }) => ({
        ...rest,
        secret: secret ? '(set)' : undefined,
      })),
    }),

  'PUT /integrations/{name}': async (event) => {
    const name = pathParam(event, 'name');
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
      throw new HttpError(400, 'name: lower-case letters, digits and -, at most 64', [{ field: 'name', problem: 'invalid name' }]);
    const integration = { ...parseBody(event, integrationSchema), name };
    if (integration.defaultCustomerId && !(await repo().getCustomer(integration.defaultCustomerId))) {
      throw new HttpError(400, `defaultCustomerId: no customer "${integration.defaultCustomerId}"`, [
        { field: 'defaultCustomerId', problem: 'unknown customer' },
      ]);
    }
    await new AlertRepository(ports().store).putIntegration(integration);
    return json(200, { ...integration, secret: integration.secret ? '(set)' : undefined });
  },

  'GET /kpis': async (event) => {
    const query = event.queryStringParameters ?? {};
    const now = ports().clock.now();
    const bound = (field: 'from' | 'to', fallback: Date) => {
      const value = query[field];
      if (value === undefined) return fallback.toISOString();
      const parsed = Date.parse(value);
      if (Number.isNaN(parsed))
        throw new HttpError(400, `${field}: not a date or date-time (ISO 8601)`, [{ field, problem: 'not an ISO 8601 date' }]);
      return new Date(parsed).toISOString();
    };
    const from = bound('from', new Date(now.getTime() - 30 * 86_400_000));
    const to = bound('to', now);
    if (from > to) throw new HttpError(400, 'from: must not be after to', [{ field: 'from', problem: 'after to' }]);
    const issues = await repo().listIssues({ createdFrom: from, createdTo: to });
    return json(200, { from, to, ...issueKpis(issues, now) });
  },
});

const isPublic = (event: ApiEvent) => event.routeKey.endsWith(' /links/{token}');

export const handler = middy<ApiEvent, ApiResult>().use(httpErrors()).use(bearerAuth(isPublic)).handler(routes);
