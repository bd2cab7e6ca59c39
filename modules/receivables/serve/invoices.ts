import type { Served } from '../../../kernel/module.ts';
import { receivableRequestSchemas, receivableRoutes } from '../routes.ts';

/** What the `invoices` function serves: invoices, payments, imports, dunning answers, AR KPIs, the Stripe webhook. */
export const routes: Served['routes'] = receivableRoutes;

export const schemas: Served['schemas'] = receivableRequestSchemas;
