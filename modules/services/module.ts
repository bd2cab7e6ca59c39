import { defineModule } from '../../kernel/module.ts';

/**
 * Services: what each customer has (circuits, sites, devices, applications) and which alerts are
 * about it. Kept in the customer's partition (`SERVICE#<id>`, and the count `SERVICE-COUNT`).
 */
export default defineModule({
  name: 'services',
  routes: [
    { method: 'PUT', path: '/customers/{id}/services/{serviceId}', function: 'api', permission: 'customers:write' },
    { method: 'GET', path: '/customers/{id}/services', function: 'api', permission: 'customers:read' },
    { method: 'DELETE', path: '/customers/{id}/services/{serviceId}', function: 'api', permission: 'customers:write' },
  ],
});
