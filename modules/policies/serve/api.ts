import type { Served } from '../../../kernel/module.ts';
import { policyRoutes } from '../routes.ts';

/** What the `api` function serves of policies. */
export const routes: Served['routes'] = policyRoutes;
