import type { Served } from '../../../kernel/module.ts';
import { customerRequestSchemas, customerRoutes } from '../routes.ts';

/** What the `api` function serves of customers. */
export const routes: Served['routes'] = customerRoutes;

export const schemas: Served['schemas'] = customerRequestSchemas;
