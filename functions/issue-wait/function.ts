import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  // It keeps the token of an earlier run's first wait, then starts the next run (a case loop).
  needs: {
    store: table({ read: ['ISSUE#*'], write: ['ISSUE#*'] }),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle'] }),
  },
});
