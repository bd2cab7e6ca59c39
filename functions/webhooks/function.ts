import { defineFunction, settings, table, workflows } from '../../infra/aws/needs.ts';

export default defineFunction({
  needs: {
    store: table('read-write'),
    workflows: workflows({ start: ['issue-lifecycle'], signal: ['issue-lifecycle'] }),
    settings: settings('apiTokens', 'webhooksAcceptApiToken', 'unknownSender'),
  },
});
