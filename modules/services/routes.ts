import type { Deps } from '../../kernel/deps.ts';
import { DomainError } from '../../kernel/errors.ts';
import { json, parseBody, pathParam, type RouteHandler } from '../../kernel/http.ts';
import { CustomerDirectory } from '../customers/index.ts';
import { IssueRepository } from '../issues/index.ts';
import { serviceIdSchema, serviceSchema, serviceStates } from './service.ts';
import { ServiceRepository } from './service-repository.ts';

const UNRESOLVED = ['open', 'acknowledged'] as const;

/** A customer's services: PUT one (create or replace), GET all with their state, DELETE one that nothing uses. */
export function serviceRoutes(deps: Pick<Deps, 'store' | 'clock'>): Record<string, RouteHandler> {
  const customers = new CustomerDirectory(deps.store);
  const services = new ServiceRepository(deps.store);
  const issues = new IssueRepository(deps.store);
  const serviceIdOf = (event: Parameters<RouteHandler>[0]) => {
    const id = pathParam(event, 'serviceId');
    const valid = serviceIdSchema.safeParse(id);
    if (!valid.success)
      throw new DomainError('invalid', `serviceId: ${valid.error.issues[0].message}`, {
        details: [{ field: 'serviceId', problem: valid.error.issues[0].message }],
      });
    return id;
  };
  /** The customer in the path: a 404 when there is none (a body's unknown customer would be a 400). */
  const existing = async (customerId: string) => {
    if (!(await customers.getCustomer(customerId))) throw new DomainError('not-found', `customer ${customerId} does not exist`);
  };
  const unresolvedIssues = (customerId: string) => issues.listIssues({ customerId, statuses: [...UNRESOLVED] });

  return {
    'PUT /customers/{id}/services/{serviceId}': async (event) => {
      const customerId = pathParam(event);
      const id = serviceIdOf(event);
      const input = parseBody(event, serviceSchema);
      await existing(customerId);
      const service = { ...input, id, customerId, updatedAt: deps.clock.now().toISOString() };
      const outcome = await services.put(service);
      return outcome === 'created' ? json(201, service, { location: `/customers/${customerId}/services/${id}` }) : json(200, service);
    },

    /** Every service of the customer (at most 1,000), by id, each with its state and the unresolved issues naming it. */
    'GET /customers/{id}/services': async (event) => {
      const customerId = pathParam(event);
      await existing(customerId);
      const [list, unresolved] = await Promise.all([services.list(customerId), unresolvedIssues(customerId)]);
      return json(200, { services: serviceStates(list, unresolved) });
    },

    /** A service an unresolved issue names is kept: 409 naming the issues. */
    'DELETE /customers/{id}/services/{serviceId}': async (event) => {
      const customerId = pathParam(event);
      const id = serviceIdOf(event);
      if (!(await services.get(customerId, id))) throw new DomainError('not-found', `customer ${customerId} has no service ${id}`);
      const using = (await unresolvedIssues(customerId)).filter((issue) => issue.services?.includes(id)).map((issue) => issue.id);
      if (using.length)
        throw new DomainError(
          'conflict',
          `service ${id} is named by unresolved ${using.length === 1 ? 'issue' : 'issues'} ${using.join(', ')}`,
          {
            details: [{ field: 'serviceId', problem: `in use by ${using.join(', ')}` }],
          },
        );
      if (!(await services.delete(customerId, id))) throw new DomainError('not-found', `customer ${customerId} has no service ${id}`);
      return { statusCode: 204, body: '' };
    },
  };
}

/** The schemas the service routes validate requests with, by route key (for the API's description). */
export const serviceRequestSchemas = {
  'PUT /customers/{id}/services/{serviceId}': { body: serviceSchema },
};
