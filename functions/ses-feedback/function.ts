import { defineFunction, email, settings, table } from '../../infra/aws/needs.ts';

export default defineFunction({
  asynchronous: true,
  needs: {
    store: table({
      read: ['CUSTOMER#*', 'CONTACT#*', 'ISSUE#*', 'MSGID#*'],
      write: ['CUSTOMER#*', 'CONTACT#*', 'DOMAIN#*', 'MSGID#*', 'BOUNCE#*'],
      delete: ['CUSTOMER#*'], // an email's claim given back
    }),
    mailer: email(), // tells the service manager
    settings: settings('fromAddress', 'inboundAddress', 'linkKey'),
  },
});
