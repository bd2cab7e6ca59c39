/** Receivables: invoices, payments, disputes, promises, the dunning ladder and AR KPIs. The public entry of the module. */
export * from './ar-kpis.ts';
export * from './dunning.ts';
export * from './dunning-service.ts';
export * from './invoice-csv.ts';
export * from './invoice-import.ts';
export * from './invoice-repository.ts';
export * from './invoices.ts';
export * from './money-links.ts';
export * from './notices.ts';
export * from './replies.ts';
export * from './stripe.ts';
export * from './suspension.ts';
export * from './dunning-step.ts';
export * from './routes.ts';
export type { WorklistEntry } from './worklist.ts';
export * from './dunning-case.ts';
