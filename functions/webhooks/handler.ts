import middy from '@middy/core';
import { lambda } from '../../infra/aws/lambda.ts';
import type { DepsOf } from '../../infra/aws/needs.ts';
import { httpErrors, type ApiEvent, type ApiResult } from '../../kernel/http.ts';
import { webhookIntake } from '../../modules/intake/index.ts';
import declaration from './function.ts';

/** Monitoring webhooks (Alertmanager, Grafana, PagerDuty Events v2, Datadog, Standard Webhooks). */
export const createHandler = (deps: DepsOf<typeof declaration.needs>) =>
  middy<ApiEvent, ApiResult>().use(httpErrors(deps.telemetry)).handler(webhookIntake(deps));

export const handler = lambda(declaration, createHandler);
