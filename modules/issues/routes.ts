import { actorOf, personOf } from '../../kernel/actor.ts';
import type { Deps } from '../../kernel/deps.ts';
import { DateTime } from 'luxon';
import * as z from 'zod';
import { ianaZone } from '../../kernel/iana-zone.ts';
import { json, parseBody, pathParam, type RouteHandler, validate } from '../../kernel/http.ts';
import { withoutLinkTokens } from '../../kernel/links.ts';
import { emailsByKey } from '../../kernel/email-channel.ts';
import { pageCursor, withinBudget } from '../../kernel/paging.ts';
import { IdempotencyKeys, idempotencyKey } from '../../kernel/idempotency.ts';
import type { Customer } from '../customers/index.ts';
import { escalationLadder, escalationLevel, isUnresolved, issueStatuses, type Issue, type IssueStatus, severities } from './issue.ts';
import { issueEventSchema, newIssueSchema, updateEventSchema } from './issue-schemas.ts';
import { previewUpdateEmail } from './issue-step.ts';
import type { TimelineEntry } from './issue-repository.ts';
import { IssueService } from './issue-service.ts';
import { issueKpis } from './kpis.ts';
import { DomainError } from '../../kernel/errors.ts';

const openIssuesQuery = z.strictObject({
  open: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false),
  status: z.enum(issueStatuses as [IssueStatus, ...IssueStatus[]]).optional(),
  customerId: z.string().min(1).max(64).optional(),
  severity: z.enum(severities).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** The id of the last issue of the page before (its `next`). */
  after: z.string().min(1).max(64).optional(),
});

/** How many of its newest timeline entries GET /issues/{id} shows; `timelineNext` continues with older ones. */
export const TIMELINE_IN_VIEW = 200;
const timelineQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: pageCursor.optional(),
});

/** What GET /issues?open=true reads of every issue to choose a page: status, the due instants, the order. */
/** The most issues the unpaged `GET /issues` answers (it answered every one: 14.8 MB for 10,000). */
const UNPAGED_MAX = 1_000;
const LIST_ATTRIBUTES: (keyof Issue)[] = ['id', 'status', 'customerId', 'severity', 'createdAt', 'ackDueAt', 'nextUpdateAt', 'etr'];
const weeklyKpisQuery = z.strictObject({
  by: z.literal('week'),
  weeks: z.coerce.number().int().min(1).max(52).default(8),
  /** Only this customer's issues. */
  customerId: z.string().min(1).max(64).optional(),
  /** Only the issues of the customers this team lead's team serves (the team lead's email address). */
  team: z.email().max(320).optional(),
  /** The zone whose Mondays start the weeks (the reader's; default UTC). */
  zone: ianaZone.default('UTC'),
});

/** What is due next on an unresolved issue: the acknowledgement, the customer's next update, or the ETR. */
export function dueNext(issue: Issue, now: string): { at: string; what: 'acknowledgement' | 'update' | 'etr'; overdue: boolean } | null {
  if (!isUnresolved(issue)) return null;
  const candidates = [
    ...(issue.status === 'open' && issue.ackDueAt ? [{ at: issue.ackDueAt, what: 'acknowledgement' as const }] : []),
    ...(issue.nextUpdateAt ? [{ at: issue.nextUpdateAt, what: 'update' as const }] : []),
    ...(issue.etr ? [{ at: issue.etr, what: 'etr' as const }] : []),
  ]
    // Instants may carry any offset: compared, and answered, in UTC.
    .map((candidate) => ({ ...candidate, at: new Date(candidate.at).toISOString() }))
    .sort((a, b) => a.at.localeCompare(b.at));
  return candidates.length ? { ...candidates[0], overdue: candidates[0].at < now } : null;
}

/** The issues API: open, list, read with the timeline, record events; and the issue KPIs. */
export function issueRoutes(deps: Pick<Deps, 'store' | 'clock' | 'workflows' | 'settings'>): Record<string, RouteHandler> {
  const service = new IssueService(deps);
  const repo = service.issues;
  const idempotency = new IdempotencyKeys(deps.store, deps.clock, 'POST /issues');

  const issueOr404 = async (id: string): Promise<Issue> => {
    const issue = await repo.getIssue(id);
    if (!issue) throw new DomainError('not-found', `issue ${id} not found`);
    return issue;
  };
  const customerOf = async (issue: Issue): Promise<Customer> => {
    const customer = await service.customers.getCustomer(issue.customerId);
    if (!customer) throw new DomainError('conflict', `customer ${issue.customerId} of issue ${issue.id} no longer exists`);
    return customer;
  };
  /** Timeline entries with each email's recipients, subject and text as sent (signed link tokens hidden). */
  const withEmails = async (issueId: string, entries: TimelineEntry[]) => {
    const keys = entries.flatMap((entry) => (entry.type === 'email' && typeof entry.key === 'string' ? [entry.key] : []));
    const sent = new Map((await emailsByKey(deps.store, `ISSUE#${issueId}`, keys, { withText: true })).map((email) => [email.key, email]));
    return entries.map((entry) => {
      const email = entry.type === 'email' && typeof entry.key === 'string' ? sent.get(entry.key) : undefined;
      return email
        ? { ...entry, to: email.to, cc: email.cc ?? [], subject: email.subject, text: withoutLinkTokens(email.text ?? '') }
        : entry;
    });
  };
  const issueView = (issue: Issue, customer: Customer) => ({
    ...issue,
    escalationLevel: escalationLevel(issue, service.context(issue, customer)),
    etr: issue.etr ?? null,
    nextUpdateAt: isUnresolved(issue) ? (issue.nextUpdateAt ?? null) : null,
    rfo: issue.rfo ?? null,
  });

  /** The KPIs of the issues opened in each of the last `weeks` calendar weeks (the last one so far), oldest first. */
  const weeklyKpis = async ({ weeks, customerId, team, zone }: z.infer<typeof weeklyKpisQuery>, now: Date) => {
    // Calendar weeks from Monday 00:00 in the reader's zone; the last is this week so far (partial).
    const monday = DateTime.fromJSDate(now, { zone }).startOf('week');
    const edges = [
      ...Array.from(
        { length: weeks },
        (_, index) =>
          monday
            .minus({ weeks: weeks - 1 - index })
            .toUTC()
            .toISO()!,
      ),
      now.toISOString(),
    ];
    // "~" sorts after the "#<id>" that follows createdAt in the index's sort key: issues opened at this very instant count.
    let issues = await repo.listIssues({ customerId, createdFrom: edges[0], createdTo: `${edges[weeks]}~` });
    if (team) {
      const served = await service.customers.customersById(issues.map((issue) => issue.customerId));
      const ofTeam = new Set(
        served.filter((customer) => customer.team.teamLead.email.toLowerCase() === team.toLowerCase()).map(({ id }) => id),
      );
      issues = issues.filter((issue) => ofTeam.has(issue.customerId));
    }
    return {
      by: 'week',
      ...(customerId ? { customerId } : {}),
      ...(team ? { team } : {}),
      zone,
      weeks: edges.slice(0, -1).map((from, index) => {
        const to = edges[index + 1];
        // Each window holds its start; the last one holds now too.
        const opened = issues.filter((issue) => issue.createdAt >= from && (issue.createdAt < to || index === weeks - 1));
        return { from, to, ...(index === weeks - 1 ? { partial: true } : {}), ...issueKpis(opened, now) };
      }),
    };
  };

  return {
    /** With an Idempotency-Key, a retried create answers with the issue the first one opened. */
    'POST /issues': async (event) => {
      const input = parseBody(event, newIssueSchema);
      const key = idempotencyKey(event);
      const created = (issue: Issue, replay = false) =>
        json(201, issue, { location: `/issues/${issue.id}`, ...(replay ? { 'idempotent-replayed': 'true' } : {}) });
      if (!key) return created(await service.open(input, { actor: actorOf(event) }));
      await service.customers.existingCustomer(input.customerId); // before an issue number is reserved
      return idempotency.perform(
        key,
        input,
        () => repo.nextIssueId(),
        async ({ resourceId, replay }) => {
          const opened = replay ? await repo.getIssue(resourceId) : undefined;
          return created(opened ?? (await service.open(input, { id: resourceId, actor: actorOf(event) })), replay);
        },
      );
    },

    /**
     * Every issue (as before), or with `open=true` the unresolved ones as the console's *Now* shows
     * them: what is due next first, each with its escalation level and what is due, paged by `limit` and `after`.
     */
    'GET /issues': async (event) => {
      const query = event.queryStringParameters ?? {};
      const status = query.status as IssueStatus | undefined;
      if (status && !issueStatuses.includes(status)) throw new DomainError('invalid', `status: must be one of ${issueStatuses.join(', ')}`);
      if (query.open === undefined && query.limit === undefined && query.after === undefined && query.severity === undefined) {
        // Every issue, as before, up to UNPAGED_MAX and the response budget: `next` goes on as `after` of the paged form.
        const listed = await repo.listIssues({ customerId: query.customerId, status }, ['id', 'createdAt', 'status']);
        const issues = withinBudget(await repo.issuesById(listed.slice(0, UNPAGED_MAX).map((issue) => issue.id)));
        return json(200, { issues, ...(issues.length < listed.length ? { next: issues.at(-1)?.id } : {}) });
      }
      const page = validate(query, openIssuesQuery);
      // What the sort needs, of every issue; the page's issues are then read whole.
      // Unresolved only: the index's two statuses, never the closed issues that pile up over the years.
      const statuses: IssueStatus[] | undefined = page.open && !page.status ? ['open', 'acknowledged'] : undefined;
      const listed = await repo.listIssues({ customerId: page.customerId, status: page.status, statuses }, LIST_ATTRIBUTES);
      const now = deps.clock.now().toISOString();
      const chosen = listed
        .filter((issue) => (!page.open || isUnresolved(issue)) && (!page.severity || issue.severity === page.severity))
        .map((issue) => ({ issue, due: dueNext(issue, now) }));
      if (page.open)
        chosen.sort((a, b) => (a.due?.at ?? '9999').localeCompare(b.due?.at ?? '9999') || a.issue.id.localeCompare(b.issue.id));
      const start = page.after ? chosen.findIndex(({ issue }) => issue.id === page.after) + 1 : 0;
      const more = start + page.limit < chosen.length;
      // The escalation level needs each issue's customer and calendar: worked out for this page only.
      const customers = new Map<string, Promise<Customer | undefined>>();
      const issues = [];
      const whole = new Map(
        (await repo.issuesById(chosen.slice(start, start + page.limit).map(({ issue }) => issue.id))).map((issue) => [issue.id, issue]),
      );
      for (const { issue: summary, due } of chosen.slice(start, start + page.limit)) {
        const issue = whole.get(summary.id);
        if (!issue) continue; // deleted between the two reads
        if (!customers.has(issue.customerId)) customers.set(issue.customerId, service.customers.getCustomer(issue.customerId));
        const customer = await customers.get(issue.customerId);
        issues.push(customer ? { ...issueView(issue, customer), due } : { ...issue, escalationLevel: null, due });
      }
      const shown = withinBudget(issues);
      const next = more || shown.length < issues.length ? shown.at(-1)?.id : undefined;
      // `now`: the instant the answer was made, to show "due in" and "silent for" against (not the browser's clock).
      return json(200, { count: chosen.length, now, issues: shown, ...(next ? { next } : {}) });
    },

    /**
     * The issue, the newest TIMELINE_IN_VIEW entries of its timeline, oldest first (each email with its
     * recipients, subject and text as sent; `timelineNext` continues with older ones), and its escalation
     * ladder: who each level is, when it was reached and told, or when it falls due.
     */
    'GET /issues/{id}': async (event) => {
      const issue = await issueOr404(pathParam(event));
      const [customer, page] = await Promise.all([customerOf(issue), repo.timelinePage(issue.id, TIMELINE_IN_VIEW)]);
      const rungs = escalationLadder(issue, service.context(issue, customer));
      const toldKey = (level: number) => `escalation-${level}-g${issue.generation}`;
      const [timeline, told] = await Promise.all([
        withEmails(issue.id, page.entries),
        emailsByKey(
          deps.store,
          `ISSUE#${issue.id}`,
          rungs.map((rung) => toldKey(rung.level)),
        ),
      ]);
      const toldAt = new Map(told.map((email) => [email.key, email.sentAt]));
      const ladder = rungs.map((rung) => {
        const person = customer.team[rung.role];
        const at = toldAt.get(toldKey(rung.level));
        return { ...rung, person: { name: person.name, email: person.email }, ...(at ? { toldAt: at } : {}) };
      });
      return json(200, {
        ...issueView(issue, customer),
        ladder,
        timeline: timeline.reverse(),
        ...(page.next ? { timelineNext: page.next } : {}),
      });
    },

    /** The issue's timeline a page at a time, newest first: `?limit=` (1–500, default 100), `?after=` the `next` (or `timelineNext`) before. */
    'GET /issues/{id}/timeline': async (event) => {
      const issue = await issueOr404(pathParam(event));
      const query = validate(event.queryStringParameters ?? {}, timelineQuery);
      const page = await repo.timelinePage(issue.id, query.limit, query.after);
      return json(200, { timeline: await withEmails(issue.id, page.entries), ...(page.next ? { next: page.next } : {}) });
    },

    /** The customer email an update would send, without recording or sending anything. */
    'POST /issues/{id}/preview': async (event) => {
      const input = parseBody(event, updateEventSchema);
      const issue = await issueOr404(pathParam(event));
      const customer = await customerOf(issue);
      const preview = await previewUpdateEmail(deps.settings, issue, customer, input, service.context(issue, customer));
      return json(200, { ...preview, text: withoutLinkTokens(preview.text) });
    },

    'POST /issues/{id}/events': async (event) => {
      const parsed = parseBody(event, issueEventSchema);
      // The person who acknowledges owns the issue, unless the event names an owner.
      const person = personOf(event);
      const input = parsed.type === 'acknowledge' && !parsed.owner && person ? { ...parsed, owner: person } : parsed;
      const eventId = input.eventId ?? idempotencyKey(event);
      const { issue, duplicate } = await service.record(pathParam(event), { ...input, eventId }, actorOf(event));
      return json(duplicate ? 200 : 202, {
        id: issue.id,
        status: issue.status,
        eventSeq: issue.eventSeq,
        ...(duplicate ? { duplicate: true } : {}),
      });
    },

    'GET /kpis': async (event) => {
      const query = event.queryStringParameters ?? {};
      const now = deps.clock.now();
      const bound = (field: 'from' | 'to', fallback: Date) => {
        const value = query[field];
        if (value === undefined) return fallback.toISOString();
        const parsed = Date.parse(value);
        if (Number.isNaN(parsed))
          throw new DomainError('invalid', `${field}: not a date or date-time (ISO 8601)`, {
            details: [{ field, problem: 'not an ISO 8601 date' }],
          });
        return new Date(parsed).toISOString();
      };
      if (query.by !== undefined) return json(200, await weeklyKpis(validate(query, weeklyKpisQuery), now));
      const from = bound('from', new Date(now.getTime() - 30 * 86_400_000));
      const to = bound('to', now);
      if (from > to) throw new DomainError('invalid', 'from: must not be after to', { details: [{ field: 'from', problem: 'after to' }] });
      const issues = await repo.listIssues({ createdFrom: from, createdTo: to });
      return json(200, { from, to, ...issueKpis(issues, now) });
    },
  };
}

/** The schemas the issue routes validate requests with, by route key (for the API's description). */
export const issueRequestSchemas = {
  'POST /issues': { body: newIssueSchema },
  'GET /issues': { query: openIssuesQuery },
  'GET /issues/{id}/timeline': { query: timelineQuery },
  'POST /issues/{id}/events': { body: issueEventSchema },
  'POST /issues/{id}/preview': { body: updateEventSchema },
  'GET /kpis': { query: weeklyKpisQuery },
};
