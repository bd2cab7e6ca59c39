import type { Deps } from '../../kernel/deps.ts';
import { json, parseBody, pathParam, type RouteHandler } from '../../kernel/http.ts';
import { PolicyRepository } from '../policies/index.ts';
import { customerSchema, MAX_CUSTOMER_ID, type Customer } from './customer.ts';
import { CustomerRepository } from './customer-repository.ts';
import { DomainError } from '../../kernel/errors.ts';

/** GET /customers lists customers; POST /customers creates one, PUT /customers/{id} replaces one; either must name an existing policy. */
export function customerRoutes(deps: Pick<Deps, 'store' | 'clock'>): Record<string, RouteHandler> {
  const customers = new CustomerRepository(deps.store);
  const policies = new PolicyRepository(deps.store);
  const valid = async (customer: Customer) => {
    if (!(await policies.current(customer.policy)))
      throw new DomainError('invalid', `policy: no policy "${customer.policy}"`, {
        details: [{ field: 'policy', problem: 'unknown policy' }],
      });
    return customer;
  };
  return {
    /**
     * A page of customers by id: `?limit=` (1–200, default 50) and `?after=<id>` (the `next` of the page
     * before); `?q=` keeps those whose id or name holds it (any case).
     */
    'GET /customers': async (event) => {
      const query = event.queryStringParameters ?? {};
      const limit = query.limit === undefined ? 50 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200)
        throw new DomainError('invalid', 'limit: a whole number from 1 to 200', {
          details: [{ field: 'limit', problem: 'a whole number from 1 to 200' }],
        });
      if (query.after !== undefined && query.after.length > MAX_CUSTOMER_ID)
        throw new DomainError('invalid', `after: at most ${MAX_CUSTOMER_ID} characters`, {
          details: [{ field: 'after', problem: 'too long' }],
        });
      if (query.q !== undefined && (query.q.trim() === '' || query.q.length > 200))
        throw new DomainError('invalid', 'q: 1 to 200 characters', { details: [{ field: 'q', problem: '1 to 200 characters' }] });
      if (query.q !== undefined) return json(200, await customers.searchCustomers(query.q.trim(), limit, query.after));
      return json(200, await customers.listCustomers(limit, query.after));
    },

    'POST /customers': async (event) => {
      const customer = await valid(parseBody(event, customerSchema));
      await customers.putCustomer(customer, deps.clock.now(), 'create');
      return json(201, customer, { location: `/customers/${customer.id}` });
    },

    'PUT /customers/{id}': async (event) => {
      const id = pathParam(event);
      const body = parseBody(event, customerReplaceSchema);
      if (body.id !== undefined && body.id !== id)
        throw new DomainError('invalid', `id: the body names ${body.id}, the path ${id}`, {
          details: [{ field: 'id', problem: 'differs from the path' }],
        });
      const customer = await valid({ ...body, id });
      await customers.putCustomer(customer, deps.clock.now(), 'replace');
      return json(200, customer);
    },
  };
}

/** PUT names the customer in its path; the body may repeat the id. */
const customerReplaceSchema = customerSchema.partial({ id: true });

/** The schemas the customer routes validate requests with, by route key (for the API's description). */
export const customerRequestSchemas = {
  'POST /customers': { body: customerSchema },
  'PUT /customers/{id}': { body: customerReplaceSchema },
};
