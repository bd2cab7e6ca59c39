import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { bearerAuth, httpErrors, router, type ApiEvent, type ApiResult } from '../../kernel/http.ts';
import { receivableRoutes } from '../../modules/receivables/index.ts';
import declaration from './function.ts';

const isPublic = (event: ApiEvent) => event.routeKey === 'POST /webhooks/stripe';

/** The receivables API; the Stripe webhook authenticates by its signature instead of the bearer token. */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy<ApiEvent, ApiResult>()
    .use(httpErrors(deps.telemetry))
    .use(bearerAuth(deps.settings, isPublic))
    .handler(router(receivableRoutes(deps)));

export const handler = lambda(declaration, createHandler);
