import { randomBytes } from 'node:crypto';
import type middy from '@middy/core';
import { type Actor, actorOf } from './actor.ts';
import type { Clock } from './clock.ts';
import type { DynamoStore } from './dynamo-store.ts';
import { DomainError } from './errors.ts';
import { type ApiEvent, type ApiResult, bodyText } from './http.ts';
import { correlationOf, type Telemetry } from './telemetry.ts';

/** One thing a person (or a token, a customer by link) did. */
export interface AuditEntry {
  at: string;
  actor: Actor;
  /** What was done: the route ("POST /issues/{id}/events") or the link action ("link accept-rfo"). */
  action: string;
  /** What it was done to, by the ids the request named. */
  target: Record<string, string>;
  /** For an event: its type ("acknowledge", "write-off", "approve-suspension"). */
  type?: string;
}

export interface AuditQuery {
  from: Date;
  to: Date;
  actor?: string;
  kind?: string;
  limit: number;
  /** The `next` of the page before. */
  after?: string;
}

/** The longest span one query reads, day partition by day partition. */
export const MAX_AUDIT_DAYS = 92;
/** Audit entries are kept this long (DynamoDB's TTL removes older ones). */
const KEEP_SECONDS = 400 * 24 * 3600;
const DAY_MS = 24 * 3600 * 1000;

const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/**
 * The audit trail: one item per action, partitioned by day, newest first when read. What changed
 * is on the record itself (a timeline entry, an invoice's history, a policy version); the trail says
 * who did what and when, across all of them.
 */
export class AuditLog {
  constructor(
    private readonly store: DynamoStore,
    private readonly clock: Clock,
  ) {}

  async record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    const at = this.clock.now();
    const sk = `${at.toISOString()}#${randomBytes(4).toString('hex')}`;
    await this.store.put({
      pk: `AUDIT#${dayOf(at)}`,
      sk,
      itemType: 'audit',
      at: at.toISOString(),
      ...entry,
      actorKey: `${entry.actor.kind}#${entry.actor.id}`,
      expiresAt: Math.floor(at.getTime() / 1000) + KEEP_SECONDS,
    });
  }

  /** A page of entries between `from` and `to`, newest first, filtered by actor id and kind. */
  async list(query: AuditQuery): Promise<{ entries: AuditEntry[]; next?: string }> {
    if (query.to.getTime() < query.from.getTime()) throw new DomainError('invalid', 'to: before from', 'to', 'before from');
    if (query.to.getTime() - query.from.getTime() > MAX_AUDIT_DAYS * DAY_MS)
      throw new DomainError('invalid', `from–to spans at most ${MAX_AUDIT_DAYS} days`, 'from', `at most ${MAX_AUDIT_DAYS} days before to`);
    const [afterDay, afterSk] = query.after ? query.after.split('|') : [undefined, undefined];
    const entries: AuditEntry[] = [];
    // Never later than `to`'s day: a cursor from elsewhere must not walk years of empty days.
    let day = new Date(`${afterDay && afterDay < dayOf(query.to) ? afterDay : dayOf(query.to)}T00:00:00Z`);
    const firstDay = new Date(`${dayOf(query.from)}T00:00:00Z`);
    for (; day >= firstDay && entries.length <= query.limit; day = new Date(day.getTime() - DAY_MS)) {
      const resumes = afterSk !== undefined && dayOf(day) === afterDay;
      const upper = resumes ? afterSk : `${query.to.toISOString()}~`;
      const filters = [...(query.actor ? ['#actor.#id = :actor'] : []), ...(query.kind ? ['#actor.#kind = :kind'] : [])];
      const items = await this.store.query(
        {
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': `AUDIT#${dayOf(day)}`,
            ':from': query.from.toISOString(),
            ':to': upper,
            ...(query.actor ? { ':actor': query.actor } : {}),
            ...(query.kind ? { ':kind': query.kind } : {}),
          },
          ...(filters.length
            ? {
                FilterExpression: filters.join(' AND '),
                // DynamoDB refuses a name the expression does not use.
                ExpressionAttributeNames: {
                  '#actor': 'actor',
                  ...(query.actor ? { '#id': 'id' } : {}),
                  ...(query.kind ? { '#kind': 'kind' } : {}),
                },
              }
            : {}),
          ScanIndexForward: false,
        },
        // BETWEEN includes the entry the page before ended with: one more, skipped below.
        query.limit + 1 - entries.length + (resumes ? 1 : 0),
      );
      for (const item of items) {
        if (resumes && (item.sk as string) >= afterSk) continue;
        entries.push({ ...(item as unknown as AuditEntry & { sk: string }) });
      }
    }
    const page = entries.slice(0, query.limit);
    const more = entries.length > query.limit;
    const last = page.at(-1) as (AuditEntry & { pk?: string; sk?: string }) | undefined;
    return {
      entries: page.map(({ at, actor, action, target, type }) => ({ at, actor, action, target, ...(type ? { type } : {}) })),
      ...(more && last ? { next: `${last.at.slice(0, 10)}|${last.sk}` } : {}),
    };
  }
}

const CREATED_IDS: Record<string, string> = { issues: 'issueId', customers: 'customerId', invoices: 'invoiceId', users: 'userId' };

/**
 * Records every successful write an authenticated caller makes through an HTTP API (any method
 * but GET), and every use of the bootstrap API token, with the route, the ids it named and, for an
 * event, its type.
 */
export const auditTrail = (audit: AuditLog, telemetry: Telemetry): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  after: async (request) => {
    const { event, response } = request;
    const actor = actorOf(event);
    const status = response?.statusCode ?? 200;
    // The bootstrap token is an admin credential with no person behind it: even its reads are recorded.
    if (!actor || (event.requestContext.http.method === 'GET' && actor.kind !== 'api-token') || status >= 300) return;
    const { apiRequestId: _request, ...target } = correlationOf(event) as Record<string, string>;
    // A create names what it made in its Location header.
    const created = /^\/(issues|customers|invoices(?!\/imports\/)|users)\/([^/?]+)/.exec(String(response?.headers?.location ?? ''));
    if (created) target[CREATED_IDS[created[1]]] = decodeURIComponent(created[2]).slice(0, 200);
    let type: string | undefined;
    try {
      const parsed = JSON.parse(bodyText(event) || '{}') as { type?: unknown };
      if (typeof parsed.type === 'string') type = parsed.type.slice(0, 40);
    } catch {
      // a CSV import or a form: no event type
    }
    await recordAudit(audit, telemetry, { actor, action: event.routeKey, target, ...(type ? { type } : {}) });
  },
});

/** Records an entry; what was done is done and on its record, so a failed audit write is an error to look at, never a failure of the action. */
export async function recordAudit(audit: AuditLog, telemetry: Telemetry, entry: Omit<AuditEntry, 'at'>): Promise<void> {
  await audit
    .record(entry)
    .catch((error) =>
      telemetry.error('audit entry not written', error, { action: entry.action, actor: `${entry.actor.kind}:${entry.actor.id}` }),
    );
}
