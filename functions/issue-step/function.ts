import { defineFunction, email, settings, table } from '../../infra/aws/needs.ts';

export default defineFunction({
  needs: {
    store: table({
      read: ['CUSTOMER#*', 'ISSUE#*', 'USERS'],
      write: ['ISSUE#*', 'MSGID#*', 'BOUNCE#*'],
      delete: ['ISSUE#*'], // an email's claim given back
      indexes: { gsi1: ['CUSTOMER#*'] },
    }),
    mailer: email(),
    settings: settings('fromAddress', 'publicUrl', 'inboundAddress', 'linkKey'),
  },
});
