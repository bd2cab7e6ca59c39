import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';
import { indexPartitions as index, partitions as p } from '../../infra/table-schema.ts';

/** The run paces its starts (200/s) over every due customer: it gets Lambda's longest timeout and stops itself before it. */
export default defineFunction({
  asynchronous: true,
  timeoutSeconds: 900,
  needs: {
    store: table({ read: [p.customer], indexes: { gsi2: [index.dunningDue] } }),
    workflows: workflows({ start: ['invoice-dunning'], signal: ['invoice-dunning'] }),
  },
});
