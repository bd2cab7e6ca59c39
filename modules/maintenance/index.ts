/** Planned maintenance: announced to the affected customers, step by step. The public entry of the module. */
export { maintenanceCase, maintenanceRuns } from './maintenance-case.ts';
