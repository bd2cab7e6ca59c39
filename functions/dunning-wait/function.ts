import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  // It starts the cycle's next run when the current one continues as new.
  needs: {
    store: table({ read: ['CUSTOMER#*'], write: ['CUSTOMER#*'], delete: ['CUSTOMER#*'] }),
    workflows: workflows({ start: ['invoice-dunning'], signal: ['invoice-dunning'] }),
  },
});
