import { defineFunction, table, workflows } from '../../infra/aws/needs.ts';
import { partitions as p } from '../../infra/table-schema.ts';

export default defineFunction({
  // It starts the issue's next run when the current one continues as new.
  needs: {
    store: table({ read: [p.issue], write: [p.issue] }),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle'] }),
  },
});
