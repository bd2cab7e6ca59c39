import type { Deps } from '../../kernel/deps.ts';
import { HttpError, json, parseBody, pathParam, type RouteHandler } from '../../kernel/http.ts';
import { PolicyRepository } from '../policies/index.ts';
import { customerSchema, type Customer } from './customer.ts';
import { CustomerRepository } from './customer-repository.ts';

/** POST /customers creates a customer, PUT /customers/{id} replaces one; either must name an existing policy. */
export function customerRoutes(deps: Pick<Deps, 'store' | 'clock'>): Record<string, RouteHandler> {
  const customers = new CustomerRepository(deps.store);
  const policies = new PolicyRepository(deps.store);
  const valid = async (customer: Customer) => {
    if (!(await policies.current(customer.policy)))
      throw new HttpError(400, `policy: no policy "${customer.policy}"`, [{ field: 'policy', problem: 'unknown policy' }]);
    return customer;
  };
  return {
    'POST /customers': async (event) => {
      const customer = await valid(parseBody(event, customerSchema));
      await customers.putCustomer(customer, deps.clock.now(), 'create');
      return json(201, customer, { location: `/customers/${customer.id}` });
    },

    'PUT /customers/{id}': async (event) => {
      const id = pathParam(event);
      const body = parseBody(event, customerSchema.partial({ id: true }));
      if (body.id !== undefined && body.id !== id)
        throw new HttpError(400, `id: the body names ${body.id}, the path ${id}`, [{ field: 'id', problem: 'differs from the path' }]);
      const customer = await valid({ ...body, id });
      await customers.putCustomer(customer, deps.clock.now(), 'replace');
      return json(200, customer);
    },
  };
}
