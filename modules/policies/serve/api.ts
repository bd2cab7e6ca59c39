import type { Served } from '../../../kernel/module.ts';
import { policyRequestSchemas, policyRoutes } from '../routes.ts';

/** What the `api` function serves of policies. */
export const routes: Served['routes'] = policyRoutes;

export const schemas: Served['schemas'] = policyRequestSchemas;
