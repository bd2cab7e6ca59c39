import { defineModule } from '../../kernel/module.ts';

/** The customer view: one customer with its history across issues, RFOs, invoices, payments, emails and replies. */
export default defineModule({
  name: 'customer-view',
  routes: [
    { method: 'GET', path: '/customers/{id}', function: 'api', permission: 'customers:read' },
    // Issue lists also need issues:read, money lists invoices:read (checked by the handler: it depends on the list).
    { method: 'GET', path: '/customers/{id}/history/{list}', function: 'api', permission: 'customers:read' },
  ],
});
