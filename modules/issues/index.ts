/** Issues: their lifecycle, timers, escalations, RFOs and KPIs. The public entry of the module. */
export * from './issue.ts';
export * from './issue-links.ts';
export * from './issue-repository.ts';
export * from './issue-service.ts';
export * from './kpis.ts';
export * from './issue-step.ts';
export * from './outage.ts';
export * from './routes.ts';
export * from './issue-schemas.ts';
export * from './issue-case.ts';
