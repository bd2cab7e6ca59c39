import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';
import { indexPartitions as index, partitions as p } from '../../infra/table-schema.ts';

/** Checks every open issue and dunning cycle (DescribeExecution each): it gets time for tens of thousands. */
export default defineFunction({
  asynchronous: true,
  timeoutSeconds: 900,
  needs: {
    store: table({ read: [p.customer, p.issue], indexes: { gsi2: [index.dunningDue], gsi3: [index.issuesByStatus] } }),
    workflows: workflows({ start: ['issue-lifecycle', 'invoice-dunning'] }),
  },
});
