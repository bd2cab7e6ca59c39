import { defineFunction, email, settings, table, timers, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  needs: {
    store: table({
      read: ['CUSTOMER#*', 'ISSUE#*', 'POLICY#*'],
      write: ['CUSTOMER#*', 'MSGID#*', 'BOUNCE#*'],
      delete: ['CUSTOMER#*'], // an email's claim given back, a finished cycle's wait item
      indexes: { gsi1: ['CUSTOMER#*'] },
    }),
    mailer: email(),
    settings: settings('fromAddress', 'publicUrl', 'linkKey', 'inboundAddress'),
    // It ends its own turn (done, or continued in the cycle's next run) and sets the deadline's timer.
    workflows: workflows({ start: ['invoice-dunning'], signal: ['invoice-dunning'] }),
    timers: timers(),
  },
});
