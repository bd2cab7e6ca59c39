import { INBOUND_PREFIX } from '../../modules/intake/index.ts';
import { blobs, defineFunction, email, settings, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  asynchronous: true,
  needs: {
    store: table({
      read: ['CUSTOMER#*', 'CONTACT#*', 'DOMAIN#*', 'ISSUE#*', 'POLICY#*', 'ALERT#*', 'MSGID#*', 'BOUNCE#*'],
      // Contact pointers when the built-in triage customer is stored on first need.
      write: ['CUSTOMER#*', 'CONTACT#*', 'DOMAIN#*', 'ISSUE#*', 'COUNTER', 'ALERT#*', 'QUARANTINE', 'AUDIT#*', 'MSGID#*', 'BOUNCE#*'],
      delete: ['CUSTOMER#*', 'ISSUE#*'], // an email's claim given back
    }),
    mailer: email(),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle'] }),
    settings: settings('fromAddress', 'inboundAddress', 'linkKey', 'linkKeys', 'unknownSender'),
    blobs: blobs('read-write', INBOUND_PREFIX), // refused mail is deleted
  },
});
