import type { Served } from '../../../kernel/module.ts';
import { customerView, customerViewRequestSchemas } from '../customer-view.ts';

/** What the `api` function serves of the customer view. */
export const routes: Served['routes'] = customerView;

export const schemas: Served['schemas'] = customerViewRequestSchemas;
