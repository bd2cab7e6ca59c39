/** Receivables: invoices, payments, disputes, promises, the dunning ladder and AR KPIs. The public entry of the module. */
export { DUNNING_WORKFLOW, dunningExecutionName } from './dunning-identity.ts';
export { IMPORTS_PREFIX, ImportJobs } from './invoice-import.ts';
export { DUNNING_SHARDS, InvoiceRepository, type StoredInvoice } from './invoice-repository.ts';
export type { Invoice } from './invoices.ts';
export { customerRepliesPage, recordCustomerReply } from './replies.ts';
export { dunningCase, dunningRuns } from './dunning-case.ts';
export type { WorklistEntry } from './worklist.ts';
