/** Customers: who they are, how to reach them, who looks after them. The public entry of the module. */
export {
  billingRecipients,
  contactNames,
  customerSchema,
  issueRecipients,
  MAX_CUSTOMER_ID,
  type Customer,
} from './customer.ts';
export { CustomerRepository } from './customer-repository.ts';
export { triageCustomerOf } from './triage.ts';
