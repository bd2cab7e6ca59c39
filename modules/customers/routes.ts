import type { Deps } from '../../kernel/deps.ts';
import { HttpError, json, parseBody, type RouteHandler } from '../../kernel/http.ts';
import { PolicyRepository } from '../policies/index.ts';
import { customerSchema } from './customer.ts';
import { CustomerRepository } from './customer-repository.ts';

/** POST /customers: create or replace a customer (it must name an existing policy). */
export function customerRoutes(deps: Pick<Deps, 'store' | 'clock'>): Record<string, RouteHandler> {
  const customers = new CustomerRepository(deps.store);
  const policies = new PolicyRepository(deps.store);
  return {
    'POST /customers': async (event) => {
      const customer = parseBody(event, customerSchema);
      if (!(await policies.current(customer.policy)))
        throw new HttpError(400, `policy: no policy "${customer.policy}"`, [{ field: 'policy', problem: 'unknown policy' }]);
      const existed = (await customers.getCustomer(customer.id)) !== undefined;
      await customers.putCustomer(customer, deps.clock.now());
      return json(existed ? 200 : 201, customer);
    },
  };
}
