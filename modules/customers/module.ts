import { defineModule } from '../../kernel/module.ts';

/** Customers: who they are, how to reach them, who looks after them. */
export default defineModule({
  name: 'customers',
  partitions: {
    /** A customer: its record, issue pointers, invoices, dunning state and wait token, replies, the emails about it. */
    customer: 'CUSTOMER#*',
    /** Which customer an address or a mail domain belongs to. */
    contact: 'CONTACT#*',
    domain: 'DOMAIN#*',
  },
  indexPartitions: {
    /** gsi1: a customer's history. */
    customerHistory: 'CUSTOMER#*',
    /** gsi3: the customer list. */
    customerList: 'CUSTOMERS',
  },
  routes: [
    { method: 'POST', path: '/customers', function: 'api', permission: 'customers:write' },
    { method: 'GET', path: '/customers', function: 'api', permission: 'customers:read' },
    { method: 'PUT', path: '/customers/{id}', function: 'api', permission: 'customers:write' },
  ],
});
