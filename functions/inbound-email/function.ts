import { INBOUND_PREFIX } from '../../modules/intake/index.ts';
import { blobs, defineFunction, email, settings, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  asynchronous: true,
  needs: {
    store: table('read-write'),
    mailer: email(),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle'] }),
    settings: settings('fromAddress', 'inboundAddress', 'linkKey', 'linkKeys', 'unknownSender'),
    blobs: blobs('read-write', INBOUND_PREFIX), // refused mail is deleted
  },
});
