import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import { moduleRouter } from '../../infra/module-http.ts';
import { permissionOf } from '../../infra/routes.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { AuditLog, auditTrail } from '../../kernel/audit.ts';
import { httpErrors, type ApiEvent, type ApiResult } from '../../kernel/http.ts';
import { staffAuth } from '../../modules/users/index.ts';
import declaration from './function.ts';
import { linkRoutes } from './links.ts';

/** What a module serves on this function: its `serve/api.ts` (only those files are in this function's bundle). */
const serve = (module: string) => import(`../../modules/${module}/serve/api.ts`);

/** The REST API: the routes every module serves on this function, and the customer links. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) => {
  const modules = moduleRouter('api', deps, serve);
  const links = linkRoutes(deps, serve);
  return middy<ApiEvent, ApiResult>()
    .use(httpErrors(deps.telemetry))
    .use(staffAuth(deps, permissionOf))
    .use(auditTrail(new AuditLog(deps.store, deps.clock), deps.telemetry))
    .handler(async (event) => (links[event.routeKey] ?? modules)(event));
};

export const handler = lambda(declaration, createHandler);
