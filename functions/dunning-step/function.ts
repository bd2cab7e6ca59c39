import { defineFunction, email, settings, table } from '../../infra/aws/needs.ts';
import { indexPartitions as index, partitions as p } from '../../infra/table-schema.ts';

export default defineFunction({
  needs: {
    store: table({
      read: [p.customer, p.issue, p.policy],
      write: [p.customer, p.messageId, p.bounce],
      delete: [p.customer], // an email's claim given back
      indexes: { gsi1: [index.customerHistory] },
    }),
    mailer: email(),
    settings: settings('fromAddress', 'publicUrl', 'linkKey', 'inboundAddress'),
  },
});
