import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';
import { partitions as p } from '../../infra/table-schema.ts';

export default defineFunction({
  // It starts the cycle's next run when the current one continues as new.
  needs: {
    store: table({ read: [p.customer], write: [p.customer], delete: [p.customer] }),
    workflows: workflows({ start: ['invoice-dunning'], signal: ['invoice-dunning'] }),
  },
});
