import type { Served } from '../../../kernel/module.ts';
import { serviceRequestSchemas, serviceRoutes } from '../routes.ts';

/** What the `api` function serves of services. */
export const routes: Served['routes'] = serviceRoutes;

export const schemas: Served['schemas'] = serviceRequestSchemas;
