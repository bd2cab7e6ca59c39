import { defineFunction, email, settings, table } from '../../infra/aws/needs.ts';
import { partitions as p } from '../../infra/table-schema.ts';

export default defineFunction({
  asynchronous: true,
  needs: {
    store: table({
      read: [p.customer, p.contact, p.issue, p.messageId],
      write: [p.customer, p.contact, p.domain, p.messageId, p.bounce],
      delete: [p.customer], // an email's claim given back
    }),
    mailer: email(), // tells the service manager
    settings: settings('fromAddress', 'inboundAddress', 'linkKey'),
  },
});
