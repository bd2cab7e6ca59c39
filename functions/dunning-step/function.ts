import { defineFunction, email, settings, table } from '../../infra/aws/needs.ts';

export default defineFunction({
  needs: {
    store: table({
      read: ['CUSTOMER#*', 'ISSUE#*', 'POLICY#*'],
      write: ['CUSTOMER#*', 'MSGID#*', 'BOUNCE#*'],
      delete: ['CUSTOMER#*'], // an email's claim given back
      indexes: { gsi1: ['CUSTOMER#*'] },
    }),
    mailer: email(),
    settings: settings('fromAddress', 'publicUrl', 'linkKey', 'inboundAddress'),
  },
});
