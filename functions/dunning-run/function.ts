import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';

/** The run paces its starts (200/s) over every due customer: it gets Lambda's longest timeout and stops itself before it. */
export default defineFunction({
  asynchronous: true,
  timeoutSeconds: 900,
  needs: {
    store: table({ read: ['CUSTOMER#*'], indexes: { gsi2: ['DUNNING#*'] } }),
    workflows: workflows({ start: ['invoice-dunning'], signal: ['invoice-dunning'] }),
  },
});
