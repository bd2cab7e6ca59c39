import { actorOf } from '../../kernel/actor.ts';
import type { Deps } from '../../kernel/deps.ts';
import { json, parseBody, pathParam, validate, type RouteHandler } from '../../kernel/http.ts';
import * as z from 'zod';
import { policyInputSchema, policySchema } from './policy.ts';
import { PolicyRepository } from './policy-repository.ts';
import { DomainError } from '../../kernel/errors.ts';

const versionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** The oldest version of the page before (its `next`). */
  before: z.coerce.number().int().min(2).max(999_999).optional(),
});
const versionParam = z.strictObject({ version: z.coerce.number().int().min(1).max(999_999) });

/** Policies there may be at most (GET /policies answers them whole); versions of one policy page. */
export const MAX_POLICIES = 100;

/** Policies as versioned data: list, read (any version), the history of versions, and store the next version. */
export function policyRoutes(deps: Pick<Deps, 'store' | 'clock'>): Record<string, RouteHandler> {
  const policies = new PolicyRepository(deps.store);
  return {
    'GET /policies': async () => json(200, { policies: await policies.list() }),

    'GET /policies/{name}': async (event) => {
      const found = await policies.currentVersion(pathParam(event, 'name'));
      if (!found) throw new DomainError('not-found', `policy ${pathParam(event, 'name')} not found`);
      const { policy, storedAt, updatedBy } = found;
      return json(200, { ...policy, ...(storedAt ? { updatedAt: storedAt } : {}), ...(updatedBy ? { updatedBy } : {}) });
    },

    /** The versions of a policy, newest first, paged by `limit` and `before`: each with when and by whom it was stored. */
    'GET /policies/{name}/versions': async (event) => {
      const name = pathParam(event, 'name');
      const page = validate(event.queryStringParameters ?? {}, versionsQuery);
      if (!(await policies.currentVersion(name))) throw new DomainError('not-found', `policy ${name} not found`);
      const versions = await policies.versions(name, page.limit, page.before);
      const oldest = versions.at(-1)?.version;
      return json(200, { name, versions, ...(versions.length === page.limit && oldest && oldest > 1 ? { next: oldest } : {}) });
    },

    'GET /policies/{name}/versions/{version}': async (event) => {
      const name = pathParam(event, 'name');
      const { version } = validate({ version: pathParam(event, 'version') }, versionParam);
      const found = await policies.version(name, version);
      if (!found) throw new DomainError('not-found', `policy ${name} has no version ${version}`);
      const { policy, storedAt, updatedBy } = found;
      return json(200, { ...policy, ...(storedAt ? { updatedAt: storedAt } : {}), ...(updatedBy ? { updatedBy } : {}) });
    },

    'PUT /policies/{name}': async (event) => {
      const name = pathParam(event, 'name');
      validate({ name }, policySchema.pick({ name: true }));
      const body = parseBody(event, policyInputSchema);
      if (!(await policies.current(name))) {
        const count = (await policies.names()).length;
        if (count >= MAX_POLICIES)
          throw new DomainError('conflict', `name: there are ${count} policies, the most there may be; change one instead`, {
            details: [{ field: 'name', problem: `at most ${MAX_POLICIES} policies` }],
          });
      }
      const at = deps.clock.now();
      const by = actorOf(event);
      const stored = await policies.putNextVersion(name, body, at, by);
      if (!stored) throw new DomainError('conflict', `policy ${name} changed concurrently; try again`);
      return json(200, { ...stored, updatedAt: at.toISOString(), ...(by ? { updatedBy: by } : {}) });
    },
  };
}

/** The schemas the policy routes validate requests with, by route key (for the API's description). */
export const policyRequestSchemas = {
  'GET /policies/{name}/versions': { query: versionsQuery },
  'PUT /policies/{name}': { body: policyInputSchema },
};
