import * as z from 'zod';
import { AuditLog } from '../../kernel/audit.ts';
import type { Deps } from '../../kernel/deps.ts';
import { json, type RouteHandler, validate } from '../../kernel/http.ts';

const ACTOR_KINDS = ['user', 'token', 'api-token', 'integration', 'customer-link', 'staff-link', 'email', 'workflow'] as const;
const instant = z.iso.datetime({ offset: true });
const auditQuerySchema = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
  actor: z.string().min(1).max(100).optional(),
  kind: z.enum(ACTOR_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: z
    .string()
    .max(300)
    .regex(/^\d{4}-\d{2}-\d{2}\|/, 'the next of a page before')
    .optional(),
});

/** GET /audit: who did what, newest first, between `from` and `to` (default: the last 7 days), by actor id and kind. */
export function auditRoutes(deps: Pick<Deps, 'store' | 'clock'>): Record<string, RouteHandler> {
  const audit = new AuditLog(deps.store, deps.clock);
  return {
    'GET /audit': async (event) => {
      const query = validate(event.queryStringParameters ?? {}, auditQuerySchema);
      const to = query.to ? new Date(query.to) : deps.clock.now();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - 7 * 24 * 3600 * 1000);
      const page = await audit.list({ ...query, from, to });
      return json(200, { count: page.entries.length, entries: page.entries, ...(page.next ? { next: page.next } : {}) });
    },
  };
}

/** The schemas the audit route validates requests with, by route key (for the API's description). */
export const auditRequestSchemas = { 'GET /audit': { query: auditQuerySchema } };
