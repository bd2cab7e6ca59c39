import { defineFunction, email, settings, table } from '../../infra/aws/needs.ts';

export default defineFunction({
  asynchronous: true,
  needs: {
    store: table('read-write'),
    mailer: email(), // tells the service manager
    settings: settings('fromAddress', 'inboundAddress', 'linkKey'),
  },
});
