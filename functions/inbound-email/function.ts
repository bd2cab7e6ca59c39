import { INBOUND_PREFIX } from '../../modules/intake/index.ts';
import { blobs, defineFunction, email, settings, table, workflows } from '../../infra/aws/needs.ts';
import { partitions as p } from '../../infra/table-schema.ts';

export default defineFunction({
  asynchronous: true,
  needs: {
    store: table({
      read: [p.customer, p.contact, p.domain, p.issue, p.policy, p.alert, p.messageId, p.bounce],
      // Contact pointers when the built-in triage customer is stored on first need.
      write: [p.customer, p.contact, p.domain, p.issue, p.counter, p.alert, p.quarantine, p.audit, p.messageId, p.bounce],
      delete: [p.customer, p.issue], // an email's claim given back
    }),
    mailer: email(),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle'] }),
    settings: settings('fromAddress', 'inboundAddress', 'linkKey', 'linkKeys', 'unknownSender'),
    blobs: blobs('read-write', INBOUND_PREFIX), // refused mail is deleted
  },
});
