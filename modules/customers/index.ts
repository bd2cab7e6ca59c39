/** Customers: who they are, how to reach them, who looks after them. The public entry of the module. */
export {
  billingRecipients,
  contactNames,
  customerSchema,
  issueRecipients,
  MAX_CUSTOMER_ID,
  senderKeys,
  type Customer,
} from './customer.ts';
export { CustomerRepository } from './customer-repository.ts';
export { customerRoutes } from './routes.ts';
export { TRIAGE_ID, triageCustomer, triageCustomerOf } from './triage.ts';
