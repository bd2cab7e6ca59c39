import { defineFunction, email, settings, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  needs: {
    store: table('read-write'),
    mailer: email(),
    workflows: workflows({ signal: ['invoice-dunning'] }),
    settings: settings('apiToken', 'stripeWebhookSecret', 'fromAddress', 'linkKey', 'inboundAddress'),
  },
});
