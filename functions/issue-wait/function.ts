import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  // It starts the next run when the current one continues as new.
  needs: {
    store: table({ read: ['ISSUE#*'], write: ['ISSUE#*'] }),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle'] }),
  },
});
