/** Customers: who they are, how to reach them, who looks after them. The public entry of the module. */
export {
  billingRecipients,
  contactNames,
  customerSchema,
  issueRecipients,
  MAX_CUSTOMER_ID,
  type Customer,
} from './customer.ts';
export { CustomerDirectory } from './customer-directory.ts';
/** For the composition roots, benchmarks and tests; modules use the CustomerDirectory. */
export { CustomerRepository } from './customer-repository.ts';
export { triageCustomerOf } from './triage.ts';
