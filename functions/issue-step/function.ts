import { defineFunction, email, settings, table, timers, workflows } from '../../infra/aws/needs.ts';

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
    // It ends its own turn (closed, or continued in the next run) and sets the deadline's timer.
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle'] }),
    timers: timers(),
  },
});
