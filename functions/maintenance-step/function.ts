import { defineFunction, email, settings, table, timers, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  needs: {
    store: table({
      read: ['CUSTOMER#*', 'MAINTENANCE#*', 'POLICY#*'],
      write: ['MAINTENANCE#*', 'MSGID#*', 'BOUNCE#*'],
      delete: ['MAINTENANCE#*'], // an email's claim given back
    }),
    mailer: email(),
    settings: settings('fromAddress', 'inboundAddress', 'linkKey'),
    // It ends its own turn (over, or continued in the maintenance's next run) and sets the deadline's timer.
    workflows: workflows({ start: ['maintenance-notices'], signal: ['maintenance-notices'] }),
    timers: timers(),
  },
});
