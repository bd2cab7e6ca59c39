import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import { moduleRouter } from '../../infra/module-http.ts';
import { permissionOf } from '../../infra/routes.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { AuditLog, auditTrail } from '../../kernel/audit.ts';
import { httpErrors, type ApiEvent, type ApiResult } from '../../kernel/http.ts';
import { staffAuth } from '../../modules/users/index.ts';
import declaration from './function.ts';

/** What a module serves on this function: its `serve/invoices.ts` (only those files are in this function's bundle). */
const serve = (module: string) => import(`../../modules/${module}/serve/invoices.ts`);

/** The receivables API; the Stripe webhook authenticates by its signature instead of the bearer token. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy<ApiEvent, ApiResult>()
    .use(httpErrors(deps.telemetry))
    .use(staffAuth(deps, permissionOf))
    .use(auditTrail(new AuditLog(deps.store, deps.clock), deps.telemetry))
    .handler(moduleRouter('invoices', deps, serve));

export const handler = lambda(declaration, createHandler);
