import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import { permissionOf } from '../../infra/routes.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { AuditLog, auditTrail } from '../../kernel/audit.ts';
import { httpErrors, router, type ApiEvent, type ApiResult } from '../../kernel/http.ts';
import { customerRoutes } from '../../modules/customers/index.ts';
import { integrationRoutes } from '../../modules/intake/index.ts';
import { issueRoutes } from '../../modules/issues/index.ts';
import { policyRoutes } from '../../modules/policies/index.ts';
import { auditRoutes, staffAuth, userRoutes } from '../../modules/users/index.ts';
import { customerView } from './customer-view.ts';
import declaration from './function.ts';
import { linkRoutes } from './links.ts';

/** The REST API: each module's routes, the customer view across modules, and the customer links. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy<ApiEvent, ApiResult>()
    .use(httpErrors(deps.telemetry))
    .use(staffAuth(deps, permissionOf))
    .use(auditTrail(new AuditLog(deps.store, deps.clock), deps.telemetry))
    .handler(
      router({
        ...customerRoutes(deps),
        ...customerView(deps),
        ...issueRoutes(deps),
        ...policyRoutes(deps),
        ...integrationRoutes(deps),
        ...linkRoutes(deps),
        ...userRoutes(deps),
        ...auditRoutes(deps),
      }),
    );

export const handler = lambda(declaration, createHandler);
