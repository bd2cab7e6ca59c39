import type { Served } from '../../../kernel/module.ts';
import { maintenanceRequestSchemas, maintenanceRoutes } from '../routes.ts';

/** What the `api` function serves of maintenance. */
export const routes: Served['routes'] = maintenanceRoutes;

export const schemas: Served['schemas'] = maintenanceRequestSchemas;
