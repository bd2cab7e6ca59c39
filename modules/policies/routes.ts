import { actorOf } from '../../kernel/actor.ts';
import type { Deps } from '../../kernel/deps.ts';
import { HttpError, json, parseBody, pathParam, validate, type RouteHandler } from '../../kernel/http.ts';
import { policyInputSchema, policySchema } from './policy.ts';
import { PolicyRepository } from './policy-repository.ts';

/** Policies as versioned data: list, read, and store the next version. */
export function policyRoutes(deps: Pick<Deps, 'store' | 'clock'>): Record<string, RouteHandler> {
  const policies = new PolicyRepository(deps.store);
  return {
    'GET /policies': async () => json(200, { policies: await policies.list() }),

    'GET /policies/{name}': async (event) => {
      const found = await policies.currentVersion(pathParam(event, 'name'));
      if (!found) throw new HttpError(404, `policy ${pathParam(event, 'name')} not found`);
      const { policy, storedAt, updatedBy } = found;
      return json(200, { ...policy, ...(storedAt ? { updatedAt: storedAt } : {}), ...(updatedBy ? { updatedBy } : {}) });
    },

    'PUT /policies/{name}': async (event) => {
      const name = pathParam(event, 'name');
      validate({ name }, policySchema.pick({ name: true }));
      const body = parseBody(event, policyInputSchema);
      const at = deps.clock.now();
      const by = actorOf(event);
      const stored = await policies.putNextVersion(name, body, at, by);
      if (!stored) throw new HttpError(409, `policy ${name} changed concurrently; try again`);
      return json(200, { ...stored, updatedAt: at.toISOString(), ...(by ? { updatedBy: by } : {}) });
    },
  };
}
