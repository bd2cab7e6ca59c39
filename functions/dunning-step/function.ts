import { defineFunction, email, settings, table } from '../../infra/aws/needs.ts';

export default defineFunction({
  needs: { store: table('read-write'), mailer: email(), settings: settings('fromAddress', 'publicUrl', 'linkKey', 'inboundAddress') },
});
