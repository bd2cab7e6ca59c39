import type { Served } from '../../../kernel/module.ts';
import { auditRequestSchemas, auditRoutes } from '../audit-routes.ts';
import { userRequestSchemas, userRoutes } from '../routes.ts';

/** What the `api` function serves of users: people, their tokens, who you are, the audit trail. */
export const routes: Served['routes'] = (deps) => ({ ...userRoutes(deps), ...auditRoutes(deps) });

export const schemas: Served['schemas'] = { ...userRequestSchemas, ...auditRequestSchemas };
