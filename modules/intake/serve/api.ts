import type { Served } from '../../../kernel/module.ts';
import { integrationRequestSchemas, integrationRoutes } from '../routes.ts';

/** What the `api` function serves of intake: the integrations and the mail quarantine (the webhooks have a function of their own). */
export const routes: Served['routes'] = integrationRoutes;

export const schemas: Served['schemas'] = integrationRequestSchemas;
