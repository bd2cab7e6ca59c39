import type { Served } from '../../../kernel/module.ts';
import { customerRoutes } from '../routes.ts';

/** What the `api` function serves of customers. */
export const routes: Served['routes'] = customerRoutes;
