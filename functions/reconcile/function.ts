import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';

/** Checks every open issue, dunning cycle and live maintenance (DescribeExecution each): it gets time for tens of thousands. */
export default defineFunction({
  asynchronous: true,
  timeoutSeconds: 900,
  needs: {
    store: table({
      read: ['CUSTOMER#*', 'ISSUE#*', 'MAINTENANCE#*'],
      indexes: { gsi2: ['DUNNING#*'], gsi3: ['ISSUES#*', 'MAINTENANCES'] },
    }),
    workflows: workflows({ start: ['issue-lifecycle', 'invoice-dunning', 'maintenance-notices'] }),
  },
});
