import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';

/** Checks every open issue and dunning cycle (DescribeExecution each): it gets time for tens of thousands. */
export default defineFunction({
  asynchronous: true,
  timeoutSeconds: 900,
  needs: {
    store: table({ read: ['CUSTOMER#*', 'ISSUE#*'], indexes: { gsi2: ['DUNNING#*'], gsi3: ['ISSUES#*'] } }),
    workflows: workflows({ start: ['issue-lifecycle', 'invoice-dunning'] }),
  },
});
