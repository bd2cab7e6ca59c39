import middy from '@middy/core';
import { AlertRepository } from '../../adapters/alert-repository.ts';
import { customerEmails } from '../../adapters/outbox.ts';
import { integrationSchema } from '../../domain/alerts.ts';
import { PolicyRepository } from '../../adapters/policy-repository.ts';
import { ports } from '../../adapters/ports.ts';
import { customerSchema, type Customer } from '../../domain/customers.ts';
import { escalationLevel, InvalidEvent, InvalidTransition, isUnresolved, issueEventSchema, issueStatuses, newIssueSchema, type Issue, type IssueEvent, type IssueStatus } from '../../domain/issues.ts';
import { issueKpis } from '../../domain/kpis.ts';
import { verifyLink, type LinkClaims } from '../../domain/links.ts';
import { ms, policyInputSchema, policySchema } from '../../domain/policy.ts';
import { bearerAuth, bodyText, html, HttpError, httpErrors, json, parseBody, router, validate, type ApiEvent, type ApiResult } from '../http.ts';
import { issueContext, issueRepository, IssueServiceError, openNewIssue, recordIssueEvent } from '../issue-service.ts';
import { actionForms, renderPage, type PageContent } from './link-page.ts';

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

/** The issue service's errors as HTTP answers. */
async function asHttp<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidTransition) throw new HttpError(409, error.message);
    if (error instanceof InvalidEvent) throw new HttpError(400, error.message, [{ field: error.field, problem: error.problem }]);
    if (error instanceof IssueServiceError) {
      if (error.kind === 'issue-not-found') throw new HttpError(404, error.message);
      if (error.kind === 'customer-not-found') throw new HttpError(400, `customerId: ${error.message}`, [{ field: 'customerId', problem: 'unknown customer' }]);
      throw new HttpError(409, error.message);
    }
    throw error;
  }
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

/** Why a link cannot act on the issue as it is now, or undefined when it can. */
function linkBlocked(claims: LinkClaims, issue: Issue, customer: Customer): string | undefined {
  if (claims.a === 'escalate') {
    if (!isUnresolved(issue)) return `Issue ${issue.id} is ${issue.status}; there is nothing to escalate. If the problem is back, reply to our last email.`;
    const last = issue.customerEscalations.at(-1);
    const cooldown = Date.parse(last?.at ?? '1970-01-01') + ms(issue.policy.customerEscalationCooldown);
    if (last && ports().clock.now().getTime() < cooldown) {
      return `You escalated this issue at ${last.at}; ${customer.team.serviceManager.name}, your service manager, is on it. You can escalate again from ${new Date(cooldown).toISOString()}.`;
    }
    return undefined;
  }
  const rfo = issue.rfo;
  if (rfo?.status === 'accepted' && rfo.revision === claims.r) return `This reason for outage was accepted on ${rfo.acceptedAt}. Issue ${issue.id} is closed.`;
  if (!rfo || rfo.revision !== claims.r || issue.status !== 'resolved') return `This link is for an older state of issue ${issue.id}: please use the links in our latest email.`;
  if (claims.a === 'dispute-rfo' && rfo.status === 'disputed') return `Your dispute of ${rfo.disputes.at(-1)?.at} was received; ${customer.team.serviceManager.name} will send you a revised reason for outage.`;
  return undefined;
}

async function linkContext(event: ApiEvent): Promise<{ claims: LinkClaims; issue: Issue; customer: Customer } | ApiResult> {
  const check = verifyLink(pathParam(event, 'token'), await ports().settings.linkKey(), ports().clock.now());
  if (!check.ok) return html(check.reason.includes('expired') ? 410 : 400, renderPage({ title: 'Link not valid', paragraphs: [`Sorry, ${check.reason}. Please use the links in our latest email, or reply to it.`] }));
  const issue = await repo().getIssue(check.claims.i);
  if (!issue) return html(404, renderPage({ title: 'Issue not found', paragraphs: ['The issue this link belongs to no longer exists.'] }));
  return { claims: check.claims, issue, customer: await customerOf(issue) };
}

const isResult = (value: unknown): value is ApiResult => typeof value === 'object' && value !== null && 'statusCode' in value;

const routes = router({
  'POST /customers': async (event) => {
    const customer = parseBody(event, customerSchema);
    if (!(await policies().current(customer.policy))) throw new HttpError(400, `policy: no policy "${customer.policy}"`, [{ field: 'policy', problem: 'unknown policy' }]);
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
    return json(duplicate ? 200 : 202, { id: issue.id, status: issue.status, eventSeq: issue.eventSeq, ...(duplicate ? { duplicate: true } : {}) });
  },

  'GET /links/{token}': async (event) => {
    const found = await linkContext(event);
    if (isResult(found)) return found;
    const { claims, issue, customer } = found;
    const form = actionForms[claims.a];
    const blocked = linkBlocked(claims, issue, customer);
    const page: PageContent = {
      title: form.title,
      issueId: issue.id,
      paragraphs: [`Issue ${issue.id}: ${issue.title}`, blocked ?? form.intro],
      rfo: claims.a !== 'escalate' && !blocked ? issue.rfo?.text : undefined,
      form: blocked ? undefined : form.form,
    };
    return html(200, renderPage(page));
  },

  'POST /links/{token}': async (event) => {
    const found = await linkContext(event);
    if (isResult(found)) return found;
    const { claims, issue, customer } = found;
    const title = actionForms[claims.a].title;
    const blocked = linkBlocked(claims, issue, customer);
    if (blocked) return html(409, renderPage({ title, issueId: issue.id, paragraphs: [blocked] }));
    const form = new URLSearchParams(bodyText(event));
    const comment = form.get('comment')?.trim() || undefined;
    const input: IssueEvent =
      claims.a === 'accept-rfo'
        ? { type: 'accept-rfo', by: 'customer' }
        : claims.a === 'dispute-rfo'
          ? validate({ type: 'dispute-rfo', comment }, issueEventSchema)
          : validate({ type: 'customer-escalate', comment }, issueEventSchema);
    try {
      await asHttp(() => recordIssueEvent(issue.id, input));
    } catch (error) {
      if (error instanceof HttpError && error.statusCode < 500) return html(error.statusCode, renderPage({ title, issueId: issue.id, paragraphs: [error.message] }));
      throw error;
    }
    const done: Record<typeof claims.a, string> = {
      'accept-rfo': `Thank you. You accepted the reason for outage; issue ${issue.id} is closed.`,
      'dispute-rfo': `Thank you. ${customer.team.serviceManager.name}, your service manager, has your comment and will send you a revised reason for outage.`,
      escalate: `Issue ${issue.id} is escalated. ${customer.team.serviceManager.name}, your service manager, has been informed and takes care of it; you will get a confirmation by email.`,
    };
    return html(200, renderPage({ title, issueId: issue.id, paragraphs: [done[claims.a]] }));
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

  'GET /integrations': async () => json(200, { integrations: (await new AlertRepository(ports().store).integrations()).map(({ secret, ...rest }) => ({ ...rest, secret: secret ? '(set)' : undefined })) }),

  'PUT /integrations/{name}': async (event) => {
    const name = pathParam(event, 'name');
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) throw new HttpError(400, 'name: lower-case letters, digits and -, at most 64', [{ field: 'name', problem: 'invalid name' }]);
    const integration = { ...parseBody(event, integrationSchema), name };
    if (integration.defaultCustomerId && !(await repo().getCustomer(integration.defaultCustomerId))) {
      throw new HttpError(400, `defaultCustomerId: no customer "${integration.defaultCustomerId}"`, [{ field: 'defaultCustomerId', problem: 'unknown customer' }]);
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
      if (Number.isNaN(parsed)) throw new HttpError(400, `${field}: not a date or date-time (ISO 8601)`, [{ field, problem: 'not an ISO 8601 date' }]);
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

export const handler = middy<ApiEvent, ApiResult>()
  .use(httpErrors())
  .use(bearerAuth(isPublic))
  .handler(routes);
