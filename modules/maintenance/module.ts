import { defineModule } from '../../kernel/module.ts';

/**
 * Planned maintenance: work on customers' services, announced to exactly the affected customers in
 * their zone and calendar (notice, reminder, started, extended, completed, cancelled).
 */
export default defineModule({
  name: 'maintenance',
  partitions: {
    /** A maintenance: its record, the emails about it and its wait token. */
    maintenance: 'MAINTENANCE#*',
  },
  indexPartitions: {
    /** gsi3: maintenances by start. */
    maintenanceList: 'MAINTENANCES',
  },
  routes: [
    { method: 'POST', path: '/maintenances', function: 'api', permission: 'maintenance:write' },
    { method: 'GET', path: '/maintenances', function: 'api', permission: 'maintenance:read' },
    { method: 'GET', path: '/maintenances/{id}', function: 'api', permission: 'maintenance:read' },
    { method: 'PATCH', path: '/maintenances/{id}', function: 'api', permission: 'maintenance:write' },
    { method: 'POST', path: '/maintenances/{id}/events', function: 'api', permission: 'maintenance:write' },
  ],
  tables: {
    api: { read: ['MAINTENANCE#*'], write: ['MAINTENANCE#*'], indexes: { gsi3: ['MAINTENANCES'] } },
  },
  workflows: { 'maintenance-notices': { caseLoop: { turn: 'maintenance-step' } } },
  schedules: [
    {
      name: 'reconcile-maintenance',
      expression: 'cron(27 * * * ? *)',
      timezone: 'UTC',
      function: 'reconcile',
      input: { sweep: 'maintenance' },
      description: 'Every scheduled or running maintenance keeps a live execution, so no notice is missed',
    },
  ],
});
