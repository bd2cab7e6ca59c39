import { defineFunction, email, settings, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  needs: {
    store: table('read-write'),
    // A dispute by link tells the service manager.
    mailer: email(),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle', 'invoice-dunning'] }),
    settings: settings('apiTokens', 'signIn', 'linkKey', 'linkKeys', 'fromAddress', 'inboundAddress', 'publicUrl'),
  },
});
